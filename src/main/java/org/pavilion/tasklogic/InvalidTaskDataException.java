package org.pavilion.tasklogic;

import org.pavilion.queue.PavilionException;

/** A task-data record refused before anything was stored: a bad kind or alias, or data too large. */
public final class InvalidTaskDataException extends PavilionException {

    public InvalidTaskDataException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return "invalid_task_data";
    }
}
