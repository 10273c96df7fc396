package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.realtime.Connections.WorkerBinding;
import org.pavilion.realtime.Connections.WorkerKey;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Issue 13 item 5, the grace timer's race, made deterministic: the timer's end is run by hand at the
 * moment the test chooses. A reconnect that has claimed the worker before the timer's leave reaches the
 * session's writer wins; a claim that never became a connection does not keep the place for ever.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
class DisconnectGraceRaceTest extends RealtimeTestSupport {

    @Autowired
    Connections connections;

    /** Keeps scheduled work for the test to run by hand. */
    static final class ManualTimers extends ScheduledThreadPoolExecutor {
        final List<Runnable> due = new ArrayList<>();

        ManualTimers() {
            super(1);
        }

        @Override
        public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            due.add(command);
            return super.schedule(() -> { }, 1, TimeUnit.DAYS); // a future to cancel; never runs the command
        }

        synchronized Runnable next() {
            assertThat(due).as("a timer is pending").isNotEmpty();
            return due.remove(0);
        }
    }

    private final ManualTimers timers = new ManualTimers();

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    @Test
    void aReconnectThatClaimedTheWorkerBeforeTheLeaveRunsKeepsItsPlace() throws Exception {
        long s = openSession(new Thresholds(1, 0, 2, 2), 5, "HIT-GRACE-RACE-1");
        ConfirmedArrivals.arrive(sessions, s, "w1", "A-w1", "HIT-GRACE-RACE-1", "worker:w1"); // w1 is active
        assertThat(sessions.snapshot(s).active()).containsExactly("w1");
        DisconnectGrace grace = new DisconnectGrace(() -> sessions, connections, timers);
        WorkerKey key = new WorkerKey(s, "w1");

        grace.connectionLost(new WorkerBinding(s, "w1", "A-w1", false));
        Runnable end = timers.next();
        connections.claimed(key); // a reloaded page claims w1: its arrival is on its way to the writer
        end.run();                // the grace period ends now, before that page is bound

        assertThat(sessions.read(s, e -> e.statusOf("w1")).get(5, TimeUnit.SECONDS))
                .as("the reconnect won").isEqualTo(WorkerStatus.ACTIVE);

        // That claim never became a connection (refused, or the page closed): the period starts again,
        // and at its end, with nobody connected, the worker leaves.
        Runnable again = awaitNext();
        again.run();
        assertThat(awaitStatus(s, "w1", WorkerStatus.DISCONNECTED)).isTrue();
    }

    @Test
    void withNoReconnectTheWorkerLeavesAtTheEndOfTheGracePeriod() throws Exception {
        long s = openSession(new Thresholds(1, 0, 2, 2), 5, "HIT-GRACE-RACE-2");
        ConfirmedArrivals.arrive(sessions, s, "w1", "A-w1", "HIT-GRACE-RACE-2", "worker:w1");
        DisconnectGrace grace = new DisconnectGrace(() -> sessions, connections, timers);
        grace.connectionLost(new WorkerBinding(s, "w1", "A-w1", false));
        timers.next().run();
        assertThat(awaitStatus(s, "w1", WorkerStatus.DISCONNECTED)).isTrue();
    }

    /**
     * The seed's waiting page leaves at once when promoted; the browser may cancel its last poll, so the
     * server sees neither IAmReady nor a goodbye, only the transport lost. That worker is on the seed's
     * silent main page: kept active. A page that said goodbye after its promotion without IAmReady, or
     * whose transport was lost long after it, is freed after the grace period.
     */
    @Test
    void aSeedPageLostAbruptlyRightAfterItsPromotionLeftForTheMainTask() throws Exception {
        long s = openSession(new Thresholds(1, 0, 3, 3), 5, "HIT-GRACE-SEED");
        for (String w : java.util.List.of("w1", "w2")) {
            ConfirmedArrivals.arrive(sessions, s, w, "A-" + w, "HIT-GRACE-SEED", "worker:" + w);
        }
        DisconnectGrace grace = new DisconnectGrace(() -> sessions, connections, timers);
        grace.promoted(new WorkerKey(s, "w1"));
        grace.promoted(new WorkerKey(s, "w2"));
        grace.connectionLost(new WorkerBinding(s, "w1", "A-w1", false), true);  // transport lost
        grace.connectionLost(new WorkerBinding(s, "w2", "A-w2", false), false); // said goodbye
        timers.next().run();
        timers.next().run();
        assertThat(awaitStatus(s, "w2", WorkerStatus.DISCONNECTED)).isTrue();
        assertThat(sessions.read(s, e -> e.statusOf("w1")).get(5, TimeUnit.SECONDS)).isEqualTo(WorkerStatus.ACTIVE);
    }

    private Runnable awaitNext() throws InterruptedException {
        for (int i = 0; i < 100; i++) { // the restart is scheduled once the writer has declined the leave
            synchronized (timers) {
                if (!timers.due.isEmpty()) {
                    return timers.next();
                }
            }
            Thread.sleep(50);
        }
        return timers.next();
    }

    private boolean awaitStatus(long s, String worker, WorkerStatus status) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (sessions.read(s, e -> e.statusOf(worker)).get(5, TimeUnit.SECONDS) == status) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
