package org.pavilion.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.queue.Decision;
import org.pavilion.queue.Message;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.PavilionException;
import org.pavilion.queue.QueueEngine;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Arrive;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueEvent.Leave;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.SessionEndedException;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.UnknownWorkerException;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.testing.ConfirmedArrivals;

/**
 * What the live session service promises, run against each store (in memory, H2, PostgreSQL):
 * one event at a time per session, durable before acknowledged, the log replays to the state,
 * and a restart rebuilds the same queues.
 */
abstract class LiveSessionServiceContract {

    static final Thresholds SEED = new Thresholds(2, 1, 3, 3);

    protected SessionStore store;
    protected RecordingListener listener;
    protected LiveSessionService service;

    /** A fresh, empty store. */
    protected abstract SessionStore newStore();

    /** Creates a task with these thresholds in the store and returns its id. */
    protected abstract long newTask(Thresholds thresholds);

    @BeforeEach
    void startService() {
        store = newStore();
        listener = new RecordingListener();
        service = new LiveSessionService(store, List.of(listener), Clock.systemUTC());
        service.recover();
    }

    @AfterEach
    void stopService() {
        service.close();
    }

    @Test
    void seedThresholdsWalkThroughTheService() {
        long s = service.open(newTask(SEED)).sessionId();
        arrive(s, "w1", "a1", "worker:w1");
        Outcome second = arrive(s, "w2", "a2", "worker:w2");
        assertThat(second.toldWorker("w1")).containsExactly(new Message.StartYourTask());
        assertThat(second.toldWorker("w2")).containsExactly(new Message.StartYourTask());
        arrive(s, "w3", "a3", "worker:w3");
        arrive(s, "w4", "a4", "worker:w4");
        assertThat(service.snapshot(s).active()).containsExactly("w1", "w2", "w3");
        assertThat(service.snapshot(s).waiting()).containsExactly("w4");

        Outcome submit = service.apply(s, new Leave("w1", "a1", Departure.SUBMIT), "worker:w1");
        assertThat(submit.hires()).hasSize(1);
        assertThat(store.hireRequests(s)).extracting(HireRequest::number).containsExactly(1);
        assertThat(store.hireRequests(s).get(0).state()).isEqualTo(HireRequest.State.REQUESTED);
        assertThat(store.hireRequests(s).get(0).token()).endsWith("-s" + s + "-h1").hasSizeLessThanOrEqualTo(64);

        assertThat(listener.outcomes(s)).hasSize(9); // four confirmations, four arrivals, one submit
        assertLogReplaysTo(s, service.snapshot(s));
    }

    @Test
    void refusedEventsChangeNothing() {
        long s = service.open(newTask(SEED)).sessionId();
        arrive(s, "w1", "a1", "worker:w1");
        QueueSnapshot before = service.snapshot(s);
        long logBefore = logSize(s);

        assertThatThrownBy(() -> service.apply(s, new Leave("ghost", null, Departure.SUBMIT), "worker:ghost"))
                .isInstanceOf(UnknownWorkerException.class).hasMessageContaining("ghost");
        assertThatThrownBy(() -> service.apply(s, new QueueEvent.Ready("w1"), "worker:w1"))
                .isInstanceOf(PavilionException.class).hasMessageContaining("IAmReady");
        assertThatThrownBy(() -> service.apply(987654L, new Arrive("w1", "a1"), "worker:w1"))
                .isInstanceOf(UnknownSessionException.class).hasMessageContaining("987654");

        assertThat(service.snapshot(s)).isEqualTo(before);
        assertThat(logSize(s)).isEqualTo(logBefore);
    }

    @Test
    void departuresReportedByAssignmentFindTheirWorker() {
        long s = service.open(newTask(SEED)).sessionId();
        arrive(s, "w1", "a1", "worker:w1");
        arrive(s, "w2", "a2", "worker:w2");

        Outcome returned = service.submitForAssignment("a1", null, Departure.RETURN, "marketplace", null).join();
        assertThat(returned.statusChanges()).extracting(Decision.StatusChange::workerId).containsExactly("w1");
        assertThat(service.snapshot(s).workers().get("w1").status()).isEqualTo(WorkerStatus.RETURNED);

        long logBefore = logSize(s);
        assertThatThrownBy(() -> service.submitForAssignment("nope", null, Departure.RETURN, "marketplace", null))
                .isInstanceOf(UnknownAssignmentException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> service.submitForAssignment("a2", "someone-else", Departure.SUBMIT, "marketplace",
                null)).isInstanceOf(UnknownAssignmentException.class).hasMessageContaining("someone-else");
        assertThat(logSize(s)).isEqualTo(logBefore);
    }

    @Test
    void eventsAfterExpiryAreRefusedAlsoAfterARestart() {
        long s = service.open(newTask(SEED)).sessionId();
        arrive(s, "w1", "a1", "worker:w1");
        service.apply(s, new QueueEvent.Expire("admin@lab"), "admin@lab");
        long logAfterExpire = logSize(s);
        assertThatThrownBy(() -> arrive(s, "w2", "a2", "worker:w2"))
                .isInstanceOf(SessionEndedException.class);

        restart();
        assertThat(service.sessionIds()).doesNotContain(s);
        assertThatThrownBy(() -> arrive(s, "w2", "a2", "worker:w2"))
                .isInstanceOf(SessionEndedException.class);
        assertThat(logSize(s)).isEqualTo(logAfterExpire);
    }

    @Test
    void deliveriesFollowTheLogOrder() {
        long s = service.open(newTask(new Thresholds(2, 1, 4, 4))).sessionId();
        List<CompletableFuture<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String w = "w" + (i % 12);
            QueueEvent e = i % 3 == 2 ? new Leave(w, null, Departure.SUBMIT) : new Arrive(w, "a" + i / 12 + w);
            if (e instanceof Arrive a) { // the marketplace confirms first (SPEC 4.1.0)
                futures.add(service.submit(s, new QueueEvent.Confirm(a.assignmentId(), "HIT", w), "marketplace", null));
            }
            futures.add(service.submit(s, e, "worker:" + w, null));
        }
        futures.forEach(f -> f.handle((o, t) -> o).join());
        List<Decision.Fact> delivered = listener.outcomes(s).stream().flatMap(o -> o.facts().stream()).toList();
        List<Decision.Fact> logged = store.loadSession(s).orElseThrow().facts().stream()
                .map(f -> f.fact().fact()).toList();
        assertThat(delivered).isEqualTo(logged);
    }

    @Test
    void thousandsOfConcurrentMixedEventsKeepTheInvariants() throws Exception {
        Thresholds t = new Thresholds(3, 2, 8, 6);
        long one = service.open(newTask(t)).sessionId();
        fireMixedEvents(List.of(one), 8, 250, t);
        checkSession(one, t);
    }

    @Test
    void severalSessionsAtOnceStayIndependent() throws Exception {
        Thresholds t = new Thresholds(2, 1, 5, 5);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(service.open(newTask(t)).sessionId());
        }
        fireMixedEvents(ids, 8, 300, t);
        for (long id : ids) {
            checkSession(id, t);
        }
    }

    @Test
    void aBurstOfAThousandArrivalsAdmitsExactlyTheCapacity() throws Exception {
        Thresholds t = new Thresholds(50, 50, 50, 50);
        long s = service.open(newTask(t)).sessionId();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        List<java.util.concurrent.Future<Outcome>> results = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String w = "burst" + i;
            results.add(pool.submit(() -> {
                go.await();
                return arrive(s, w, "a-" + w, "worker:" + w);
            }));
        }
        go.countDown();
        int full = 0;
        int started = 0;
        for (int i = 0; i < 1000; i++) {
            Outcome o = results.get(i).get(60, TimeUnit.SECONDS);
            String w = "burst" + i;
            if (o.toldWorker(w).stream().anyMatch(Message.JobIsFull.class::isInstance)) {
                full++;
            }
            started += (int) o.decisions().stream().filter(d -> d instanceof Decision.TellWorker tw
                    && tw.message() instanceof Message.StartYourTask).count();
        }
        pool.shutdown();
        QueueSnapshot snap = service.snapshot(s);
        assertThat(snap.started()).isTrue();
        assertThat(snap.active()).hasSize(50);
        assertThat(snap.waiting()).hasSize(50);
        assertThat(full).isEqualTo(900);
        assertThat(started).isEqualTo(50);
        assertLogReplaysTo(s, snap);
    }

    @Test
    void aRestartRebuildsTheSameQueuesAndKeepsGoing() throws Exception {
        Thresholds t = new Thresholds(2, 1, 4, 3);
        long s = service.open(newTask(t)).sessionId();
        fireMixedEvents(List.of(s), 4, 100, t);
        QueueSnapshot before = service.snapshot(s);
        List<HireRequest> hiresBefore = store.hireRequests(s);

        restart();
        assertThat(service.snapshot(s)).isEqualTo(before);
        assertThat(store.hireRequests(s)).isEqualTo(hiresBefore);

        // The log continues where it stopped: a new event commits with the next sequence number.
        service.apply(s, new QueueEvent.Stop("admin@lab"), "admin@lab");
        assertThat(service.snapshot(s).stopped()).isTrue();
        checkSession(s, t);
    }

    // ---- helpers -------------------------------------------------------------------------------

    protected void restart() {
        service.close();
        listener = new RecordingListener();
        service = new LiveSessionService(store, List.of(listener), Clock.systemUTC());
        service.recover();
    }

    private void fireMixedEvents(List<Long> sessions, int threads, int perThread, Thresholds t) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int th = 0; th < threads; th++) {
            long seed = 42L * (th + 1);
            done.add(pool.submit(() -> {
                go.await();
                Random random = new Random(seed);
                List<CompletableFuture<Outcome>> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    long s = sessions.get(random.nextInt(sessions.size()));
                    QueueEvent event = randomEvent(random, t);
                    if (event instanceof Arrive a && random.nextInt(10) > 0) { // mostly confirmed, sometimes not
                        mine.add(service.submit(s, new QueueEvent.Confirm(a.assignmentId(), "HIT", a.workerId()),
                                "marketplace", null));
                    }
                    mine.add(service.submit(s, event, "test", null));
                }
                for (CompletableFuture<Outcome> f : mine) {
                    try {
                        f.join();
                    } catch (CompletionException e) {
                        assertThat(e.getCause()).isInstanceOf(PavilionException.class); // refusals only
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (var f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
    }

    private static QueueEvent randomEvent(Random r, Thresholds t) {
        String w = "w" + r.nextInt(40);
        String a = "a" + r.nextInt(2) + "-" + w;
        int pick = r.nextInt(100);
        if (pick < 45) {
            return new Arrive(w, a);
        } else if (pick < 60) {
            return new QueueEvent.Ready(w);
        } else if (pick < 97) {
            Departure how = Departure.values()[r.nextInt(Departure.values().length)];
            return new Leave(w, r.nextBoolean() ? null : a, how);
        }
        return new QueueEvent.Migrate(1 + r.nextInt(2), false, "admin");
    }

    /** Invariants of SPEC §4 on the live state, the log and the outbox. */
    protected void checkSession(long s, Thresholds t) {
        QueueSnapshot snap = service.snapshot(s);
        assertThat(snap.active().size()).isLessThanOrEqualTo(t.maxActive());
        assertThat(snap.waiting().size()).isLessThanOrEqualTo(t.maxWaiting());
        Set<String> both = new HashSet<>(snap.waiting());
        both.retainAll(snap.active());
        assertThat(both).isEmpty();
        snap.workers().forEach((id, view) -> {
            assertThat(snap.waiting().contains(id)).isEqualTo(view.status() == WorkerStatus.WAITING);
            assertThat(snap.active().contains(id)).isEqualTo(view.status() == WorkerStatus.ACTIVE);
        });
        assertLogReplaysTo(s, snap);
        SessionLog log = store.loadSession(s).orElseThrow();
        long hireFacts = log.facts().stream().filter(f -> f.fact().fact() instanceof Decision.Hire).count();
        assertThat(store.hireRequests(s)).hasSize((int) hireFacts);
        assertThat(snap.hires()).isEqualTo((int) hireFacts);
        for (int i = 0; i < log.facts().size(); i++) {
            assertThat(log.facts().get(i).seq()).isEqualTo(i + 1L); // nothing lost, nothing doubled
        }
    }

    protected void assertLogReplaysTo(long s, QueueSnapshot expected) {
        SessionLog log = store.loadSession(s).orElseThrow();
        QueueEngine replayed = QueueEngine.replay(log.config().thresholds(), log.config().allowRepeatWorkers(),
                log.config().hireBudget(), log.facts().stream().map(LoggedFact::fact).toList());
        assertThat(replayed.snapshot()).isEqualTo(expected);
    }

    /** The marketplace confirms the assignment (SPEC 4.1.0), then the worker's page arrives with it. */
    protected Outcome arrive(long s, String worker, String assignment, String actor) {
        return ConfirmedArrivals.arrive(service, s, worker, assignment, actor);
    }

    private long logSize(long s) {
        return store.loadSession(s).orElseThrow().facts().size();
    }

    /** Issue 13 item 4: an event for a session that ended before this process started is refused without reading its log. */
    @Test
    void anEndedSessionIsRefusedWithoutReplayingItsLog() {
        long s = service.open(newTask(SEED)).sessionId();
        for (int i = 0; i < 20; i++) {
            ConfirmedArrivals.arrive(service, s, "w" + i, "a" + i, "worker:w" + i);
        }
        service.apply(s, new QueueEvent.Expire("admin"), "admin:admin");
        service.close();
        java.util.concurrent.atomic.AtomicInteger logReads = new java.util.concurrent.atomic.AtomicInteger();
        SessionStore counting = (SessionStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SessionStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("loadSession")) {
                        logReads.incrementAndGet();
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        service = new LiveSessionService(counting, List.of(listener), Clock.systemUTC());
        service.recover();
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> service.apply(s, new Arrive("late", "a-late"), "worker:late"))
                    .isInstanceOf(SessionEndedException.class);
        }
        assertThatThrownBy(() -> service.apply(424242, new Arrive("x", "a-x"), "worker:x"))
                .isInstanceOf(UnknownSessionException.class);
        assertThat(logReads).as("session logs read").hasValue(0);
    }

    /**
     * Issue 13 item 4: readers that must not wait get the committed state, published by the session's
     * writer after each commit; an event whose write has not finished is not in it yet.
     */
    @Test
    void thePublishedStateIsTheCommittedOneAndIsReadWithoutTheWriter() throws Exception {
        long s = service.open(newTask(SEED)).sessionId();
        ConfirmedArrivals.arrive(service, s, "w1", "a1", "worker:w1");
        assertThat(service.published(s).waiting()).containsExactly("w1");

        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> stuck = service.read(s, e -> { // the writer is busy (as under a slow commit)
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        CompletableFuture<Outcome> queued = service.submit(s, new QueueEvent.Stop("admin"), "admin:admin", null);
        try {
            org.pavilion.queue.Queues during = CompletableFuture.supplyAsync(() -> service.published(s))
                    .get(1, TimeUnit.SECONDS);
            assertThat(during.waiting()).containsExactly("w1");
            assertThat(during.stopped()).as("an event not yet applied and written is not published").isFalse();
            assertThat(service.publishedStatus(s, "w1")).isEqualTo(WorkerStatus.WAITING);
            assertThat(service.publishedStatus(s, "nobody")).isNull();
        } finally {
            release.countDown();
        }
        stuck.get(5, TimeUnit.SECONDS);
        queued.get(5, TimeUnit.SECONDS);
        assertThat(service.published(s).stopped()).isTrue();
        assertThat(service.published(s)).isEqualTo(service.read(s, QueueEngine::queues).get(5, TimeUnit.SECONDS));
    }

    /**
     * Issue 13 item 6: an ended session that stays idle lets go of its engine and published state; the hooks
     * hear of it once; it comes back from its log if it is read again or a late marketplace report arrives.
     */
    @Test
    void anIdleEndedSessionGoesDormantAndComesBackFromItsLogWhenNeeded() throws Exception {
        long live = service.open(newTask(SEED)).sessionId();
        long s = service.open(newTask(SEED)).sessionId();
        for (int i = 0; i < 4; i++) {
            ConfirmedArrivals.arrive(service, s, "w" + i, "a" + i, "worker:w" + i);
        }
        ConfirmedArrivals.arrive(service, live, "x", "ax", "worker:x");
        service.apply(s, new QueueEvent.Expire("admin"), "admin:admin");
        QueueSnapshot ended = service.snapshot(s);
        List<Long> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        service.whenEndedSessionSleeps(told::add);
        assertThat(service.engagedSessions()).isEqualTo(2);

        awaitDormant(s);
        assertThat(told).containsExactly(s);
        assertThat(service.engagedSessions()).as("the live session keeps its engine").isEqualTo(1);
        assertThat(service.hasEnded(s)).isTrue();
        assertThat(service.hasEnded(live)).isFalse();
        assertThatThrownBy(() -> service.published(s)).isInstanceOf(SessionEndedException.class);
        assertThatThrownBy(() -> service.publishedStatus(s, "w0")).isInstanceOf(SessionEndedException.class);
        assertThat(service.published(live).waiting()).containsExactly("x");
        assertThatThrownBy(() -> ConfirmedArrivals.arrive(service, s, "late", "a-late", "worker:late"))
                .isInstanceOf(SessionEndedException.class);

        // An admin's read wakes it with the same queues; then it can sleep again, and the hooks hear again.
        assertThat(service.snapshot(s)).isEqualTo(ended);
        assertThat(service.engagedSessions()).isEqualTo(2);
        awaitDormant(s);
        assertThat(told).containsExactly(s, s);

        // The marketplace's report of a submission after the end still lands (SPEC 4.9), in the log's order.
        long before = logSize(s);
        service.submitForAssignment("a0", "w0", Departure.SUBMIT, "marketplace", null).get(5, TimeUnit.SECONDS);
        assertThat(logSize(s)).isGreaterThan(before);
        assertLogReplaysTo(s, service.snapshot(s));
    }

    private void awaitDormant(long s) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int engaged = service.engagedSessions();
        while (System.nanoTime() < deadline) {
            service.sleepEndedSessions(java.time.Duration.ZERO);
            if (service.engagedSessions() < engaged) {
                service.sleepEndedSessions(java.time.Duration.ZERO); // tells the hooks
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("session " + s + " did not go dormant");
    }
}
