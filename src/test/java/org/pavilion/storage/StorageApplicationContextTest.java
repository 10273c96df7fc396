package org.pavilion.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pavilion.project.Project;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.SessionConfig;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * The storage beans in a Spring Boot context, with the database chosen from configuration:
 * the embedded H2 file default, DATABASE_URL (against the embedded PostgreSQL), and an explicit
 * spring.datasource.url. Flyway migrates at start.
 */
class StorageApplicationContextTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({JdbcSessionStore.class, ProjectRepository.class, TaskRepository.class})
    static class StorageApp {
    }

    @TempDir
    Path tmp;

    private static ConfigurableApplicationContext start(String... args) {
        return new SpringApplicationBuilder(StorageApp.class).web(WebApplicationType.NONE).run(args);
    }

    /** Opens a session through the beans: the schema is there and the store works. */
    private static SessionConfig useStore(ConfigurableApplicationContext context) {
        Project p = context.getBean(ProjectRepository.class).create("ctx", "", Instant.now());
        long task = context.getBean(TaskRepository.class).create(p.id(),
                TaskSettings.basic("t", "d", "https://example.org/t", 5, new Thresholds(1, 0, 2, 2)), Instant.now()).id();
        return context.getBean(JdbcSessionStore.class).openSession(task, Instant.now());
    }

    @Test
    void embeddedH2FileDatabaseIsCreatedInTheDataDirectoryAndKept() {
        Path data = tmp.resolve("data");
        String instance;
        try (ConfigurableApplicationContext context = start("--pavilion.data-dir=" + data)) {
            HikariDataSource ds = (HikariDataSource) context.getBean(DataSource.class);
            assertThat(ds.getJdbcUrl()).startsWith("jdbc:h2:file:" + data.toAbsolutePath()).contains("MODE=PostgreSQL");
            assertThat(useStore(context).thresholds()).isEqualTo(new Thresholds(1, 0, 2, 2));
            instance = context.getBean(JdbcSessionStore.class).instanceId();
        }
        assertThat(Files.exists(data.resolve("pavilion.mv.db"))).isTrue();
        try (ConfigurableApplicationContext again = start("--pavilion.data-dir=" + data)) {
            assertThat(again.getBean(JdbcSessionStore.class).instanceId()).isEqualTo(instance);
            assertThat(again.getBean(ProjectRepository.class).list()).extracting(Project::name).containsExactly("ctx");
        }
    }

    @Test
    void herokuDatabaseUrlSelectsPostgres() {
        String db = TestDatabases.newPostgresDatabase();
        int port = TestDatabases.postgres().getPort();
        try (ConfigurableApplicationContext context = start("--pavilion.data-dir=" + tmp.resolve("unused"),
                "--DATABASE_URL=postgres://postgres:any-password@localhost:" + port + "/" + db + "?sslmode=disable")) {
            HikariDataSource ds = (HikariDataSource) context.getBean(DataSource.class);
            assertThat(ds.getJdbcUrl()).isEqualTo("jdbc:postgresql://localhost:" + port + "/" + db + "?sslmode=disable");
            assertThat(ds.getUsername()).isEqualTo("postgres");
            useStore(context);
            assertThat(context.getBean(JdbcSessionStore.class).instanceId()).matches("[0-9a-f]{16}");
        }
        assertThat(Files.exists(tmp.resolve("unused"))).isFalse();
    }

    @Test
    void explicitDatasourcePropertiesStillWork() {
        try (ConfigurableApplicationContext context = start(
                "--spring.datasource.url=jdbc:h2:mem:explicit;DB_CLOSE_DELAY=-1" + DatabaseEnvironmentPostProcessor.H2_SETTINGS,
                "--DATABASE_URL=this is ignored", "--pavilion.data-dir=" + tmp.resolve("unused"))) {
            HikariDataSource ds = (HikariDataSource) context.getBean(DataSource.class);
            assertThat(ds.getJdbcUrl()).startsWith("jdbc:h2:mem:explicit");
            useStore(context);
        }
        assertThat(Files.exists(tmp.resolve("unused"))).isFalse();
    }
}
