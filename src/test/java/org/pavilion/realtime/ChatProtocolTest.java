package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.HireRequest;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * SPEC §5 over real sockets with the Java Socket.IO client: for every step of a session with the
 * seed's thresholds (2, 1, 3, 3), exactly which connection heard which event and payload, and
 * that the others heard nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
class ChatProtocolTest extends RealtimeTestSupport {

    static final Thresholds SEED = new Thresholds(2, 1, 3, 3);

    @Test
    void seedThresholdsFromFirstArrivalToStop() throws Exception {
        long s = openSession(SEED, 30, "HIT-WALK");
        ProtocolClient w1 = seedPage("w1", "websocket");
        ProtocolClient w2 = seedPage("w2", "polling");
        ProtocolClient w3 = seedPage("w3", "websocket");
        ProtocolClient w4 = seedPage("w4", "websocket");
        ProtocolClient stranger = seedPage("stranger", "websocket"); // connected, never joins
        ProtocolClient admin = admin(s);
        List<ProtocolClient> all = List.of(w1, w2, w3, w4, stranger, admin);

        // 1. w1 arrives: waits.
        w1.emit("connected", acceptedJoin("w1", "a1", "HIT-WALK"));
        w1.expect("update_worker_count", "{count:1,max_count:3}");
        w1.expect("workers_status", "{waiting:1,active:0}");
        admin.expect("update_worker_count", "{count:1,max_count:3}");
        admin.expect("workers_status", "{waiting:1,active:0}");
        quiet(all);

        // 2. w2 arrives: minActive reached, the session starts, both are promoted.
        w2.emit("connected", acceptedJoin("w2", "a2", "HIT-WALK"));
        w1.expect("start_your_task", "{message:['w1']}");
        w2.expect("start_your_task", "{message:['w2']}");
        for (ProtocolClient c : List.of(w1, w2, admin)) {
            c.expect("update_worker_count", "{count:0,max_count:3}");
            c.expect("workers_status", "{waiting:0,active:2}");
        }
        quiet(all);

        // 3. w3 arrives: waiting 1 is not above minWaiting 1, so it waits.
        w3.emit("connected", acceptedJoin("w3", "a3", "HIT-WALK"));
        for (ProtocolClient c : List.of(w1, w2, w3, admin)) {
            c.expect("update_worker_count", "{count:1,max_count:3}");
            c.expect("workers_status", "{waiting:1,active:2}");
        }
        quiet(all);

        // 4. w4 arrives: a move is possible, the oldest waiting worker (w3) is promoted.
        w4.emit("connected", acceptedJoin("w4", "a4", "HIT-WALK"));
        w3.expect("start_your_task", "{message:['w3']}");
        for (ProtocolClient c : List.of(w1, w2, w3, w4, admin)) {
            c.expect("update_worker_count", "{count:1,max_count:3}");
            c.expect("workers_status", "{waiting:1,active:3}");
        }
        quiet(all);
        w1.emit("IAmReady", workerPayload("w1", "a1", "HIT-WALK").put("time_waited", 12).put("reward", "0.02"));
        w3.emit("IAmReady", workerPayload("w3", "a3", "HIT-WALK").put("time_waited", 30).put("reward", "0.06"));
        quiet(all); // IAmReady changes no queue: nobody is told anything

        // 5. w1 submits while active: nobody can move up (waiting 1 = minWaiting), one hire.
        w1.emit("submit_active", workerPayload("w1", "a1", "HIT-WALK"));
        for (ProtocolClient c : List.of(w2, w3, w4, admin)) {
            c.expect("update_worker_count", "{count:1,max_count:3}");
            c.expect("workers_status", "{waiting:1,active:2}");
        }
        quiet(all); // w1 left: it hears no more of the session
        // The page's submit spends nothing until MTurk confirms it (its AssignmentSubmitted notification).
        assertThat(store.hireRequests(s)).isEmpty();
        sessions.submit(s, new QueueEvent.Leave("w1", "a1", Departure.SUBMIT), "marketplace", "AssignmentSubmitted")
                .join();
        assertThat(store.hireRequests(s)).extracting(HireRequest::number).containsExactly(1);
        quiet(all); // a confirmation changes no queue

        // 6. The admin stops the job: every remaining worker of the session is told to submit.
        admin.emit("stop_this_job", new JSONObject());
        for (ProtocolClient c : List.of(w2, w3, w4, admin)) {
            c.expect("stop", "{}");
        }
        quiet(all);

        // 7. Their pages submit; after a stop no one is promoted or hired.
        w4.emit("submit_waiting", workerPayload("w4", "a4", "HIT-WALK").put("time_waited", 5).put("reward", 0.01));
        for (ProtocolClient c : List.of(w2, w3, admin)) {
            c.expect("update_worker_count", "{count:0,max_count:3}");
            c.expect("workers_status", "{waiting:0,active:2}");
        }
        quiet(all);
        QueueSnapshot snap = sessions.snapshot(s);
        assertThat(snap.active()).containsExactly("w2", "w3");
        assertThat(snap.waiting()).isEmpty();
        assertThat(snap.stopped()).isTrue();
        assertThat(snap.workers().get("w1").status()).isEqualTo(WorkerStatus.SUBMITTED);
        assertThat(snap.workers().get("w4").status()).isEqualTo(WorkerStatus.SUBMITTED);
        assertThat(snap.workers().get("w1").ready()).isTrue();
        assertThat(store.hireRequests(s)).hasSize(1);
    }

    @Test
    void aFullSessionTellsOnlyTheNewcomerToReturnTheHit() throws Exception {
        long s = openSession(new Thresholds(1, 0, 1, 1), 30, "HIT-FULL");
        ProtocolClient a = seedPage("a", "websocket");
        ProtocolClient b = seedPage("b", "websocket");
        ProtocolClient c = seedPage("c", "websocket");
        a.emit("connected", acceptedJoin("a", "aa", "HIT-FULL"));
        a.expect("start_your_task", "{message:['a']}");
        a.expect("update_worker_count", "{count:0,max_count:1}");
        a.expect("workers_status", "{waiting:0,active:1}");
        b.emit("connected", acceptedJoin("b", "ab", "HIT-FULL"));
        a.expect("update_worker_count", "{count:1,max_count:1}");
        a.expect("workers_status", "{waiting:1,active:1}");
        b.expect("update_worker_count", "{count:1,max_count:1}");
        b.expect("workers_status", "{waiting:1,active:1}");

        c.emit("connected", acceptedJoin("c", "ac", "HIT-FULL"));
        JSONObject full = c.expect("job_is_full");
        assertThat(full.getString("id")).isEqualTo("c");
        assertThat(full.getString("message")).contains("full");
        quiet(List.of(a, b, c));

        c.emit("isJobFull", new JSONObject().put("workerId", "c"));
        c.expect("job_is_full");
        quiet(List.of(a, b, c));
        assertThat(sessions.snapshot(s).workers()).doesNotContainKey("c");
    }

    @Test
    void aReloadOrSecondTabKeepsItsPlaceAndGetsItsStateAgain() throws Exception {
        long s = openSession(SEED, 30, "HIT-RELOAD");
        ProtocolClient w1 = seedPage("w1", "websocket");
        ProtocolClient w2 = seedPage("w2", "websocket");
        w1.emit("connected", acceptedJoin("w1", "a1", "HIT-RELOAD"));
        w1.expect("update_worker_count");
        w1.expect("workers_status");
        w2.emit("connected", acceptedJoin("w2", "a2", "HIT-RELOAD"));
        w1.expect("start_your_task");
        w1.expect("update_worker_count");
        w1.expect("workers_status");
        w2.expect("start_your_task");
        w2.expect("update_worker_count");
        w2.expect("workers_status");

        ProtocolClient tab = seedPage("w1-second-tab", "websocket");
        tab.emit("connected", acceptedJoin("w1", "a1", "HIT-RELOAD"));
        // The worker's own connections (both tabs) get its state again; w2 hears nothing.
        for (ProtocolClient c : List.of(w1, tab)) {
            c.expect("update_worker_count", "{count:0,max_count:3}");
            c.expect("workers_status", "{waiting:0,active:2}");
            c.expect("start_your_task", "{message:['w1']}");
        }
        quiet(List.of(w1, w2, tab));
        assertThat(sessions.snapshot(s).active()).containsExactly("w1", "w2");
    }

    /** Issue 13 item 4: a socket thread never waits on a stalled session writer for long. */
    @Test
    void aStalledSessionWriterHoldsNoConnectionThreadReadsComeFromTheCommittedStateAndWaitsEndInTryAgain()
            throws Exception {
        long s = openSession(SEED, 30, "HIT-STALL");
        ProtocolClient w1 = seedPage("w1", "websocket");
        ProtocolClient w2 = seedPage("w2", "websocket");
        w1.emit("connected", acceptedJoin("w1", "a1", "HIT-STALL"));
        w2.emit("connected", acceptedJoin("w2", "a2", "HIT-STALL"));
        w1.skipUntil("start_your_task", "{message:['w1']}");
        w2.skipUntil("start_your_task", "{message:['w2']}");
        w1.skipUntil("workers_status", "{waiting:0,active:2}");
        w2.skipUntil("workers_status", "{waiting:0,active:2}");

        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        sessions.read(s, engine -> { // the session's writer is stuck (as under a commit to a stalled database)
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        try {
            // Task logic reads the published state: the chat goes through while the writer is stuck.
            w1.emit("chat_message", new JSONObject().put("text", "hello"));
            assertThat(w2.expect("chat_message").getString("text")).isEqualTo("hello");
            assertThat(w1.expect("chat_message").getBoolean("mine")).isTrue();
            // A read that needs the writer waits at most ChatProtocol.SOCKET_WAIT, then says try again.
            w1.emit("pay_status", new JSONObject());
            JSONObject refused = w1.expect("error");
            assertThat(refused.getString("code")).isEqualTo("try_again");
            assertThat(refused.getString("event")).isEqualTo("pay_status");
        } finally {
            release.countDown();
        }
        w1.emit("pay_status", new JSONObject());
        assertThat(w1.expect("pay_status").getInt("cents_per_hour")).isEqualTo(725);
    }

    @Test
    void aPageServedByPavilionProvesItsWorker() throws Exception {
        long s = openSession(SEED, 30, "HIT-SIGNED");
        ProtocolClient page = signedPage("signed", new WorkerIdentity(s, "w1", "a1", "HIT-SIGNED"), "websocket");
        page.emit("connected", acceptedJoin("w1", "a1", "HIT-SIGNED"));
        page.expect("update_worker_count", "{count:1,max_count:3}");
        page.expect("workers_status", "{waiting:1,active:0}");

        // A seed-style page claiming the same worker is refused: w1 proved itself with a signed page.
        ProtocolClient impostor = seedPage("impostor", "websocket");
        impostor.emit("connected", acceptedJoin("w1", "a1", "HIT-SIGNED"));
        assertThat(impostor.expect("error").getString("code")).isEqualTo("not_your_worker");
        quiet(List.of(page, impostor));
        assertThat(sessions.snapshot(s).waiting()).containsExactly("w1");
    }

    @Test
    void payStatusIsComputedOnTheServer() throws Exception {
        long s = openSession(SEED, 30, "HIT-PAY");
        ProtocolClient w1 = seedPage("w1", "websocket");
        w1.emit("connected", acceptedJoin("w1", "a1", "HIT-PAY"));
        w1.expect("update_worker_count");
        w1.expect("workers_status");
        w1.emit("pay_status", new JSONObject().put("waited_seconds", 99999).put("pay_cents", 99999));
        JSONObject pay = w1.expect("pay_status");
        assertThat(pay.getInt("cents_per_hour")).isEqualTo(725);
        assertThat(pay.getLong("waited_seconds")).isBetween(0L, 5L);
        assertThat(pay.getLong("pay_cents")).isBetween(0L, 1L);
        assertThat(sessions.snapshot(s).waiting()).containsExactly("w1");
    }

    @Test
    void aReloadWithinTheGracePeriodKeepsThePlaceAndASilentDropFreesTheSlot() throws Exception {
        long s = openSession(SEED, 1, "HIT-GRACE");
        ProtocolClient w1 = seedPage("w1", "websocket");
        ProtocolClient w2 = seedPage("w2", "websocket");
        ProtocolClient w3 = seedPage("w3", "websocket");
        ProtocolClient w4 = seedPage("w4", "websocket");
        for (ProtocolClient c : List.of(w1, w2, w3, w4)) {
            c.emit("connected", acceptedJoin(c.name, "a-" + c.name, "HIT-GRACE"));
            await().atMost(Duration.ofSeconds(5)).until(() -> sessions.snapshot(s).workers().containsKey(c.name));
        }
        assertThat(sessions.snapshot(s).active()).containsExactly("w1", "w2", "w3");
        assertThat(sessions.snapshot(s).waiting()).containsExactly("w4");

        // w4 reloads its page quickly: same place, nothing freed.
        w4.close();
        ProtocolClient w4again = seedPage("w4-reloaded", "websocket");
        w4again.emit("connected", acceptedJoin("w4", "a-w4", "HIT-GRACE"));
        w4again.expect("update_worker_count", "{count:1,max_count:3}");
        w4again.expect("workers_status", "{waiting:1,active:3}");
        Thread.sleep(1500); // past the grace period: the reloaded worker must still be there
        assertThat(sessions.snapshot(s).waiting()).containsExactly("w4");

        // w5 arrives so that a move will be possible once an active slot frees.
        ProtocolClient w5 = seedPage("w5", "websocket");
        w5.emit("connected", acceptedJoin("w5", "a-w5", "HIT-GRACE"));
        w4again.expect("update_worker_count", "{count:2,max_count:3}");
        w4again.expect("workers_status", "{waiting:2,active:3}");

        // w1 drops and does not come back: after the grace period its slot goes to w4, the oldest waiting.
        w1.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> sessions.snapshot(s).workers().get("w1").status() == WorkerStatus.DISCONNECTED);
        assertThat(sessions.snapshot(s).active()).containsExactly("w2", "w3", "w4");
        w4again.expect("start_your_task", "{message:['w4']}");
    }

    @org.springframework.beans.factory.annotation.Autowired
    Connections connections;
    @org.springframework.beans.factory.annotation.Autowired
    DisconnectGrace grace;
    @org.springframework.beans.factory.annotation.Autowired
    org.pavilion.tasklogic.GroupChat chat;

    /**
     * Issue 13 item 6: once an ended session goes idle, the channel and the chat keep nothing of it (worker
     * generations, token holders, grace timers, aliases, chat allowances), and its workers' pages are refused.
     */
    @Test
    void anEndedSessionLeavesNothingOfItsWorkersInMemoryOnceIdle() throws Exception {
        long s = openSession(SEED, 30, "HIT-ENDS");
        ProtocolClient w1 = seedPage("w1", "websocket");
        ProtocolClient w2 = seedPage("w2", "websocket");
        w1.emit("connected", acceptedJoin("w1", "a1", "HIT-ENDS"));
        w2.emit("connected", acceptedJoin("w2", "a2", "HIT-ENDS"));
        w1.skipUntil("workers_status", "{waiting:0,active:2}");
        w2.skipUntil("workers_status", "{waiting:0,active:2}");
        w1.emit("chat_message", new JSONObject().put("text", "hi"));
        w2.skipUntil("chat_message", "{from:'Worker 1',text:'hi',mine:false}");
        w2.close(); // its grace timer runs
        int entriesBefore = connections.workerEntries() + grace.workerEntries();
        int chatsBefore = chat.sessionsKept();
        assertThat(chatsBefore).isPositive();

        sessions.apply(s, new QueueEvent.Expire("admin"), "admin:admin");
        w1.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            sessions.sleepEndedSessions(Duration.ZERO);
            assertThat(connections.workerEntries() + grace.workerEntries())
                    .as("per-worker entries of the ended session").isLessThanOrEqualTo(entriesBefore - 3);
            assertThat(chat.sessionsKept()).isEqualTo(chatsBefore - 1);
        });

        ProtocolClient late = seedPage("late", "websocket");
        late.emit("connected", joinPayload("w3", "a3", "HIT-ENDS"));
        assertThat(late.expect("error").getString("code")).isEqualTo("session_ended");
        assertThat(connections.generation(new Connections.WorkerKey(s, "w3"))).isZero();
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    /** The event log states the server's wait and pay for IAmReady; the page's zeros only as a comparison. */
    @Test
    void iAmReadyIsLoggedWithTheServersWaitAndPay() throws Exception {
        long s = openSession(new Thresholds(2, 0, 2, 3), 30, "HIT-READY");
        ProtocolClient w1 = seedPage("r1", "websocket");
        ProtocolClient w2 = seedPage("r2", "websocket");
        w1.emit("connected", acceptedJoin("r1", "ar1", "HIT-READY"));
        w1.expect("update_worker_count");
        w1.expect("workers_status");
        Thread.sleep(1200); // r1 waits a little over a second on the server's clock
        w2.emit("connected", acceptedJoin("r2", "ar2", "HIT-READY"));
        w1.expect("start_your_task", "{message:['r1']}");
        w1.emit("IAmReady", workerPayload("r1", "ar1", "HIT-READY").put("time_waited", 0).put("reward", 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> !details(s, "worker:r1").isEmpty());
        String detail = details(s, "worker:r1").get(0);
        assertThat(detail).matches("server: paid wait [1-9]\\d* s, waiting pay \\$\\d+\\.\\d\\d; "
                + "the page's own figures \\(not used for pay\\): waited 0 s, reward 0");
        assertThat(detail).doesNotContain("client reported");
    }

    private List<String> details(long session, String actor) {
        return jdbc.queryForList("select detail from session_event where session_id = ? and actor = ? "
                + "and detail like 'server:%' order by seq", String.class, session, actor);
    }
}
