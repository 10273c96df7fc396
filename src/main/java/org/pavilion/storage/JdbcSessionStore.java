package org.pavilion.storage;

import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import javax.sql.DataSource;

import org.pavilion.project.UnknownTaskException;
import org.pavilion.queue.Decision.AssignmentConfirmed;
import org.pavilion.queue.Decision.AssignmentReleased;
import org.pavilion.queue.Decision.Cause;
import org.pavilion.queue.Decision.Ending;
import org.pavilion.queue.Decision.Fact;
import org.pavilion.queue.Decision.Hire;
import org.pavilion.queue.Decision.HireBudgetChanged;
import org.pavilion.queue.Decision.HireWithheld;
import org.pavilion.queue.Decision.PayDue;
import org.pavilion.queue.Decision.Phase;
import org.pavilion.queue.Decision.PhaseChange;
import org.pavilion.queue.Decision.StatusChange;
import org.pavilion.queue.Decision.SubmissionConfirmed;
import org.pavilion.queue.Decision.WaitCapped;
import org.pavilion.queue.Decision.WaitingClosed;
import org.pavilion.queue.QueueEngine.TimedFact;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.AssignmentRef;
import org.pavilion.session.HireBudget;
import org.pavilion.session.CommitItem;
import org.pavilion.session.GoLiveIntent;
import org.pavilion.session.GoLiveOptions;
import org.pavilion.session.HireRequest;
import org.pavilion.session.HitExpiryRequest;
import org.pavilion.session.PaySettings;
import org.pavilion.session.RequestTokens;
import org.pavilion.session.LoggedFact;
import org.pavilion.session.SessionConfig;
import org.pavilion.session.SessionLog;
import org.pavilion.session.SessionStore;
import org.pavilion.session.UnknownSessionException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ParameterizedPreparedStatementSetter;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@link SessionStore} on a relational database (H2 in PostgreSQL mode, or PostgreSQL), with
 * the schema of {@code db/migration}.
 *
 * <p>{@link #commit} is the hot path: all items of a group commit are written in one transaction with
 * one JDBC batch per statement kind (workers, assignments, session workers, events, phases, hires),
 * whatever the number of items. A worker's several status changes within one commit are folded into
 * one row write of its final status. Rows are written in key order, so concurrent committers lock
 * shared rows (workers) in the same order.
 *
 * <p>Timestamps are kept to the microsecond (both databases' precision): a caller that wants replayed
 * state to equal live state to the last digit should use instants truncated to microseconds.
 */
@Repository
public class JdbcSessionStore implements SessionStore {

    static final int ACTOR_MAX = 200;
    static final int TEXT_MAX = 4000;

    private static final String INSERT_WORKER =
            "insert into worker (worker_id, first_seen_at) values (?, ?) on conflict do nothing";
    private static final String INSERT_ASSIGNMENT = "insert into assignment (assignment_id, worker_id, session_id, "
            + "accepted_at) values (?, ?, ?, ?) on conflict do nothing";
    private static final String INSERT_SESSION_WORKER = "insert into session_worker (session_id, worker_id, "
            + "assignment_id, status, queue_order, updated_at) values (?, ?, ?, ?, ?, ?)";
    private static final String UPDATE_SESSION_WORKER = "update session_worker set assignment_id = ?, status = ?, "
            + "queue_order = ?, updated_at = ? where session_id = ? and worker_id = ?";
    private static final String INSERT_EVENT = "insert into session_event (session_id, seq, at, kind, worker_id, "
            + "assignment_id, from_status, to_status, cause, queue_order, phase, hire_number, actor, detail, hit_id) "
            + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String UPDATE_STARTED =
            "update live_session set started = true, started_at = coalesce(started_at, ?) where id = ?";
    private static final String UPDATE_STOPPED =
            "update live_session set stopped = true, stopped_at = coalesce(stopped_at, ?) where id = ?";
    private static final String UPDATE_EXPIRED =
            "update live_session set expired = true, ended_at = coalesce(ended_at, ?) where id = ?";
    private static final String INSERT_HIRE = "insert into hire_request (session_id, number, token, state, "
            + "cause_worker_id, attempts, requested_at, updated_at) values (?, ?, ?, 'REQUESTED', ?, 0, ?, ?)";

    /** Every HIT of a session not yet in the expiry outbox: set 1, 2 = now, 3 = the session. */
    static final String INSERT_EXPIRIES_OF_SESSION = "insert into hit_expiry (hit_id, session_id, state, attempts, "
            + "requested_at, updated_at) select h.hit_id, h.session_id, 'PENDING', 0, ?, ? from session_hit h "
            + "where h.session_id = ? and not exists (select 1 from hit_expiry e where e.hit_id = h.hit_id)";
    private static final String INSERT_EXPIRY_OF_HIT = "insert into hit_expiry (hit_id, session_id, state, attempts, "
            + "requested_at, updated_at) select ?, id, 'PENDING', 0, ?, ? from live_session "
            + "where id = ? and not exists (select 1 from hit_expiry e where e.hit_id = ?)";
    private static final String GO_LIVE_COLUMNS = "task_id, nonce, session_id, hit_type_id, token, state, admin, "
            + "attempts, last_error, hit_id, requested_at";
    private static final String EXPIRY_COLUMNS = "hit_id, session_id, state, attempts, last_error, requested_at, "
            + "updated_at";

    private static final String SESSION_COLUMNS = "id, task_id, min_active, min_waiting, max_active, max_waiting, "
            + "allow_repeat_workers, waiting_pay_cents_per_hour, disconnect_grace_seconds, hire_budget, expired, "
            + "max_paid_wait_minutes, approval_policy, auto_compensate";
    /** The pay settings' columns, the same in task and live_session. */
    private static final String PAY_COLUMNS = "max_paid_wait_minutes, approval_policy, auto_compensate";
    private static final String EVENT_COLUMNS = "session_id, seq, at, kind, worker_id, assignment_id, from_status, "
            + "to_status, cause, queue_order, phase, hire_number, hit_id";
    private static final String HIRE_COLUMNS = "session_id, number, token, state, cause_worker_id, attempts, "
            + "last_error, requested_at, updated_at";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate writeTx;
    private final TransactionTemplate readTx;
    private final Clock clock;
    private volatile String instanceId;

    @Autowired
    public JdbcSessionStore(JdbcTemplate jdbc, PlatformTransactionManager transactionManager) {
        this(jdbc, transactionManager, Clock.systemUTC());
    }

    /** A store on its own JdbcTemplate and transaction manager (tools and tests). */
    public JdbcSessionStore(DataSource dataSource) {
        this(new JdbcTemplate(dataSource), new DataSourceTransactionManager(dataSource), Clock.systemUTC());
    }

    JdbcSessionStore(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, Clock clock) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.writeTx = new TransactionTemplate(transactionManager);
        this.readTx = new TransactionTemplate(transactionManager);
        readTx.setReadOnly(true);
        readTx.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    }

    // ---- sessions ----------------------------------------------------------------------------

    @Override
    public SessionConfig openSession(long taskId, Instant at) {
        return openSession(taskId, at, GoLiveOptions.TASK_DEFAULTS);
    }

    /**
     * Opens a session with the task's settings and the admin's choices at Go live: other thresholds (the
     * default hire budget and the spending cap's lowering follow them), a name, the marketplace.
     */
    @Override
    public SessionConfig openSession(long taskId, Instant at, GoLiveOptions options) {
        Objects.requireNonNull(at, "at");
        GoLiveOptions chosen = options == null ? GoLiveOptions.TASK_DEFAULTS : options;
        return writeTx.execute(status -> {
            List<SessionConfig> task = jdbc.query("select min_active, min_waiting, max_active, max_waiting, "
                    + "allow_repeat_workers, waiting_pay_cents_per_hour, disconnect_grace_seconds, reward_cents, "
                    + "hire_budget, spend_cap_cents, " + PAY_COLUMNS + " from task where id = ?",
                    (rs, row) -> {
                        Thresholds thresholds = chosen.thresholds() != null ? chosen.thresholds() : thresholds(rs);
                        return new SessionConfig(0, taskId, thresholds, rs.getBoolean("allow_repeat_workers"),
                                Duration.ofSeconds(rs.getInt("disconnect_grace_seconds")),
                                rs.getInt("waiting_pay_cents_per_hour"),
                                HireBudget.of(thresholds, (Integer) rs.getObject("hire_budget"),
                                        rs.getInt("reward_cents"), (Integer) rs.getObject("spend_cap_cents")),
                                paySettings(rs));
                    }, taskId);
            if (task.isEmpty()) {
                throw new UnknownTaskException(taskId);
            }
            SessionConfig c = task.get(0);
            KeyHolder keys = new GeneratedKeyHolder();
            jdbc.update(con -> {
                PreparedStatement ps = con.prepareStatement("insert into live_session (task_id, min_active, "
                        + "min_waiting, max_active, max_waiting, allow_repeat_workers, waiting_pay_cents_per_hour, "
                        + "disconnect_grace_seconds, opened_at, hire_budget, " + PAY_COLUMNS + ", spend_cap_cents, "
                        + "name, marketplace_mode) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        + "(select spend_cap_cents from task where id = ?), ?, ?)",
                        new String[] {"id"});
                ps.setLong(1, taskId);
                ps.setInt(2, c.thresholds().minActive());
                ps.setInt(3, c.thresholds().minWaiting());
                ps.setInt(4, c.thresholds().maxActive());
                ps.setInt(5, c.thresholds().maxWaiting());
                ps.setBoolean(6, c.allowRepeatWorkers());
                ps.setInt(7, c.waitingPayCentsPerHour());
                ps.setInt(8, (int) c.disconnectGrace().toSeconds());
                SqlSupport.set(ps, 9, at);
                ps.setInt(10, c.hireBudget());
                ps.setInt(11, (int) c.pay().maxPaidWait().toMinutes());
                ps.setString(12, c.pay().approval().name());
                ps.setBoolean(13, c.pay().autoCompensate());
                ps.setLong(14, taskId);
                ps.setString(15, chosen.name());
                ps.setString(16, chosen.marketplace());
                return ps;
            }, keys);
            return new SessionConfig(SqlSupport.generatedId(keys), taskId, c.thresholds(), c.allowRepeatWorkers(),
                    c.disconnectGrace(), c.waitingPayCentsPerHour(), c.hireBudget(), c.pay());
        });
    }

    /**
     * The marketplace a session was posted on (LOCAL, SANDBOX, PRODUCTION), or empty for a session opened
     * before sessions had one (the server's configured marketplace) or no such session.
     */
    public Optional<String> marketplaceOf(long sessionId) {
        return jdbc.query("select marketplace_mode from live_session where id = ?", (rs, row) -> rs.getString(1),
                sessionId).stream().filter(Objects::nonNull).findFirst();
    }

    @Override
    public Optional<SessionLog> loadSession(long sessionId) {
        return readTx.execute(status -> {
            List<SessionRow> sessions = jdbc.query("select " + SESSION_COLUMNS + " from live_session where id = ?",
                    JdbcSessionStore::sessionRow, sessionId);
            if (sessions.isEmpty()) {
                return Optional.<SessionLog>empty();
            }
            List<LoggedFact> facts = new ArrayList<>();
            jdbc.query("select " + EVENT_COLUMNS + " from session_event where session_id = ? order by seq",
                    rs -> {
                        facts.add(loggedFact(rs));
                    }, sessionId);
            SessionRow s = sessions.get(0);
            return Optional.of(new SessionLog(s.config(), s.expired(), facts));
        });
    }

    @Override
    public List<SessionLog> loadLiveSessions() {
        return readTx.execute(status -> {
            Map<Long, SessionRow> sessions = new LinkedHashMap<>();
            jdbc.query("select " + SESSION_COLUMNS + " from live_session where expired = false order by id", rs -> {
                SessionRow s = sessionRow(rs, 0);
                sessions.put(s.config().sessionId(), s);
            });
            Map<Long, List<LoggedFact>> logs = new LinkedHashMap<>();
            if (!sessions.isEmpty()) {
                jdbc.query("select " + prefixed("e.", EVENT_COLUMNS) + " from session_event e "
                        + "join live_session s on s.id = e.session_id where s.expired = false "
                        + "order by e.session_id, e.seq", rs -> {
                            logs.computeIfAbsent(rs.getLong("session_id"), k -> new ArrayList<>()).add(loggedFact(rs));
                        });
            }
            List<SessionLog> result = new ArrayList<>(sessions.size());
            for (SessionRow s : sessions.values()) {
                result.add(new SessionLog(s.config(), false,
                        logs.getOrDefault(s.config().sessionId(), List.of())));
            }
            return result;
        });
    }

    /**
     * Records the marketplace ids of a session once it is posted (SPEC §4.8: the HIT type id is kept
     * for hires). Returns false if there is no such session.
     */
    public boolean recordSessionHit(long sessionId, String hitTypeId, String hitId) {
        boolean updated = jdbc.update("update live_session set hit_type_id = ?, hit_id = ? where id = ?", hitTypeId,
                hitId, sessionId) > 0;
        if (updated) {
            addSessionHit(sessionId, hitTypeId, hitId);
        }
        return updated;
    }

    /**
     * Records a HIT of the session. A HIT that lands after its session expired (a hire in flight across
     * the expiry, a go-live recovered late) is put in the expiry outbox in the same transaction. The
     * session's row is locked first, so this and the session's expiry (which enqueues the HITs recorded
     * by then) are ordered: every HIT of an expired session gets an expiry request.
     */
    @Override
    public void addSessionHit(long sessionId, String hitTypeId, String hitId) {
        writeTx.executeWithoutResult(status -> {
            List<Boolean> expired = jdbc.query("select expired from live_session where id = ? for update",
                    (rs, row) -> rs.getBoolean(1), sessionId);
            Instant now = clock.instant();
            jdbc.update("insert into session_hit (hit_id, session_id, hit_type_id, created_at) values (?, ?, ?, ?) "
                    + "on conflict do nothing", hitId, sessionId, hitTypeId, SqlSupport.toSql(now));
            if (!expired.isEmpty() && expired.get(0)) {
                jdbc.update(INSERT_EXPIRY_OF_HIT, hitId, SqlSupport.toSql(now), SqlSupport.toSql(now), sessionId,
                        hitId);
            }
        });
    }

    /** Every HIT posted for the session, oldest first. */
    public List<String> sessionHits(long sessionId) {
        return jdbc.queryForList("select hit_id from session_hit where session_id = ? order by created_at, hit_id",
                String.class, sessionId);
    }

    /** A HIT of a session, as the reconciliation walks them. */
    public record SessionHit(long sessionId, String hitId) {
    }

    /**
     * At most {@code limit} HITs of sessions not expired, in (session, HIT) order, after {@code after} (null: from
     * the first): one slice of the reconciliation's walk, read through an index, whatever the number of HITs.
     */
    public List<SessionHit> liveSessionHitsAfter(SessionHit after, int limit) {
        String live = "select h.session_id, h.hit_id from session_hit h join live_session s on s.id = h.session_id "
                + "where s.expired = false";
        RowMapper<SessionHit> row = (rs, n) -> new SessionHit(rs.getLong(1), rs.getString(2));
        if (after == null) {
            return jdbc.query(live + " order by h.session_id, h.hit_id limit ?", row, limit);
        }
        return jdbc.query(live + " and (h.session_id > ? or (h.session_id = ? and h.hit_id > ?)) "
                + "order by h.session_id, h.hit_id limit ?", row, after.sessionId(), after.sessionId(), after.hitId(),
                limit);
    }

    /** Whether the session has expired. */
    public boolean sessionExpired(long sessionId) {
        return jdbc.query("select expired from live_session where id = ?", (rs, row) -> rs.getBoolean(1), sessionId)
                .stream().findFirst().orElse(false);
    }

    /** Whether a session with this id exists. */
    public boolean sessionExists(long sessionId) {
        Integer n = jdbc.queryForObject("select count(*) from live_session where id = ?", Integer.class, sessionId);
        return n != null && n > 0;
    }

    /** The HIT type of the session's first HIT, once it went live on the marketplace. */
    public Optional<String> hitTypeOf(long sessionId) {
        return jdbc.query("select hit_type_id from live_session where id = ?", (rs, row) -> rs.getString(1), sessionId)
                .stream().filter(Objects::nonNull).findFirst();
    }

    @Override
    public Optional<Boolean> isExpired(long sessionId) {
        return jdbc.query("select expired from live_session where id = ?", (rs, row) -> rs.getBoolean(1), sessionId)
                .stream().findFirst();
    }

    @Override
    public Optional<Long> findSessionByHit(String hitId) {
        return jdbc.query("select session_id from session_hit where hit_id = ?", (rs, row) -> rs.getLong(1), hitId)
                .stream().findFirst();
    }

    // ---- the hot path ------------------------------------------------------------------------

    @Override
    public void commit(List<CommitItem> items) {
        if (items.isEmpty()) {
            return;
        }
        Batch batch = new Batch(instanceId());
        for (CommitItem item : items) {
            batch.add(item);
        }
        try {
            writeTx.executeWithoutResult(status -> batch.write(jdbc));
        } catch (DataIntegrityViolationException e) {
            throw explainMissingSession(batch, e);
        }
    }

    /** A foreign-key failure of a commit naming a session that does not exist becomes an UnknownSessionException. */
    private RuntimeException explainMissingSession(Batch batch, DataIntegrityViolationException e) {
        try {
            for (long sessionId : batch.sessionIds) {
                Integer n = jdbc.queryForObject("select count(*) from live_session where id = ?", Integer.class,
                        sessionId);
                if (n == null || n == 0) {
                    UnknownSessionException unknown = new UnknownSessionException(sessionId);
                    unknown.initCause(e);
                    return unknown;
                }
            }
        } catch (RuntimeException lookup) {
            e.addSuppressed(lookup);
        }
        return e;
    }

    /** The rows of one group commit, grouped by statement. */
    private static final class Batch {
        private final String instanceId;
        final TreeSet<Long> sessionIds = new TreeSet<>();
        private final TreeMap<String, Instant> workers = new TreeMap<>();
        private final TreeMap<AssignmentKey, AssignmentRow> assignments = new TreeMap<>();
        private final TreeMap<WorkerKey, WorkerRow> sessionWorkers = new TreeMap<>();
        private final List<EventRow> events = new ArrayList<>();
        private final TreeMap<Long, Instant> started = new TreeMap<>();
        private final TreeMap<Long, Instant> stopped = new TreeMap<>();
        private final TreeMap<Long, Instant> expired = new TreeMap<>();
        private final List<HireRow> hires = new ArrayList<>();
        private final List<PayoutRow> payouts = new ArrayList<>();

        Batch(String instanceId) {
            this.instanceId = instanceId;
        }

        void add(CommitItem item) {
            long sessionId = item.sessionId();
            Instant at = Objects.requireNonNull(item.at(), "CommitItem.at");
            String actor = SqlSupport.clip(item.actor(), ACTOR_MAX);
            String detail = SqlSupport.clip(item.detail(), TEXT_MAX);
            sessionIds.add(sessionId);
            long seq = item.firstSeq();
            for (Fact fact : item.facts()) {
                EventRow e = new EventRow(sessionId, seq++, at, actor, detail);
                if (fact instanceof StatusChange c) {
                    statusChange(sessionId, at, c, e);
                } else if (fact instanceof PhaseChange p) {
                    e.kind = "phase";
                    e.phase = p.phase().name();
                    TreeMap<Long, Instant> flag = p.phase() == Phase.STARTED ? started
                            : p.phase() == Phase.STOPPED ? stopped : expired;
                    flag.putIfAbsent(sessionId, at);
                } else if (fact instanceof WaitingClosed r) {
                    e.kind = "ready";
                    e.workerId = r.workerId();
                } else if (fact instanceof Hire h) {
                    e.kind = "hire";
                    e.workerId = h.workerId();
                    e.cause = h.cause().name();
                    e.hireNumber = h.number();
                    hires.add(new HireRow(sessionId, h.number(),
                            HireRequest.tokenFor(instanceId, sessionId, h.number()), h.workerId(), at));
                } else if (fact instanceof AssignmentConfirmed a) {
                    e.kind = "confirm";
                    e.assignmentId = a.assignmentId();
                    e.hitId = a.hitId();
                    e.workerId = a.workerId();
                } else if (fact instanceof AssignmentReleased r) {
                    e.kind = "release";
                    e.assignmentId = r.assignmentId();
                } else if (fact instanceof SubmissionConfirmed c) {
                    e.kind = "subok";
                    e.workerId = c.workerId();
                    e.assignmentId = c.assignmentId();
                } else if (fact instanceof HireWithheld w) {
                    e.kind = "withheld";
                    e.workerId = w.workerId();
                    e.hireNumber = w.budget();
                } else if (fact instanceof HireBudgetChanged b) {
                    e.kind = "budget";
                    e.hireNumber = b.budget();
                } else if (fact instanceof PayDue p) {
                    e.kind = "paydue";
                    e.workerId = p.workerId();
                    e.assignmentId = p.assignmentId();
                    e.cause = p.ending().name();
                    e.queueOrder = p.waitedMillis();
                    e.hireNumber = Math.toIntExact(p.waitingCents());
                    payouts.add(new PayoutRow(sessionId, e.seq, p, at));
                } else if (fact instanceof WaitCapped c) {
                    e.kind = "capped";
                    e.workerId = c.workerId();
                } else {
                    throw new IllegalArgumentException("unknown fact " + fact);
                }
                events.add(e);
            }
        }

        private void statusChange(long sessionId, Instant at, StatusChange c, EventRow e) {
            e.kind = "status";
            e.workerId = c.workerId();
            e.assignmentId = c.assignmentId();
            e.fromStatus = c.from() == null ? null : c.from().name();
            e.toStatus = c.to().name();
            e.cause = c.cause().name();
            e.queueOrder = c.order();
            WorkerKey key = new WorkerKey(sessionId, c.workerId());
            WorkerRow row = sessionWorkers.get(key);
            if (c.from() == null) {
                if (row != null) {
                    throw new IllegalArgumentException("worker '" + c.workerId() + "' joins session " + sessionId
                            + " twice in one commit");
                }
                workers.putIfAbsent(c.workerId(), at);
                row = new WorkerRow(true);
                sessionWorkers.put(key, row);
            } else if (row == null) {
                row = new WorkerRow(false);
                sessionWorkers.put(key, row);
            }
            row.assignmentId = c.assignmentId();
            row.status = c.to().name();
            row.order = c.order();
            row.at = at;
            if (c.from() == null || c.cause() == Cause.ARRIVED || c.cause() == Cause.REJOINED) {
                // a repeat worker comes with a new assignment
                assignments.putIfAbsent(new AssignmentKey(c.assignmentId(), c.workerId()),
                        new AssignmentRow(sessionId, at));
            }
        }

        void write(JdbcTemplate jdbc) {
            if (!workers.isEmpty()) {
                jdbc.batchUpdate(INSERT_WORKER, workers.entrySet(), workers.size(), (ps, w) -> {
                    ps.setString(1, w.getKey());
                    SqlSupport.set(ps, 2, w.getValue());
                });
            }
            if (!assignments.isEmpty()) {
                jdbc.batchUpdate(INSERT_ASSIGNMENT, assignments.entrySet(), assignments.size(), (ps, a) -> {
                    ps.setString(1, a.getKey().assignmentId());
                    ps.setString(2, a.getKey().workerId());
                    ps.setLong(3, a.getValue().sessionId());
                    SqlSupport.set(ps, 4, a.getValue().at());
                });
            }
            List<Map.Entry<WorkerKey, WorkerRow>> inserts = new ArrayList<>();
            List<Map.Entry<WorkerKey, WorkerRow>> updates = new ArrayList<>();
            for (Map.Entry<WorkerKey, WorkerRow> e : sessionWorkers.entrySet()) {
                (e.getValue().insert ? inserts : updates).add(e);
            }
            if (!inserts.isEmpty()) {
                jdbc.batchUpdate(INSERT_SESSION_WORKER, inserts, inserts.size(), (ps, e) -> {
                    WorkerRow r = e.getValue();
                    ps.setLong(1, e.getKey().sessionId());
                    ps.setString(2, e.getKey().workerId());
                    ps.setString(3, r.assignmentId);
                    ps.setString(4, r.status);
                    ps.setLong(5, r.order);
                    SqlSupport.set(ps, 6, r.at);
                });
            }
            if (!updates.isEmpty()) {
                int[][] counts = jdbc.batchUpdate(UPDATE_SESSION_WORKER, updates, updates.size(), (ps, e) -> {
                    WorkerRow r = e.getValue();
                    ps.setString(1, r.assignmentId);
                    ps.setString(2, r.status);
                    ps.setLong(3, r.order);
                    SqlSupport.set(ps, 4, r.at);
                    ps.setLong(5, e.getKey().sessionId());
                    ps.setString(6, e.getKey().workerId());
                });
                int i = 0;
                for (int[] chunk : counts) {
                    for (int count : chunk) {
                        if (count == 0) {
                            WorkerKey k = updates.get(i).getKey();
                            throw new IllegalStateException("worker '" + k.workerId() + "' changes status in session "
                                    + k.sessionId() + " but never joined it");
                        }
                        i++;
                    }
                }
            }
            jdbc.batchUpdate(INSERT_EVENT, events, events.size(), EVENT_SETTER);
            updateFlag(jdbc, UPDATE_STARTED, started);
            updateFlag(jdbc, UPDATE_STOPPED, stopped);
            updateFlag(jdbc, UPDATE_EXPIRED, expired);
            if (!expired.isEmpty()) { // the expiry outbox: every HIT of the session, in the expiry's transaction
                jdbc.batchUpdate(INSERT_EXPIRIES_OF_SESSION, expired.entrySet(), expired.size(), (ps, s) -> {
                    SqlSupport.set(ps, 1, s.getValue());
                    SqlSupport.set(ps, 2, s.getValue());
                    ps.setLong(3, s.getKey());
                });
            }
            for (PayoutRow p : payouts) {
                PayoutWriter.write(jdbc, RequestTokens.bonus(instanceId, p.sessionId(), p.seq()), p.sessionId(), p.due(), p.at());
            }
            if (!hires.isEmpty()) {
                jdbc.batchUpdate(INSERT_HIRE, hires, hires.size(), (ps, h) -> {
                    ps.setLong(1, h.sessionId());
                    ps.setInt(2, h.number());
                    ps.setString(3, h.token());
                    ps.setString(4, h.causeWorkerId());
                    SqlSupport.set(ps, 5, h.at());
                    SqlSupport.set(ps, 6, h.at());
                });
            }
        }

        private static void updateFlag(JdbcTemplate jdbc, String sql, TreeMap<Long, Instant> sessions) {
            if (sessions.isEmpty()) {
                return;
            }
            jdbc.batchUpdate(sql, sessions.entrySet(), sessions.size(), (ps, s) -> {
                SqlSupport.set(ps, 1, s.getValue());
                ps.setLong(2, s.getKey());
            });
        }
    }

    private static final ParameterizedPreparedStatementSetter<EventRow> EVENT_SETTER = (ps, e) -> {
        ps.setLong(1, e.sessionId);
        ps.setLong(2, e.seq);
        SqlSupport.set(ps, 3, e.at);
        ps.setString(4, e.kind);
        setString(ps, 5, e.workerId);
        setString(ps, 6, e.assignmentId);
        setString(ps, 7, e.fromStatus);
        setString(ps, 8, e.toStatus);
        setString(ps, 9, e.cause);
        if (e.queueOrder == null) {
            ps.setNull(10, Types.BIGINT);
        } else {
            ps.setLong(10, e.queueOrder);
        }
        setString(ps, 11, e.phase);
        if (e.hireNumber == null) {
            ps.setNull(12, Types.INTEGER);
        } else {
            ps.setInt(12, e.hireNumber);
        }
        setString(ps, 13, e.actor);
        setString(ps, 14, e.detail);
        setString(ps, 15, e.hitId);
    };

    private static void setString(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }

    private record WorkerKey(long sessionId, String workerId) implements Comparable<WorkerKey> {
        @Override
        public int compareTo(WorkerKey o) {
            int c = Long.compare(sessionId, o.sessionId);
            return c != 0 ? c : workerId.compareTo(o.workerId);
        }
    }

    private record AssignmentKey(String assignmentId, String workerId) implements Comparable<AssignmentKey> {
        @Override
        public int compareTo(AssignmentKey o) {
            int c = assignmentId.compareTo(o.assignmentId);
            return c != 0 ? c : workerId.compareTo(o.workerId);
        }
    }

    private record AssignmentRow(long sessionId, Instant at) {
    }

    private static final class WorkerRow {
        final boolean insert;
        String assignmentId;
        String status;
        long order;
        Instant at;

        WorkerRow(boolean insert) {
            this.insert = insert;
        }
    }

    private static final class EventRow {
        final long sessionId;
        final long seq;
        final Instant at;
        final String actor;
        final String detail;
        String kind;
        String workerId;
        String assignmentId;
        String fromStatus;
        String toStatus;
        String cause;
        Long queueOrder;
        String phase;
        Integer hireNumber;
        String hitId;

        EventRow(long sessionId, long seq, Instant at, String actor, String detail) {
            this.sessionId = sessionId;
            this.seq = seq;
            this.at = at;
            this.actor = actor;
            this.detail = detail;
        }
    }

    private record HireRow(long sessionId, int number, String token, String causeWorkerId, Instant at) {
    }

    private record PayoutRow(long sessionId, long seq, PayDue due, Instant at) {
    }

    // ---- hire requests (the outbox of SPEC §4.8) ---------------------------------------------

    @Override
    public List<HireRequest> hireRequests(long sessionId) {
        return jdbc.query("select " + HIRE_COLUMNS + " from hire_request where session_id = ? order by number",
                JdbcSessionStore::hireRequest, sessionId);
    }

    /** Every hire request not yet settled (REQUESTED or SENT), oldest first: the dispatcher's work list. */
    public List<HireRequest> pendingHireRequests() {
        return jdbc.query("select " + HIRE_COLUMNS + " from hire_request where state in ('REQUESTED', 'SENT') "
                + "order by requested_at, session_id, number", JdbcSessionStore::hireRequest);
    }

    /**
     * At most {@code limit} unsettled hire requests due at {@code now} (their next attempt is not later), taken
     * in turns across sessions: every session's oldest due request first, then every session's second, and so
     * on; within a turn, sessions in a circle of their ids starting after {@code afterSession} (the session last
     * served), so the same session does not always come first. One session's backlog thus never keeps another
     * session's hire waiting behind it, and the read is bounded by the limit and an index on (state, next
     * attempt), however many requests were ever made.
     */
    public List<HireRequest> dueHireRequests(Instant now, int limit, long afterSession) {
        String cols = HIRE_COLUMNS;
        return jdbc.query("select " + cols + " from (select " + cols + ", row_number() over (partition by session_id "
                + "order by number) as turn from hire_request where state in ('REQUESTED', 'SENT') "
                + "and (next_attempt_at is null or next_attempt_at <= ?)) due "
                + "order by turn, case when session_id > ? then 0 else 1 end, session_id, number limit ?",
                JdbcSessionStore::hireRequest, SqlSupport.toSql(now), afterSession, limit);
    }

    /** The hire request as it is now, if it is still unsettled and due at {@code now}. */
    public Optional<HireRequest> dueHireRequest(long sessionId, int number, Instant now) {
        return jdbc.query("select " + HIRE_COLUMNS + " from hire_request where session_id = ? and number = ? "
                + "and state in ('REQUESTED', 'SENT') and (next_attempt_at is null or next_attempt_at <= ?)",
                JdbcSessionStore::hireRequest, sessionId, number, SqlSupport.toSql(now)).stream().findFirst();
    }

    /**
     * Records what became of a hire request, due again at once. {@code lastError} replaces the stored one
     * (null clears it); a null {@code hitId} keeps the stored one. Returns false if there is no such request.
     */
    public boolean updateHireRequest(long sessionId, int number, HireRequest.State state, int attempts,
                                     String lastError, String hitId) {
        return updateHireRequest(sessionId, number, state, attempts, lastError, hitId, null);
    }

    /** As {@link #updateHireRequest(long, int, HireRequest.State, int, String, String)}, not due before {@code nextAttempt} (null: now). */
    public boolean updateHireRequest(long sessionId, int number, HireRequest.State state, int attempts,
                                     String lastError, String hitId, Instant nextAttempt) {
        Objects.requireNonNull(state, "state");
        return jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement("update hire_request set state = ?, attempts = ?, "
                    + "last_error = ?, hit_id = coalesce(?, hit_id), updated_at = ?, next_attempt_at = ? "
                    + "where session_id = ? and number = ?");
            ps.setString(1, state.name());
            ps.setInt(2, attempts);
            setString(ps, 3, SqlSupport.clip(lastError, TEXT_MAX));
            setString(ps, 4, hitId);
            SqlSupport.set(ps, 5, clock.instant());
            SqlSupport.set(ps, 6, nextAttempt);
            ps.setLong(7, sessionId);
            ps.setInt(8, number);
            return ps;
        }) > 0;
    }

    /**
     * Records a hire whose HIT exists, exactly as every hire is recorded: the HIT becomes one of the
     * session's ({@code session_hit}) and the request DONE with its id, in one transaction, so that no
     * crash leaves one written without the other.
     */
    public void completeHireRequest(long sessionId, int number, int attempts, String hitTypeId, String hitId) {
        Objects.requireNonNull(hitId, "hitId");
        writeTx.executeWithoutResult(status -> {
            addSessionHit(sessionId, hitTypeId, hitId);
            if (!updateHireRequest(sessionId, number, HireRequest.State.DONE, attempts, null, hitId)) {
                throw new IllegalStateException("no hire request " + sessionId + "/" + number);
            }
        });
    }

    /** The HIT Pavilion already recorded for a hire's token, if any (another sender may have recorded it first). */
    public Optional<String> hireHitIdByToken(String token) {
        return jdbc.query("select hit_id from hire_request where token = ?", (rs, row) -> rs.getString(1), token)
                .stream().filter(Objects::nonNull).findFirst();
    }

    /** The HIT a hire request created, once the marketplace answered. */
    public Optional<String> hireRequestHitId(long sessionId, int number) {
        return jdbc.query("select hit_id from hire_request where session_id = ? and number = ?",
                (rs, row) -> rs.getString(1), sessionId, number).stream().filter(Objects::nonNull).findFirst();
    }

    // ---- go live (the intent recorded before CreateHIT) ---------------------------------------

    /** The go-live of this task and click, if it was recorded. */
    public Optional<GoLiveIntent> goLive(long taskId, String nonce) {
        return jdbc.query("select " + GO_LIVE_COLUMNS + " from go_live where task_id = ? and nonce = ?",
                JdbcSessionStore::goLiveIntent, taskId, nonce).stream().findFirst();
    }

    /** The go-live that opened this session, if it went live through one. */
    public Optional<GoLiveIntent> goLiveOfSession(long sessionId) {
        return jdbc.query("select " + GO_LIVE_COLUMNS + " from go_live where session_id = ?",
                JdbcSessionStore::goLiveIntent, sessionId).stream().findFirst();
    }

    /** Every go-live not yet settled (POSTING or CANCELLING), oldest first: the dispatcher's work list. */
    public List<GoLiveIntent> pendingGoLives() {
        return jdbc.query("select " + GO_LIVE_COLUMNS + " from go_live where state in ('POSTING', 'CANCELLING') "
                + "order by requested_at, session_id", JdbcSessionStore::goLiveIntent);
    }

    /**
     * Records the intent to go live with this task for this click, opening its session, in one
     * transaction: the session's HIT type is kept and its post token fixed before anything is posted.
     * If this click was recorded before, that intent is returned and nothing is opened.
     */
    public GoLiveIntent recordGoLive(long taskId, String nonce, String hitTypeId, String admin, Instant at) {
        return recordGoLive(taskId, nonce, hitTypeId, admin, at, GoLiveOptions.TASK_DEFAULTS);
    }

    /** {@link #recordGoLive(long, String, String, String, Instant)} for a session opened with these options. */
    public GoLiveIntent recordGoLive(long taskId, String nonce, String hitTypeId, String admin, Instant at,
                                     GoLiveOptions options) {
        Objects.requireNonNull(nonce, "nonce");
        try {
            return writeTx.execute(status -> {
                Optional<GoLiveIntent> earlier = goLive(taskId, nonce);
                if (earlier.isPresent()) {
                    return earlier.get();
                }
                SessionConfig session = openSession(taskId, at, options);
                String token = RequestTokens.post(instanceId(), session.sessionId());
                jdbc.update("update live_session set hit_type_id = ? where id = ?", hitTypeId, session.sessionId());
                jdbc.update("insert into go_live (task_id, nonce, session_id, hit_type_id, token, state, admin, "
                        + "attempts, requested_at, updated_at) values (?, ?, ?, ?, ?, 'POSTING', ?, 0, ?, ?)",
                        taskId, nonce, session.sessionId(), hitTypeId, token, SqlSupport.clip(admin, 320),
                        SqlSupport.toSql(at), SqlSupport.toSql(at));
                return new GoLiveIntent(taskId, nonce, session.sessionId(), hitTypeId, token,
                        GoLiveIntent.State.POSTING, admin, 0, null, null, at);
            });
        } catch (DataIntegrityViolationException raced) {
            // another process recorded the same click first: its intent is this click's
            return goLive(taskId, nonce).orElseThrow(() -> raced);
        }
    }

    /** Records what became of a go-live (no HIT yet). Returns false if there is no such intent. */
    public boolean updateGoLive(long sessionId, GoLiveIntent.State state, int attempts, String lastError) {
        return jdbc.update("update go_live set state = ?, attempts = ?, last_error = ?, updated_at = ? "
                + "where session_id = ?", state.name(), attempts, SqlSupport.clip(lastError, TEXT_MAX),
                SqlSupport.toSql(clock.instant()), sessionId) > 0;
    }

    /**
     * Records the go-live's HIT as the session's, and the intent DONE with it, in one transaction
     * (a session expired meanwhile gets the HIT in its expiry outbox, see {@link #addSessionHit}).
     */
    public void completeGoLive(long sessionId, int attempts, String hitTypeId, String hitId) {
        completeGoLive(sessionId, attempts, hitTypeId, hitId, null);
    }

    /** {@link #completeGoLive(long, int, String, String)} with the HIT's group (its preview link), if reported. */
    public void completeGoLive(long sessionId, int attempts, String hitTypeId, String hitId, String hitGroupId) {
        Objects.requireNonNull(hitId, "hitId");
        writeTx.executeWithoutResult(status -> {
            addSessionHit(sessionId, hitTypeId, hitId);
            jdbc.update("update live_session set hit_type_id = ?, hit_id = ?, hit_group_id = ? where id = ?",
                    hitTypeId, hitId, SqlSupport.clip(hitGroupId, 128), sessionId);
            jdbc.update("update go_live set state = 'DONE', attempts = ?, last_error = null, hit_id = ?, "
                    + "updated_at = ? where session_id = ?", attempts, hitId, SqlSupport.toSql(clock.instant()),
                    sessionId);
        });
    }

    // ---- HIT expiry (the outbox of expiries) -------------------------------------------------

    /** Every HIT expiry not yet confirmed by the marketplace, oldest first: the dispatcher's work list. */
    public List<HitExpiryRequest> pendingHitExpiries() {
        return jdbc.query("select " + EXPIRY_COLUMNS + " from hit_expiry where state = 'PENDING' "
                + "order by requested_at, hit_id", JdbcSessionStore::hitExpiry);
    }

    /** The session's HIT expiries, confirmed or not. */
    public List<HitExpiryRequest> hitExpiries(long sessionId) {
        return jdbc.query("select " + EXPIRY_COLUMNS + " from hit_expiry where session_id = ? "
                + "order by requested_at, hit_id", JdbcSessionStore::hitExpiry, sessionId);
    }

    /** Records an attempt at expiring a HIT: confirmed ({@code done}) or failed with {@code lastError}. */
    public void updateHitExpiry(String hitId, boolean done, int attempts, String lastError) {
        jdbc.update("update hit_expiry set state = ?, attempts = ?, last_error = ?, updated_at = ? where hit_id = ?",
                done ? "DONE" : "PENDING", attempts, SqlSupport.clip(lastError, TEXT_MAX),
                SqlSupport.toSql(clock.instant()), hitId);
    }

    // ---- assignments -------------------------------------------------------------------------

    /**
     * The session and worker of an assignment, from Pavilion's own assignment records. With a
     * {@code workerId}, the exact (AssignmentId, WorkerId) pair; without one (MTurk does not always
     * send it), the most recently accepted holder of the AssignmentId, since an id can be reused
     * after a return.
     */
    public Optional<AssignmentRef> findSessionByAssignment(String assignmentId, String workerId) {
        Objects.requireNonNull(assignmentId, "assignmentId");
        if (workerId != null) {
            return jdbc.query("select session_id, worker_id from assignment where assignment_id = ? and worker_id = ?",
                    JdbcSessionStore::assignmentRef, assignmentId, workerId).stream().findFirst();
        }
        return jdbc.query("select session_id, worker_id from assignment where assignment_id = ? "
                + "order by accepted_at desc, session_id desc, worker_id fetch first 1 rows only",
                JdbcSessionStore::assignmentRef, assignmentId).stream().findFirst();
    }

    // ---- the installation id -----------------------------------------------------------------

    @Override
    public String instanceId() {
        String id = instanceId;
        if (id != null) {
            return id;
        }
        synchronized (this) {
            if (instanceId == null) {
                List<String> ids = jdbc.queryForList("select id from pavilion_instance", String.class);
                if (ids.isEmpty()) {
                    byte[] random = new byte[8];
                    new SecureRandom().nextBytes(random);
                    // two first starts at once: one insert wins, the other does nothing
                    jdbc.update("insert into pavilion_instance (id) values (?) on conflict do nothing",
                            HexFormat.of().formatHex(random));
                    ids = jdbc.queryForList("select id from pavilion_instance", String.class);
                }
                if (ids.size() != 1) {
                    throw new IllegalStateException("pavilion_instance must hold exactly one row, holds " + ids.size());
                }
                instanceId = ids.get(0);
            }
            return instanceId;
        }
    }

    // ---- row mapping -------------------------------------------------------------------------

    private record SessionRow(SessionConfig config, boolean expired) {
    }

    private static Thresholds thresholds(ResultSet rs) throws SQLException {
        return new Thresholds(rs.getInt("min_active"), rs.getInt("min_waiting"), rs.getInt("max_active"),
                rs.getInt("max_waiting"));
    }

    private static SessionRow sessionRow(ResultSet rs, int row) throws SQLException {
        SessionConfig config = new SessionConfig(rs.getLong("id"), rs.getLong("task_id"), thresholds(rs),
                rs.getBoolean("allow_repeat_workers"), Duration.ofSeconds(rs.getInt("disconnect_grace_seconds")),
                rs.getInt("waiting_pay_cents_per_hour"), rs.getObject("hire_budget") == null
                ? org.pavilion.queue.QueueEngine.UNLIMITED_HIRES : rs.getInt("hire_budget"), paySettings(rs));
        return new SessionRow(config, rs.getBoolean("expired"));
    }

    private static PaySettings paySettings(ResultSet rs) throws SQLException {
        return new PaySettings(Duration.ofMinutes(rs.getInt("max_paid_wait_minutes")),
                PaySettings.ApprovalPolicy.valueOf(rs.getString("approval_policy")), rs.getBoolean("auto_compensate"));
    }

    private static LoggedFact loggedFact(ResultSet rs) throws SQLException {
        long seq = rs.getLong("seq");
        Instant at = SqlSupport.get(rs, "at");
        String kind = rs.getString("kind");
        Fact fact;
        switch (kind) {
            case "status" -> {
                String from = rs.getString("from_status");
                fact = new StatusChange(rs.getString("worker_id"), rs.getString("assignment_id"),
                        from == null ? null : WorkerStatus.valueOf(from), WorkerStatus.valueOf(rs.getString("to_status")),
                        Cause.valueOf(rs.getString("cause")), rs.getLong("queue_order"));
            }
            case "phase" -> fact = new PhaseChange(Phase.valueOf(rs.getString("phase")));
            case "ready" -> fact = new WaitingClosed(rs.getString("worker_id"));
            case "hire" -> fact = new Hire(rs.getInt("hire_number"), rs.getString("worker_id"),
                    Cause.valueOf(rs.getString("cause")));
            case "confirm" -> fact = new AssignmentConfirmed(rs.getString("assignment_id"), rs.getString("hit_id"),
                    rs.getString("worker_id"));
            case "release" -> fact = new AssignmentReleased(rs.getString("assignment_id"));
            case "subok" -> fact = new SubmissionConfirmed(rs.getString("worker_id"), rs.getString("assignment_id"));
            case "withheld" -> fact = new HireWithheld(rs.getString("worker_id"), rs.getInt("hire_number"));
            case "budget" -> fact = new HireBudgetChanged(rs.getInt("hire_number"));
            case "paydue" -> fact = new PayDue(rs.getString("worker_id"), rs.getString("assignment_id"),
                    Ending.valueOf(rs.getString("cause")), rs.getLong("queue_order"), rs.getLong("hire_number"));
            case "capped" -> fact = new WaitCapped(rs.getString("worker_id"));
            default -> throw new IllegalStateException("session_event " + rs.getLong("session_id") + "/" + seq
                    + " has unknown kind '" + kind + "'");
        }
        return new LoggedFact(seq, new TimedFact(fact, at));
    }

    private static HireRequest hireRequest(ResultSet rs, int row) throws SQLException {
        return new HireRequest(rs.getLong("session_id"), rs.getInt("number"), rs.getString("token"),
                HireRequest.State.valueOf(rs.getString("state")), rs.getString("cause_worker_id"),
                rs.getInt("attempts"), rs.getString("last_error"), SqlSupport.get(rs, "requested_at"),
                SqlSupport.get(rs, "updated_at"));
    }

    private static GoLiveIntent goLiveIntent(ResultSet rs, int row) throws SQLException {
        return new GoLiveIntent(rs.getLong("task_id"), rs.getString("nonce"), rs.getLong("session_id"),
                rs.getString("hit_type_id"), rs.getString("token"), GoLiveIntent.State.valueOf(rs.getString("state")),
                rs.getString("admin"), rs.getInt("attempts"), rs.getString("last_error"), rs.getString("hit_id"),
                SqlSupport.get(rs, "requested_at"));
    }

    private static HitExpiryRequest hitExpiry(ResultSet rs, int row) throws SQLException {
        return new HitExpiryRequest(rs.getString("hit_id"), rs.getLong("session_id"),
                "DONE".equals(rs.getString("state")), rs.getInt("attempts"), rs.getString("last_error"),
                SqlSupport.get(rs, "requested_at"), SqlSupport.get(rs, "updated_at"));
    }

    private static AssignmentRef assignmentRef(ResultSet rs, int row) throws SQLException {
        return new AssignmentRef(rs.getLong("session_id"), rs.getString("worker_id"));
    }

    private static String prefixed(String prefix, String columns) {
        StringBuilder out = new StringBuilder();
        for (String c : columns.split(",\\s*")) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(prefix).append(c.trim());
        }
        return out.toString();
    }
}
