package org.pavilion.pay;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.session.RequestTokens;
import org.pavilion.session.SessionStore;
import org.pavilion.storage.SqlSupport;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Bonuses awarded by task logic during the live task, kept before anything is sent. Each is paid with
 * its worker's assignment (one SendBonus with the waiting pay, see {@link PayLedger#freeze}), or owed
 * with it if the assignment cannot carry a bonus.
 */
@Repository
public class BonusLedger implements org.springframework.beans.factory.DisposableBean {

    /** The most one award may be: a guard against a task logic bug paying a fortune. */
    public static final int MAX_CENTS = 10_000;

    private final JdbcTemplate jdbc;
    private final SessionStore store;
    private final Clock clock;

    private final TransactionTemplate tx;
    /** Writes the awards made from connections' threads, which must not wait for the database. */
    private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
                Thread t = new Thread(r, "pavilion-bonus-writer");
                t.setDaemon(true);
                return t;
            });

    /** The most awards waiting to be written; beyond it an award is refused at once. */
    static final int MAX_QUEUED = 10_000;

    public BonusLedger(JdbcTemplate jdbc, PlatformTransactionManager transactions, SessionStore store, Clock clock) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        this.store = store;
        this.clock = clock;
    }

    public record Bonus(long id, long sessionId, String workerId, int cents, String reason, String token,
                        String state) {
    }

    /** Records a bonus for a worker of a session; returns it with its token. */
    public Bonus award(long sessionId, String workerId, int cents, String reason) {
        check(cents, reason);
        return tx.execute(status -> insert(sessionId, workerId, cents, reason));
    }

    /**
     * {@link #award}, written on the ledger's own thread: returns at once, the future completes once the
     * award is durable. A bad amount or reason throws at once; a full queue throws
     * {@link RejectedExecutionException} (nothing recorded).
     */
    public CompletableFuture<Bonus> awardLater(long sessionId, String workerId, int cents, String reason) {
        check(cents, reason);
        return CompletableFuture.supplyAsync(() -> tx.execute(status -> insert(sessionId, workerId, cents, reason)),
                writer);
    }

    private static void check(int cents, String reason) {
        if (cents < 1 || cents > MAX_CENTS) {
            throw new InvalidConfigurationException("cents", "must be between 1 and " + MAX_CENTS + " (was " + cents + ")");
        }
        if (reason == null || reason.isBlank() || reason.length() > 500) {
            throw new InvalidConfigurationException("reason", "must be 1–500 characters");
        }
    }

    /** Writes the awards already queued (waiting at most 10 s), then stops. */
    @Override
    public void destroy() throws InterruptedException {
        writer.shutdown();
        writer.awaitTermination(10, TimeUnit.SECONDS);
    }

    private Bonus insert(long sessionId, String workerId, int cents, String reason) {
        var now = SqlSupport.toSql(clock.instant());
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        // The token needs the id, which the insert makes: a unique placeholder, then the token, in one transaction.
        String placeholder = "new-" + java.util.UUID.randomUUID().toString().substring(0, 32);
        jdbc.update(c -> {
            var ps = c.prepareStatement("insert into bonus (session_id, worker_id, cents, reason, token, state, "
                    + "created_at, updated_at) values (?, ?, ?, ?, ?, 'REQUESTED', ?, ?)", new String[] {"id"});
            ps.setLong(1, sessionId);
            ps.setString(2, workerId);
            ps.setInt(3, cents);
            ps.setString(4, reason.strip());
            ps.setString(5, placeholder);
            ps.setObject(6, now);
            ps.setObject(7, now);
            return ps;
        }, keys);
        long id = SqlSupport.generatedId(keys);
        String token = RequestTokens.taskBonus(store.instanceId(), sessionId, id);
        jdbc.update("update bonus set token = ? where id = ?", token, id);
        return new Bonus(id, sessionId, workerId, cents, reason.strip(), token, "REQUESTED");
    }

    public List<Bonus> forSession(long sessionId) {
        return jdbc.query("select id, session_id, worker_id, cents, reason, token, state from bonus "
                        + "where session_id = ? order by id",
                (rs, row) -> new Bonus(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getInt(4), rs.getString(5),
                        rs.getString(6), rs.getString(7)), sessionId);
    }
}
