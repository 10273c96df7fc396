package org.pavilion.queue;

/** A worker already in a queue with one confirmed assignment arrives with another: it holds two. */
public final class DuplicateAssignmentException extends PavilionException {
    public DuplicateAssignmentException(String workerId) {
        super("worker '" + workerId + "' already takes part with another assignment; please return this HIT");
    }

    @Override
    public String code() {
        return "duplicate_assignment";
    }
}
