package org.pavilion.session;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one scheme of Pavilion's UniqueRequestTokens (at most 64 characters, as MTurk requires):
 * {@code pav-<installation>-s<session>-<what>}. The same decision always yields the same token, so a
 * resend never makes a second HIT or payment; the installation's id tells databases apart, so two
 * installations' "session 1, hire 1" never collide at the marketplace. Pavilion also writes the token
 * as each HIT's RequesterAnnotation, which is how a HIT is traced back to its session
 * ({@link #sessionOf}).
 */
public final class RequestTokens {

    private static final Pattern TOKEN = Pattern.compile("pav-([0-9a-f]{1,16})-s(\\d{1,18})-[a-z0-9-]{1,32}");

    private RequestTokens() {
    }

    /** The session's first HIT, posted at go live. */
    public static String post(String instanceId, long sessionId) {
        return of(instanceId, sessionId, "post");
    }

    /** The session's n-th hire. */
    public static String hire(String instanceId, long sessionId, int number) {
        return of(instanceId, sessionId, "h" + number);
    }

    /** The bonus of one payout (one assignment's waiting pay and task bonuses). */
    public static String bonus(String instanceId, long sessionId, long payoutId) {
        return of(instanceId, sessionId, "b" + payoutId);
    }

    /**
     * A task-logic bonus's own reference (it is paid inside its assignment's payout bonus, whose token
     * is {@link #bonus}).
     */
    public static String taskBonus(String instanceId, long sessionId, long bonusId) {
        return of(instanceId, sessionId, "t" + bonusId);
    }

    /** A compensation HIT, paying workers whose assignments could not carry a bonus. */
    public static String compensation(String instanceId, long sessionId, long number) {
        return of(instanceId, sessionId, "c" + number);
    }

    /** The session a token of this installation names, if it is one. */
    public static Optional<Long> sessionOf(String instanceId, String token) {
        if (token == null) {
            return Optional.empty();
        }
        Matcher m = TOKEN.matcher(token);
        if (!m.matches() || !m.group(1).equals(instanceId)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(m.group(2)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String of(String instanceId, long sessionId, String what) {
        String token = "pav-" + instanceId + "-s" + sessionId + "-" + what;
        if (token.length() > 64) {
            throw new IllegalArgumentException("a request token longer than 64 characters: " + token);
        }
        return token;
    }
}
