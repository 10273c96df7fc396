package org.pavilion.storage;

import java.time.Instant;
import java.util.List;

import org.pavilion.pay.PayoutState;
import org.pavilion.queue.Decision.Ending;
import org.pavilion.queue.Decision.PayDue;
import org.pavilion.session.PaySettings.ApprovalPolicy;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Writes the pay ledger's row of a {@link PayDue} fact inside the session's commit transaction, so
 * that what is due is never recorded without its fact, nor the fact without what is due.
 */
final class PayoutWriter {

    private PayoutWriter() {
    }

    static void write(JdbcTemplate jdbc, String token, long sessionId, PayDue due, Instant at) {
        // The latest row of this assignment: an assignment whose pay was fixed at session end gets its ending;
        // anything else is a new settlement (the engine settles each admission once).
        List<String> endings = jdbc.queryForList("select ending from payout where session_id = ? and worker_id = ? "
                + "and assignment_id = ? order by id desc", String.class, sessionId, due.workerId(), due.assignmentId());
        ApprovalPolicy policy = ApprovalPolicy.valueOf(jdbc.queryForObject(
                "select approval_policy from live_session where id = ?", String.class, sessionId));
        if (endings.isEmpty() || !Ending.SESSION_ENDED.name().equals(endings.get(0)) || !due.ending().isFinal()) {
            PayoutState.Start start = PayoutState.at(due.ending(), policy, due.waitingCents());
            jdbc.update("insert into payout (session_id, worker_id, assignment_id, ending, waited_millis, waiting_cents, "
                            + "bonus_token, bonus_state, approval_state, created_at, updated_at) "
                            + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", sessionId, due.workerId(), due.assignmentId(),
                    due.ending().name(), due.waitedMillis(), due.waitingCents(), token, start.bonus().name(),
                    start.approval().name(), SqlSupport.toSql(at), SqlSupport.toSql(at));
        } else {
            PayoutState.Start start = PayoutState.at(due.ending(), policy, due.waitingCents());
            jdbc.update("update payout set ending = ?, bonus_state = ?, approval_state = ?, updated_at = ? "
                            + "where id = (select max(id) from payout where session_id = ? and worker_id = ? "
                            + "and assignment_id = ?)", due.ending().name(), start.bonus().name(),
                    start.approval().name(), SqlSupport.toSql(at), sessionId, due.workerId(), due.assignmentId());
        }
        if (due.ending() == Ending.RETURNED || due.ending() == Ending.ABANDONED) {
            owe(jdbc, sessionId, due, at);
        }
    }

    /**
     * An assignment that cannot carry a bonus: its task bonuses join its waiting pay in what the worker is
     * owed, to be paid through a compensation HIT.
     */
    private static void owe(JdbcTemplate jdbc, long sessionId, PayDue due, Instant at) {
        Long payoutId = jdbc.queryForObject("select max(id) from payout where session_id = ? and worker_id = ? "
                + "and assignment_id = ?", Long.class, sessionId, due.workerId(), due.assignmentId());
        jdbc.update("update bonus set payout_id = ?, updated_at = ? where session_id = ? and worker_id = ? "
                + "and state = 'REQUESTED' and payout_id is null", payoutId, SqlSupport.toSql(at), sessionId,
                due.workerId());
        Long tasks = jdbc.queryForObject("select coalesce(sum(cents), 0) from bonus where payout_id = ?", Long.class,
                payoutId);
        long total = due.waitingCents() + (tasks == null ? 0 : tasks);
        jdbc.update("update payout set task_bonus_cents = ?, bonus_cents = ?, bonus_state = ? where id = ?",
                tasks, total, (total > 0 ? PayoutState.Bonus.OWED : PayoutState.Bonus.NONE).name(), payoutId);
    }
}
