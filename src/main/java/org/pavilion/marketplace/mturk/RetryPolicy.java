package org.pavilion.marketplace.mturk;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: before retry {@code n} (1 = the first retry) wait a
 * uniformly random time in {@code [0, min(maxDelay, baseDelay * 2^(n-1))]}.
 *
 * @param maxAttempts attempts in all, the first one included (1 = no retry)
 * @param baseDelay   the ceiling of the first wait
 * @param maxDelay    the ceiling of any wait
 * @param random      a source of uniform doubles in [0, 1); injectable for tests
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, DoubleSupplier random) {

    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(200);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(10);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        if (baseDelay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("negative delay");
        }
        if (random == null) {
            random = () -> ThreadLocalRandom.current().nextDouble();
        }
    }

    public RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
        this(maxAttempts, baseDelay, maxDelay, null);
    }

    /** 5 attempts, 200 ms base, 10 s cap. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(DEFAULT_MAX_ATTEMPTS, DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY);
    }

    public static RetryPolicy noRetry() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
    }

    public RetryPolicy withRandom(DoubleSupplier random) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, random);
    }

    /** The upper bound of the wait before retry {@code retry} (1-based). */
    public Duration ceiling(int retry) {
        long base = baseDelay.toMillis();
        long cap = maxDelay.toMillis();
        int shift = Math.min(Math.max(retry - 1, 0), 30);
        long ceiling = base > (Long.MAX_VALUE >> shift) ? cap : base << shift;
        return Duration.ofMillis(Math.min(cap, ceiling));
    }

    /** The (jittered) wait before retry {@code retry} (1-based). */
    public Duration delay(int retry) {
        double r = random.getAsDouble();
        if (r < 0) {
            r = 0;
        } else if (r > 1) {
            r = 1;
        }
        return Duration.ofMillis(Math.round(ceiling(retry).toMillis() * r));
    }

    /** How the client waits between attempts; tests record instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper THREAD = d -> Thread.sleep(d.toMillis());

        void sleep(Duration duration) throws InterruptedException;
    }
}
