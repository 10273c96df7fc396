package org.pavilion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

class DatabaseEnvironmentPostProcessorTest {

    @TempDir
    Path tmp;

    @Test
    void explicitDatasourceUrlWins() {
        MockEnvironment env = new MockEnvironment().withProperty("spring.datasource.url", "jdbc:h2:mem:x")
                .withProperty("DATABASE_URL", "not even a url");
        assertThat(DatabaseEnvironmentPostProcessor.choose(env).properties()).isEmpty();
    }

    @Test
    void herokuDatabaseUrl() {
        MockEnvironment env = new MockEnvironment().withProperty("DATABASE_URL",
                "postgres://user:hunter2@db.example.org:5432/pav?sslmode=require");
        DatabaseEnvironmentPostProcessor.Choice choice = DatabaseEnvironmentPostProcessor.choose(env);
        assertThat(choice.properties())
                .containsEntry("spring.datasource.url", "jdbc:postgresql://db.example.org:5432/pav?sslmode=require")
                .containsEntry("spring.datasource.username", "user")
                .containsEntry("spring.datasource.password", "hunter2");
        assertThat(choice.description()).doesNotContain("hunter2").contains("db.example.org");
    }

    @Test
    void embeddedH2FileUnderTheDataDirectory() {
        Path dir = tmp.resolve("nested/data");
        MockEnvironment env = new MockEnvironment().withProperty("pavilion.data-dir", dir.toString());
        DatabaseEnvironmentPostProcessor.Choice choice = DatabaseEnvironmentPostProcessor.choose(env);
        assertThat(Files.isDirectory(dir)).isTrue();
        assertThat((String) choice.properties().get("spring.datasource.url"))
                .isEqualTo("jdbc:h2:file:" + dir.toAbsolutePath().resolve("pavilion")
                        + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;RETENTION_TIME=86400000;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        assertThat(choice.description()).contains(dir.toAbsolutePath().toString());
    }

    @Test
    void defaultDataDirectoryIsRelativeToTheWorkingDirectory() {
        assertThat(DatabaseEnvironmentPostProcessor.h2FileUrl(Path.of("./data")))
                .startsWith("jdbc:h2:file:" + Path.of("data").toAbsolutePath().resolve("pavilion") + ";");
    }

    @Test
    void inMemoryH2OnRequest() {
        MockEnvironment env = new MockEnvironment().withProperty("pavilion.database.embedded", "mem");
        String url = (String) DatabaseEnvironmentPostProcessor.choose(env).properties().get("spring.datasource.url");
        assertThat(url).startsWith("jdbc:h2:mem:pavilion-").contains("DB_CLOSE_DELAY=-1", "MODE=PostgreSQL");
        assertThatThrownBy(() -> DatabaseEnvironmentPostProcessor.choose(
                new MockEnvironment().withProperty("pavilion.database.embedded", "disk")))
                .hasMessageContaining("pavilion.database.embedded");
    }
}
