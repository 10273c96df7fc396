package org.pavilion.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.local.FaultInjector;
import org.pavilion.marketplace.local.FaultInjector.Fault;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.AssignmentView;
import org.pavilion.marketplace.local.LocalMarketplace.HitView;
import org.pavilion.marketplace.mturk.ExternalQuestionXml;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.realtime.ProtocolClient;
import org.pavilion.session.HireRequest;
import org.pavilion.session.LiveSessionService;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Issue 4 end to end on the local marketplace, over real HTTP and real sockets: go live (the MTurk
 * client posts the HIT to the local marketplace, which checks its signatures), workers accept and
 * connect, the marketplace's signed SNS notification of a return reaches /api/from_mturk and rule
 * 4.2.3 promotes the next waiting worker; a submit hires through the outbox, which posts a new HIT.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=200ms",
                      "pavilion.marketplace.client.base-delay=10ms", "pavilion.marketplace.client.max-delay=50ms"})
class MarketplaceEndToEndTest {

    @LocalServerPort
    int port;
    @Autowired
    MarketplaceService market;
    @Autowired
    LocalMarketplace local;
    @Autowired
    FaultInjector faults;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    JdbcSessionStore store;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    ObjectProvider<Marketplace> marketplace;
    @Autowired
    HireDispatcher dispatcher;

    @Autowired
    ObjectProvider<LiveSessionService> sessionsProvider;

    private final List<ProtocolClient> clients = new java.util.ArrayList<>();

    @AfterEach
    void cleanUp() {
        faults.clear();
        clients.forEach(ProtocolClient::close);
    }

    private ProtocolClient workerPage(String name) throws InterruptedException {
        ProtocolClient client = ProtocolClient.connect(name, port, null, null, "websocket");
        clients.add(client);
        return client;
    }

    /** The session's HITs at the marketplace, told apart by the token Pavilion annotates each with. */
    private List<HitView> hitsOf(long sessionId) {
        return local.hits().stream().filter(h -> h.requesterAnnotation() != null
                && h.requesterAnnotation().contains("-s" + sessionId + "-")).toList();
    }

    private long task(Thresholds thresholds) {
        long project = projects.create("Marketplace e2e", "", Instant.now()).id();
        TaskSettings basic = TaskSettings.basic("Steer a robot together", "A live task for several workers",
                "http://localhost:" + port + "/waiting_task", 50, thresholds);
        return tasks.create(project, basic, Instant.now()).id();
    }

    @Test
    void anAcceptanceOfAHitNotYetRecordedIsConfirmedFromTheHitsAnnotation() throws Exception {
        MarketplaceService.Posted posted = market.goLive(task(new Thresholds(1, 0, 1, 2)), "admin@lab");
        long s = posted.sessionId();
        String hitTypeId = store.hitTypeOf(s).orElseThrow();
        // A hire's HIT just posted, its record not written yet (CreateHIT answered, the outbox not settled).
        String token = "pav-" + store.instanceId() + "-s" + s + "-h77";
        Marketplace.Hit fresh = marketplace.getObject().createHit(hitTypeId,
                new Marketplace.HitSpec(3600, 1, ExternalQuestionXml.of("http://localhost:" + port + "/waiting_task",
                        0), token), token);
        // (Its HITCreated notification may record it from its annotation before the acceptance below does:
        // either way the record comes from the annotation, since the outbox never settled this token.)

        // A worker accepts it at once: its AssignmentAccepted notification confirms it all the same.
        AssignmentView a = local.accept("W-FRESH", fresh.hitId());
        await().atMost(Duration.ofSeconds(10)).until(() ->
                sessions.read(s, e -> e.isConfirmedFor("W-FRESH", a.assignmentId(), fresh.hitId())).join());
        assertThat(store.findSessionByHit(fresh.hitId())).contains(s);
        ProtocolClient page = workerPage("W-FRESH");
        page.emit("connected", new JSONObject().put("workerId", "W-FRESH").put("aid", a.assignmentId())
                .put("hit_id", fresh.hitId()));
        page.expect("start_your_task", "{message:['W-FRESH']}");

        // A HIT of the same type whose annotation names no session of this installation confirms nothing.
        String foreignToken = "someone-elses-request-" + s;
        Marketplace.Hit foreign = marketplace.getObject().createHit(hitTypeId,
                new Marketplace.HitSpec(3600, 1, ExternalQuestionXml.of("http://localhost:" + port + "/waiting_task",
                        0), foreignToken), foreignToken);
        AssignmentView b = local.accept("W-FOREIGN", foreign.hitId());
        Thread.sleep(500);
        assertThat(sessions.read(s, e -> e.isConfirmed(b.assignmentId())).join()).isFalse();
        assertThat(store.findSessionByHit(foreign.hitId())).isEmpty();
    }

    @Test
    void goLiveAcceptConnectReturnPromotesSubmitHires() throws Exception {
        MarketplaceService.Posted posted = market.goLive(task(new Thresholds(1, 0, 1, 2)), "admin@lab");
        long s = posted.sessionId();
        HitView hit = local.getHit(posted.hitId());
        assertThat(hit.maxAssignments()).isEqualTo(3); // maxActive + maxWaiting
        assertThat(hit.externalUrl()).isEqualTo("http://localhost:" + port + "/waiting_task");
        assertThat(hit.reward()).isEqualByComparingTo("0.50");

        // Two workers accept at the marketplace and open the task page: w1 starts, w2 waits.
        AssignmentView a1 = local.accept("W1", posted.hitId());
        AssignmentView a2 = local.accept("W2", posted.hitId());
        ProtocolClient w1 = workerPage("W1");
        ProtocolClient w2 = workerPage("W2");
        w1.emit("connected", new JSONObject().put("workerId", "W1").put("aid", a1.assignmentId())
                .put("hit_id", posted.hitId()));
        w1.expect("start_your_task", "{message:['W1']}");
        w2.emit("connected", new JSONObject().put("workerId", "W2").put("aid", a2.assignmentId())
                .put("hit_id", posted.hitId()));
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.snapshot(s).waiting().equals(List.of("W2")));

        // W1 returns its HIT at the marketplace: the signed notification promotes W2 (SPEC 4.2.3), no hire.
        local.returnAssignment(a1.assignmentId());
        w2.skipUntil("start_your_task", "{message:['W2']}");
        assertThat(sessions.snapshot(s).workers().get("W1").status()).isEqualTo(WorkerStatus.RETURNED);
        assertThat(sessions.snapshot(s).active()).containsExactly("W2");
        assertThat(store.hireRequests(s)).isEmpty();

        // W2 submits: the page tells Pavilion and posts to the marketplace; a hire posts one new HIT.
        w2.emit("submit_active", new JSONObject().put("worker", "W2").put("aid", a2.assignmentId())
                .put("hit_id", posted.hitId()));
        local.submit(a2.assignmentId(), Map.of("stage", "active"));
        await().atMost(Duration.ofSeconds(15)).until(() -> store.hireRequests(s).stream()
                .anyMatch(h -> h.state() == HireRequest.State.DONE));
        HireRequest hire = store.hireRequests(s).get(0);
        assertThat(store.hireRequests(s)).hasSize(1);
        HitView hired = local.getHit(store.hireRequestHitId(s, 1).orElseThrow());
        assertThat(hired.hitTypeId()).isEqualTo(posted.hitTypeId());
        assertThat(hired.maxAssignments()).isEqualTo(1);
        assertThat(hired.requesterAnnotation()).isEqualTo(hire.token());
        assertThat(store.sessionHits(s)).containsExactly(posted.hitId(), hired.hitId());
        // The marketplace's late notification of the submit changes nothing more.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> store.hireRequests(s).size() == 1);

        // Expiring the session expires both HITs at the marketplace.
        sessions.apply(s, new QueueEvent.Expire("admin@lab"), "admin:admin@lab");
        await().atMost(Duration.ofSeconds(10)).until(() -> local.getHit(posted.hitId()).expiration()
                .isBefore(Instant.now()) && local.getHit(hired.hitId()).expiration().isBefore(Instant.now()));
    }

    @Test
    void aWorkerWhosePageDisconnectsIsReplacedByExactlyOneHire() throws Exception {
        // One active place, no waiting one, and a one-second disconnect grace period.
        long project = projects.create("Marketplace e2e", "", Instant.now()).id();
        TaskSettings basic = TaskSettings.basic("Steer a robot together", "A live task for several workers",
                "http://localhost:" + port + "/waiting_task", 50, new Thresholds(1, 0, 1, 1));
        TaskSettings quickGrace = new TaskSettings(basic.title(), basic.description(), basic.keywords(),
                basic.rewardCents(), basic.assignmentDurationSeconds(), basic.lifetimeSeconds(),
                basic.autoApprovalDelaySeconds(), basic.country(), basic.minApprovalPercent(), basic.minApprovedHits(),
                basic.externalUrl(), basic.frameHeight(), basic.thresholds(), false, basic.waitingPayCentsPerHour(), 1);
        MarketplaceService.Posted posted = market.goLive(tasks.create(project, quickGrace, Instant.now()).id(),
                "admin@lab");
        long s = posted.sessionId();

        AssignmentView a1 = local.accept("W1", posted.hitId());
        ProtocolClient w1 = workerPage("W1");
        w1.emit("connected", new JSONObject().put("workerId", "W1").put("aid", a1.assignmentId())
                .put("hit_id", posted.hitId()));
        w1.expect("start_your_task", "{message:['W1']}");
        assertThat(store.hireRequests(s)).isEmpty();

        // The page goes away and does not come back: after the grace period W1 is disconnected, its assignment
        // still held ("Accepted") at the marketplace, and the session is at 0 waiting / 0 active.
        w1.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> sessions.snapshot(s).workers().get("W1").status() == WorkerStatus.DISCONNECTED);
        assertThat(local.assignment(a1.assignmentId()).orElseThrow().status())
                .isEqualTo(LocalMarketplace.AssignmentStatus.ACCEPTED);

        // The hire dispatcher posts exactly one new one-assignment HIT in its place.
        await().atMost(Duration.ofSeconds(15)).until(() -> store.hireRequests(s).stream()
                .anyMatch(h -> h.state() == HireRequest.State.DONE));
        List<HireRequest> hires = store.hireRequests(s);
        assertThat(hires).hasSize(1);
        assertThat(hires.get(0).causeWorkerId()).isEqualTo("W1");
        HitView hired = local.getHit(store.hireRequestHitId(s, 1).orElseThrow());
        assertThat(hired.hitTypeId()).isEqualTo(posted.hitTypeId());
        assertThat(hired.maxAssignments()).isEqualTo(1);
        assertThat(store.sessionHits(s)).containsExactly(posted.hitId(), hired.hitId());
        assertThat(hitsOf(s)).hasSize(2);

        // A new worker takes the hired HIT and fills the place.
        AssignmentView a2 = local.accept("W2", hired.hitId());
        ProtocolClient w2 = workerPage("W2");
        w2.emit("connected", new JSONObject().put("workerId", "W2").put("aid", a2.assignmentId())
                .put("hit_id", hired.hitId()));
        w2.expect("start_your_task", "{message:['W2']}");

        // W1's assignment is submitted at the marketplace later: its replacement was hired already, none again.
        local.submit(a1.assignmentId(), Map.of("stage", "active"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> sessions.snapshot(s).workers().get("W1").status() == WorkerStatus.SUBMITTED);
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3))
                .until(() -> store.hireRequests(s).size() == 1 && hitsOf(s).size() == 2);
    }

    @Test
    void aFlakyMarketplaceStillGetsEachHireExactlyOnce() throws Exception {
        MarketplaceService.Posted posted = market.goLive(task(new Thresholds(1, 0, 2, 2)), "admin@lab");
        long s = posted.sessionId();
        // Outages, throttling and a lost answer (the HIT was made, the client never heard) before success.
        faults.failNext("CreateHITWithHITType", 2, Fault.HTTP_503);
        faults.failNext("CreateHITWithHITType", 2, Fault.THROTTLING);
        faults.failNext("CreateHITWithHITType", 1, Fault.LOST_RESPONSE);
        for (String w : List.of("A", "B", "C")) {
            ConfirmedArrivals.arrive(sessions, s, w, "asg-" + w, "worker:" + w);
        }
        // A's hire alone meets the faults (hires are sent in parallel: three at once would share them out, and
        // the client's own retries could absorb them all); B's and C's are decided once it is made.
        sessions.apply(s, new QueueEvent.Leave("A", null, QueueEvent.Departure.SUBMIT), "worker:A");
        await().atMost(Duration.ofSeconds(30)).until(() -> store.hireRequests(s).stream()
                .allMatch(h -> h.state() == HireRequest.State.DONE));
        for (String w : List.of("B", "C")) {
            sessions.apply(s, new QueueEvent.Leave(w, null, QueueEvent.Departure.SUBMIT), "worker:" + w);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> store.hireRequests(s).size() == 3 && store.hireRequests(s)
                .stream().allMatch(h -> h.state() == HireRequest.State.DONE));
        List<HireRequest> hires = store.hireRequests(s);
        assertThat(hires).hasSize(3);
        List<HitView> hitsOfSession = hitsOf(s);
        assertThat(hitsOfSession).hasSize(4); // the first HIT and exactly one per hire
        assertThat(hitsOfSession.stream().map(HitView::requesterAnnotation).distinct()).hasSize(4);
        assertThat(hires.stream().mapToInt(HireRequest::attempts).sum()).isGreaterThan(3);
    }

    @Test
    @DirtiesContext(methodMode = DirtiesContext.MethodMode.AFTER_METHOD) // it stops the context's dispatcher
    void aCrashBeforeOrDuringSendingIsFollowedByExactlyOneHirePerDecision() throws Exception {
        MarketplaceService.Posted posted = market.goLive(task(new Thresholds(1, 0, 2, 2)), "admin@lab");
        long s = posted.sessionId();
        dispatcher.close(); // from here on, the process that decided the hires is "dead"

        for (String w : List.of("A", "B")) {
            ConfirmedArrivals.arrive(sessions, s, w, "asg-" + w, "worker:" + w);
            sessions.apply(s, new QueueEvent.Leave(w, null, QueueEvent.Departure.SUBMIT), "worker:" + w);
        }
        List<HireRequest> decided = store.hireRequests(s);
        assertThat(decided).extracting(HireRequest::state)
                .containsExactly(HireRequest.State.REQUESTED, HireRequest.State.REQUESTED);
        // Hire 1 died between sending and recording: SENT, and the marketplace made its HIT.
        HireRequest first = decided.get(0);
        store.updateHireRequest(s, 1, HireRequest.State.SENT, 1, null, null);
        var task = tasks.find(sessions.config(s).taskId()).orElseThrow();
        String madeBeforeTheCrash = marketplace.getObject().createHit(posted.hitTypeId(),
                MarketplaceService.hit(task.settings(), 1, first.token()), first.token()).hitId();
        // Hire 2 died between the commit and the send: REQUESTED, nothing at the marketplace.

        HireDispatcher restarted = new HireDispatcher(SessionMarketplace.single(marketplace), sessionsProvider, store, tasks,
                Clock.systemUTC(), Duration.ofSeconds(60), Duration.ofSeconds(1));
        restarted.dispatchPending();

        assertThat(store.hireRequests(s)).extracting(HireRequest::state)
                .containsExactly(HireRequest.State.DONE, HireRequest.State.DONE);
        assertThat(store.hireRequestHitId(s, 1)).contains(madeBeforeTheCrash); // the same HIT, not a second one
        List<HitView> hitsOfSession = hitsOf(s);
        assertThat(hitsOfSession).hasSize(3); // the first HIT and exactly one per hire

        restarted.dispatchPending(); // nothing pending: nothing sent again
        assertThat(hitsOf(s)).hasSize(3);
        restarted.close();
    }

    @Test
    void aLostAnswerToTheGoLivePostStillGivesTheSessionItsOneHit() {
        // The client's own retry gets the reused-token error, which names no HIT: the HIT is found by its annotation.
        faults.failNext("CreateHITWithHITType", 1, Fault.LOST_RESPONSE);
        MarketplaceService.Posted posted = market.goLive(task(new Thresholds(1, 0, 1, 1)), "admin@lab");
        long s = posted.sessionId();

        assertThat(hitsOf(s)).extracting(HitView::hitId).containsExactly(posted.hitId());
        assertThat(store.sessionHits(s)).containsExactly(posted.hitId());
        assertThat(sessions.snapshot(s).expired()).isFalse();
    }

    @Test
    void aRefusedPostEndsTheSessionAtOnceAndSaysWhy() {
        faults.failNext("CreateHITWithHITType", 1, Fault.SERVICE_FAULT);
        faults.failNext("CreateHITWithHITType", 10, Fault.HTTP_500);
        long taskId = task(new Thresholds(1, 0, 1, 1));
        assertThatThrownBy(() -> market.goLive(taskId, "admin@lab")).isInstanceOf(MarketplaceException.class);
        long s = sessions.sessionIds().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(sessions.config(s).taskId()).isEqualTo(taskId);
        assertThat(sessions.snapshot(s).expired()).isTrue();
    }
}
