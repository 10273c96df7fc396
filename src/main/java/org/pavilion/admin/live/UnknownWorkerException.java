package org.pavilion.admin.live;

import org.pavilion.queue.PavilionException;

/** A worker the session has never seen (not in its queues, not named in its log): 404. */
public final class UnknownWorkerException extends PavilionException {

    public UnknownWorkerException(long sessionId, String workerId) {
        super("session " + sessionId + " has no worker " + (workerId.length() <= 60 ? workerId
                : workerId.substring(0, 59) + "\u2026"));
    }

    @Override
    public String code() {
        return "unknown_worker";
    }
}
