package org.pavilion.admin.pay;

import org.pavilion.queue.PavilionException;

/** A request names a payout that the session does not have (none with that id, or another session's). */
public final class UnknownPayoutException extends PavilionException {

    public UnknownPayoutException(long sessionId, long payoutId) {
        super("session " + sessionId + " has no payout " + payoutId);
    }

    @Override
    public String code() {
        return "unknown_payout";
    }
}
