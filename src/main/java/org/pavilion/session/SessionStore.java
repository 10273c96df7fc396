package org.pavilion.session;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where live sessions are kept durably. The service is its only writer for session state.
 */
public interface SessionStore {

    /** Opens a new live session of a task, copying the task's queue settings into it. */
    SessionConfig openSession(long taskId, Instant at);

    /**
     * Opens a new live session of a task with what the admin chose at Go live ({@link GoLiveOptions}). A store
     * that keeps no name or marketplace takes only the task's defaults.
     */
    default SessionConfig openSession(long taskId, Instant at, GoLiveOptions options) {
        if (options != null && !options.equals(GoLiveOptions.TASK_DEFAULTS)) {
            throw new UnsupportedOperationException("this store keeps no Go live options");
        }
        return openSession(taskId, at);
    }

    /** The session's settings and log, or empty if there is no such session. */
    Optional<SessionLog> loadSession(long sessionId);

    /**
     * Whether the session has expired, or empty if there is no such session: cheaper than
     * {@link #loadSession} (no log), for refusing events of sessions that ended long ago.
     */
    default Optional<Boolean> isExpired(long sessionId) {
        return loadSession(sessionId).map(SessionLog::expired);
    }

    /** Every session that has not expired, each with its whole log, for rebuilding after a restart. */
    List<SessionLog> loadLiveSessions();

    /**
     * Writes the items in one transaction, all or nothing: log rows, worker statuses,
     * assignments, session flags and hire requests.
     */
    void commit(List<CommitItem> items);

    /**
     * Which session and worker hold an assignment, from Pavilion's own records. MTurk may reuse an
     * assignment id after a return, so a known {@code workerId} (may be null) narrows it; without
     * one the most recent holder is meant.
     */
    Optional<AssignmentRef> findSessionByAssignment(String assignmentId, String workerId);

    /** Records a HIT posted for the session (the first one, or a hire's); a known HIT is left as it is. */
    void addSessionHit(long sessionId, String hitTypeId, String hitId);

    /** The session a HIT was posted for. */
    Optional<Long> findSessionByHit(String hitId);

    /** The session's hire requests, oldest first. */
    List<HireRequest> hireRequests(long sessionId);

    /** A short random id of this installation, made once when the database is created. */
    String instanceId();
}
