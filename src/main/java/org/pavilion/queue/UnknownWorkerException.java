package org.pavilion.queue;

/** An event names a worker who never joined the session. */
public final class UnknownWorkerException extends PavilionException {
    public UnknownWorkerException(String workerId) {
        super("worker '" + workerId + "' has not joined this session");
    }

    @Override
    public String code() {
        return "unknown_worker";
    }
}
