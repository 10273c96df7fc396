package org.pavilion.queue;

/** A page claims an assignment the marketplace confirmed for another worker, or that another worker holds. */
public final class NotYourAssignmentException extends PavilionException {
    public NotYourAssignmentException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return "not_your_assignment";
    }
}
