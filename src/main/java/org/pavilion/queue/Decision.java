package org.pavilion.queue;

/**
 * What the engine decided in answer to one event. {@link Fact}s change the session's state
 * and are what the event log records (a replay of them rebuilds the state exactly);
 * the other decisions are instructions for the adapters that deliver them.
 */
public sealed interface Decision {

    /** A decision that changes state; persisted in the event log. */
    sealed interface Fact extends Decision {
    }

    /**
     * A worker's status changed. {@code from} is null when the worker is new to the session.
     * {@code order} is the worker's position key in its new queue (0 when it left the queues).
     */
    record StatusChange(String workerId, String assignmentId, WorkerStatus from, WorkerStatus to,
                        Cause cause, long order) implements Fact {
    }

    /** The session started, stopped hiring, or ended. */
    record PhaseChange(Phase phase) implements Fact {
    }

    /**
     * An active worker's page sent {@code IAmReady}: recorded (its paid wait closed at the promotion
     * already, SPEC §4.3).
     */
    record WaitingClosed(String workerId) implements Fact {
    }

    /**
     * Ask the marketplace for one more worker. {@code number} counts the session's hires from 1;
     * with the session id it makes the request's deterministic token.
     */
    record Hire(int number, String workerId, Cause cause) implements Fact {
    }

    /**
     * The marketplace confirmed an assignment of one of the session's HITs (SPEC §4.1.0).
     * {@code workerId} is null when the marketplace did not name the worker.
     */
    record AssignmentConfirmed(String assignmentId, String hitId, String workerId) implements Fact {
    }

    /** A confirmed assignment that no worker had arrived with was returned or abandoned. */
    record AssignmentReleased(String assignmentId) implements Fact {
    }

    /** The marketplace confirmed the submission a worker's page claimed (or reported one itself). */
    record SubmissionConfirmed(String workerId, String assignmentId) implements Fact {
    }

    /** A hire the rules called for was not made: the session's hire budget is used up. */
    record HireWithheld(String workerId, int budget) implements Fact {
    }

    /** The admin set the session's hire budget. */
    record HireBudgetChanged(int budget) implements Fact {
    }

    /**
     * What a worker's assignment earned by waiting is settled (SPEC §4.9): the assignment ended
     * ({@code ending}), or the session ended while it was open ({@link Ending#SESSION_ENDED}; a later
     * ending of the same assignment repeats the same amount). {@code waitedMillis} is the paid part of
     * this assignment's wait, {@code waitingCents} its pay, rounded once. The pay ledger is written
     * from this fact, in the same transaction.
     */
    record PayDue(String workerId, String assignmentId, Ending ending, long waitedMillis, long waitingCents)
            implements Fact {
    }

    /**
     * The worker waited {@link PayRules#maxPaidWait()}: its paid wait closes now, and its page is asked
     * to submit.
     */
    record WaitCapped(String workerId) implements Fact {
    }

    /** How an assignment ended, for pay: submitted (can carry a bonus), returned or abandoned (cannot). */
    enum Ending {
        SUBMITTED, RETURNED, ABANDONED,
        /** The session expired while the assignment was open: the amount is fixed, the ending comes later. */
        SESSION_ENDED;

        public boolean isFinal() {
            return this != SESSION_ENDED;
        }
    }

    /** Bind the page that claimed this worker and assignment: it was admitted (or re-admitted). */
    record Admit(String workerId, String assignmentId) implements Decision {
    }

    /** The claimed assignment is not confirmed by the marketplace yet: the page waits. Nothing changed. */
    record AwaitConfirmation(String workerId, String assignmentId) implements Decision {
    }

    /** Tell one worker's own connection(s). */
    record TellWorker(String workerId, Message message) implements Decision {
    }

    /** Tell every worker of the session (and admins watching it). */
    record TellSession(Message message) implements Decision {
    }

    /** The event was understood and changes nothing (a duplicate, a stale notification). */
    record Ignored(String reason) implements Decision {
    }

    enum Phase { STARTED, STOPPED, EXPIRED }

    /** Why a status changed or a hire was made. */
    enum Cause {
        ARRIVED, REJOINED, PROMOTED, MIGRATED, SUBMITTED, RETURNED, ABANDONED, DISCONNECTED,
        /** A hire withheld by the budget, made when the admin raised it. */
        BUDGET_RAISED
    }
}
