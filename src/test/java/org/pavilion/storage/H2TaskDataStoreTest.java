package org.pavilion.storage;

import java.nio.file.Files;
import java.nio.file.Path;

import com.zaxxer.hikari.HikariDataSource;

/** The task-data store on the embedded default: an H2 file database, reopened from its file. */
class H2TaskDataStoreTest extends TaskDataStoreContract {

    private Path dir;

    @Override
    HikariDataSource createDataSource() throws Exception {
        dir = Files.createTempDirectory("pavilion-h2-taskdata");
        dir.toFile().deleteOnExit();
        return TestDatabases.h2File(dir);
    }

    @Override
    HikariDataSource reopen() {
        return TestDatabases.h2File(dir);
    }
}
