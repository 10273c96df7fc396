package org.pavilion.storage;

import java.nio.file.Files;
import java.nio.file.Path;

import com.zaxxer.hikari.HikariDataSource;

/** The task rules against the embedded default: an H2 file database in PostgreSQL mode. */
class H2TaskRulesDatabaseTest extends TaskRulesDatabaseContract {

    @Override
    HikariDataSource createDataSource() throws Exception {
        Path dir = Files.createTempDirectory("pavilion-h2-rules");
        dir.toFile().deleteOnExit();
        return TestDatabases.h2File(dir);
    }
}
