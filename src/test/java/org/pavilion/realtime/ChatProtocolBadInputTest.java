package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Identity, admin rights and bad input on the real-time channel: every refusal is an
 * {@code error} event to that connection only, changes nothing, and leaves the connection usable.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem",
        // The fuzz test sends thousands of bad events as fast as it can: input checks, not the rate limit
        // (RealtimeLimitsTest), are under test here.
        "pavilion.realtime.events-per-second=0"})
class ChatProtocolBadInputTest extends RealtimeTestSupport {

    static final Thresholds SEED = new Thresholds(2, 1, 3, 3);

    /** w1 and w2 active, w3 waiting, and a connection that never joined: {w1, w2, w3, bystander}. */
    private List<ProtocolClient> startedSession(String hit) throws Exception {
        List<ProtocolClient> clients = new ArrayList<>();
        for (String w : List.of("w1", "w2", "w3")) {
            ProtocolClient c = seedPage(w, "websocket");
            c.emit("connected", acceptedJoin(w, "a-" + w, hit));
            clients.add(c);
        }
        for (ProtocolClient c : clients) {
            c.skipUntil("workers_status", "{waiting:1,active:2}"); // the last thing each hears of the joins
        }
        clients.add(seedPage("bystander", "websocket"));
        return clients;
    }

    @Test
    void aConnectionActsOnlyForItsOwnWorker() throws Exception {
        long s = openSession(SEED, 30, "HIT-ID");
        List<ProtocolClient> c = startedSession("HIT-ID");
        ProtocolClient w1 = c.get(0);
        QueueSnapshot before = sessions.snapshot(s);
        int log = logSize(s);

        w1.emit("submit_active", workerPayload("w2", "a-w2", "HIT-ID"));         // submit as another
        assertThat(w1.expect("error").getString("code")).isEqualTo("not_your_worker");
        w1.emit("connected", joinPayload("w3", "a-w3", "HIT-ID"));               // reload into another
        assertThat(w1.expect("error").getString("code")).isEqualTo("not_your_worker");
        w1.emit("IAmReady", workerPayload("w2", "a-w2", "HIT-ID"));              // be promoted as another
        assertThat(w1.expect("error").getString("code")).isEqualTo("not_your_worker");
        w1.emit("submit_active", workerPayload("w1", "a-someone-else", "HIT-ID")); // another assignment
        assertThat(w1.expect("error").getString("code")).isEqualTo("not_your_worker");

        // A second page claiming w1 with an assignment nobody confirmed just waits: no lock-out, no effect.
        ProtocolClient other = seedPage("other-assignment", "websocket");
        other.emit("connected", joinPayload("w1", "a-other", "HIT-ID"));
        other.expect(Admission.AWAITING_CONFIRMATION);
        // With a second confirmed assignment, w1 would hold two: refused.
        ProtocolClient second = seedPage("second-assignment", "websocket");
        second.emit("connected", acceptedJoin("w1", "a-second", "HIT-ID"));
        assertThat(second.expect("error").getString("code")).isEqualTo("duplicate_assignment");
        before = sessions.snapshot(s);
        log = logSize(s); // the confirmation of a-second is a fact of the log

        // A page whose token names w1 cannot join as w2.
        ProtocolClient signed = signedPage("signed", new WorkerIdentity(s, "w1", "a-w1", "HIT-ID"), "websocket");
        signed.emit("connected", joinPayload("w2", "a-w2", "HIT-ID"));
        assertThat(signed.expect("error").getString("code")).isEqualTo("not_your_worker");

        quiet(c);
        assertThat(sessions.snapshot(s)).isEqualTo(before);
        assertThat(logSize(s)).isEqualTo(log);

        // Still usable: w1's own submit works (w1 leaves the session; the others hear the new counts).
        w1.emit("submit_active", workerPayload("w1", "a-w1", "HIT-ID"));
        c.get(1).expect("update_worker_count", "{count:1,max_count:3}"); // the waiting queue (w3) of maxWaiting
        c.get(1).expect("workers_status", "{waiting:1,active:1}");
        assertThat(sessions.snapshot(s).workers().get("w1").status()).isEqualTo(WorkerStatus.SUBMITTED);
    }

    @Test
    void aForgedTokenIsRefusedAndDisconnected() throws Exception {
        openSession(SEED, 30, "HIT-FORGED");
        String forged = tokens.workerToken(new WorkerIdentity(1, "w1", "a1", "HIT-FORGED"), Duration.ofHours(1));
        forged = forged.substring(0, forged.length() - 4) + "AAAA";
        ProtocolClient c = track(ProtocolClient.connect("forged", port, Map.of("token", forged), null, "websocket"));
        assertThat(c.expect("error").getString("code")).isEqualTo("invalid_token");
        c.expect("(disconnected)");
    }

    @Test
    void onlyAnAdminMayStopOrExpire() throws Exception {
        long s = openSession(SEED, 30, "HIT-ADMIN");
        List<ProtocolClient> c = startedSession("HIT-ADMIN");
        ProtocolClient w1 = c.get(0);
        ProtocolClient bystander = c.get(3);
        QueueSnapshot before = sessions.snapshot(s);

        w1.emit("stop_this_job", new JSONObject());
        assertThat(w1.expect("error").getString("code")).isEqualTo("not_admin");
        bystander.emit("expireHIT", new JSONObject().put("taskID", 1));
        assertThat(bystander.expect("error").getString("code")).isEqualTo("not_admin");
        String fakeAdmin = tokens.workerToken(new WorkerIdentity(s, "admin", "x", "HIT-ADMIN"), Duration.ofHours(1));
        ProtocolClient pretender = track(ProtocolClient.connect("pretender", port,
                Map.of("adminToken", fakeAdmin, "session", String.valueOf(s)), null, "websocket"));
        assertThat(pretender.expect("error").getString("code")).isEqualTo("invalid_token");

        quiet(c);
        assertThat(sessions.snapshot(s)).isEqualTo(before);

        ProtocolClient admin = admin(s);
        admin.emit("expireHIT", new JSONObject().put("taskID", 999999));
        assertThat(admin.expect("error").getString("code")).isEqualTo("invalid_payload");
        assertThat(sessions.snapshot(s).expired()).isFalse();
    }

    @Test
    void malformedAndUnknownEventsGetAClearErrorAndChangeNothing() throws Exception {
        long s = openSession(SEED, 30, "HIT-BAD");
        List<ProtocolClient> c = startedSession("HIT-BAD");
        ProtocolClient w1 = c.get(0);
        QueueSnapshot before = sessions.snapshot(s);
        int log = logSize(s);

        w1.emitRaw("submit_active", "just a string");
        assertThat(w1.expect("error").getString("message")).contains("JSON object");
        w1.emitRaw("submit_active", new JSONArray().put(1));
        assertThat(w1.expect("error").getString("code")).isEqualTo("invalid_payload");
        w1.emit("submit_active", new JSONObject().put("worker", 42));
        assertThat(w1.expect("error").getString("message")).contains("'worker' must be a string");
        w1.emit("submit_active", new JSONObject());
        assertThat(w1.expect("error").getString("message")).contains("'worker' is required");
        // Far over the 128-character id limit, within the 4,096-character message limit (over it the
        // connection is closed instead: LeanDefaultsTest).
        w1.emit("submit_active", new JSONObject().put("worker", "x".repeat(1000)));
        assertThat(w1.expect("error").getString("code")).isEqualTo("invalid_payload");
        w1.emit("IAmReady", workerPayload("w1", "a-w1", "HIT-BAD").put("time_waited", "lots"));
        assertThat(w1.expect("error").getString("message")).contains("time_waited");
        w1.emit("launch_missiles", new JSONObject());
        JSONObject unknown = w1.expect("error");
        assertThat(unknown.getString("code")).isEqualTo("unknown_event");
        assertThat(unknown.getString("event")).isEqualTo("launch_missiles");
        w1.emit("chat_message", new JSONObject().put("text", "y".repeat(501)));
        assertThat(w1.expect("error").getString("message")).contains("longer than 500");
        c.get(2).emit("chat_message", new JSONObject().put("text", "hello")); // w3 is waiting
        assertThat(c.get(2).expect("error").getString("message")).contains("only active workers");
        // A waiting worker's submit with a wait that is no time is refused, and the worker stays waiting.
        c.get(2).emit("submit_waiting", workerPayload("w3", "a-w3", "HIT-BAD").put("time_waited", "lots"));
        assertThat(c.get(2).expect("error").getString("message")).contains("time_waited");

        ProtocolClient unjoined = c.get(3);
        // A first event naming a place is a join (the seed's main page): with an assignment nobody confirmed
        // it only waits, and its submit never runs.
        unjoined.emit("submit_waiting", workerPayload("w3", "a-not-w3s", "HIT-BAD"));
        unjoined.expect(Admission.AWAITING_CONFIRMATION);
        unjoined.emit("submit_active", workerPayload("w3", "a-w3", "HIT-NOWHERE"));
        assertThat(unjoined.expect("error").getString("code")).isEqualTo("unknown_hit");
        unjoined.emit("submit_waiting", new JSONObject().put("worker", "w3"));
        assertThat(unjoined.expect("error").getString("code")).isEqualTo("not_joined");
        unjoined.emit("connected", joinPayload("w9", "a9", "HIT-NOWHERE"));
        assertThat(unjoined.expect("error").getString("code")).isEqualTo("unknown_hit");

        quiet(c);
        assertThat(sessions.snapshot(s)).isEqualTo(before);
        assertThat(logSize(s)).isEqualTo(log);

        // The connection stays usable.
        w1.emit("chat_message", new JSONObject().put("text", "still here"));
        JSONObject chat = w1.expect("chat_message");
        assertThat(chat.getString("text")).isEqualTo("still here");
        assertThat(chat.getBoolean("mine")).isTrue();
    }

    @Test
    void theSeedPagesOwnPayloadShapesAreNotBadInput() throws Exception {
        long s = openSession(SEED, 30, "HIT-SHAPES");
        List<ProtocolClient> c = startedSession("HIT-SHAPES"); // w1, w2 active; w3 waiting
        // The seed's timer sends time_waited as "hh-mm-ss" and reward as text (SPEC 5): recorded, not refused.
        c.get(0).emit("IAmReady", workerPayload("w1", "a-w1", "HIT-SHAPES").put("time_waited", "00-00-07")
                .put("reward", "0.02"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> sessions.snapshot(s).workers().get("w1").ready());
        c.get(2).emit("submit_waiting", workerPayload("w3", "a-w3", "HIT-SHAPES").put("time_waited", "01-02-03")
                .put("reward", 0.5));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                sessions.snapshot(s).workers().get("w3").status() == WorkerStatus.SUBMITTED);
        Thread.sleep(QUIET.toMillis());
        for (ProtocolClient page : List.of(c.get(0), c.get(1), c.get(2))) {
            assertThat(page.drain()).noneMatch(r -> r.event().equals("error"));
        }

        // Not a time: still a clear refusal that changes nothing.
        QueueSnapshot before = sessions.snapshot(s);
        for (String bad : List.of("00-61-00", "seven", "1-2-3-4", "--")) {
            c.get(1).emit("IAmReady", workerPayload("w2", "a-w2", "HIT-SHAPES").put("time_waited", bad));
            JSONObject error = c.get(1).expect("error");
            assertThat(error.getString("code")).isEqualTo("invalid_payload");
            assertThat(error.getString("message")).contains("time_waited").contains("hh-mm-ss");
        }
        assertThat(sessions.snapshot(s).workers().get("w2").ready()).isFalse();
        assertThat(sessions.snapshot(s).waiting()).isEqualTo(before.waiting());
    }

    @Test
    void eventsForAnEndedSessionAreRefused() throws Exception {
        long s = openSession(SEED, 30, "HIT-ENDED");
        List<ProtocolClient> c = startedSession("HIT-ENDED");
        ProtocolClient admin = admin(s);
        admin.emit("expireHIT", new JSONObject());
        for (ProtocolClient x : List.of(c.get(0), c.get(1), c.get(2), admin)) {
            x.expect("stop", "{}");
        }
        int log = logSize(s);
        c.get(0).emit("submit_active", workerPayload("w1", "a-w1", "HIT-ENDED"));
        assertThat(c.get(0).expect("error").getString("code")).isEqualTo("session_ended");
        ProtocolClient late = seedPage("late", "websocket");
        late.emit("connected", joinPayload("w9", "a9", "HIT-ENDED"));
        assertThat(late.expect("error").getString("code")).isEqualTo("session_ended");
        assertThat(logSize(s)).isEqualTo(log);
    }

    @Test
    void fuzzThousandsOfRandomPayloadsChangeNothing() throws Exception {
        long s = openSession(SEED, 30, "HIT-FUZZ");
        List<ProtocolClient> c = startedSession("HIT-FUZZ");
        ProtocolClient w1 = c.get(0);
        ProtocolClient unjoined = c.get(3);
        QueueSnapshot before = sessions.snapshot(s);
        int log = logSize(s);
        Random random = new Random(2026);
        String[] events = {"connected", "isJobFull", "IAmReady", "submit_waiting", "submit_active", "stop_this_job",
            "expireHIT", "pay_status", "chat_message", "", "error", "x".repeat(300), "__proto__", "connect"};
        int sent = 0;
        for (int i = 0; i < 2000; i++) {
            ProtocolClient from = i % 3 == 0 ? unjoined : w1;
            String event = events[random.nextInt(events.length)];
            if (event.equals("chat_message") && from == w1 || event.equals("pay_status") && from == w1
                    || event.equals("isJobFull") || event.equals("connect")) {
                continue; // valid for w1 or answered with data: not bad input
            }
            from.emitRaw(event, junk(random, from == w1));
            sent++;
        }
        // Every junk event was answered with an error, none with an internal error, and nothing changed.
        // Answers keep coming while the server works through the flood (slowly on a loaded machine):
        // collect until a full second passes without one.
        List<ProtocolClient.Received> answers = new ArrayList<>();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        int seen = -1;
        while (answers.size() != seen && System.nanoTime() < deadline) {
            seen = answers.size();
            Thread.sleep(1000);
            answers.addAll(w1.drain());
            answers.addAll(unjoined.drain());
        }
        assertThat(answers).allSatisfy(r -> {
            assertThat(r.event()).isEqualTo("error");
            assertThat(r.json().getString("code")).isNotEqualTo("internal_error");
        });
        assertThat(answers.size()).isGreaterThan(sent / 2);
        assertThat(sessions.snapshot(s)).isEqualTo(before);
        assertThat(logSize(s)).isEqualTo(log);
        assertThat(w1.connected()).isTrue();
    }

    /** A payload that is wrong: a wrong type, a missing or foreign id, an oversized field. */
    private static Object junk(Random r, boolean joinedAsW1) {
        switch (r.nextInt(9)) {
            case 0:
                return "text";
            case 1:
                return r.nextInt();
            case 2:
                return new JSONArray().put("a").put(r.nextInt());
            case 3:
                return JSONObject.NULL;
            case 4:
                return new JSONObject().put("workerId", r.nextInt()).put("aid", true);
            case 5:
                return new JSONObject().put("worker", "w" + (2 + r.nextInt(3))).put("aid", "a-w2");
            case 6:
                return new JSONObject().put("worker", "w1").put("aid", "z".repeat(200 + r.nextInt(3000)));
            case 7:
                return new JSONObject().put("workerId", "w\u0000" + r.nextInt()).put("aid", " ").put("hit_id", "");
            default:
                return new JSONObject().put("worker", joinedAsW1 ? "w2" : "w1").put("time_waited", "NaN");
        }
    }
}
