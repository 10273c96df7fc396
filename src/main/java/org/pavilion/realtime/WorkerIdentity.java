package org.pavilion.realtime;

/** Who a worker connection speaks for: one worker's assignment in one session. */
public record WorkerIdentity(long sessionId, String workerId, String assignmentId, String hitId) {
}
