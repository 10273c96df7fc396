package org.pavilion.session;

import org.pavilion.queue.PavilionException;

/** A notification or request names an assignment that no worker of any session has opened. */
public final class UnknownAssignmentException extends PavilionException {
    public UnknownAssignmentException(String assignmentId, String workerId) {
        super("no worker " + (workerId == null ? "" : "'" + workerId + "' ") + "has opened assignment '"
                + assignmentId + "' in any session");
    }

    @Override
    public String code() {
        return "unknown_assignment";
    }
}
