package org.pavilion.session;

/**
 * The store could not make an event durable. Nothing of the event was kept and the session's
 * queues were rebuilt from what the store holds; the caller may retry.
 */
public final class SessionStorageException extends RuntimeException {
    public SessionStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
