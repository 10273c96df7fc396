package org.pavilion.project;

import java.time.Instant;

/** A researcher's container of tasks. */
public record Project(long id, String name, String description, Instant createdAt) {
}
