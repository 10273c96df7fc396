package org.pavilion.testing;

import org.pavilion.queue.Outcome;
import org.pavilion.queue.QueueEvent;
import org.pavilion.session.LiveSessionService;

/**
 * Arrivals as they happen for real (SPEC §4.1.0): the marketplace confirms the assignment first (as
 * its AssignmentAccepted notification does), then the worker's page arrives with it. For tests whose
 * subject is what comes after admission; admission itself is tested over real HTTP and sockets.
 */
public final class ConfirmedArrivals {

    /** The HIT named in confirmations when a test does not care which HIT it is. */
    public static final String HIT = "HIT-confirmed-in-test";

    private ConfirmedArrivals() {
    }

    public static Outcome arrive(LiveSessionService sessions, long sessionId, String workerId, String assignmentId,
                                 String actor) {
        return arrive(sessions, sessionId, workerId, assignmentId, HIT, actor);
    }

    public static Outcome arrive(LiveSessionService sessions, long sessionId, String workerId, String assignmentId,
                                 String hitId, String actor) {
        confirm(sessions, sessionId, workerId, assignmentId, hitId);
        return sessions.apply(sessionId, new QueueEvent.Arrive(workerId, assignmentId), actor);
    }

    /** The marketplace's confirmation alone (its AssignmentAccepted notification). */
    public static Outcome confirm(LiveSessionService sessions, long sessionId, String workerId, String assignmentId,
                                  String hitId) {
        return sessions.apply(sessionId, new QueueEvent.Confirm(assignmentId, hitId, workerId), "marketplace");
    }
}
