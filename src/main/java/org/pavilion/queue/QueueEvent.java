package org.pavilion.queue;

import java.util.Objects;

/** Everything that can happen to a live session. The engine applies one at a time. */
public sealed interface QueueEvent {

    /**
     * A worker page opened and claims a worker and assignment ({@code connected}, SPEC §4.1). The
     * claim is admitted only once the marketplace has confirmed the assignment ({@link Confirm}).
     */
    record Arrive(String workerId, String assignmentId) implements QueueEvent {
        public Arrive {
            requireId(workerId, "workerId");
            requireId(assignmentId, "assignmentId");
        }
    }

    /**
     * The marketplace reported that an assignment of one of the session's HITs was accepted
     * (MTurk's {@code AssignmentAccepted}; SPEC §4.1.0). {@code workerId} is null when the
     * marketplace did not name the worker (MTurk's notifications need not).
     */
    record Confirm(String assignmentId, String hitId, String workerId) implements QueueEvent {
        public Confirm {
            requireId(assignmentId, "assignmentId");
            requireId(hitId, "hitId");
            if (workerId != null && workerId.isBlank()) {
                throw new InvalidEventException("workerId must not be blank");
            }
        }
    }

    /**
     * The marketplace reported that a confirmed assignment was returned or abandoned before any
     * page arrived with it: the confirmation no longer admits anyone.
     */
    record Release(String assignmentId) implements QueueEvent {
        public Release {
            requireId(assignmentId, "assignmentId");
        }
    }

    /** Admin: the number of hires the session may make in all (SPEC §4.2, the hire budget). */
    record SetHireBudget(int budget, String admin) implements QueueEvent {
        public SetHireBudget {
            if (budget < 0) {
                throw new InvalidEventException("hire budget must be 0 or more (was " + budget + ")");
            }
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
     * {@code confirmed}: reported by the marketplace (or decided by the server itself), not merely
     * claimed by a page. A page's submit frees the slot at once, but only a confirmed submission
     * spends money on a hire (SPEC §4.2).
     */
    record Leave(String workerId, String assignmentId, Departure how, boolean confirmed) implements QueueEvent {
        public Leave {
            requireId(workerId, "workerId");
            Objects.requireNonNull(how, "how");
        }

        /** A departure the marketplace reported, or the server decided (a disconnect). */
        public Leave(String workerId, String assignmentId, Departure how) {
            this(workerId, assignmentId, how, true);
        }

        /** A departure a worker's page claims (its submit); the marketplace has not confirmed it yet. */
        public static Leave claimedByPage(String workerId, String assignmentId, Departure how) {
            return new Leave(workerId, assignmentId, how, false);
        }
    }

    /**
     * The server's periodic check of paid waits (SPEC §4.9): a waiting worker who has waited
     * {@link PayRules#maxPaidWait()} is paid up to then and asked to submit.
     */
    record CapWaits() implements QueueEvent {
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
