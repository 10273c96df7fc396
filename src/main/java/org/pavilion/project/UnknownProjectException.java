package org.pavilion.project;

import org.pavilion.queue.PavilionException;

/** A request names a project that does not exist. */
public final class UnknownProjectException extends PavilionException {
    public UnknownProjectException(long projectId) {
        super("there is no project " + projectId);
    }

    @Override
    public String code() {
        return "unknown_project";
    }
}
