package org.pavilion.session;

import java.time.Instant;
import java.util.List;

import org.pavilion.queue.Decision.Fact;

/**
 * The durable effect of one event on one session: its facts, numbered from {@code firstSeq}
 * in the session's log. {@code actor} is who caused it (an admin's name, "worker:ID",
 * "marketplace", "system"); {@code detail} is free text kept with the log rows (e.g. the
 * client-reported waiting time of an IAmReady, recorded for comparison only).
 */
public record CommitItem(long sessionId, long firstSeq, Instant at, String actor, String detail, List<Fact> facts) {

    public CommitItem {
        facts = List.copyOf(facts);
    }
}
