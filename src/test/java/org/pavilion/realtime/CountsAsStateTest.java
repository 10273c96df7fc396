package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.pavilion.queue.Thresholds;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Counts are state, not events (issue 15): a session's {@code update_worker_count} and
 * {@code workers_status} go out at once when the session is quiet, and otherwise once per window
 * with the latest numbers. The window is 3 s here (25 ms by default) so that what falls inside one is
 * certain; nothing asserts how long anything took.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem",
        "pavilion.realtime.counts-window=3s"})
class CountsAsStateTest extends RealtimeTestSupport {

    /** Nobody starts before ten have arrived: every join just waits. */
    private static final Thresholds TEN_TO_START = new Thresholds(10, 0, 10, 10);

    @Test
    void countsWithinAWindowAreSentOnceWithTheLatestNumbersAndTargetedEventsAreNotHeld() throws Exception {
        openSession(TEN_TO_START, 30, "HIT-STATE");
        ProtocolClient first = seedPage("w0", "websocket");
        List<ProtocolClient> joiners = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            joiners.add(seedPage("w" + i, i % 2 == 0 ? "polling" : "websocket"));
        }

        // Quiet session: the first arrival's counts go at once.
        first.emit("connected", acceptedJoin("w0", "a0", "HIT-STATE"));
        first.expect("update_worker_count", "{count:1,max_count:10}");
        first.expect("workers_status", "{waiting:1,active:0}");

        // Four more within the window: held, and replaced by each newer count.
        for (int i = 1; i <= 4; i++) {
            joiners.get(i - 1).emit("connected", acceptedJoin("w" + i, "a" + i, "HIT-STATE"));
        }
        // A targeted answer asked for meanwhile is not held behind them.
        first.emit("pay_status", new JSONObject());
        assertThat(first.expect("pay_status").getString("status")).isEqualTo("waiting");

        // At the window's end: one pair, the latest, to every member (the joiners included).
        first.expect("update_worker_count", "{count:5,max_count:10}");
        first.expect("workers_status", "{waiting:5,active:0}");
        for (ProtocolClient joiner : joiners) {
            joiner.expect("update_worker_count", "{count:5,max_count:10}");
            joiner.expect("workers_status", "{waiting:5,active:0}");
        }
        List<ProtocolClient> all = new ArrayList<>(joiners);
        all.add(first);
        quiet(all);
    }

    @Test
    void aStopFirstSendsTheCountsHeldForTheWindowSoTheSessionHearsThemInOrder() throws Exception {
        long s = openSession(TEN_TO_START, 30, "HIT-STATE-STOP");
        ProtocolClient first = seedPage("s0", "websocket");
        ProtocolClient second = seedPage("s1", "websocket");
        ProtocolClient admin = admin(s);

        first.emit("connected", acceptedJoin("s0", "b0", "HIT-STATE-STOP"));
        first.expect("update_worker_count", "{count:1,max_count:10}");
        first.expect("workers_status", "{waiting:1,active:0}");
        second.emit("connected", acceptedJoin("s1", "b1", "HIT-STATE-STOP")); // its counts are held for the window
        await().atMost(Duration.ofSeconds(30)).until(() -> sessions.published(s).waiting().size() == 2);
        admin.emit("stop_this_job", new JSONObject());

        // The held counts come first, then the stop, without waiting for the window.
        first.expect("update_worker_count", "{count:2,max_count:10}");
        first.expect("workers_status", "{waiting:2,active:0}");
        first.expect("stop");
        second.expect("update_worker_count", "{count:2,max_count:10}");
        second.expect("workers_status", "{waiting:2,active:0}");
        second.expect("stop");
    }
}
