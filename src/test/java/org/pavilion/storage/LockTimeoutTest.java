package org.pavilion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

/** The PostgreSQL lock timeout every pooled connection gets (issue 13), and when it is left alone. */
class LockTimeoutTest {

    @Test
    void everyPooledPostgresConnectionWaitsForALockAtMostTheTimeout() throws Exception {
        String url = TestDatabases.postgres().getJdbcUrl("postgres", TestDatabases.newPostgresDatabase());
        try (HikariDataSource ds = unstarted(url)) {
            assertThat(LockTimeout.apply(ds, Duration.ofMillis(1500))).isTrue();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("show lock_timeout")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("1500ms");
            }
        }
    }

    @Test
    void leftAloneForH2AConfiguredInitSqlOrZero() {
        try (HikariDataSource h2 = unstarted("jdbc:h2:mem:lock-timeout")) {
            assertThat(LockTimeout.apply(h2, Duration.ofSeconds(2))).isFalse();
            assertThat(h2.getConnectionInitSql()).isNull();
        }
        try (HikariDataSource configured = unstarted("jdbc:postgresql://localhost/x")) {
            configured.setConnectionInitSql("SET search_path = pavilion");
            assertThat(LockTimeout.apply(configured, Duration.ofSeconds(2))).isFalse();
            assertThat(configured.getConnectionInitSql()).isEqualTo("SET search_path = pavilion");
        }
        try (HikariDataSource forever = unstarted("jdbc:postgresql://localhost/x")) {
            assertThat(LockTimeout.apply(forever, Duration.ZERO)).isFalse();
            assertThat(forever.getConnectionInitSql()).isNull();
        }
    }

    @Test
    void theSettingIsADuration() {
        assertThat(LockTimeout.parse("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(LockTimeout.parse(" 500ms ")).isEqualTo(Duration.ofMillis(500));
        assertThat(LockTimeout.parse("750")).isEqualTo(Duration.ofMillis(750));
        assertThat(LockTimeout.parse("0")).isZero();
        assertThatThrownBy(() -> LockTimeout.parse("soon")).hasMessageContaining(LockTimeout.PROPERTY);
        assertThatThrownBy(() -> LockTimeout.parse("-1s")).hasMessageContaining("negative");
        assertThat(LockTimeout.initSql(Duration.ofSeconds(2))).isEqualTo("SET lock_timeout = '2000ms'");
    }

    private static HikariDataSource unstarted(String url) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(url);
        ds.setUsername("postgres");
        ds.setPassword("postgres");
        ds.setMaximumPoolSize(2);
        return ds;
    }
}
