package org.pavilion.admin.live;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pavilion.session.HireRequest;
import org.pavilion.storage.SqlSupport;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Read-only queries of the admin's live views: the sessions with their task, the event log with
 * who did what, and hire requests with the HIT each made. The session service and its store
 * remain the only writers of these tables.
 */
@Component
public class SessionQueries {

    private static final String SESSION_COLUMNS = "s.id, s.task_id, t.title, s.min_active, s.min_waiting, "
            + "s.max_active, s.max_waiting, s.waiting_pay_cents_per_hour, s.started, s.stopped, s.expired, "
            + "s.hit_type_id, s.hit_id, s.opened_at, s.started_at, s.stopped_at, s.ended_at, s.name, "
            + "s.marketplace_mode, s.hit_group_id";

    private final JdbcTemplate jdbc;

    public SessionQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** One row of {@code live_session}, with its task's title. */
    public record SessionRow(long id, long taskId, String taskTitle, int minActive, int minWaiting, int maxActive,
                             int maxWaiting, int waitingPayCentsPerHour, boolean started, boolean stopped,
                             boolean expired, String hitTypeId, String hitId, Instant openedAt, Instant startedAt,
                             Instant stoppedAt, Instant endedAt, String name, String marketplace,
                             String hitGroupId) {

        /** A session without a name, on the configured marketplace, its HIT group unknown. */
        public SessionRow(long id, long taskId, String taskTitle, int minActive, int minWaiting, int maxActive,
                          int maxWaiting, int waitingPayCentsPerHour, boolean started, boolean stopped,
                          boolean expired, String hitTypeId, String hitId, Instant openedAt, Instant startedAt,
                          Instant stoppedAt, Instant endedAt) {
            this(id, taskId, taskTitle, minActive, minWaiting, maxActive, maxWaiting, waitingPayCentsPerHour, started,
                    stopped, expired, hitTypeId, hitId, openedAt, startedAt, stoppedAt, endedAt, null, null, null);
        }

        /**
         * {@code live} (posted, neither stopped nor expired; {@link #started} tells whether it has
         * started), {@code stopped} (hiring off, SPEC §4.4) or {@code expired} (ended, §4.5): the
         * same words as the projects pages.
         */
        public String status() {
            return SessionViews.status(stopped, expired);
        }

        public int capacity() {
            return maxActive + maxWaiting;
        }
    }

    /**
     * One row of the event log: a fact, when, and who caused it. {@code hireNumber} holds the budget in
     * {@code withheld} and {@code budget} rows; {@code hitId} is set in {@code confirm} rows.
     */
    public record EventRow(long seq, Instant at, String kind, String workerId, String assignmentId,
                           String fromStatus, String toStatus, String cause, String phase, Integer hireNumber,
                           String actor, String detail, String hitId) {

        /** A row without a HIT id (every kind but {@code confirm}). */
        public EventRow(long seq, Instant at, String kind, String workerId, String assignmentId, String fromStatus,
                        String toStatus, String cause, String phase, Integer hireNumber, String actor, String detail) {
            this(seq, at, kind, workerId, assignmentId, fromStatus, toStatus, cause, phase, hireNumber, actor, detail,
                    null);
        }
    }

    /** A hire request (the outbox of SPEC §4.8) with the HIT it created, once there is one. */
    public record HireRow(int number, HireRequest.State state, String causeWorkerId, int attempts, String lastError,
                          String hitId, Instant requestedAt, Instant updatedAt) {
    }

    public Optional<SessionRow> session(long sessionId) {
        return jdbc.query("select " + SESSION_COLUMNS + " from live_session s join task t on t.id = s.task_id "
                + "where s.id = ?", SessionQueries::sessionRow, sessionId).stream().findFirst();
    }

    /** Sessions, newest first, optionally of one task. */
    public List<SessionRow> sessions(Long taskId, int limit) {
        if (taskId != null) {
            return jdbc.query("select " + SESSION_COLUMNS + " from live_session s join task t on t.id = s.task_id "
                    + "where s.task_id = ? order by s.id desc fetch first " + limit + " rows only",
                    SessionQueries::sessionRow, taskId);
        }
        return jdbc.query("select " + SESSION_COLUMNS + " from live_session s join task t on t.id = s.task_id "
                + "order by s.id desc fetch first " + limit + " rows only", SessionQueries::sessionRow);
    }

    /** The session's whole event log, oldest first. */
    public List<EventRow> events(long sessionId) {
        return jdbc.query("select seq, at, kind, worker_id, assignment_id, from_status, to_status, cause, phase, "
                + "hire_number, actor, detail, hit_id from session_event where session_id = ? order by seq",
                SessionQueries::eventRow, sessionId);
    }

    /**
     * One page of the session's log, filtered by worker and kind (either may be null: no filter). With
     * {@code before}, rows older than that seq, newest first; with {@code after}, rows newer than that seq,
     * oldest first; with neither, the newest rows. At most {@code limit} rows.
     */
    public List<EventRow> eventPage(long sessionId, String worker, String kind, Long before, Long after, int limit) {
        StringBuilder sql = new StringBuilder("select seq, at, kind, worker_id, assignment_id, from_status, to_status, "
                + "cause, phase, hire_number, actor, detail, hit_id from session_event where session_id = ?");
        List<Object> args = filter(sql, sessionId, worker, kind);
        if (before != null) {
            sql.append(" and seq < ?");
            args.add(before);
        }
        if (after != null) {
            sql.append(" and seq > ?");
            args.add(after);
        }
        sql.append(after != null ? " order by seq asc" : " order by seq desc");
        sql.append(" fetch first ").append(Math.max(1, limit)).append(" rows only");
        return jdbc.query(sql.toString(), SessionQueries::eventRow, args.toArray());
    }

    /** How many log rows match the filter, optionally only those with {@code minSeq < seq < maxSeq}. */
    public long countEvents(long sessionId, String worker, String kind, Long minSeq, Long maxSeq) {
        StringBuilder sql = new StringBuilder("select count(*) from session_event where session_id = ?");
        List<Object> args = filter(sql, sessionId, worker, kind);
        if (minSeq != null) {
            sql.append(" and seq > ?");
            args.add(minSeq);
        }
        if (maxSeq != null) {
            sql.append(" and seq < ?");
            args.add(maxSeq);
        }
        Long n = jdbc.queryForObject(sql.toString(), Long.class, args.toArray());
        return n == null ? 0 : n;
    }

    /** The workers named in the session's log, in the order they first appear. */
    public List<String> workersInLog(long sessionId) {
        return jdbc.queryForList("select worker_id from session_event where session_id = ? and worker_id is not null "
                + "group by worker_id order by min(seq)", String.class, sessionId);
    }

    private static List<Object> filter(StringBuilder sql, long sessionId, String worker, String kind) {
        List<Object> args = new java.util.ArrayList<>();
        args.add(sessionId);
        if (worker != null) {
            sql.append(" and worker_id = ?");
            args.add(worker);
        }
        if (kind != null) {
            sql.append(" and kind = ?");
            args.add(kind);
        }
        return args;
    }

    public List<HireRow> hires(long sessionId) {
        return jdbc.query("select number, state, cause_worker_id, attempts, last_error, hit_id, requested_at, "
                + "updated_at from hire_request where session_id = ? order by number", (rs, n) -> new HireRow(
                        rs.getInt("number"), HireRequest.State.valueOf(rs.getString("state")),
                        rs.getString("cause_worker_id"), rs.getInt("attempts"), rs.getString("last_error"),
                        rs.getString("hit_id"), SqlSupport.get(rs, "requested_at"), SqlSupport.get(rs, "updated_at")),
                sessionId);
    }

    /** Hire requests of every session by state. */
    public Map<HireRequest.State, Long> hiresByState() {
        Map<HireRequest.State, Long> counts = new EnumMap<>(HireRequest.State.class);
        for (HireRequest.State s : HireRequest.State.values()) {
            counts.put(s, 0L);
        }
        jdbc.query("select state, count(*) as n from hire_request group by state",
                rs -> {
                    counts.put(HireRequest.State.valueOf(rs.getString("state")), rs.getLong("n"));
                });
        return counts;
    }

    /** When the latest promotion of a worker into the active queue was decided, if any. */
    public Optional<Instant> lastPromotionAt(long sessionId, String workerId) {
        return jdbc.query("select at from session_event where session_id = ? and worker_id = ? and kind = 'status' "
                + "and to_status = 'ACTIVE' order by seq desc fetch first 1 rows only",
                (rs, n) -> SqlSupport.get(rs, "at"), sessionId, workerId).stream().findFirst();
    }

    /** The ids of a project's sessions, oldest first. */
    public List<Long> sessionIdsOfProject(long projectId) {
        return jdbc.queryForList("select s.id from live_session s join task t on t.id = s.task_id "
                + "where t.project_id = ? order by s.id", Long.class, projectId);
    }

    private static SessionRow sessionRow(ResultSet rs, int n) throws SQLException {
        return new SessionRow(rs.getLong("id"), rs.getLong("task_id"), rs.getString("title"), rs.getInt("min_active"),
                rs.getInt("min_waiting"), rs.getInt("max_active"), rs.getInt("max_waiting"),
                rs.getInt("waiting_pay_cents_per_hour"), rs.getBoolean("started"), rs.getBoolean("stopped"),
                rs.getBoolean("expired"), rs.getString("hit_type_id"), rs.getString("hit_id"),
                SqlSupport.get(rs, "opened_at"), SqlSupport.get(rs, "started_at"), SqlSupport.get(rs, "stopped_at"),
                SqlSupport.get(rs, "ended_at"), rs.getString("name"), rs.getString("marketplace_mode"),
                rs.getString("hit_group_id"));
    }

    private static EventRow eventRow(ResultSet rs, int n) throws SQLException {
        int hire = rs.getInt("hire_number");
        Integer hireNumber = rs.wasNull() ? null : hire;
        return new EventRow(rs.getLong("seq"), SqlSupport.get(rs, "at"), rs.getString("kind"),
                rs.getString("worker_id"), rs.getString("assignment_id"), rs.getString("from_status"),
                rs.getString("to_status"), rs.getString("cause"), rs.getString("phase"), hireNumber,
                rs.getString("actor"), rs.getString("detail"), rs.getString("hit_id"));
    }
}
