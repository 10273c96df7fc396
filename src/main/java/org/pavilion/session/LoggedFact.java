package org.pavilion.session;

import org.pavilion.queue.QueueEngine.TimedFact;

/** One row of a session's append-only event log: its per-session sequence number and the fact. */
public record LoggedFact(long seq, TimedFact fact) {
}
