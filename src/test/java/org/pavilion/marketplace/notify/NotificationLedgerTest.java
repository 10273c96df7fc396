package org.pavilion.marketplace.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pavilion.storage.TestDatabases;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/** The V4 tables and the ledger's SQL on H2 (PostgreSQL mode) and on a real PostgreSQL. */
class NotificationLedgerTest {

    @TempDir
    Path dir;

    static SnsMessage message(String messageId, String document) {
        Map<String, String> f = SnsSigner.notification(document, messageId, null, Instant.now(), SnsSigner.TOPIC);
        f.put("Signature", "x");
        return SnsMessage.parse(SnsSigner.json(f), "Notification");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void remembersMessagesDocumentsEventsAndRefusals(String database) {
        try (HikariDataSource ds = database.equals("h2") ? TestDatabases.h2File(dir) : TestDatabases.postgresDataSource()) {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            NotificationLedger ledger = new NotificationLedger(new JdbcTemplate(ds), new DataSourceTransactionManager(ds));
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

            String document = SnsSigner.eventDocument("DOC-1", new String[] {"AssignmentReturned", "A1", null},
                    new String[] {"AssignmentSubmitted", "A2", "W2"});
            MturkEventDocument doc = MturkEventDocument.parse(document);
            SnsMessage first = message("M-1", document);
            assertThat(ledger.messageSeen("M-1")).isFalse();
            assertThat(ledger.documentSeen("DOC-1")).isFalse();
            assertThat(ledger.recordDocument(first, now, doc, List.of("applied", "ignored"), now)).isTrue();
            assertThat(ledger.messageSeen("M-1")).isTrue();
            assertThat(ledger.documentSeen("DOC-1")).isTrue();
            assertThat(ledger.events("DOC-1")).extracting(NotificationLedger.RecordedEvent::eventType,
                    NotificationLedger.RecordedEvent::assignmentId, NotificationLedger.RecordedEvent::workerId,
                    NotificationLedger.RecordedEvent::result).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("AssignmentReturned", "A1", null, "applied"),
                    org.assertj.core.groups.Tuple.tuple("AssignmentSubmitted", "A2", "W2", "ignored"));

            // the same document again, in another message: refused as a whole, nothing half-written
            SnsMessage second = message("M-2", document);
            assertThat(ledger.recordDocument(second, now, doc, List.of("applied", "applied"), now)).isFalse();
            assertThat(ledger.messageSeen("M-2")).isFalse();
            assertThat(ledger.events("DOC-1")).extracting(NotificationLedger.RecordedEvent::result)
                    .containsExactly("applied", "ignored");
            ledger.recordMessage(second, "DOC-1", now, now);
            ledger.recordMessage(second, "DOC-1", now, now); // twice: no error
            assertThat(ledger.messageCount()).isEqualTo(2);

            for (int i = 0; i < 7; i++) {
                ledger.recordRefusal(now, 403, "bad signature " + i, "Notification", "127.0.0.1", 3);
            }
            assertThat(ledger.refusals(100)).hasSize(3).first()
                    .satisfies(r -> assertThat(r.reason()).isEqualTo("bad signature 6"));
            assertThat(ledger.refusals(1).get(0).at()).isEqualTo(now);

            ledger.prune(now.minus(Duration.ofDays(1)));
            assertThat(ledger.documentCount()).isEqualTo(1);
            ledger.prune(now.plusSeconds(1));
            assertThat(ledger.documentCount()).isZero();
            assertThat(ledger.messageCount()).isZero();
            assertThat(ledger.events("DOC-1")).isEmpty();
        }
    }
}
