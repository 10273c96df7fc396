package org.pavilion.marketplace.notify;

import java.time.Instant;
import java.util.List;

import org.pavilion.storage.SqlSupport;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The durable memory of the notification intake (Flyway V4): SNS MessageIds and MTurk
 * EventDocIds already processed, what became of each event, and a bounded log of refusals.
 */
public final class NotificationLedger {

    /** One event of an applied document and its result (see V4__notifications.sql). */
    public record RecordedEvent(String eventDocId, int index, String eventType, String eventAt, String hitId,
                                String assignmentId, String workerId, String hitTypeId, String result) {
    }

    /** A refused delivery, as logged. */
    public record Refusal(long id, Instant at, int status, String reason, String messageType, String remote) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public NotificationLedger(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
    }

    public boolean messageSeen(String messageId) {
        return count("select count(*) from sns_message_seen where message_id = ?", messageId) > 0;
    }

    public boolean documentSeen(String eventDocId) {
        return count("select count(*) from mturk_event_doc_seen where event_doc_id = ?", eventDocId) > 0;
    }

    /** Remembers a processed message (a confirmation, or a duplicate's carrier); a known id is left as it is. */
    public void recordMessage(SnsMessage m, String eventDocId, Instant sentAt, Instant now) {
        try {
            tx.executeWithoutResult(status -> insertMessage(m, eventDocId, sentAt, now));
        } catch (DuplicateKeyException e) {
            // recorded meanwhile: same thing
        }
    }

    /**
     * Remembers an applied document, its events' results and the message that carried it, in one
     * transaction. Returns false when another delivery recorded the document first.
     */
    public boolean recordDocument(SnsMessage m, Instant sentAt, MturkEventDocument doc, List<String> results,
                                  Instant now) {
        try {
            tx.executeWithoutResult(status -> {
                jdbc.update("insert into mturk_event_doc_seen (event_doc_id, message_id, event_count, received_at) "
                        + "values (?, ?, ?, ?)", doc.eventDocId(), m.messageId(), doc.events().size(), SqlSupport.toSql(now));
                for (int i = 0; i < doc.events().size(); i++) {
                    MturkEventDocument.Event e = doc.events().get(i);
                    jdbc.update("insert into mturk_event (event_doc_id, event_index, event_type, event_at, hit_id, "
                                    + "assignment_id, worker_id, hit_type_id, result, received_at) "
                                    + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            doc.eventDocId(), i, SqlSupport.clip(e.eventType(), 64), SqlSupport.clip(e.eventTimestamp(), 64),
                            e.hitId(), e.assignmentId(), e.workerId(), e.hitTypeId(), SqlSupport.clip(results.get(i), 64),
                            SqlSupport.toSql(now));
                }
                if (!messageSeen(m.messageId())) {
                    insertMessage(m, doc.eventDocId(), sentAt, now);
                }
            });
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    private void insertMessage(SnsMessage m, String eventDocId, Instant sentAt, Instant now) {
        jdbc.update("insert into sns_message_seen (message_id, message_type, topic_arn, event_doc_id, sent_at, "
                        + "received_at) values (?, ?, ?, ?, ?, ?)", m.messageId(), m.type().wire(),
                m.topicArn(), eventDocId, SqlSupport.toSql(sentAt), SqlSupport.toSql(now));
    }

    public List<RecordedEvent> events(String eventDocId) {
        return jdbc.query("select event_doc_id, event_index, event_type, event_at, hit_id, assignment_id, worker_id, "
                        + "hit_type_id, result from mturk_event where event_doc_id = ? order by event_index",
                (rs, row) -> new RecordedEvent(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9)),
                eventDocId);
    }

    public long messageCount() {
        return count("select count(*) from sns_message_seen");
    }

    public long documentCount() {
        return count("select count(*) from mturk_event_doc_seen");
    }

    /** Logs a refusal and keeps only the newest {@code keep} rows. */
    public void recordRefusal(Instant at, int status, String reason, String messageType, String remote, int keep) {
        jdbc.update("insert into sns_refusal (at, status, reason, message_type, remote) values (?, ?, ?, ?, ?)",
                SqlSupport.toSql(at), status, SqlSupport.clip(reason, 200), SqlSupport.clip(messageType, 40),
                SqlSupport.clip(remote, 64));
        Long newest = jdbc.queryForObject("select max(id) from sns_refusal", Long.class);
        if (newest != null && newest > keep) {
            jdbc.update("delete from sns_refusal where id <= ?", newest - keep);
        }
    }

    public List<Refusal> refusals(int limit) {
        return jdbc.query("select id, at, status, reason, message_type, remote from sns_refusal order by id desc "
                        + "fetch first " + Math.max(1, limit) + " rows only",
                (rs, row) -> new Refusal(rs.getLong(1), SqlSupport.get(rs, "at"), rs.getInt(3), rs.getString(4),
                        rs.getString(5), rs.getString(6)));
    }

    public long refusalCount() {
        return count("select count(*) from sns_refusal");
    }

    /** Forgets seen messages and documents older than {@code before} (a stale message is refused anyway). */
    public void prune(Instant before) {
        var at = SqlSupport.toSql(before);
        jdbc.update("delete from sns_message_seen where received_at < ?", at);
        jdbc.update("delete from mturk_event where received_at < ?", at);
        jdbc.update("delete from mturk_event_doc_seen where received_at < ?", at);
    }

    private long count(String sql, Object... args) {
        Long n = jdbc.queryForObject(sql, Long.class, args);
        return n == null ? 0 : n;
    }
}
