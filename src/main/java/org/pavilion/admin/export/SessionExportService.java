package org.pavilion.admin.export;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.pavilion.queue.Decision.AssignmentConfirmed;
import org.pavilion.queue.Decision.AssignmentReleased;
import org.pavilion.queue.Decision.Cause;
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
import org.pavilion.queue.QueueEngine;
import org.pavilion.queue.QueueEngine.TimedFact;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.LoggedFact;
import org.pavilion.session.SessionLog;
import org.pavilion.session.SessionStore;
import org.pavilion.session.UnknownSessionException;
import org.pavilion.session.WaitingPay;
import org.pavilion.storage.TaskDataStore;
import org.pavilion.tasklogic.TaskRecord;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * A session's data for a paper: its full event log, and a per-worker summary computed by replaying
 * that log through the queue engine (server timestamps only; nothing a client sent is trusted).
 *
 * <p>Times are ISO-8601 in the server's zone ({@code pavilion.time-zone}) with its offset, to the second
 * ({@link org.pavilion.format.Formats#isoTime}); rows keep their order by {@code seq}. Enumerations are lower case,
 * as SPEC §2 writes them ({@code waiting}, {@code active}, {@code submitted}, …).
 */
@Service
public class SessionExportService {

    /**
     * The event log's columns. {@code kind}: {@code status}, {@code phase}, {@code ready}, {@code hire},
     * {@code confirm} (the marketplace confirmed an assignment; {@code hit} names its HIT), {@code release}
     * (a confirmed assignment returned before any page arrived with it), {@code subok} (the marketplace
     * confirmed a worker's submission), {@code withheld} (a hire the budget did not allow; {@code budget}
     * is that budget), {@code budget} (an admin set the hire budget to {@code budget}), {@code paydue} (an
     * assignment's pay was settled: {@code cause} is how it ended — submitted, returned, abandoned, or
     * session_ended when the session expired with it open — {@code waited_ms} its paid wait and
     * {@code pay_cents} its waiting pay) and {@code capped} (the worker's wait reached the longest paid wait).
     */
    public static final List<String> EVENT_COLUMNS = List.of("seq", "at", "kind", "worker", "assignment", "from",
            "to", "cause", "phase", "hire_number", "actor", "detail", "hit", "budget", "waited_ms", "pay_cents");
    public static final List<String> WORKER_COLUMNS = List.of("worker", "assignment", "joined_at", "promoted_at",
            "promotion", "ready_at", "left_at", "final_status", "waiting_seconds", "active_seconds",
            "waiting_pay_cents");

    /**
     * The task data's columns (issue 13 item 7): {@code seq} numbers the session's records from 1 in the
     * order they were stored; {@code worker} is the worker whose event it was, {@code alias} how other
     * workers saw it; {@code payload} the logic's JSON object as text (in JSON exports: the object).
     */
    public static final List<String> TASK_DATA_COLUMNS = List.of("seq", "at", "worker", "alias", "kind", "payload");

    private final SessionStore store;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final TaskDataStore taskData;

    public SessionExportService(SessionStore store, JdbcTemplate jdbc, Clock clock, TaskDataStore taskData) {
        this.store = store;
        this.jdbc = jdbc;
        this.clock = clock;
        this.taskData = taskData;
    }

    /** One task-data record of the session. */
    public record TaskDataRow(long seq, TaskRecord record) {

        public List<Object> csv() {
            return java.util.Arrays.asList(seq, time(record.at()), record.workerId(), record.alias(), record.kind(),
                    record.payload());
        }

        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", seq);
            m.put("at", time(record.at()));
            m.put("worker", record.workerId());
            m.put("alias", record.alias());
            m.put("kind", record.kind());
            m.put("payload", record.json().toMap());
            return m;
        }
    }

    /** A session's task data: {@code session}, {@code task}, {@code as_of} (the export's time) and the records. */
    public record TaskDataExport(long sessionId, long taskId, Instant asOf, List<TaskDataRow> records) {

        public Map<String, Object> header() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("session", sessionId);
            m.put("task", taskId);
            m.put("as_of", time(asOf));
            return m;
        }
    }

    /** The session's task data, oldest first; an unknown session is refused with {@link UnknownSessionException}. */
    public TaskDataExport taskData(long sessionId) {
        List<Long> task = jdbc.queryForList("select task_id from live_session where id = ?", Long.class, sessionId);
        if (task.isEmpty()) {
            throw new UnknownSessionException(sessionId);
        }
        Instant asOf = clock.instant();
        List<TaskRecord> records = taskData.forSession(sessionId);
        List<TaskDataRow> rows = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            rows.add(new TaskDataRow(i + 1, records.get(i)));
        }
        return new TaskDataExport(sessionId, task.get(0), asOf, rows);
    }

    /** One row of the event log. */
    public record EventRow(long seq, Instant at, String kind, String worker, String assignment, String from,
                           String to, String cause, String phase, Integer hireNumber, String actor, String detail,
                           String hit, Integer budget, Long waitedMs, Long payCents) {

        /** A row of a kind without a paid wait. */
        public EventRow(long seq, Instant at, String kind, String worker, String assignment, String from, String to,
                        String cause, String phase, Integer hireNumber, String actor, String detail, String hit,
                        Integer budget) {
            this(seq, at, kind, worker, assignment, from, to, cause, phase, hireNumber, actor, detail, hit, budget,
                    null, null);
        }

        /** A row of a kind without a HIT or a budget. */
        public EventRow(long seq, Instant at, String kind, String worker, String assignment, String from, String to,
                        String cause, String phase, Integer hireNumber, String actor, String detail) {
            this(seq, at, kind, worker, assignment, from, to, cause, phase, hireNumber, actor, detail, null, null,
                    null, null);
        }

        public List<Object> csv() {
            return java.util.Arrays.asList(seq, time(at), kind, worker, assignment, from, to, cause, phase, hireNumber,
                    actor, detail, hit, budget, waitedMs, payCents);
        }

        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            List<Object> values = csv();
            for (int i = 0; i < EVENT_COLUMNS.size(); i++) {
                m.put(EVENT_COLUMNS.get(i), values.get(i));
            }
            return m;
        }
    }

    /**
     * One worker of the session. {@code promotion} is {@code promoted} or {@code migrated} (or null);
     * {@code leftAt} is null while the worker is still in a queue; {@code finalStatus} is its status
     * at {@code asOf}. Waiting time is the engine's: from joining the waiting queue until the
     * promotion (or leaving, or the session's end), whether or not the page sent IAmReady; active time runs from promotion until leaving the active
     * queue (or the session's end). Pay: waiting time at the session's rate, rounded to the cent.
     */
    public record WorkerRow(String worker, String assignment, Instant joinedAt, Instant promotedAt, String promotion,
                            Instant readyAt, Instant leftAt, String finalStatus, long waitingMillis,
                            long activeMillis, long waitingPayCents) {

        public List<Object> csv() {
            return java.util.Arrays.asList(worker, assignment, time(joinedAt), time(promotedAt), promotion,
                    time(readyAt), time(leftAt), finalStatus, seconds(waitingMillis), seconds(activeMillis),
                    waitingPayCents);
        }

        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            List<Object> values = csv();
            for (int i = 0; i < WORKER_COLUMNS.size(); i++) {
                m.put(WORKER_COLUMNS.get(i), values.get(i));
            }
            return m;
        }
    }

    /** The whole export of one session. {@code asOf}: the session's end if it expired, else the time of export. */
    public record SessionExport(long sessionId, long taskId, String status, Instant asOf, int waitingPayCentsPerHour,
                                List<EventRow> events, List<WorkerRow> workers) {

        public Map<String, Object> header() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("session", sessionId);
            m.put("task", taskId);
            m.put("status", status);
            m.put("as_of", time(asOf));
            m.put("waiting_pay_cents_per_hour", waitingPayCentsPerHour);
            return m;
        }
    }

    public static String time(Instant at) {
        return org.pavilion.format.Formats.server().isoTime(at);
    }

    /** Milliseconds as seconds with three decimals. */
    public static BigDecimal seconds(long millis) {
        return BigDecimal.valueOf(millis, 3);
    }

    private static String lower(Enum<?> e) {
        return e == null ? null : e.name().toLowerCase(Locale.ROOT);
    }

    /** The session's export; an unknown session is refused with {@link UnknownSessionException}. */
    public SessionExport export(long sessionId) {
        SessionLog log = store.loadSession(sessionId).orElseThrow(() -> new UnknownSessionException(sessionId));
        long lastSeq = log.facts().isEmpty() ? 0 : log.facts().get(log.facts().size() - 1).seq();
        Map<Long, String[]> extras = new HashMap<>();
        jdbc.query("select seq, actor, detail from session_event where session_id = ? and seq <= ?",
                rs -> {
                    extras.put(rs.getLong("seq"), new String[] {rs.getString("actor"), rs.getString("detail")});
                }, sessionId, lastSeq);

        List<EventRow> events = new ArrayList<>(log.facts().size());
        List<TimedFact> timed = new ArrayList<>(log.facts().size());
        Instant expiredAt = null;
        boolean stopped = false;
        for (LoggedFact lf : log.facts()) {
            Fact f = lf.fact().fact();
            Instant at = lf.fact().at();
            timed.add(lf.fact());
            String[] x = extras.getOrDefault(lf.seq(), new String[2]);
            if (f instanceof StatusChange c) {
                events.add(new EventRow(lf.seq(), at, "status", c.workerId(), c.assignmentId(), lower(c.from()),
                        lower(c.to()), lower(c.cause()), null, null, x[0], x[1]));
            } else if (f instanceof PhaseChange p) {
                events.add(new EventRow(lf.seq(), at, "phase", null, null, null, null, null, lower(p.phase()), null,
                        x[0], x[1]));
                if (p.phase() == Phase.EXPIRED && expiredAt == null) {
                    expiredAt = at;
                }
                stopped |= p.phase() == Phase.STOPPED;
            } else if (f instanceof WaitingClosed r) {
                events.add(new EventRow(lf.seq(), at, "ready", r.workerId(), null, null, null, null, null, null,
                        x[0], x[1]));
            } else if (f instanceof Hire h) {
                events.add(new EventRow(lf.seq(), at, "hire", h.workerId(), null, null, null, lower(h.cause()), null,
                        h.number(), x[0], x[1]));
            } else if (f instanceof AssignmentConfirmed c) {
                events.add(new EventRow(lf.seq(), at, "confirm", c.workerId(), c.assignmentId(), null, null, null,
                        null, null, x[0], x[1], c.hitId(), null));
            } else if (f instanceof AssignmentReleased r) {
                events.add(new EventRow(lf.seq(), at, "release", null, r.assignmentId(), null, null, null, null, null,
                        x[0], x[1]));
            } else if (f instanceof SubmissionConfirmed c) {
                events.add(new EventRow(lf.seq(), at, "subok", c.workerId(), c.assignmentId(), null, null, null, null,
                        null, x[0], x[1]));
            } else if (f instanceof HireWithheld w) {
                events.add(new EventRow(lf.seq(), at, "withheld", w.workerId(), null, null, null, null, null, null,
                        x[0], x[1], null, w.budget()));
            } else if (f instanceof HireBudgetChanged b) {
                events.add(new EventRow(lf.seq(), at, "budget", null, null, null, null, null, null, null, x[0], x[1],
                        null, b.budget()));
            } else if (f instanceof PayDue p) {
                events.add(new EventRow(lf.seq(), at, "paydue", p.workerId(), p.assignmentId(), null, null,
                        p.ending().name().toLowerCase(Locale.ROOT), null, null, x[0], x[1], null, null,
                        p.waitedMillis(), p.waitingCents()));
            } else if (f instanceof WaitCapped c) {
                events.add(new EventRow(lf.seq(), at, "capped", c.workerId(), null, null, null, null, null, null,
                        x[0], x[1]));
            } else {
                // A fact this export does not know yet: still a row (named by its type), never a failed export.
                events.add(new EventRow(lf.seq(), at, f.getClass().getSimpleName().toLowerCase(Locale.ROOT), null,
                        null, null, null, null, null, null, x[0], x[1]));
            }
        }

        // To the whole second, as the export writes it: the figures are computed up to the time it shows.
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant asOf = expiredAt != null ? expiredAt : latest(now, timed);
        QueueEngine engine = QueueEngine.replay(log.config().thresholds(), log.config().allowRepeatWorkers(),
                log.config().hireBudget(), timed);
        int rate = log.config().waitingPayCentsPerHour();
        List<WorkerRow> workers = summarize(timed, engine, asOf, rate);
        String status = expiredAt != null || log.expired() ? "expired" : stopped ? "stopped" : "live";
        return new SessionExport(sessionId, log.config().taskId(), status, asOf, rate, events, workers);
    }

    /** Never earlier than the last logged event (a clock behind the log would give negative periods). */
    private static Instant latest(Instant now, List<TimedFact> timed) {
        if (timed.isEmpty()) {
            return now;
        }
        Instant last = timed.get(timed.size() - 1).at();
        return now.isBefore(last) ? last : now;
    }

    private static final class Acc {
        final String worker;
        Instant joinedAt;
        Instant promotedAt;
        String promotion;
        Instant readyAt;
        Instant leftAt;
        Instant activeSince;
        long activeMillis;

        Acc(String worker) {
            this.worker = worker;
        }

        void closeActive(Instant at) {
            if (activeSince != null) {
                activeMillis += Math.max(0, Duration.between(activeSince, at).toMillis());
                activeSince = null;
            }
        }
    }

    private static List<WorkerRow> summarize(List<TimedFact> timed, QueueEngine engine, Instant asOf, int rate) {
        Map<String, Acc> workers = new LinkedHashMap<>(); // first appearance order: order of joining
        for (TimedFact tf : timed) {
            Instant at = tf.at();
            if (tf.fact() instanceof StatusChange c) {
                Acc a = workers.computeIfAbsent(c.workerId(), Acc::new);
                if (c.from() == WorkerStatus.ACTIVE) {
                    a.closeActive(at);
                }
                if (c.to() == WorkerStatus.WAITING) {
                    if (a.joinedAt == null) {
                        a.joinedAt = at;
                    }
                    a.leftAt = null;
                } else if (c.to() == WorkerStatus.ACTIVE) {
                    if (a.promotedAt == null) {
                        a.promotedAt = at;
                        a.promotion = c.cause() == Cause.MIGRATED ? "migrated" : "promoted";
                    }
                    a.activeSince = at;
                    a.leftAt = null;
                } else {
                    a.leftAt = at;
                }
            } else if (tf.fact() instanceof WaitingClosed r) {
                Acc a = workers.get(r.workerId());
                if (a != null && a.readyAt == null) {
                    a.readyAt = at;
                }
            } else if (tf.fact() instanceof PhaseChange p && p.phase() == Phase.EXPIRED) {
                for (Acc a : workers.values()) {
                    a.closeActive(at);
                }
            }
        }
        List<WorkerRow> rows = new ArrayList<>(workers.size());
        for (Acc a : workers.values()) {
            a.closeActive(asOf);
            long waited = engine.waitedMillis(a.worker, asOf);
            rows.add(new WorkerRow(a.worker, engine.assignmentOf(a.worker), a.joinedAt, a.promotedAt, a.promotion,
                    a.readyAt, a.leftAt, lower(engine.statusOf(a.worker)), waited, a.activeMillis,
                    WaitingPay.cents(waited, rate)));
        }
        return rows;
    }
}
