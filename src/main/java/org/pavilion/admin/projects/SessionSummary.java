package org.pavilion.admin.projects;

import java.time.Instant;

/**
 * One session of a task as the admin lists it: {@code status} is {@code live} (posted, neither
 * stopped nor expired), {@code stopped} (hiring off, SPEC §4.4) or {@code expired} (ended, §4.5);
 * {@code waiting}/{@code active} are the current queue sizes.
 */
public record SessionSummary(long id, long taskId, String status, boolean started, Instant openedAt,
                             Instant startedAt, Instant stoppedAt, Instant endedAt, String hitId,
                             int waiting, int active, String name, String marketplace) {

    /** "Session 12", or "Session 12 “pilot”" when it has a name. */
    public String title() {
        return "Session " + id + (name == null ? "" : " \u201c" + name + "\u201d");
    }
}
