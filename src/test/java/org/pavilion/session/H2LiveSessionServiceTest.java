package org.pavilion.session;

import java.nio.file.Files;
import java.nio.file.Path;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.pavilion.queue.Thresholds;
import org.pavilion.storage.TestDatabases;

/** The service contract on the embedded default: an H2 file database. */
class H2LiveSessionServiceTest extends LiveSessionServiceContract {

    private HikariDataSource dataSource;
    private JdbcServiceFixture fixture;

    @Override
    protected SessionStore newStore() {
        try {
            Path dir = Files.createTempDirectory("pavilion-service-h2");
            dataSource = TestDatabases.h2File(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        fixture = new JdbcServiceFixture(dataSource);
        return fixture.store;
    }

    @Override
    protected long newTask(Thresholds thresholds) {
        return fixture.newTask(thresholds);
    }

    @AfterEach
    void closeDatabase() {
        dataSource.close();
    }
}
