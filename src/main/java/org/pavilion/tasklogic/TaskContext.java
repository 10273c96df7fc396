package org.pavilion.tasklogic;

import java.util.List;

import org.json.JSONObject;
import org.pavilion.queue.WorkerStatus;

/** One task event as the logic sees it: who sent it, and how to answer within its session. */
public interface TaskContext {

    long sessionId();

    /** The sender, as proven by its connection (never taken from the payload). */
    String workerId();

    /** The sender's status in the session now. */
    WorkerStatus status();

    /** The session's active workers, oldest first. */
    List<String> activeWorkers();

    /** Sends an event to one worker's own connections in this session. */
    void sendTo(String workerId, String event, JSONObject payload);

    /** Sends an event back to the connection the event came from. */
    void reply(String event, JSONObject payload);

    /**
     * Awards an active-stage bonus to a worker of this session (SPEC §4.9). It is written to the
     * bonus ledger at once and paid by the marketplace exactly once; returns the ledger entry's token.
     */
    String awardBonus(String workerId, int cents, String reason);

    /** Refuses the event: the sender gets an {@code error} event with this message. */
    void refuse(String message);
}
