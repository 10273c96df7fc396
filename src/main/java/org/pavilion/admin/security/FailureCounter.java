package org.pavilion.admin.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Failures per key (an account or an address) within a window, and the block that follows when
 * they reach the limit: after {@code limit} failures within {@code window} of the first, the key
 * is blocked for {@code window} from the failure that reached the limit; then it starts afresh.
 *
 * <p>The entries live in a Caffeine cache bounded by size (its admission policy keeps the keys
 * that are used often, such as an account under attack, over a flood of one-off keys) and dropped
 * {@code window} after their last change, when nothing in them matters any more. The cache's
 * ticker reads the application's {@link Clock}, so tests that move the clock move expiry too.
 */
final class FailureCounter {

    /** {@code failures} since {@code firstAt}; {@code blockedUntil} is null while not blocked. */
    private record Failures(int failures, Instant firstAt, Instant blockedUntil) {

        boolean over(Instant now, Duration window) {
            return blockedUntil != null ? !now.isBefore(blockedUntil) : !now.isBefore(firstAt.plus(window));
        }
    }

    private final int limit;
    private final Duration window;
    private final Cache<String, Failures> entries;

    FailureCounter(int limit, Duration window, int maxTracked, Clock clock) {
        this.limit = limit;
        this.window = window;
        this.entries = Caffeine.newBuilder()
                .maximumSize(maxTracked)
                .expireAfterWrite(window)
                // Wall-clock nanos: a clock set back only keeps entries a little longer; every
                // decision below reads the clock itself, not the cache's expiry.
                .ticker(() -> {
                    Instant now = clock.instant();
                    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
                })
                // Upkeep on the calling thread: small amortised work, and no thread of its own.
                .executor(Runnable::run)
                .build();
    }

    /** How long {@code key} stays blocked from {@code now}, if it is blocked. */
    Optional<Duration> blockedFor(String key, Instant now) {
        Failures f = entries.getIfPresent(key);
        if (f == null || f.blockedUntil() == null || !now.isBefore(f.blockedUntil())) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, f.blockedUntil()));
    }

    /**
     * Notes a failure of {@code key}.
     *
     * @return true when this failure reached the limit and started a block
     */
    boolean failed(String key, Instant now) {
        boolean[] started = {false};
        entries.asMap().compute(key, (k, f) -> {
            if (f == null || f.over(now, window)) {
                f = new Failures(0, now, null);
            }
            if (f.blockedUntil() != null) {
                return f; // a failure that raced with the one that started the block: the block stands
            }
            int failures = f.failures() + 1;
            if (failures >= limit) {
                started[0] = true;
                return new Failures(failures, f.firstAt(), now.plus(window));
            }
            return new Failures(failures, f.firstAt(), null);
        });
        return started[0];
    }

    /** Forgets {@code key}'s failures. */
    void clear(String key) {
        entries.invalidate(key);
    }

    /** How many keys are tracked now (after pending upkeep), for tests of the memory bound. */
    long tracked() {
        entries.cleanUp();
        return entries.estimatedSize();
    }
}
