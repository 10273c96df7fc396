package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void refillsAtItsRateUpToItsBurst() {
        long t = -5 * SECOND; // nanoTime may be negative
        TokenBucket bucket = new TokenBucket(2, 5, t);
        for (int i = 0; i < 5; i++) {
            assertThat(bucket.tryTake(t)).isTrue();
        }
        assertThat(bucket.tryTake(t)).isFalse();
        assertThat(bucket.secondsUntilNext(t)).isEqualTo(1);
        assertThat(bucket.tryTake(t + SECOND / 2 - 1)).isFalse();
        assertThat(bucket.tryTake(t + SECOND / 2)).isTrue();
        assertThat(bucket.isFull(t + SECOND / 2)).isFalse();
        // A long pause fills it to the burst, no further.
        long later = t + 3600 * SECOND;
        assertThat(bucket.isFull(later)).isTrue();
        int taken = 0;
        while (bucket.tryTake(later)) {
            taken++;
        }
        assertThat(taken).isEqualTo(5);
    }

    @Test
    void aReadingFromThePastAddsNothing() {
        TokenBucket bucket = new TokenBucket(1, 1, 10 * SECOND);
        assertThat(bucket.tryTake(10 * SECOND)).isTrue();
        assertThat(bucket.tryTake(5 * SECOND)).isFalse();
        assertThat(bucket.tryTake(11 * SECOND)).isTrue();
    }
}
