package org.pavilion.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Arrive;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueEvent.Leave;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.testing.ConfirmedArrivals;

/** The service contract on the in-memory store, plus what only it can show: failed writes. */
class InMemoryLiveSessionServiceTest extends LiveSessionServiceContract {

    private long tasks;

    @Override
    protected SessionStore newStore() {
        return new InMemorySessionStore();
    }

    @Override
    protected long newTask(Thresholds thresholds) {
        ((InMemorySessionStore) store).addTask(++tasks, thresholds);
        return tasks;
    }

    private InMemorySessionStore memory() {
        return (InMemorySessionStore) store;
    }

    @Test
    void waitingPayIsComputedOnTheServerFromItsOwnClock() {
        MutableClock clock = new MutableClock(java.time.Instant.parse("2026-11-28T10:00:00Z"));
        try (LiveSessionService timed = new LiveSessionService(store, java.util.List.of(), clock)) {
            long s = timed.open(newTask(SEED)).sessionId();
            ConfirmedArrivals.arrive(timed, s, "w1", "a1", "worker:w1");
            clock.advance(java.time.Duration.ofMinutes(30));
            assertThat(timed.waitingPayCents(s, "w1").join()).isEqualTo(363L); // 362.5 cents, rounded up
            ConfirmedArrivals.arrive(timed, s, "w2", "a2", "worker:w2"); // starts the session: w1 is promoted
            clock.advance(java.time.Duration.ofMinutes(30));
            // the promotion closed the paid wait; the page's IAmReady half an hour later changes nothing
            assertThat(timed.waitingPayCents(s, "w1").join()).isEqualTo(363L);
            timed.apply(s, new org.pavilion.queue.QueueEvent.Ready("w1"), "worker:w1");
            clock.advance(java.time.Duration.ofHours(2));
            assertThat(timed.waitingPayCents(s, "w1").join()).isEqualTo(363L);
        }
    }

    @Test
    void aFailedWriteIsNotAcknowledgedAndTheSessionIsRebuiltFromStorage() {
        long s = service.open(newTask(SEED)).sessionId();
        arrive(s, "w1", "a1", "worker:w1");
        ConfirmedArrivals.confirm(service, s, "w2", "a2", "HIT");
        QueueSnapshot durable = service.snapshot(s);
        int delivered = listener.outcomes(s).size();

        memory().failNextCommits(1);
        assertThatThrownBy(() -> service.apply(s, new Arrive("w2", "a2"), "worker:w2"))
                .isInstanceOf(SessionStorageException.class);

        // Memory went back to what storage holds, and nobody was told anything about w2.
        assertThat(service.snapshot(s)).isEqualTo(durable);
        assertThat(listener.outcomes(s)).hasSize(delivered);

        // The same arrival now succeeds and starts the session, with the log continuing without a gap.
        Outcome retried = service.apply(s, new Arrive("w2", "a2"), "worker:w2");
        assertThat(retried.statusChanges()).isNotEmpty();
        assertThat(service.snapshot(s).active()).containsExactly("w1", "w2");
        checkSession(s, SEED);
    }

    /** Issue 13 item 6: one session's failing write does not fail the other sessions written with it. */
    @Test
    void aFailingItemInACommitGroupFailsOnlyItsOwnSession() throws Exception {
        long first = service.open(newTask(SEED)).sessionId();
        long bad = service.open(newTask(SEED)).sessionId();
        long good = service.open(newTask(SEED)).sessionId();
        java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
        memory().gate(open);
        // The committer takes this one alone and waits in the store; the next two queue up behind it and
        // are then written together, in one group.
        CompletableFuture<Outcome> a = service.submit(first, new QueueEvent.Confirm("a0", "HIT", "w0"), "marketplace", null);
        Thread.sleep(200);
        memory().poison(bad);
        CompletableFuture<Outcome> b = service.submit(bad, new QueueEvent.Confirm("a1", "HIT", "w1"), "marketplace", null);
        CompletableFuture<Outcome> c = service.submit(good, new QueueEvent.Confirm("a2", "HIT", "w2"), "marketplace", null);
        Thread.sleep(200);
        open.countDown();
        assertThat(a.get(5, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
        assertThat(c.get(5, java.util.concurrent.TimeUnit.SECONDS)).as("the other session's event").isNotNull();
        assertThatThrownBy(() -> b.get(5, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(SessionStorageException.class);
        checkSession(good, SEED);
    }

    /**
     * A group of several sessions' events that fails for the database's condition (a lock timeout) is failed
     * as a whole, in one attempt: written again session by session, each would wait for its own timeout.
     */
    @Test
    void aGroupThatFailsForTheDatabasesConditionIsNotWrittenAgainSessionBySession() throws Exception {
        long first = service.open(newTask(SEED)).sessionId();
        List<Long> others = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            others.add(service.open(newTask(SEED)).sessionId());
        }
        java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
        memory().gate(open);
        CompletableFuture<Outcome> a = service.submit(first, new QueueEvent.Confirm("a0", "HIT", "w0"), "marketplace", null);
        Thread.sleep(200); // the committer waits in the store with this one; the others queue up as one group
        List<CompletableFuture<Outcome>> group = new java.util.ArrayList<>();
        for (long s : others) {
            group.add(service.submit(s, new QueueEvent.Confirm("a1", "HIT", "w1"), "marketplace", null));
        }
        Thread.sleep(200);
        memory().timeOutNextCommits(2); // the waiting one's, then the group's
        int attemptsBefore = memory().commitAttempts.get();
        open.countDown();
        assertThatThrownBy(() -> a.get(5, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(SessionStorageException.class);
        for (CompletableFuture<Outcome> f : group) {
            assertThatThrownBy(() -> f.get(5, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SessionStorageException.class);
        }
        assertThat(memory().commitAttempts.get() - attemptsBefore).as("commit attempts: the first event's, then the group's")
                .isEqualTo(2);
        for (long s : others) {
            checkSession(s, SEED);
        }
        assertThat(GroupCommitter.transientFailure(new IllegalStateException("row", new java.sql.SQLException("dup", "23505"))))
                .as("a data error is not the database's condition").isFalse();
    }

    /**
     * A database that cannot be read after a failed write (issue 13, a stall): the session's queued commands
     * fail at once for a short, doubling backoff instead of each holding a writer thread for another read
     * attempt; once the store answers again, the session is rebuilt and carries on.
     */
    @Test
    void aSessionThatCannotBeReloadedFailsFastAndRecoversOnceTheStoreAnswers() throws Exception {
        long s = service.open(newTask(SEED)).sessionId();
        arrive(s, "w1", "a1", "worker:w1");
        memory().failNextCommits(1);
        memory().failLoads = true;
        CompletableFuture<Outcome> first = service.submit(s, new QueueEvent.Stop("admin"), "admin:admin", null);
        assertThatThrownBy(() -> first.get(5, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(SessionStorageException.class);
        int loadsBefore = memory().loads.get();
        List<CompletableFuture<Outcome>> queued = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            queued.add(service.submit(s, new QueueEvent.Stop("admin"), "admin:admin", null));
        }
        for (CompletableFuture<Outcome> f : queued) {
            assertThatThrownBy(() -> f.get(5, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SessionStorageException.class).hasMessageContaining("try again");
        }
        assertThat(memory().loads.get() - loadsBefore).as("reads of the log for 20 queued commands").isLessThanOrEqualTo(1);

        memory().failLoads = false;
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(service.submit(s, new QueueEvent.Stop("admin"), "admin:admin", null)
                        .handle((o, t) -> t == null).get(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue());
        assertThat(service.snapshot(s).stopped()).isTrue();
        checkSession(s, SEED);
    }

    @Test
    void eventsDecidedOnTopOfAFailedWriteAreRefusedToo() throws Exception {
        long s = service.open(newTask(SEED)).sessionId();
        arrive(s, "w1", "a1", "worker:w1");
        ConfirmedArrivals.confirm(service, s, "w2", "a2", "HIT");
        ConfirmedArrivals.confirm(service, s, "w3", "a3", "HIT");
        memory().failNextCommits(1);
        // Pipelined: the second and third are decided in memory before the first one's write fails.
        CompletableFuture<Outcome> a = service.submit(s, new Arrive("w2", "a2"), "worker:w2", null);
        CompletableFuture<Outcome> b = service.submit(s, new Arrive("w3", "a3"), "worker:w3", null);
        CompletableFuture<Outcome> c = service.submit(s, new Leave("w1", "a1", Departure.SUBMIT), "worker:w1", null);
        int failed = 0;
        for (CompletableFuture<Outcome> f : new CompletableFuture[] {a, b, c}) {
            failed += f.handle((o, t) -> t == null ? 0 : 1).get();
        }
        assertThat(failed).isGreaterThanOrEqualTo(1);
        // Whatever succeeded is in the log, and memory equals the log.
        checkSession(s, SEED);
    }
}
