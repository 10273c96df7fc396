package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.pavilion.queue.Queues;
import org.pavilion.queue.Thresholds;
import org.pavilion.realtime.ProtocolClient.Received;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Fan-out with the default settings (issue 15), over real sockets: the counts pages end with are the
 * server's, however many were coalesced on the way; each connection's targeted events keep their
 * order while the session's broadcasts go out around them; a page that stops reading is dropped at its
 * bound and nobody else waits for it. Correctness only: nothing here asserts a time.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem",
        "pavilion.realtime.events-per-second=0",
        "pavilion.realtime.max-connections-per-address=200",
        "pavilion.realtime.handshakes-per-second=1000",
        "pavilion.realtime.handshake-burst=1000",
        "pavilion.realtime.max-queued-frames=200",
        "pavilion.realtime.ping-interval=60s",
        "pavilion.realtime.ping-timeout=60s"})
class FanOutTest extends RealtimeTestSupport {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Autowired
    Connections connections;

    @Test
    void afterABurstOfArrivalsAndDeparturesEveryPageEndsWithTheServersCounts() throws Exception {
        long s = openSession(new Thresholds(5, 2, 15, 15), 30, "HIT-BURST");
        List<ProtocolClient> pages = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            pages.add(seedPage("b" + i, i % 3 == 0 ? "polling" : "websocket"));
        }
        // All at once: every join (and then some departures) lands within a few windows.
        for (int i = 0; i < 30; i++) {
            pages.get(i).emit("connected", acceptedJoin("b" + i, "ab" + i, "HIT-BURST"));
        }
        await().atMost(PATIENCE).until(() -> sessions.published(s).active().size()
                + sessions.published(s).waiting().size() == 30);
        for (int i = 0; i < 30; i += 4) {
            pages.get(i).emit("submit_waiting", workerPayload("b" + i, "ab" + i, "HIT-BURST"));
            pages.get(i).emit("submit_active", workerPayload("b" + i, "ab" + i, "HIT-BURST"));
        }
        await().atMost(PATIENCE).until(() -> sessions.published(s).active().size()
                + sessions.published(s).waiting().size() == 22);

        Queues truth = sessions.published(s);
        for (int i = 0; i < 30; i++) {
            if (i % 4 == 0) {
                continue; // left the session: it hears no more of it
            }
            ProtocolClient page = pages.get(i);
            JSONObject count = lastOf(page, "update_worker_count", new JSONObject()
                    .put("count", truth.waiting().size()).put("max_count", 15));
            assertThat(count.getInt("count")).isEqualTo(truth.waiting().size());
        }
    }

    /**
     * Waits until the page's latest {@code event} equals {@code expected}, checking on the way that every
     * {@code update_worker_count} is followed by the {@code workers_status} of the same moment.
     */
    private static JSONObject lastOf(ProtocolClient page, String event, JSONObject expected) throws Exception {
        JSONObject last = null;
        Integer countSeen = null;
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            List<Received> got = page.drain();
            for (Received r : got) {
                if (r.event().equals("update_worker_count")) {
                    assertThat(countSeen).as("a count without its status before it").isNull();
                    countSeen = r.json().getInt("count");
                } else if (r.event().equals("workers_status")) {
                    assertThat(countSeen).as("workers_status without update_worker_count first").isNotNull();
                    assertThat(r.json().getInt("waiting")).isEqualTo(countSeen);
                    countSeen = null;
                }
                if (r.event().equals(event)) {
                    last = r.json();
                }
            }
            if (last != null && last.similar(expected) && countSeen == null) {
                return last;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the page's last " + event + " is " + last + ", the server's is " + expected);
    }

    @Test
    void targetedEventsKeepTheirOrderPerConnectionWhileTheSessionIsBroadcastTo() throws Exception {
        openSession(new Thresholds(1, 0, 40, 40), 30, "HIT-ORDER");
        ProtocolClient watcher = seedPage("o0", "websocket");
        watcher.emit("connected", acceptedJoin("o0", "ao0", "HIT-ORDER"));
        watcher.expect("start_your_task");
        List<ProtocolClient> others = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            others.add(seedPage("o" + i, "websocket"));
        }
        // Its own refusals (targeted, each naming its event) interleaved with arrivals that the whole
        // session hears about.
        int sent = 200;
        for (int i = 0; i < sent; i++) {
            watcher.emit("no_such_event_" + i, new JSONObject());
            if (i % 10 == 0) {
                int n = i / 10 + 1;
                others.get(n - 1).emit("connected", acceptedJoin("o" + n, "ao" + n, "HIT-ORDER"));
            }
        }
        List<String> refusedEvents = new ArrayList<>();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (refusedEvents.size() < sent && System.nanoTime() < deadline) {
            for (Received r : watcher.drain()) {
                if (r.event().equals("error")) {
                    assertThat(r.json().getString("code")).isEqualTo("unknown_event");
                    refusedEvents.add(r.json().getString("event"));
                }
            }
            Thread.sleep(10);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < sent; i++) {
            expected.add("no_such_event_" + i);
        }
        assertThat(refusedEvents).containsExactlyElementsOf(expected);
    }

    @Test
    void aPageThatStopsReadingIsDroppedAtItsBoundWhileEveryoneElseIsServed() throws Exception {
        long s = openSession(new Thresholds(1, 0, 60, 60), 30, "HIT-SLOW");
        List<ProtocolClient> others = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ProtocolClient page = seedPage("f" + i, "websocket");
            page.emit("connected", acceptedJoin("f" + i, "af" + i, "HIT-SLOW"));
            others.add(page);
        }
        await().atMost(PATIENCE).until(() -> sessions.published(s).active().size() == 40);

        try (StalledWebSocket stalled = new StalledWebSocket(port)) {
            stalled.emit("connected", acceptedJoin("slow", "aslow", "HIT-SLOW").toString());
            await().atMost(PATIENCE).until(() -> sessions.published(s).active().contains("slow"));
            // It stops reading, and asks for ever more answers it will not collect: each event of an unknown
            // name is answered with an error of about 200 bytes, at no cost to its session.
            ExecutorService flood = Executors.newSingleThreadExecutor();
            String unknown = "x".repeat(100);
            Future<?> flooding = flood.submit(() -> {
                for (int i = 0; i < 100_000; i++) {
                    stalled.emit(unknown + i, "{}");
                }
                return null;
            });
            try {
                // Everyone else is served meanwhile: their own answers, and the session's counts.
                for (int round = 0; round < 3; round++) {
                    for (ProtocolClient page : others) {
                        page.emit("pay_status", new JSONObject());
                    }
                    for (ProtocolClient page : others) {
                        JSONObject answer = skipTo(page, "pay_status");
                        assertThat(answer.getString("status")).isEqualTo("active");
                    }
                }
                // The stalled page is dropped once more than its bound (200 frames) wait for it ...
                await().atMost(PATIENCE).until(() -> connections.socketsOf(
                        new Connections.WorkerKey(s, "slow")).isEmpty());
            } finally {
                flooding.cancel(true);
                flood.shutdownNow();
            }
        }
        // ... and nobody else was: each of them still gets its answers.
        for (ProtocolClient page : others) {
            assertThat(page.connected()).isTrue();
            page.emit("pay_status", new JSONObject());
            assertThat(skipTo(page, "pay_status").getString("status")).isEqualTo("active");
        }
    }

    private static JSONObject skipTo(ProtocolClient page, String event) throws InterruptedException {
        List<Received> got = page.collectUntil(event);
        return got.get(got.size() - 1).json();
    }
}
