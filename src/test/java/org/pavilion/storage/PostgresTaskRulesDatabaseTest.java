package org.pavilion.storage;

import com.zaxxer.hikari.HikariDataSource;

/** The task rules against a real PostgreSQL (embedded, a new database). */
class PostgresTaskRulesDatabaseTest extends TaskRulesDatabaseContract {

    @Override
    HikariDataSource createDataSource() {
        return TestDatabases.postgresDataSource();
    }
}
