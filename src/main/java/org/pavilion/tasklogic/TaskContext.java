package org.pavilion.tasklogic;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.json.JSONObject;
import org.pavilion.queue.WorkerStatus;

/**
 * One task event as the logic sees it: who sent it, and how to answer within its session. No method waits
 * for the session's writer or the database: reads come from the session's last committed state, and
 * writes complete later (issue 13 item 4), so a slow database never holds a connection's thread.
 */
public interface TaskContext {

    long sessionId();

    /** The sender, as proven by its connection (never taken from the payload). */
    String workerId();

    /** The sender's status in the session as last committed. */
    WorkerStatus status();

    /** The session's active workers as last committed, oldest first. */
    List<String> activeWorkers();

    /** Sends an event to one worker's own connections in this session. */
    void sendTo(String workerId, String event, JSONObject payload);

    /** Sends an event back to the connection the event came from. */
    void reply(String event, JSONObject payload);

    /**
     * Awards an active-stage bonus to a worker of this session (SPEC §4.9), paid by the marketplace
     * exactly once. Returns at once; the future completes with the ledger entry's token once the award is
     * durable. Like {@link #record}, the event's later messages and its acknowledgement wait for it; if it
     * cannot be written, they never leave and the sender gets an error. A bad amount or reason, or a
     * worker who never joined the session, refuses the event at once.
     */
    CompletableFuture<String> awardBonus(String workerId, int cents, String reason);

    /**
     * Records data of this event for the researcher (issue 13 item 7): stored with the session, the
     * sender, the sender's {@code alias} as other workers saw it (null if none), the server's time and
     * {@code data} (a JSON object of at most {@link TaskRecord#MAX_PAYLOAD} characters), exported with
     * the session and shown in its live view.
     *
     * <p>Durable before it is answered: the messages this event sends after its first record (with
     * {@link #sendTo} and {@link #reply}) and its acknowledgement leave only once its records are
     * committed, off the connection's thread. If they cannot be written, none of them leaves and the
     * sender gets an error ("try again"). A refused event ({@link #refuse}) stores nothing.
     *
     * @throws InvalidTaskDataException (the event is refused, nothing stored) if {@code kind} is not
     *         1-64 characters of letters, digits and {@code _ . : -}, or {@code data} is too large
     */
    void record(String kind, String alias, JSONObject data);

    /** {@link #record(String, String, JSONObject)} without an alias. */
    default void record(String kind, JSONObject data) {
        record(kind, null, data);
    }

    /** Refuses the event: the sender gets an {@code error} event with this message. */
    void refuse(String message);
}
