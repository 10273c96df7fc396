package org.pavilion.queue;

import java.util.Objects;

/** Everything that can happen to a live session. The engine applies one at a time. */
public sealed interface QueueEvent {

    /** A worker page with an accepted assignment opened ({@code connected}, SPEC §4.1). */
    record Arrive(String workerId, String assignmentId) implements QueueEvent {
        public Arrive {
            requireId(workerId, "workerId");
            requireId(assignmentId, "assignmentId");
        }
    }

    /** The worker's page moved to the live task ({@code IAmReady}, SPEC §4.3). */
    record Ready(String workerId) implements QueueEvent {
        public Ready {
            requireId(workerId, "workerId");
        }
    }

    /**
     * A worker left: submitted, returned, abandoned, or stayed disconnected past the grace
     * period. {@code assignmentId} may be null (socket events); when given and it is not
     * the worker's current assignment, the event is about an earlier assignment and is ignored.
     */
    record Leave(String workerId, String assignmentId, Departure how) implements QueueEvent {
        public Leave {
            requireId(workerId, "workerId");
            Objects.requireNonNull(how, "how");
        }
    }

    /** Admin: turn hiring off and tell every worker to submit (SPEC §4.4). */
    record Stop(String admin) implements QueueEvent {
    }

    /** Admin: the session's HITs are expired; the session ends (SPEC §4.5). */
    record Expire(String admin) implements QueueEvent {
    }

    /** Admin: move up to {@code count} oldest waiting workers to active (SPEC §4.6). */
    record Migrate(int count, boolean force, String admin) implements QueueEvent {
        public Migrate {
            if (count < 1) {
                throw new InvalidEventException("migrate: count must be at least 1 (was " + count + ")");
            }
        }
    }

    enum Departure {
        SUBMIT(WorkerStatus.SUBMITTED), RETURN(WorkerStatus.RETURNED),
        ABANDON(WorkerStatus.ABANDONED), DISCONNECT(WorkerStatus.DISCONNECTED);

        private final WorkerStatus status;

        Departure(WorkerStatus status) {
            this.status = status;
        }

        public WorkerStatus status() {
            return status;
        }
    }

    private static void requireId(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new InvalidEventException(name + " is required");
        }
    }
}
