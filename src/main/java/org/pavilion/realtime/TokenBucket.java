package org.pavilion.realtime;

/**
 * A token bucket: it holds at most {@code burst} tokens and gains {@code perSecond} tokens a second;
 * each allowed action takes one. A client may therefore do {@code burst} things at once and then
 * {@code perSecond} a second for as long as it likes.
 *
 * <p>Time is a monotonic nanosecond reading ({@link System#nanoTime()} in production) passed to each
 * call, so tests drive it by hand. Thread safe (each bucket has its own monitor, held for a few
 * arithmetic operations).
 */
public final class TokenBucket {

    private static final double NANOS_PER_SECOND = 1_000_000_000d;
    /** Rounding slack: a token refilled over exactly 1/rate seconds must count as whole. */
    private static final double WHOLE = 1 - 1e-9;

    private final double perNano;
    private final double burst;
    private double tokens;
    private long updatedAt;

    /** A full bucket at {@code nowNanos}. */
    public TokenBucket(double perSecond, int burst, long nowNanos) {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("a token bucket needs a positive rate and a burst of at least 1");
        }
        this.perNano = perSecond / NANOS_PER_SECOND;
        this.burst = burst;
        this.tokens = burst;
        this.updatedAt = nowNanos;
    }

    /** Takes one token if there is one. */
    public synchronized boolean tryTake(long nowNanos) {
        refill(nowNanos);
        if (tokens >= WHOLE) {
            tokens = Math.max(0, tokens - 1);
            return true;
        }
        return false;
    }

    /** Whether the bucket has refilled completely (its owner may forget it: a new one is the same). */
    public synchronized boolean isFull(long nowNanos) {
        refill(nowNanos);
        return tokens >= burst - (1 - WHOLE);
    }

    /** Seconds until the next token, rounded up; 0 when one is there. */
    public synchronized long secondsUntilNext(long nowNanos) {
        refill(nowNanos);
        if (tokens >= WHOLE) {
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / perNano / NANOS_PER_SECOND));
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - updatedAt;
        if (elapsed > 0) { // a reading from the past (another thread's older one) adds nothing
            tokens = Math.min(burst, tokens + elapsed * perNano);
            updatedAt = nowNanos;
        }
    }
}
