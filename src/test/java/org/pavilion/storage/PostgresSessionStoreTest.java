package org.pavilion.storage;

import com.zaxxer.hikari.HikariDataSource;

/** The storage contract on a real PostgreSQL (embedded, one server per test JVM, a new database per class). */
class PostgresSessionStoreTest extends SessionStoreContract {

    @Override
    HikariDataSource createDataSource() {
        return TestDatabases.postgresDataSource();
    }

}
