package org.pavilion.admin.ops;

/**
 * What the admin console asked for could not be had in time because the database (or a session's writer
 * waiting on it) is not answering: the request changed nothing and may be made again in a moment. Answered
 * 503 by {@link DatabaseBusyErrors}.
 */
public class DatabaseBusyException extends RuntimeException {

    public DatabaseBusyException(String message, Throwable cause) {
        super(message, cause);
    }
}
