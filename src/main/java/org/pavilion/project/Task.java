package org.pavilion.project;

import java.time.Instant;

import org.pavilion.queue.Thresholds;

/** A stored task: a HIT template and its queue settings, in a project. */
public record Task(long id, long projectId, TaskSettings settings, Instant createdAt, Instant updatedAt) {

    public String title() {
        return settings.title();
    }

    public Thresholds thresholds() {
        return settings.thresholds();
    }
}
