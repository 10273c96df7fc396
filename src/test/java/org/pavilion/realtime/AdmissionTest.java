package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.micrometer.core.instrument.MeterRegistry;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * SPEC §4.1.0 over real sockets, as an attacker would try it: a page's claim of a worker and assignment
 * gets in only once the marketplace has confirmed the assignment; made-up ids cannot enter a queue, act
 * for anyone, or cause a hire; a confirmation that lands late admits the waiting page; one that never
 * lands ends in a clear error with nothing changed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem", "pavilion.realtime.confirmation-timeout=10s"})
class AdmissionTest extends RealtimeTestSupport {

    static final Thresholds SMALL = new Thresholds(1, 1, 2, 2);

    @Autowired
    ChatProtocol chat;
    @Autowired
    Admission admission;
    @Autowired
    MeterRegistry registry;

    @Test
    void madeUpWorkersNeitherEnterNorActNorHire() throws Exception {
        long s = openSession(SMALL, 30, "HIT-FAKES");
        List<ProtocolClient> fakes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            // From many addresses (an attacker's botnet; one address may hold 50 connections), over WebSocket:
            // the Java client's HTTP pool holds few long-polls at once (polling is covered elsewhere).
            ProtocolClient fake = track(ProtocolClient.connectFrom("127.0.1." + (1 + i / 25), "fake" + i, port, null,
                    "websocket"));
            fakes.add(fake);
            // A real (public) HIT id, made-up worker and assignment ids.
            fake.emit("connected", joinPayload("FAKE" + i, "ASSIGNMENT" + i, "HIT-FAKES"));
        }
        for (ProtocolClient fake : fakes) {
            JSONObject waiting = fake.expect(Admission.AWAITING_CONFIRMATION);
            assertThat(waiting.getString("message")).contains("Confirming your assignment");
        }
        for (int i = 0; i < fakes.size(); i++) {
            // A submit naming the claimed place waits with the claim: it would run only once admitted.
            ProtocolClient fake = fakes.get(i);
            String event = i % 2 == 0 ? "submit_waiting" : "submit_active";
            fake.emit(event, workerPayload("FAKE" + i, "ASSIGNMENT" + i, "HIT-FAKES").put("time_waited", 5));
        }
        QueueSnapshot snap = sessions.snapshot(s);
        assertThat(snap.workers()).isEmpty();
        assertThat(snap.waiting()).isEmpty();
        assertThat(snap.active()).isEmpty();
        assertThat(store.hireRequests(s)).isEmpty();
        assertThat(logSize(s)).isZero();

        double timeoutsBefore = registry.counter("pavilion.protocol.refused", "code", "unconfirmed_assignment").count();
        // After the timeout every fake is told, and still nothing changed.
        for (ProtocolClient fake : fakes) {
            JSONObject error = fake.expect("error");
            assertThat(error.getString("code")).isEqualTo("unconfirmed_assignment");
            assertThat(error.getString("message")).contains("has not confirmed");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> admission.pendingClaims() == 0);
        // An admin sees why the pages are stuck: each refusal is counted by its code.
        assertThat(registry.counter("pavilion.protocol.refused", "code", "unconfirmed_assignment").count()
                - timeoutsBefore).isGreaterThanOrEqualTo(100);
        assertThat(logSize(s)).isZero();
        assertThat(store.hireRequests(s)).isEmpty();
    }

    @Test
    void oneConnectionKeepsAtMostOneClaimWaiting() throws Exception {
        openSession(SMALL, 30, "HIT-MANY");
        ProtocolClient page = seedPage("many", "websocket");
        int before = admission.pendingClaims();
        for (int i = 0; i < 20; i++) {
            page.emit("connected", joinPayload("W" + i, "A" + i, "HIT-MANY"));
            page.expect(Admission.AWAITING_CONFIRMATION);
        }
        assertThat(admission.pendingClaims() - before).isEqualTo(1);
        // The last claim is the one that waits: its confirmation admits it.
        confirm("W19", "A19", "HIT-MANY");
        page.expect("start_your_task", "{message:['W19']}");
        page.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> admission.pendingClaims() <= before);
    }

    @Test
    void theSeedsMainPageJoinsWithItsFirstEvent() throws Exception {
        long s = openSession(new Thresholds(1, 0, 2, 1), 1, "HIT-MAIN"); // grace period 1 s
        ProtocolClient waitingPage = seedPage("w1-waiting", "websocket");
        waitingPage.emit("connected", acceptedJoin("w1", "a1", "HIT-MAIN"));
        waitingPage.expect("start_your_task", "{message:['w1']}");
        ProtocolClient other = seedPage("w2-waiting", "websocket");
        other.emit("connected", acceptedJoin("w2", "a2", "HIT-MAIN"));
        other.expect("start_your_task", "{message:['w2']}");
        // The seed's main page never sends 'connected': its IAmReady, then its submit, are its join.
        ProtocolClient main = seedPage("w1-main", "polling");
        main.emit("IAmReady", workerPayload("w1", "a1", "HIT-MAIN").put("time_waited", "00-00-03"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.snapshot(s).workers().get("w1").ready());
        waitingPage.close(); // the waiting page is gone (in a browser it closes first; the grace covers the gap)
        Thread.sleep(2500); // past the 1 s grace period: the live main page keeps w1 in its place
        assertThat(sessions.snapshot(s).workers().get("w1").status()).isEqualTo(WorkerStatus.ACTIVE);
        assertThat(main.drain()).noneMatch(r -> r.event().equals("error"));

        ProtocolClient otherMain = seedPage("w2-main", "websocket");
        other.close();
        otherMain.emit("submit_active", workerPayload("w2", "a2", "HIT-MAIN"));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                sessions.snapshot(s).workers().get("w2").status() == WorkerStatus.SUBMITTED);
        // Someone else's place cannot be taken that way: a made-up assignment waits and never acts.
        ProtocolClient impostor = seedPage("impostor-main", "websocket");
        impostor.emit("submit_active", workerPayload("w1", "A-MADE-UP", "HIT-MAIN"));
        impostor.expect(Admission.AWAITING_CONFIRMATION);
        assertThat(sessions.snapshot(s).workers().get("w1").status()).isEqualTo(WorkerStatus.ACTIVE);
    }

    @Test
    void aWorkerWhoLeftForTheSeedsSilentMainPageStaysActiveWhileOthersAreFreedAfterTheGrace() throws Exception {
        long s = openSession(new Thresholds(1, 1, 1, 2), 1, "HIT-SILENT"); // grace period 1 s
        ProtocolClient w1 = seedPage("w1-waiting", "websocket");
        w1.emit("connected", acceptedJoin("w1", "a1", "HIT-SILENT"));
        w1.expect("start_your_task", "{message:['w1']}");
        ProtocolClient w2 = seedPage("w2-waiting", "websocket");
        w2.emit("connected", acceptedJoin("w2", "a2", "HIT-SILENT"));
        ProtocolClient w3 = seedPage("w3-waiting", "websocket");
        w3.emit("connected", acceptedJoin("w3", "a3", "HIT-SILENT"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.snapshot(s).waiting().size() == 2);

        // The seed's waiting page: IAmReady, then it disconnects and opens the main page, which says nothing.
        w1.emit("IAmReady", workerPayload("w1", "a1", "HIT-SILENT").put("time_waited", "00-00-02").put("reward", "0.01"));
        w1.close();
        ProtocolClient silentMain = seedPage("w1-main", "polling");
        // A waiting worker that only closes its page (w2), and one that says IAmReady without being active (w3).
        w3.emit("IAmReady", workerPayload("w3", "a3", "HIT-SILENT"));
        w2.close();
        w3.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            var workers = sessions.snapshot(s).workers();
            return workers.get("w2").status() == WorkerStatus.DISCONNECTED
                    && workers.get("w3").status() == WorkerStatus.DISCONNECTED;
        });
        Thread.sleep(1500); // w1's timer ran with theirs (same grace): it found w1 active on its main task
        assertThat(sessions.snapshot(s).workers().get("w1").status()).isEqualTo(WorkerStatus.ACTIVE);
        assertThat(sessions.snapshot(s).workers().get("w1").ready()).isTrue();
        silentMain.emit("submit_active", workerPayload("w1", "a1", "HIT-SILENT").put("time_waited", "00-00-09"));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                sessions.snapshot(s).workers().get("w1").status() == WorkerStatus.SUBMITTED);
    }

    /**
     * Issue 13 item 5: a page that asked for something and closed before its confirmation landed is
     * admitted for what it asked, but its dead connection is not left bound (the worker would look
     * connected for ever, and never be freed).
     */
    @Test
    void aPageThatClosedBeforeItsConfirmationIsNotLeftLookingConnected() throws Exception {
        long s = openSession(new Thresholds(1, 0, 2, 2), 30, "HIT-CLOSED");
        ProtocolClient main = seedPage("w1-main", "websocket");
        main.emit("IAmReady", workerPayload("w1", "a1", "HIT-CLOSED").put("time_waited", "00-00-04"));
        main.expect(Admission.AWAITING_CONFIRMATION);
        main.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !main.connected());
        Thread.sleep(300); // the server has handled the close
        confirm("w1", "a1", "HIT-CLOSED"); // the marketplace's confirmation lands after the page closed
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.snapshot(s).workers().containsKey("w1"));
        assertThat(sessions.snapshot(s).workers().get("w1").ready()).as("what it asked for ran").isTrue();
        Thread.sleep(300);
        assertThat(chat.isConnected(s, "w1")).as("the closed page is not bound").isFalse();
    }

    @Autowired
    Connections connections;

    /**
     * Issue 13 item 5: the page closes in the middle of its bind (the close is handled after the connection
     * is registered but before it is added to its worker's connections, so the close finds no worker entry
     * to take it from). The page must not be left looking connected: its worker gets its grace period and
     * leaves as disconnected. The close is made at that moment by a hook, so this is the same run every time.
     */
    @Test
    void aPageClosedInTheMiddleOfItsBindIsNotLeftLookingConnected() throws Exception {
        long s = openSession(new Thresholds(1, 0, 2, 2), 1, "HIT-MIDBIND");
        ProtocolClient page = seedPage("w1", "websocket");
        page.emit("connected", joinPayload("w1", "a1", "HIT-MIDBIND"));
        page.expect(Admission.AWAITING_CONFIRMATION);
        CountDownLatch closedMidBind = new CountDownLatch(1);
        connections.midBindForTests = socket -> {
            connections.midBindForTests = null;
            socket.disconnect(true); // the server closes it: its disconnect handling runs here, mid-bind
            closedMidBind.countDown();
        };
        try {
            confirm("w1", "a1", "HIT-MIDBIND");
            assertThat(closedMidBind.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            connections.midBindForTests = null;
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.snapshot(s).workers().containsKey("w1"));
        assertThat(chat.isConnected(s, "w1")).as("the closed page is not bound").isFalse();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sessions.snapshot(s).workers().get("w1")
                .status()).as("left as disconnected after its 1 s grace").isEqualTo(WorkerStatus.DISCONNECTED));
    }

    @Test
    void aPageIsAdmittedAsSoonAsItsConfirmationLands() throws Exception {
        long s = openSession(SMALL, 30, "HIT-LATE");
        ProtocolClient page = seedPage("w1", "websocket");
        page.emit("connected", joinPayload("w1", "a1", "HIT-LATE"));
        page.expect(Admission.AWAITING_CONFIRMATION);
        assertThat(sessions.snapshot(s).workers()).isEmpty();

        confirm("w1", "a1", "HIT-LATE"); // MTurk's AssignmentAccepted arrives a moment later
        page.expect("start_your_task", "{message:['w1']}");
        page.expect("update_worker_count", "{count:0,max_count:2}");
        page.expect("workers_status", "{waiting:0,active:1}");
        assertThat(sessions.snapshot(s).active()).containsExactly("w1");
    }

    @Test
    void aVictimsWorkerIdGivesNoPowerOverTheVictim() throws Exception {
        long s = openSession(SMALL, 30, "HIT-VICTIM");
        ProtocolClient victim = seedPage("victim", "websocket");
        victim.emit("connected", acceptedJoin("VICTIM", "A-VICTIM", "HIT-VICTIM"));
        victim.expect("start_your_task", "{message:['VICTIM']}");
        victim.skipUntil("workers_status", "{waiting:0,active:1}");
        QueueSnapshot before = sessions.snapshot(s);
        int log = logSize(s);

        // The attacker knows the victim's WorkerId and the HIT id; it makes up an assignment id.
        ProtocolClient attacker = seedPage("attacker", "polling");
        attacker.emit("connected", joinPayload("VICTIM", "A-MADE-UP", "HIT-VICTIM"));
        attacker.expect(Admission.AWAITING_CONFIRMATION);
        attacker.emit("submit_active", workerPayload("VICTIM", "A-MADE-UP", "HIT-VICTIM")); // waits, never runs
        // Nor does it hear the victim's messages, or lock the victim out of a reload.
        ProtocolClient reload = seedPage("victim-reload", "websocket");
        reload.emit("connected", joinPayload("VICTIM", "A-VICTIM", "HIT-VICTIM"));
        reload.expect("update_worker_count", "{count:0,max_count:2}");
        reload.expect("workers_status", "{waiting:0,active:1}");
        reload.expect("start_your_task", "{message:['VICTIM']}");
        // Its claim ends at the confirmation timeout (10 s from its join; the expectation allows for a slow machine).
        assertThat(attacker.expect("error", Duration.ofSeconds(20)).getString("code")).isEqualTo("unconfirmed_assignment");
        attacker.expectNothing(QUIET);
        assertThat(sessions.snapshot(s)).isEqualTo(before);
        assertThat(logSize(s)).isEqualTo(log);
    }

    @Test
    void twoConcurrentJoinsWithDifferentAssignmentsOfOneWorkerAdmitExactlyOne() throws Exception {
        long s = openSession(SMALL, 30, "HIT-TWICE");
        confirm("W", "A-ONE", "HIT-TWICE");
        confirm("W", "A-TWO", "HIT-TWICE");
        ProtocolClient one = seedPage("one", "websocket");
        ProtocolClient two = seedPage("two", "websocket");
        CountDownLatch go = new CountDownLatch(1);
        Thread a = new Thread(() -> {
            awaitQuietly(go);
            one.emit("connected", joinPayload("W", "A-ONE", "HIT-TWICE"));
        });
        Thread b = new Thread(() -> {
            awaitQuietly(go);
            two.emit("connected", joinPayload("W", "A-TWO", "HIT-TWICE"));
        });
        a.start();
        b.start();
        go.countDown();
        a.join();
        b.join();
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.snapshot(s).active().contains("W"));
        String admitted = sessions.snapshot(s).workers().get("W").assignmentId();
        ProtocolClient winner = admitted.equals("A-ONE") ? one : two;
        ProtocolClient loser = admitted.equals("A-ONE") ? two : one;
        winner.expect("start_your_task", "{message:['W']}");
        assertThat(loser.expect("error").getString("code")).isEqualTo("duplicate_assignment");
        loser.expectNothing(QUIET);
        assertThat(sessions.snapshot(s).workers()).containsOnlyKeys("W");
    }

    @Test
    void aPageThatSubmitsAndThenReturnsItsHitHiresNobody() throws Exception {
        long s = openSession(new Thresholds(1, 0, 1, 1), 30, "HIT-RETURN");
        ProtocolClient w1 = seedPage("w1", "websocket");
        w1.emit("connected", acceptedJoin("w1", "a1", "HIT-RETURN"));
        w1.expect("start_your_task", "{message:['w1']}");
        ProtocolClient w2 = seedPage("w2", "websocket");
        w2.emit("connected", acceptedJoin("w2", "a2", "HIT-RETURN"));
        w2.skipUntil("workers_status", "{waiting:1,active:1}");
        w1.skipUntil("workers_status", "{waiting:1,active:1}");

        w1.emit("submit_active", workerPayload("w1", "a1", "HIT-RETURN"));
        w2.expect("start_your_task", "{message:['w2']}"); // the slot is refilled at once
        assertThat(sessions.snapshot(s).workers().get("w1").status()).isEqualTo(WorkerStatus.SUBMITTED);
        assertThat(store.hireRequests(s)).isEmpty(); // the page's word spends nothing

        // ...then the worker returned the HIT instead of submitting it at MTurk.
        sessions.submit(s, new QueueEvent.Leave("w1", "a1", Departure.RETURN), "marketplace", "AssignmentReturned")
                .join();
        assertThat(sessions.snapshot(s).workers().get("w1").status()).isEqualTo(WorkerStatus.RETURNED);
        assertThat(store.hireRequests(s)).isEmpty();

        // w2's submit, confirmed by the marketplace, hires one.
        w2.emit("submit_active", workerPayload("w2", "a2", "HIT-RETURN"));
        await().atMost(Duration.ofSeconds(5)).until(() ->
                sessions.snapshot(s).workers().get("w2").status() == WorkerStatus.SUBMITTED);
        assertThat(store.hireRequests(s)).isEmpty();
        sessions.submit(s, new QueueEvent.Leave("w2", "a2", Departure.SUBMIT), "marketplace", "AssignmentSubmitted")
                .join();
        assertThat(store.hireRequests(s)).hasSize(1);
        assertThat(store.hireRequests(s).get(0).causeWorkerId()).isEqualTo("w2");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
