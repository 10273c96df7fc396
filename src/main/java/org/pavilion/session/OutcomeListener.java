package org.pavilion.session;

import org.pavilion.queue.Outcome;

/**
 * Receives each event's outcome once it is durable, in the session's order. The real-time
 * channel delivers its messages; the marketplace dispatcher sends its hires from the outbox.
 *
 * <p>Called on the commit thread: an implementation must hand I/O off and return quickly.
 */
public interface OutcomeListener {

    void committed(long sessionId, Outcome outcome);
}
