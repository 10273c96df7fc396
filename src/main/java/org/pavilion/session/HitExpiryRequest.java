package org.pavilion.session;

import java.time.Instant;

/**
 * A HIT of an expired session that the marketplace must expire (the expiry outbox, issue 13 item 1):
 * written in the same transaction as the session's expiry, or as the HIT's record when the HIT lands
 * after it; DONE once the marketplace confirmed UpdateExpirationForHIT.
 */
public record HitExpiryRequest(String hitId, long sessionId, boolean done, int attempts, String lastError,
                               Instant requestedAt, Instant updatedAt) {
}
