package org.pavilion.queue;

/**
 * A refused request: bad input, an unknown id, an event the session's state does not allow.
 * Whoever raised it changed nothing. {@link #code()} is a stable machine-readable name.
 */
public abstract class PavilionException extends RuntimeException {
    protected PavilionException(String message) {
        super(message);
    }

    public abstract String code();
}
