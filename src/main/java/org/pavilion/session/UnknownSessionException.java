package org.pavilion.session;

import org.pavilion.queue.PavilionException;

/** An event or query names a session that does not exist. */
public final class UnknownSessionException extends PavilionException {
    public UnknownSessionException(long sessionId) {
        super("there is no session " + sessionId);
    }

    @Override
    public String code() {
        return "unknown_session";
    }
}
