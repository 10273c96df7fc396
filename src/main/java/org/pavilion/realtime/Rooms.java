package org.pavilion.realtime;

/** Socket.IO room names: nothing is ever sent to everyone, only to a session or to one worker. */
final class Rooms {

    private Rooms() {
    }

    /** A session's workers and the admins watching it. */
    static String session(long sessionId) {
        return "session:" + sessionId;
    }

    /** One worker's own connections in one session (reloads and second tabs included). */
    static String worker(long sessionId, String workerId) {
        return "worker:" + sessionId + ":" + workerId;
    }
}
