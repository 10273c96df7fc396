package org.pavilion.storage;

import com.zaxxer.hikari.HikariDataSource;

/** The task-data store on a real PostgreSQL (embedded), reopened through a new pool. */
class PostgresTaskDataStoreTest extends TaskDataStoreContract {

    private String database;

    @Override
    HikariDataSource createDataSource() {
        database = TestDatabases.newPostgresDatabase();
        return reopen();
    }

    @Override
    HikariDataSource reopen() {
        return TestDatabases.pool(TestDatabases.postgres().getJdbcUrl("postgres", database), "postgres", "postgres");
    }
}
