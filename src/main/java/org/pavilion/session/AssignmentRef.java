package org.pavilion.session;

/** Which session and worker an assignment belongs to, from Pavilion's own assignment records. */
public record AssignmentRef(long sessionId, String workerId) {
}
