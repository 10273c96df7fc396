package org.pavilion.pay;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.pavilion.queue.Decision.Ending;
import org.pavilion.queue.InvalidEventException;
import org.pavilion.storage.SqlSupport;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The pay ledger (SPEC §4.9): one {@link Payout} per worker assignment whose pay is settled, written by
 * the session's commit (see {@code PayoutWriter}); here it is read and moved on. Every move is a guarded
 * update ({@code where state = what it was}), so two movers (the dispatcher, an admin's click) can never
 * both take the same step: the second finds the row moved and changes nothing.
 */
@Repository
public class PayLedger {

    /** The longest feedback MTurk takes (RequesterFeedback): 1,024 characters. */
    public static final int FEEDBACK_MAX = 1024;
    /** The longest reason the bonus carries (MTurk allows 4,096 characters; ours are short). */
    static final int REASON_MAX = 1000;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    public PayLedger(JdbcTemplate jdbc, PlatformTransactionManager transactions, Clock clock) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        this.clock = clock;
    }

    /**
     * One assignment's pay. {@code bonus} (waiting pay + task bonuses) and {@code taskBonuses} are null until
     * the bonus is frozen, just before its first send; from then on the amount never changes.
     */
    public record Payout(long id, long sessionId, String workerId, String assignmentId, Ending ending,
                         long waitedMillis, Money waitingPay, Money taskBonuses, Money bonus, String bonusReason,
                         String bonusToken, PayoutState.Bonus bonusState, PayoutState.Approval approvalState,
                         String feedback, int attempts, String lastError, Instant nextAttemptAt, Instant bonusSentAt,
                         Long compensationId, Instant createdAt, Instant updatedAt) {

        /** What the worker is paid (or owed) as a bonus: the frozen amount, else the waiting pay so far known. */
        public Money bonusAmount() {
            return bonus != null ? bonus : waitingPay;
        }
    }

    private static final String COLUMNS = "id, session_id, worker_id, assignment_id, ending, waited_millis, "
            + "waiting_cents, task_bonus_cents, bonus_cents, bonus_reason, bonus_token, bonus_state, approval_state, "
            + "feedback, attempts, last_error, next_attempt_at, bonus_sent_at, compensation_id, created_at, updated_at";

    public List<Payout> forSession(long sessionId) {
        return jdbc.query("select " + COLUMNS + " from payout where session_id = ? order by id", PayLedger::payout,
                sessionId);
    }

    public List<Payout> forProject(long projectId) {
        return jdbc.query("select " + COLUMNS.replaceAll("(^|, )", "$1p.") + " from payout p join live_session s on "
                + "s.id = p.session_id join task t on t.id = s.task_id where t.project_id = ? order by p.id",
                PayLedger::payout, projectId);
    }

    public Optional<Payout> find(long id) {
        return jdbc.query("select " + COLUMNS + " from payout where id = ?", PayLedger::payout, id).stream().findFirst();
    }

    /** Payouts with a step to send now: a bonus due or on its way, or an approval or rejection due. */
    public List<Payout> workDue(Instant now, int limit) {
        return jdbc.query("select " + COLUMNS + " from payout where (bonus_state in ('DUE', 'SENT') "
                + "or (approval_state in ('DUE', 'REJECT_DUE') and bonus_state not in ('PENDING', 'FAILED'))) "
                + "and (next_attempt_at is null or next_attempt_at <= ?) order by id limit " + limit,
                PayLedger::payout, SqlSupport.toSql(now));
    }

    /**
     * Fixes the bonus before its first send: the waiting pay and every task bonus of the worker in the session
     * not yet paid, itemised in the reason the worker reads. Returns the payout as frozen (unchanged if it was).
     */
    public Payout freeze(long id) {
        return tx.execute(status -> {
            Payout p = find(id).orElseThrow();
            if (p.bonus() != null) {
                return p;
            }
            Instant now = clock.instant();
            jdbc.update("update bonus set payout_id = ?, state = 'SENT', updated_at = ? where session_id = ? "
                    + "and worker_id = ? and state = 'REQUESTED' and payout_id is null", id, SqlSupport.toSql(now),
                    p.sessionId(), p.workerId());
            List<TaskBonus> tasks = jdbc.query("select cents, reason from bonus where payout_id = ? order by id",
                    (rs, row) -> new TaskBonus(Money.ofCents(rs.getInt(1)), rs.getString(2)), id);
            Money taskTotal = tasks.stream().map(TaskBonus::amount).reduce(Money.ZERO, Money::plus);
            Money total = p.waitingPay().plus(taskTotal);
            String reason = reason(p, tasks);
            PayoutState.Bonus next = total.isPositive() ? p.bonusState() : PayoutState.Bonus.NONE;
            jdbc.update("update payout set task_bonus_cents = ?, bonus_cents = ?, bonus_reason = ?, bonus_state = ?, "
                    + "updated_at = ? where id = ? and bonus_cents is null", taskTotal.cents(), total.cents(), reason,
                    next.name(), SqlSupport.toSql(now), id);
            return find(id).orElseThrow();
        });
    }

    private record TaskBonus(Money amount, String reason) {
    }

    /** The reason the worker reads with the bonus: each part and its amount, and a reference to find it by. */
    static String reason(Payout p, List<TaskBonus> tasks) {
        StringBuilder b = new StringBuilder();
        if (p.waitingPay().isPositive()) {
            b.append("Waiting pay: ").append(p.waitingPay().display()).append(" for ")
                    .append(minutesAndSeconds(p.waitedMillis())).append(" in the waiting room.");
        }
        for (TaskBonus t : tasks) {
            b.append(b.isEmpty() ? "" : " ").append("Task bonus: ").append(t.amount().display()).append(" (")
                    .append(t.reason()).append(").");
        }
        String ref = " Ref " + p.bonusToken() + ".";
        String text = b.toString();
        if (text.length() + ref.length() > REASON_MAX) {
            text = text.substring(0, REASON_MAX - ref.length() - 1) + "\u2026";
        }
        return text + ref;
    }

    private static String minutesAndSeconds(long millis) {
        long s = Math.round(millis / 1000.0);
        return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
    }

    // ---- the dispatcher's steps ------------------------------------------------------------------

    /** DUE → SENT before the request goes out: a crash after this resends with the same token. */
    public boolean bonusSending(long id, int attempts) {
        Instant now = clock.instant();
        return jdbc.update("update payout set bonus_state = 'SENT', attempts = ?, bonus_sent_at = "
                + "coalesce(bonus_sent_at, ?), updated_at = ? where id = ? and bonus_state in ('DUE', 'SENT')",
                attempts, SqlSupport.toSql(now), SqlSupport.toSql(now), id) == 1;
    }

    public void bonusPaid(long id) {
        tx.executeWithoutResult(status -> {
            Instant now = clock.instant();
            jdbc.update("update payout set bonus_state = 'PAID', last_error = null, next_attempt_at = null, "
                    + "updated_at = ? where id = ? and bonus_state = 'SENT'", SqlSupport.toSql(now), id);
            jdbc.update("update bonus set state = 'DONE', updated_at = ? where payout_id = ?", SqlSupport.toSql(now), id);
        });
    }

    public void approved(long id) {
        jdbc.update("update payout set approval_state = 'APPROVED', last_error = null, next_attempt_at = null, "
                + "updated_at = ? where id = ? and approval_state = 'DUE'", SqlSupport.toSql(clock.instant()), id);
    }

    public void rejected(long id) {
        jdbc.update("update payout set approval_state = 'REJECTED', last_error = null, next_attempt_at = null, "
                + "updated_at = ? where id = ? and approval_state = 'REJECT_DUE'", SqlSupport.toSql(clock.instant()), id);
    }

    /** A step to try again later (throttled, the marketplace unreachable): the row stays in its state. */
    public void retryLater(long id, int attempts, Instant notBefore, String error) {
        jdbc.update("update payout set attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? where id = ?",
                attempts, SqlSupport.toSql(notBefore), SqlSupport.clip(error, 4000), SqlSupport.toSql(clock.instant()),
                id);
    }

    /** The marketplace refused a step for good (e.g. insufficient funds): FAILED with its reason, for the admin. */
    public void bonusFailed(long id, int attempts, String reason) {
        jdbc.update("update payout set bonus_state = 'FAILED', attempts = ?, last_error = ?, next_attempt_at = null, "
                + "updated_at = ? where id = ? and bonus_state in ('DUE', 'SENT')", attempts, SqlSupport.clip(reason,
                4000), SqlSupport.toSql(clock.instant()), id);
    }

    public void approvalFailed(long id, int attempts, String reason) {
        jdbc.update("update payout set approval_state = 'FAILED', attempts = ?, last_error = ?, next_attempt_at = null, "
                + "updated_at = ? where id = ? and approval_state in ('DUE', 'REJECT_DUE')", attempts,
                SqlSupport.clip(reason, 4000), SqlSupport.toSql(clock.instant()), id);
    }

    // ---- the admin's decisions -------------------------------------------------------------------

    /**
     * Approves submissions under review (manual policy): one payout, or every one of the session when
     * {@code payoutId} is empty. Their bonus becomes due (sent before the approval). Returns how many moved.
     */
    public int approve(long sessionId, Optional<Long> payoutId, String feedback) {
        return decide(sessionId, payoutId, feedback, "DUE", "DUE");
    }

    /** Rejects submissions under review, with feedback the worker sees: no bonus is paid. */
    public int reject(long sessionId, Optional<Long> payoutId, String feedback) {
        if (feedback == null || feedback.isBlank()) {
            throw new InvalidEventException("a rejection needs feedback: the worker reads why");
        }
        return decide(sessionId, payoutId, feedback, "REJECT_DUE", "CANCELLED");
    }

    private int decide(long sessionId, Optional<Long> payoutId, String feedback, String approval, String bonus) {
        String text = feedback == null || feedback.isBlank() ? null : feedback.strip();
        if (text != null && text.length() > FEEDBACK_MAX) {
            throw new InvalidEventException("feedback may be at most " + FEEDBACK_MAX + " characters");
        }
        return tx.execute(status -> {
            Instant now = clock.instant();
            String where = " where session_id = ? and approval_state = 'REVIEW'" + (payoutId.isPresent() ? " and id = ?" : "");
            Object[] args = payoutId.isPresent() ? new Object[] {sessionId, payoutId.get()} : new Object[] {sessionId};
            if (bonus.equals("CANCELLED")) {
                // A rejected submission pays no bonus: its task bonuses (attached or not yet) are cancelled with it.
                jdbc.query("select id, worker_id from payout" + where, rs -> {
                    jdbc.update("update bonus set payout_id = ?, updated_at = ? where session_id = ? and worker_id = ? "
                            + "and state = 'REQUESTED' and payout_id is null", rs.getLong(1), SqlSupport.toSql(now),
                            sessionId, rs.getString(2));
                }, args);
                jdbc.update("update bonus set state = 'CANCELLED', updated_at = ? where payout_id in (select id from "
                        + "payout" + where + ")", prepend(SqlSupport.toSql(now), args));
            }
            return jdbc.update("update payout set approval_state = ?, bonus_state = case when bonus_state = 'PENDING' "
                    + "then ? else bonus_state end, feedback = ?, updated_at = ?" + where,
                    prepend(approval, bonus, text, SqlSupport.toSql(now), args));
        });
    }

    /** A FAILED step (bonus or approval) is tried again, e.g. after the admin added funds. Returns whether it moved. */
    public boolean retry(long sessionId, long payoutId) {
        Instant now = clock.instant();
        int moved = jdbc.update("update payout set bonus_state = case when bonus_state = 'FAILED' then 'DUE' "
                + "else bonus_state end, approval_state = case when approval_state = 'FAILED' then "
                + "(case when bonus_state = 'CANCELLED' then 'REJECT_DUE' else 'DUE' end) else approval_state end, "
                + "next_attempt_at = null, updated_at = ? where id = ? and session_id = ? "
                + "and (bonus_state = 'FAILED' or approval_state = 'FAILED')", SqlSupport.toSql(now), payoutId,
                sessionId);
        return moved == 1;
    }

    private static Object[] prepend(Object a, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = a;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static Object[] prepend(Object a, Object b, Object c, Object d, Object[] rest) {
        Object[] all = new Object[rest.length + 4];
        all[0] = a;
        all[1] = b;
        all[2] = c;
        all[3] = d;
        System.arraycopy(rest, 0, all, 4, rest.length);
        return all;
    }

    private static Payout payout(ResultSet rs, int row) throws SQLException {
        Integer tasks = (Integer) rs.getObject("task_bonus_cents");
        Integer bonus = (Integer) rs.getObject("bonus_cents");
        Long comp = (Long) rs.getObject("compensation_id", Long.class);
        return new Payout(rs.getLong("id"), rs.getLong("session_id"), rs.getString("worker_id"),
                rs.getString("assignment_id"), Ending.valueOf(rs.getString("ending")), rs.getLong("waited_millis"),
                Money.ofCents(rs.getInt("waiting_cents")), tasks == null ? null : Money.ofCents(tasks),
                bonus == null ? null : Money.ofCents(bonus), rs.getString("bonus_reason"), rs.getString("bonus_token"),
                PayoutState.Bonus.valueOf(rs.getString("bonus_state")),
                PayoutState.Approval.valueOf(rs.getString("approval_state")), rs.getString("feedback"),
                rs.getInt("attempts"), rs.getString("last_error"), SqlSupport.get(rs, "next_attempt_at"),
                SqlSupport.get(rs, "bonus_sent_at"), comp,
                SqlSupport.get(rs, "created_at"), SqlSupport.get(rs, "updated_at"));
    }
}
