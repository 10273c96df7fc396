package org.pavilion.session;

import java.time.Instant;

/**
 * A durable request to hire one more worker (the outbox of SPEC §4.8). It is written in the
 * same transaction as the transition that decided it; the marketplace dispatcher sends it
 * afterwards with {@link #token()} as the marketplace's UniqueRequestToken.
 */
public record HireRequest(long sessionId, int number, String token, State state, String causeWorkerId,
                          int attempts, String lastError, Instant requestedAt, Instant updatedAt) {

    public enum State { REQUESTED, SENT, DONE, FAILED }

    /** The deterministic token of a session's n-th hire ({@link RequestTokens#hire}). */
    public static String tokenFor(String instanceId, long sessionId, int number) {
        return RequestTokens.hire(instanceId, sessionId, number);
    }
}
