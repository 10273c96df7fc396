package org.pavilion.storage;

import java.nio.file.Files;
import java.nio.file.Path;

import com.zaxxer.hikari.HikariDataSource;

/** The storage contract on the embedded default: an H2 file database in PostgreSQL mode. */
class H2SessionStoreTest extends SessionStoreContract {

    @Override
    HikariDataSource createDataSource() throws Exception {
        Path dir = Files.createTempDirectory("pavilion-h2-store");
        dir.toFile().deleteOnExit();
        return TestDatabases.h2File(dir);
    }

}
