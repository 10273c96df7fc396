package org.pavilion.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.HitView;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
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
 * Hires of many sessions sent in parallel (issue 15): each request makes exactly one HIT, at most
 * {@code concurrency} CreateHITs are in flight at once and never two of the same request, and one session's
 * backlog does not hold back a hire another session decides meanwhile. The marketplace is the local one over
 * real HTTP; every CreateHIT goes through a hook that counts what is in flight.
 *
 * <p>The context's own dispatcher is stopped; each test runs a dispatcher of its own, its loop started as in
 * production (sends handed out without waiting, each end waking the loop).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem", "pavilion.marketplace.reconcile-interval=0"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS) // its own dispatcher is stopped
class HireFanOutTest {

    @LocalServerPort
    int port;
    @Autowired
    MarketplaceService market;
    @Autowired
    LocalMarketplace local;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    ObjectProvider<LiveSessionService> sessionsProvider;
    @Autowired
    JdbcSessionStore store;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    ObjectProvider<Marketplace> marketplace;
    @Autowired
    HireDispatcher contextDispatcher;

    private HireDispatcher dispatcher;
    /** The tokens of the CreateHITs in flight right now, and the most that ever were at once. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    /** A token sent while a send of it was still in flight (none may be). */
    private final List<String> overlapping = Collections.synchronizedList(new ArrayList<>());
    /** CreateHIT calls per token, and the tokens in the order their calls began. */
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<String> order = Collections.synchronizedList(new ArrayList<>());
    /** Run at the start of each CreateHIT (after it is counted), before it goes to the marketplace. */
    private volatile java.util.function.Consumer<String> beforeCreate = token -> { };

    @BeforeEach
    void takeOverTheOutbox() {
        contextDispatcher.close();
    }

    @AfterEach
    void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        // what a test left unsent is no other test's business
        for (HireRequest h : store.pendingHireRequests()) {
            store.updateHireRequest(h.sessionId(), h.number(), HireRequest.State.FAILED, h.attempts(), "test over", null);
        }
    }

    private HireDispatcher dispatcher(int concurrency) {
        Marketplace hooked = SideEffectKillDriver.hooked(marketplace.getObject(), (method, args, proceed) -> {
            if (!method.equals("createHit")) {
                return proceed.call();
            }
            String token = (String) args[2];
            if (!inFlight.add(token)) {
                overlapping.add(token);
            }
            mostInFlight.accumulateAndGet(inFlight.size(), Math::max);
            calls.computeIfAbsent(token, t -> new AtomicInteger()).incrementAndGet();
            order.add(token);
            try {
                beforeCreate.accept(token);
                return proceed.call();
            } finally {
                inFlight.remove(token);
            }
        });
        dispatcher = new HireDispatcher(id -> hooked, sessionsProvider, store, tasks, Clock.systemUTC(),
                Duration.ofSeconds(1), Duration.ofSeconds(1), HireDispatcher.TokenLookup.defaults(), concurrency);
        return dispatcher;
    }

    private MarketplaceService.Posted goLive(String name) {
        long project = projects.create(name, "", Instant.now()).id();
        TaskSettings basic = TaskSettings.basic("Steer a robot together", "A live task for several workers",
                "http://localhost:" + port + "/waiting_task", 50, new Thresholds(1, 0, 2, 2));
        return market.goLive(tasks.create(project, basic, Instant.now()).id(), "admin@lab");
    }

    /** Workers arrive one after the other and each submits (confirmed): the session decides {@code n} hires. */
    private void decideHires(long s, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            String worker = prefix + i;
            ConfirmedArrivals.arrive(sessions, s, worker, "asg-" + worker, "worker:" + worker);
            sessions.apply(s, new QueueEvent.Leave(worker, null, QueueEvent.Departure.SUBMIT), "worker:" + worker);
        }
        assertThat(store.hireRequests(s)).hasSize(n).allMatch(h -> h.state() == HireRequest.State.REQUESTED);
    }

    private List<HitView> annotated(String token) {
        return local.hits().stream().filter(h -> token.equals(h.requesterAnnotation())).toList();
    }

    @Test
    void manyHiresOfManySessionsAreEachMadeOnceWithSendsInParallel() {
        int concurrency = 4;
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            long s = goLive("Fan-out " + i).sessionId();
            decideHires(s, "w" + i + "-", 6);
            all.add(s);
        }
        // The first CreateHITs wait until `concurrency` of them are in flight together: with sends one at a
        // time, the latch would never open and no hire would have been sent in parallel.
        CountDownLatch together = new CountDownLatch(concurrency);
        AtomicInteger timedOut = new AtomicInteger();
        beforeCreate = token -> {
            together.countDown();
            try {
                if (!together.await(30, TimeUnit.SECONDS)) {
                    timedOut.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        dispatcher(concurrency).start();

        await().atMost(Duration.ofSeconds(60)).until(() -> all.stream().flatMap(s -> store.hireRequests(s).stream())
                .allMatch(h -> h.state() == HireRequest.State.DONE));

        assertThat(timedOut).as("CreateHITs were in flight together").hasValue(0);
        assertThat(mostInFlight).as("never more than the concurrency").hasValue(concurrency);
        assertThat(overlapping).as("no request in flight twice").isEmpty();
        for (long s : all) {
            List<HireRequest> hires = store.hireRequests(s);
            assertThat(hires).hasSize(6);
            for (HireRequest h : hires) {
                assertThat(calls.get(h.token())).as("one CreateHIT for %s", h.token()).hasValue(1);
                List<HitView> made = annotated(h.token());
                assertThat(made).as("one HIT for %s", h.token()).hasSize(1);
                assertThat(store.hireRequestHitId(s, h.number())).contains(made.get(0).hitId());
            }
            assertThat(store.sessionHits(s)).as("the first HIT and one per hire").hasSize(7);
        }
        assertThat(calls).hasSize(48);
    }

    @Test
    void aSessionsBacklogDoesNotHoldBackAHireAnotherSessionDecidesMeanwhile() {
        long busy = goLive("Backlog").sessionId();
        decideHires(busy, "b", 12);
        long quiet = goLive("Quiet").sessionId();
        // One sender. The backlog's first CreateHIT is held until the quiet session has decided its hire.
        CountDownLatch decided = new CountDownLatch(1);
        AtomicInteger first = new AtomicInteger();
        beforeCreate = token -> {
            if (first.getAndIncrement() == 0) {
                try {
                    decided.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        dispatcher(1).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> !order.isEmpty());
        decideHires(quiet, "q", 1);
        decided.countDown();

        await().atMost(Duration.ofSeconds(60)).until(() -> store.hireRequests(busy).stream()
                .allMatch(h -> h.state() == HireRequest.State.DONE)
                && store.hireRequests(quiet).get(0).state() == HireRequest.State.DONE);

        String quietToken = store.hireRequests(quiet).get(0).token();
        String busyFirst = store.hireRequests(busy).get(0).token();
        // Oldest first would send the quiet session's hire after all 12 of the backlog; in turns it goes next.
        assertThat(order).hasSize(13);
        assertThat(order.get(0)).isEqualTo(busyFirst);
        assertThat(order.get(1)).as("the quiet session's hire is sent right after the one in flight")
                .isEqualTo(quietToken);
        assertThat(calls.values()).allMatch(c -> c.get() == 1);
    }

    @Test
    void aStepwiseRoundTakesEachSessionsOldestHireBeforeAnySessionsSecond() {
        long a = goLive("Turns A").sessionId();
        decideHires(a, "a", 5);
        long b = goLive("Turns B").sessionId();
        decideHires(b, "b", 2);
        long c = goLive("Turns C").sessionId();
        decideHires(c, "c", 1);

        List<HireRequest> due = store.dueHireRequests(Instant.now(), 100, 0).stream()
                .filter(h -> Set.of(a, b, c).contains(h.sessionId())).toList();
        assertThat(due).extracting(h -> h.sessionId() + "/" + h.number()).containsExactly(
                a + "/1", b + "/1", c + "/1", a + "/2", b + "/2", a + "/3", a + "/4", a + "/5");
        // A request waiting for its next attempt is not due, and the poll reads no more than its limit.
        store.updateHireRequest(a, 1, HireRequest.State.SENT, 1, "throttled", null, Instant.now().plusSeconds(60));
        assertThat(store.dueHireRequests(Instant.now(), 100, 0)).noneMatch(h -> h.sessionId() == a && h.number() == 1);
        assertThat(store.dueHireRequests(Instant.now().plusSeconds(61), 100, 0))
                .anyMatch(h -> h.sessionId() == a && h.number() == 1);
        assertThat(store.dueHireRequests(Instant.now(), 3, 0)).hasSize(3);
        // Within a turn, sessions come round after the one served last (a/1 waits: a/2 is a's first due).
        assertThat(store.dueHireRequests(Instant.now(), 100, b).stream()
                .filter(h -> Set.of(a, b, c).contains(h.sessionId())).limit(3))
                .extracting(h -> h.sessionId() + "/" + h.number()).containsExactly(c + "/1", a + "/2", b + "/1");
    }
}
