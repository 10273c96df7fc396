package org.pavilion.session;

import java.util.List;

/** A session's settings and its whole event log in order: enough to rebuild its queues. */
public record SessionLog(SessionConfig config, boolean expired, List<LoggedFact> facts) {

    public SessionLog {
        facts = List.copyOf(facts);
    }

    /** The sequence number the next logged fact gets. */
    public long nextSeq() {
        return facts.isEmpty() ? 1 : facts.get(facts.size() - 1).seq() + 1;
    }
}
