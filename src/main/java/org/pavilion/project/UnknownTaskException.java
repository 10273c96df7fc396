package org.pavilion.project;

import org.pavilion.queue.PavilionException;

/** A request names a task that does not exist. */
public final class UnknownTaskException extends PavilionException {
    public UnknownTaskException(long taskId) {
        super("there is no task " + taskId);
    }

    @Override
    public String code() {
        return "unknown_task";
    }
}
