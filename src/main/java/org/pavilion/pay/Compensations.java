package org.pavilion.pay;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pavilion.session.RequestTokens;
import org.pavilion.session.SessionStore;
import org.pavilion.session.UnknownSessionException;
import org.pavilion.storage.SqlSupport;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Compensation HITs (SPEC §4.9): a worker whose assignment cannot carry a bonus (returned, abandoned)
 * is owed what it earned; the admin pays every owed worker of a session with one click, each through a
 * HIT only that worker can see and accept, whose reward is the amount owed. One compensation per
 * worker and click covers all its owed payouts of the session; the payouts move OWED → COMPENSATING →
 * COMPENSATED with it, so nothing owed is paid twice or forgotten.
 */
@Repository
public class Compensations {

    public enum State { REQUESTED, POSTED, PAID, FAILED }

    public record Compensation(long id, long sessionId, String workerId, Money amount, String token, State state,
                               String hitId, String assignmentId, int attempts, String lastError, Instant createdAt,
                               Instant updatedAt) {
    }

    private static final String COLUMNS = "id, session_id, worker_id, cents, token, state, hit_id, assignment_id, "
            + "attempts, last_error, created_at, updated_at";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final SessionStore store;
    private final Clock clock;

    public Compensations(JdbcTemplate jdbc, PlatformTransactionManager transactions, SessionStore store, Clock clock) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        this.store = store;
        this.clock = clock;
    }

    /**
     * Opens a compensation for every worker of the session with owed payouts not yet being compensated.
     * Returns the compensations opened (none if nobody is owed; a second click opens nothing more).
     */
    public List<Compensation> payOwed(long sessionId) {
        if (store.loadSession(sessionId).isEmpty()) {
            throw new UnknownSessionException(sessionId);
        }
        return tx.execute(status -> {
            Map<String, Long> owed = new LinkedHashMap<>();
            jdbc.query("select worker_id, bonus_cents from payout where session_id = ? and bonus_state = 'OWED' "
                    + "and compensation_id is null order by id", rs -> {
                owed.merge(rs.getString(1), rs.getLong(2), Long::sum);
            }, sessionId);
            Instant now = clock.instant();
            List<Compensation> opened = new ArrayList<>();
            for (Map.Entry<String, Long> e : owed.entrySet()) {
                GeneratedKeyHolder keys = new GeneratedKeyHolder();
                String placeholder = "new-" + java.util.UUID.randomUUID();
                jdbc.update(c -> {
                    var ps = c.prepareStatement("insert into compensation (session_id, worker_id, cents, token, state, "
                            + "created_at, updated_at) values (?, ?, ?, ?, 'REQUESTED', ?, ?)", new String[] {"id"});
                    ps.setLong(1, sessionId);
                    ps.setString(2, e.getKey());
                    ps.setLong(3, e.getValue());
                    ps.setString(4, placeholder.substring(0, 40));
                    SqlSupport.set(ps, 5, now);
                    SqlSupport.set(ps, 6, now);
                    return ps;
                }, keys);
                long id = SqlSupport.generatedId(keys);
                // In the same transaction: the token names the row, and no one sees the placeholder.
                jdbc.update("update compensation set token = ? where id = ?",
                        RequestTokens.compensation(store.instanceId(), sessionId, id), id);
                jdbc.update("update payout set compensation_id = ?, bonus_state = 'COMPENSATING', updated_at = ? "
                        + "where session_id = ? and worker_id = ? and bonus_state = 'OWED' and compensation_id is null",
                        id, SqlSupport.toSql(now), sessionId, e.getKey());
                opened.add(find(id).orElseThrow());
            }
            return opened;
        });
    }

    public List<Compensation> forSession(long sessionId) {
        return jdbc.query("select " + COLUMNS + " from compensation where session_id = ? order by id",
                Compensations::compensation, sessionId);
    }

    public Optional<Compensation> find(long id) {
        return jdbc.query("select " + COLUMNS + " from compensation where id = ?", Compensations::compensation, id)
                .stream().findFirst();
    }

    public Optional<Compensation> byHit(String hitId) {
        return jdbc.query("select " + COLUMNS + " from compensation where hit_id = ?", Compensations::compensation,
                hitId).stream().findFirst();
    }

    /** Compensations still to post or to approve. */
    List<Compensation> open() {
        return jdbc.query("select " + COLUMNS + " from compensation where state in ('REQUESTED', 'POSTED') order by id",
                Compensations::compensation);
    }

    /** Expired sessions whose task pays owed workers automatically and that have owed payouts left. */
    List<Long> sessionsToCompensateAutomatically() {
        return jdbc.queryForList("select distinct p.session_id from payout p join live_session s on s.id = p.session_id "
                + "where s.expired = true and s.auto_compensate = true and p.bonus_state = 'OWED' "
                + "and p.compensation_id is null order by p.session_id", Long.class);
    }

    void posted(long id, String hitId) {
        jdbc.update("update compensation set state = 'POSTED', hit_id = ?, last_error = null, updated_at = ? "
                + "where id = ? and state = 'REQUESTED'", hitId, SqlSupport.toSql(clock.instant()), id);
    }

    /** The worker submitted the compensation HIT and it was approved: its payouts are paid. */
    void paid(long id, String assignmentId) {
        tx.executeWithoutResult(status -> {
            Instant now = clock.instant();
            int moved = jdbc.update("update compensation set state = 'PAID', assignment_id = ?, last_error = null, "
                    + "updated_at = ? where id = ? and state = 'POSTED'", assignmentId, SqlSupport.toSql(now), id);
            if (moved == 1) {
                jdbc.update("update payout set bonus_state = 'COMPENSATED', updated_at = ? where compensation_id = ?",
                        SqlSupport.toSql(now), id);
                jdbc.update("update bonus set state = 'DONE', updated_at = ? where payout_id in (select id from payout "
                        + "where compensation_id = ?)", SqlSupport.toSql(now), id);
            }
        });
    }

    void failed(long id, int attempts, String reason) {
        jdbc.update("update compensation set state = 'FAILED', attempts = ?, last_error = ?, updated_at = ? "
                + "where id = ?", attempts, SqlSupport.clip(reason, 4000), SqlSupport.toSql(clock.instant()), id);
    }

    void attempted(long id, int attempts, String error) {
        jdbc.update("update compensation set attempts = ?, last_error = ?, updated_at = ? where id = ?", attempts,
                SqlSupport.clip(error, 4000), SqlSupport.toSql(clock.instant()), id);
    }

    /** A FAILED compensation is tried again (its HIT is posted with the same token: never twice). */
    public boolean retry(long sessionId, long id) {
        return jdbc.update("update compensation set state = case when hit_id is null then 'REQUESTED' else 'POSTED' end, "
                + "updated_at = ? where id = ? and session_id = ? and state = 'FAILED'",
                SqlSupport.toSql(clock.instant()), id, sessionId) == 1;
    }

    private static Compensation compensation(ResultSet rs, int row) throws SQLException {
        return new Compensation(rs.getLong("id"), rs.getLong("session_id"), rs.getString("worker_id"),
                Money.ofCents(rs.getLong("cents")), rs.getString("token"), State.valueOf(rs.getString("state")),
                rs.getString("hit_id"), rs.getString("assignment_id"), rs.getInt("attempts"),
                rs.getString("last_error"), SqlSupport.get(rs, "created_at"), SqlSupport.get(rs, "updated_at"));
    }
}
