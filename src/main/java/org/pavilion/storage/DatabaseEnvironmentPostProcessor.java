package org.pavilion.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertyResolver;

/**
 * Chooses the database before Spring Boot configures its DataSource (HikariCP) and Flyway:
 * <ol>
 *   <li>{@code spring.datasource.url} set anywhere (properties, environment, command line): used as is;</li>
 *   <li>otherwise {@code DATABASE_URL} in the Heroku form {@code postgres://user:pass@host:port/db}
 *       ({@link DatabaseUrl}): PostgreSQL;</li>
 *   <li>otherwise the embedded default: an H2 file database {@code pavilion} under
 *       {@code pavilion.data-dir} (default {@code ./data}, created on first run), in PostgreSQL mode.
 *       {@code pavilion.database.embedded=mem} makes it an in-memory H2 database instead (tests).</li>
 * </ol>
 * The chosen values are added with the lowest precedence, so an explicit
 * {@code spring.datasource.username}/{@code password} still wins. The password is never logged.
 */
public class DatabaseEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    /** Where the embedded H2 database lives. */
    public static final String DATA_DIR = "pavilion.data-dir";
    /** {@code file} (default) or {@code mem}: the kind of embedded database when no other is configured. */
    public static final String EMBEDDED = "pavilion.database.embedded";
    public static final String DATABASE_URL = "DATABASE_URL";
    static final String SOURCE_NAME = "pavilionDatabase";

    /** The H2 settings that make it behave like PostgreSQL for Pavilion's SQL. */
    public static final String H2_SETTINGS =
            ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";

    private final Log log;

    public DatabaseEnvironmentPostProcessor(DeferredLogFactory logFactory) {
        this.log = logFactory.getLog(DatabaseEnvironmentPostProcessor.class);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE; // after application.properties and the environment are in
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Choice choice = choose(environment);
        if (choice.properties().isEmpty()) {
            log.info("Database: spring.datasource.url as configured");
            return;
        }
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, choice.properties()));
        log.info("Database: " + choice.description());
    }

    /** What to add to the environment, and a description safe to log. */
    public record Choice(Map<String, Object> properties, String description) {
    }

    /** The pure decision, for tests: reads the resolver, creates the data directory for an H2 file database. */
    public static Choice choose(PropertyResolver env) {
        Map<String, Object> props = new LinkedHashMap<>();
        String explicit = env.getProperty("spring.datasource.url");
        if (explicit != null && !explicit.isBlank()) {
            return new Choice(props, "spring.datasource.url");
        }
        String databaseUrl = env.getProperty(DATABASE_URL);
        if (databaseUrl != null && !databaseUrl.isBlank()) {
            DatabaseUrl db = DatabaseUrl.parse(databaseUrl);
            props.put("spring.datasource.url", db.jdbcUrl());
            if (db.username() != null) {
                props.put("spring.datasource.username", db.username());
            }
            if (db.password() != null) {
                props.put("spring.datasource.password", db.password());
            }
            return new Choice(props, db.describe() + " (from DATABASE_URL)");
        }
        String embedded = env.getProperty(EMBEDDED, "file").trim();
        if (embedded.equalsIgnoreCase("mem")) {
            String name = "pavilion-" + UUID.randomUUID();
            props.put("spring.datasource.url", "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1" + H2_SETTINGS);
            props.put("spring.datasource.username", "sa");
            props.put("spring.datasource.password", "");
            return new Choice(props, "embedded H2 in memory (" + name + ")");
        }
        if (!embedded.equalsIgnoreCase("file")) {
            throw new IllegalArgumentException(EMBEDDED + " must be 'file' or 'mem' (was '" + embedded + "')");
        }
        Path dir = Path.of(env.getProperty(DATA_DIR, "./data")).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dir + " (" + DATA_DIR + ")", e);
        }
        props.put("spring.datasource.url", h2FileUrl(dir));
        props.put("spring.datasource.username", "sa");
        props.put("spring.datasource.password", "");
        return new Choice(props, "embedded H2 file database in " + dir);
    }

    /** The JDBC URL of the embedded H2 file database in {@code dir}. */
    public static String h2FileUrl(Path dir) {
        // DB_CLOSE_ON_EXIT=FALSE: the pool closes the database on shutdown, not H2's own shutdown hook.
        // WRITE_DELAY=0: every commit is written to the file (handed to the OS, not fsynced) before it is
        // acknowledged, so a killed process does not lose it to a write delay (H2's default delays writes by up
        // to half a second; for H2's own recovery, see RETENTION_TIME below). It costs about half the throughput of small group commits; groups of 100 still
        // exceed 5,000 events/s.
        // RETENTION_TIME=1 day: H2 2.5.252 reuses a freed gap of the file for a new chunk once the gap is older than
        // the retention time (45 s by default), and its recovery after a kill then ignores that chunk and up to a
        // second of commits after it (SimulationKill found 15 of 40 killed servers losing acknowledged events;
        // with a day, 0 of 20; docs/benchmarks.md). The cost: freed space is not reused for a day, so the file
        // grows with what is written until then (H2 compacts it when the database closes).
        return "jdbc:h2:file:" + dir.toAbsolutePath().normalize().resolve("pavilion")
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;RETENTION_TIME=86400000"
                + H2_SETTINGS;
    }
}
