package org.pavilion.realtime;

import org.pavilion.queue.PavilionException;

/** A real-time event that is malformed, not allowed for this connection, or unknown. */
public final class ProtocolException extends PavilionException {

    private final String code;

    public ProtocolException(String code, String message) {
        super(message);
        this.code = code;
    }

    @Override
    public String code() {
        return code;
    }
}
