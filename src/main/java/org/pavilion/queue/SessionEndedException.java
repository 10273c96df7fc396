package org.pavilion.queue;

/** An event arrived after the session was expired (SPEC §4.5). */
public final class SessionEndedException extends PavilionException {
    public SessionEndedException(String what) {
        super("the session has ended (expired); " + what + " is no longer accepted");
    }

    @Override
    public String code() {
        return "session_ended";
    }
}
