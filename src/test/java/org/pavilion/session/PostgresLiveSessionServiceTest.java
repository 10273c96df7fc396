package org.pavilion.session;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.pavilion.queue.Thresholds;
import org.pavilion.storage.TestDatabases;

/** The service contract on a real PostgreSQL (embedded, a new database per test). */
class PostgresLiveSessionServiceTest extends LiveSessionServiceContract {

    private HikariDataSource dataSource;
    private JdbcServiceFixture fixture;

    @Override
    protected SessionStore newStore() {
        dataSource = TestDatabases.postgresDataSource();
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
