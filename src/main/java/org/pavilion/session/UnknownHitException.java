package org.pavilion.session;

import org.pavilion.queue.PavilionException;

/** A notification or page names a HIT that was not posted for any Pavilion session. */
public final class UnknownHitException extends PavilionException {
    public UnknownHitException(String hitId) {
        super("HIT '" + hitId + "' is not part of any Pavilion session");
    }

    @Override
    public String code() {
        return "unknown_hit";
    }
}
