package org.pavilion.tasklogic;

import java.util.Set;

import org.json.JSONObject;

/**
 * The live task's own logic, added by a researcher without touching Pavilion: a Spring bean
 * implementing this interface receives the real-time events it names from workers who have
 * joined a session (messages among active workers, a game's moves, ...), and answers through the
 * {@link TaskContext}. Pavilion has already checked who sent the event; the logic checks its
 * own payload (and refuses with {@link TaskContext#refuse}), and keeps what the researcher needs with
 * {@link TaskContext#record} (stored, exported with the session).
 *
 * <p>Event names must not clash with those of SPEC §5 or another logic's. {@code onEvent} runs on
 * the connection's thread: keep it short.
 *
 * <p>Sample: {@link GroupChat}, a chat among a session's active workers.
 */
public interface TaskLogic {

    /** The client→server events this logic handles. */
    Set<String> events();

    void onEvent(TaskContext context, String event, JSONObject payload);

    /**
     * The session has ended and gone idle: drop whatever is kept for it in memory. Its stored task data
     * stays. Called once per time it goes idle, off the connections' threads.
     */
    default void sessionEnded(long sessionId) {
    }
}
