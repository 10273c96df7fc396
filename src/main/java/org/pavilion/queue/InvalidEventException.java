package org.pavilion.queue;

/** A well-formed event that the session's current state does not allow. */
public final class InvalidEventException extends PavilionException {
    public InvalidEventException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return "invalid_event";
    }
}
