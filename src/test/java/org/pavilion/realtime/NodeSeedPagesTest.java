package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.pavilion.testing.NodeScripts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.QueueSnapshot.WorkerView;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Crowd pages written for the Python Pavilion (npm socket.io-client 2.x, Engine.IO v3) and modern
 * pages (4.x, Engine.IO v4), unchanged, against the {@code /chat} namespace: src/test/node/seed-walk.js
 * walks a session with the seed's thresholds and checks who heard what after every step; this test
 * then checks the server's state matches the walk.
 * src/test/node is installed with {@code npm ci} into the build directory; the test is skipped when
 * node or npm is missing or the npm registry cannot be reached.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
class NodeSeedPagesTest extends RealtimeTestSupport {

    static final Thresholds SEED = new Thresholds(2, 1, 3, 3);

    @ParameterizedTest(name = "socket.io-client {0}.x over {1}")
    @CsvSource({"2, websocket", "2, polling", "4, websocket", "4, polling"})
    void seedPagesWalkASessionUnchanged(String version, String transport) throws Exception {
        String hitId = "HIT-NODE-V" + version + "-" + transport.toUpperCase();
        long s = openSession(SEED, 30, hitId);
        for (String w : List.of("w1", "w2", "w3", "w4", "w5")) {
            confirm(w, hitId + "-" + w, hitId); // each worker accepted its assignment on the marketplace
        }
        NodeScripts.Result walk = NodeScripts.run(Duration.ofSeconds(120), "seed-walk.js", "http://localhost:" + port,
                hitId, version, transport);
        assertThat(walk.exitCode()).as(walk.output()).isZero();
        assertThat(walk.output()).contains("\"ok\":true");

        // The pages have closed; within the 30 s grace period every worker keeps its place (SPEC §4.7).
        QueueSnapshot snap = sessions.snapshot(s);
        assertThat(snap.started()).isTrue();
        assertThat(snap.stopped()).isFalse();
        assertThat(snap.active()).containsExactly("w2", "w3", "w4");
        assertThat(snap.waiting()).containsExactly("w5");
        Map<String, WorkerView> workers = snap.workers();
        assertThat(workers).containsOnlyKeys("w1", "w2", "w3", "w4", "w5");
        assertThat(workers.get("w1").status()).isEqualTo(WorkerStatus.SUBMITTED);
        for (String w : List.of("w2", "w3", "w4")) {
            assertThat(workers.get(w).status()).as(w).isEqualTo(WorkerStatus.ACTIVE);
        }
        assertThat(workers.get("w5").status()).isEqualTo(WorkerStatus.WAITING);
        for (String w : workers.keySet()) {
            assertThat(workers.get(w).assignmentId()).as(w).isEqualTo(hitId + "-" + w);
        }
        // Only w1 and w3 sent IAmReady; the refused submit_active naming w3 changed nothing.
        assertThat(workers.get("w1").ready()).isTrue();
        assertThat(workers.get("w3").ready()).isTrue();
        assertThat(workers.get("w2").ready()).isFalse();
        // w1's page submitted while active (SPEC §4.2.2b): the hire waits for the marketplace to confirm
        // the submission; arrivals hire nobody.
        assertThat(store.hireRequests(s)).isEmpty();
        sessions.submitForAssignment(hitId + "-w1", "w1", Departure.SUBMIT, "marketplace", "AssignmentSubmitted")
                .join();
        assertThat(store.hireRequests(s)).hasSize(1);
    }
}
