package org.pavilion.session;

import java.time.Instant;

/**
 * A go-live's durable intent (issue 13 item 1): recorded with the session it opens, in one
 * transaction, before the session's HIT is posted. One per task and go-live click ({@code nonce}),
 * so a double submit opens one session and posts one HIT. {@link #token()} is the session's post
 * token ({@link RequestTokens#post}), sent as UniqueRequestToken and RequesterAnnotation, so a retry
 * or a recovery after a crash finds the HIT its first attempt made.
 */
public record GoLiveIntent(long taskId, String nonce, long sessionId, String hitTypeId, String token, State state,
                           String admin, int attempts, String lastError, String hitId, Instant requestedAt) {

    /**
     * POSTING: CreateHIT may be on its way; CANCELLING: the go-live failed and its session expired, a HIT
     * the failed call may have made is looked for by token (and expired); DONE: the HIT is recorded;
     * FAILED: nothing was posted.
     */
    public enum State { POSTING, CANCELLING, DONE, FAILED }

    public boolean pending() {
        return state == State.POSTING || state == State.CANCELLING;
    }
}
