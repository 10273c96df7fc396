package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pavilion.realtime.EventRateLimit.Verdict.DISCONNECT;
import static org.pavilion.realtime.EventRateLimit.Verdict.HANDLE;
import static org.pavilion.realtime.EventRateLimit.Verdict.REFUSE;
import static org.pavilion.realtime.EventRateLimit.Verdict.REFUSE_AND_TELL;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.pavilion.realtime.EventRateLimit.Verdict;

/** The per-connection event limit, on a clock the test moves by hand. */
class EventRateLimitTest {

    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(123_456_789_000L); // any start: nanoTime has no epoch
    private final EventRateLimit limit = new EventRateLimit(20, 40, now::get);

    private void advanceMillis(long ms) {
        now.addAndGet(ms * MS);
    }

    /** Sends {@code n} events of one connection at an even pace over {@code millis}; counts the verdicts. */
    private Map<Verdict, Integer> send(String connection, int n, long millis) {
        Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
        long step = millis * MS / Math.max(1, n);
        for (int i = 0; i < n; i++) {
            counts.merge(limit.check(connection), 1, Integer::sum);
            now.addAndGet(step);
        }
        return counts;
    }

    @Test
    void aBurstIsHandledThenTheSustainedRate() {
        for (int i = 0; i < 40; i++) {
            assertThat(limit.check("c")).as("event %d of the burst", i).isEqualTo(HANDLE);
        }
        assertThat(limit.check("c")).isEqualTo(REFUSE_AND_TELL);
        advanceMillis(50); // one token at 20 a second
        assertThat(limit.check("c")).isEqualTo(HANDLE);
        assertThat(limit.check("c")).isEqualTo(REFUSE);
        // At exactly the rate, for a minute, everything is handled.
        advanceMillis(50);
        assertThat(send("c", 1200, 60_000)).containsOnlyKeys(HANDLE);
    }

    @Test
    void connectionsHaveTheirOwnBuckets() {
        send("flooder", 100, 0);
        assertThat(limit.check("flooder")).isNotEqualTo(HANDLE);
        assertThat(limit.check("other")).isEqualTo(HANDLE);
    }

    @Test
    void theClientIsToldAtMostOnceASecond() {
        send("c", 40, 0);
        List<Long> toldAt = new ArrayList<>();
        // 3 × the rate for 5 s: below the flood cut-off, refused often.
        for (int i = 0; i < 300; i++) {
            if (limit.check("c") == REFUSE_AND_TELL) {
                toldAt.add(now.get());
            }
            advanceMillis(1000 / 60);
        }
        assertThat(toldAt).hasSizeBetween(4, 6);
        for (int i = 1; i < toldAt.size(); i++) {
            assertThat(toldAt.get(i) - toldAt.get(i - 1)).isGreaterThanOrEqualTo(1000 * MS);
        }
    }

    @Test
    void aConnectionFloodingAtTenTimesTheRateIsCutOffWithinSecondsAndOnce() {
        send("c", 40, 0); // the burst
        int events = 0;
        Verdict v;
        do {
            v = limit.check("c");
            events++;
            advanceMillis(5); // 200 a second: 10 × the rate
        } while (v != DISCONNECT && events < 10_000);
        assertThat(v).isEqualTo(DISCONNECT);
        // About 24 s worth of the rate in refusals, at a net 160 a second above what drains: ~3 s.
        assertThat(events * 5L).isBetween(2_000L, 4_500L);
        // Whatever still arrives is dropped without a word, and DISCONNECT is not given twice.
        assertThat(send("c", 1000, 10_000)).containsOnlyKeys(REFUSE);
    }

    @Test
    void aClientAtTwiceTheRateIsSlowedButNeverCutOff() {
        send("c", 40, 0);
        Map<Verdict, Integer> tenMinutes = send("c", 24_000, 600_000); // 40 a second
        assertThat(tenMinutes).doesNotContainKey(DISCONNECT);
        assertThat(tenMinutes.get(HANDLE)).isBetween(11_900, 12_100); // the rate, 20 a second
    }

    @Test
    void aClientThatStopsFloodingRecovers() {
        send("c", 40, 0);
        send("c", 400, 2_000); // 10 × the rate for 2 s: not yet cut off
        assertThat(limit.check("c")).isNotEqualTo(DISCONNECT);
        advanceMillis(60_000); // quiet for a minute: the flood level drains, the bucket refills
        assertThat(send("c", 40, 0)).containsOnlyKeys(HANDLE);
        send("c", 400, 2_000);
        assertThat(limit.check("c")).isNotEqualTo(DISCONNECT);
    }

    @Test
    void forgettingAConnectionDropsItsState() {
        send("c", 100, 0);
        assertThat(limit.tracks("c")).isTrue();
        limit.forget("c");
        assertThat(limit.tracks("c")).isFalse();
        assertThat(limit.size()).isZero();
    }

    @Test
    void aRateOfZeroTurnsTheLimitOff() {
        EventRateLimit off = new EventRateLimit(0, 0, now::get);
        for (int i = 0; i < 10_000; i++) {
            assertThat(off.check("c")).isEqualTo(HANDLE);
        }
        assertThat(off.size()).isZero();
        assertThatThrownBy(() -> new EventRateLimit(-1, 40, now::get)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventRateLimit(20, 0, now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
