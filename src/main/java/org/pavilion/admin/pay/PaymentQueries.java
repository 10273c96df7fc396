package org.pavilion.admin.pay;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pavilion.pay.Money;
import org.pavilion.session.PaySettings.ApprovalPolicy;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Read-only queries of the payments view: the sessions a view covers (with what their pay depends on:
 * the task's reward, the size of the first HIT, the approval policy) and which HIT each confirmed
 * assignment came from. The pay ledger itself is read through {@code PayLedger}; nothing here writes.
 */
@Component
public class PaymentQueries {

    private static final String SESSION_COLUMNS = "s.id, s.task_id, t.project_id, t.title, t.reward_cents, "
            + "s.max_active, s.max_waiting, s.hit_id, s.stopped, s.expired, s.approval_policy";

    private final JdbcTemplate jdbc;

    public PaymentQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A session as the payments view needs it. {@code reward} is the task's reward per assignment (the HIT
     * type's, fixed when the session went live); {@code firstHitAssignments} the size of the HIT posted at
     * go-live (maxActive + maxWaiting); hire HITs have one assignment each.
     */
    public record SessionPay(long id, long taskId, long projectId, String taskTitle, Money reward,
                             int firstHitAssignments, String firstHitId, boolean stopped, boolean expired,
                             ApprovalPolicy approvalPolicy) {

        /** {@code live}, {@code stopped} or {@code expired}, as the other admin views say it. */
        public String status() {
            return expired ? "expired" : stopped ? "stopped" : "live";
        }
    }

    public Optional<SessionPay> session(long sessionId) {
        return jdbc.query("select " + SESSION_COLUMNS + " from live_session s join task t on t.id = s.task_id "
                + "where s.id = ?", PaymentQueries::sessionPay, sessionId).stream().findFirst();
    }

    /** The project's sessions, oldest first. */
    public List<SessionPay> projectSessions(long projectId) {
        return jdbc.query("select " + SESSION_COLUMNS + " from live_session s join task t on t.id = s.task_id "
                + "where t.project_id = ? order by s.id", PaymentQueries::sessionPay, projectId);
    }

    /** The project's name, if it exists. */
    public Optional<String> projectName(long projectId) {
        return jdbc.queryForList("select name from project where id = ?", String.class, projectId).stream()
                .findFirst();
    }

    /**
     * The HIT of each assignment the marketplace confirmed in these sessions (the {@code confirm} rows of
     * their logs), by session and assignment id.
     */
    public Map<Long, Map<String, String>> hitsOfAssignments(List<Long> sessionIds) {
        Map<Long, Map<String, String>> hits = new HashMap<>();
        if (sessionIds.isEmpty()) {
            return hits;
        }
        String in = String.join(", ", java.util.Collections.nCopies(sessionIds.size(), "?"));
        jdbc.query("select session_id, assignment_id, hit_id from session_event where kind = 'confirm' "
                + "and hit_id is not null and session_id in (" + in + ") order by seq", rs -> {
                    hits.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).put(rs.getString(2), rs.getString(3));
                }, sessionIds.toArray());
        return hits;
    }

    /**
     * Task bonuses awarded to workers of these sessions and not yet attached to a payout (they join the
     * worker's next bonus when it is frozen), in cents by session and worker.
     */
    public Map<Long, Map<String, Long>> unattachedTaskBonuses(List<Long> sessionIds) {
        Map<Long, Map<String, Long>> cents = new HashMap<>();
        if (sessionIds.isEmpty()) {
            return cents;
        }
        String in = String.join(", ", java.util.Collections.nCopies(sessionIds.size(), "?"));
        jdbc.query("select session_id, worker_id, sum(cents) from bonus where state = 'REQUESTED' "
                + "and payout_id is null and session_id in (" + in + ") group by session_id, worker_id", rs -> {
                    cents.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).put(rs.getString(2), rs.getLong(3));
                }, sessionIds.toArray());
        return cents;
    }

    private static SessionPay sessionPay(ResultSet rs, int n) throws SQLException {
        return new SessionPay(rs.getLong("id"), rs.getLong("task_id"), rs.getLong("project_id"), rs.getString("title"),
                Money.ofCents(rs.getInt("reward_cents")), rs.getInt("max_active") + rs.getInt("max_waiting"),
                rs.getString("hit_id"), rs.getBoolean("stopped"), rs.getBoolean("expired"),
                ApprovalPolicy.valueOf(rs.getString("approval_policy")));
    }
}
