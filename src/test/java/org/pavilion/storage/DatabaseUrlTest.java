package org.pavilion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void herokuUrl() {
        DatabaseUrl db = DatabaseUrl.parse(
                "postgres://u3kf9aq:p4ssw0rd@ec2-54-1-2-3.compute-1.amazonaws.com:5432/d8b1c2e3f4");
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://ec2-54-1-2-3.compute-1.amazonaws.com:5432/d8b1c2e3f4");
        assertThat(db.username()).isEqualTo("u3kf9aq");
        assertThat(db.password()).isEqualTo("p4ssw0rd");
        assertThat(db.host()).isEqualTo("ec2-54-1-2-3.compute-1.amazonaws.com");
        assertThat(db.port()).isEqualTo(5432);
        assertThat(db.database()).isEqualTo("d8b1c2e3f4");
    }

    @Test
    void postgresqlSchemeWithQueryAndNoPort() {
        DatabaseUrl db = DatabaseUrl.parse("postgresql://alice:secret@db.example.org/pavilion?sslmode=require&connectTimeout=5");
        assertThat(db.jdbcUrl())
                .isEqualTo("jdbc:postgresql://db.example.org:5432/pavilion?sslmode=require&connectTimeout=5");
        assertThat(db.username()).isEqualTo("alice");
        assertThat(db.password()).isEqualTo("secret");
    }

    @Test
    void percentEncodedCredentialsAreDecoded() {
        DatabaseUrl db = DatabaseUrl.parse("postgres://bob%40corp:p%3Aw%2Fd%40%25+x@localhost:6543/my_db");
        assertThat(db.username()).isEqualTo("bob@corp");
        assertThat(db.password()).isEqualTo("p:w/d@%+x");
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:6543/my_db");
    }

    @Test
    void userWithoutPasswordAndNoCredentials() {
        DatabaseUrl user = DatabaseUrl.parse("postgres://carol@localhost/db");
        assertThat(user.username()).isEqualTo("carol");
        assertThat(user.password()).isNull();
        DatabaseUrl none = DatabaseUrl.parse("postgres://localhost:5433/db");
        assertThat(none.username()).isNull();
        assertThat(none.password()).isNull();
        assertThat(none.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5433/db");
    }

    @Test
    void ipv6Host() {
        DatabaseUrl db = DatabaseUrl.parse("postgres://u:p@[::1]:5432/db");
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/db");
    }

    @Test
    void jdbcUrlIsKeptAsIs() {
        DatabaseUrl db = DatabaseUrl.parse("jdbc:postgresql://h:5000/x?user=u");
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5000/x?user=u");
        assertThat(db.username()).isNull();
        assertThat(db.host()).isEqualTo("h");
        assertThat(db.port()).isEqualTo(5000);
        assertThat(db.database()).isEqualTo("x");
    }

    @Test
    void wrongUrlsAreRefusedWithoutShowingThePassword() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://u:hunter2@h/db"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("postgres://")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgres://u:hunter2@h:5432/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("database")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgres:///db")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgres://u:hunter2@h:5432/db name"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> DatabaseUrl.parse("  ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DatabaseUrl.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringAndDescribeHideThePassword() {
        DatabaseUrl db = DatabaseUrl.parse("postgres://u:hunter2@h:5432/db?password=hunter2");
        assertThat(db.toString()).doesNotContain("hunter2").contains("******");
        assertThat(db.describe()).doesNotContain("hunter2").isEqualTo("PostgreSQL database 'db' at h:5432");
    }
}
