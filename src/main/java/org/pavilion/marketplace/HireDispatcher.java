package org.pavilion.marketplace;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.pavilion.marketplace.Marketplace.Hit;
import org.pavilion.project.Task;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.PavilionException;
import org.pavilion.session.HireRequest;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.OutcomeListener;
import org.pavilion.storage.JdbcSessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Sends the hire outbox (SPEC §4.8). A hire request is written in the same transaction as the
 * event that decided it; this thread sends it afterwards: one more one-assignment HIT of the
 * session's HIT type, with the request's deterministic token, so a resend after a crash or a
 * timeout gets the same HIT back instead of a second one. Throttling and outages are retried
 * with backoff; a permanent refusal marks the request FAILED for the admin to see; a session
 * stopped or expired before its hire was sent cancels it.
 *
 * <p>States: REQUESTED (decided) → SENT (on its way; a crash here resends with the same token)
 * → DONE (the HIT exists) or FAILED.
 */
public final class HireDispatcher implements OutcomeListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HireDispatcher.class);

    private final ObjectProvider<Marketplace> marketplace;
    private final ObjectProvider<LiveSessionService> sessions; // lazy: the service also lists this listener
    private final JdbcSessionStore store;
    private final TaskRepository tasks;
    private final Clock clock;
    private final Duration poll;
    private final Duration maxBackoff;
    private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Thread thread;
    private volatile boolean running = true;
    private boolean signalled;

    public HireDispatcher(ObjectProvider<Marketplace> marketplace, ObjectProvider<LiveSessionService> sessions, JdbcSessionStore store,
                          TaskRepository tasks, Clock clock, Duration poll, Duration maxBackoff) {
        this.marketplace = marketplace;
        this.sessions = sessions;
        this.store = store;
        this.tasks = tasks;
        this.clock = clock;
        this.poll = poll;
        this.maxBackoff = maxBackoff;
        this.thread = new Thread(this::loop, "pavilion-hires");
        this.thread.setDaemon(true);
    }

    /** Starts sending, beginning with whatever was left pending before a restart. */
    public void start() {
        thread.start();
    }

    @Override
    public void committed(long sessionId, Outcome outcome) {
        if (!outcome.hires().isEmpty()) {
            wake();
        }
    }

    private void wake() {
        lock.lock();
        try {
            signalled = true;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (running) {
            try {
                dispatchPending();
                lock.lock();
                try {
                    if (!signalled && running) {
                        work.await(poll.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    signalled = false;
                } finally {
                    lock.unlock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("hire dispatch round failed; retrying", e); // e.g. the database is down
                sleepQuietly(poll);
            }
        }
    }

    /** One round over the outbox; public for tests that drive it step by step. */
    public void dispatchPending() {
        Instant now = clock.instant();
        for (HireRequest request : store.pendingHireRequests()) {
            Instant wait = notBefore.get(request.token());
            if (wait == null || !wait.isAfter(now)) {
                dispatch(request);
            }
        }
    }

    private void dispatch(HireRequest request) {
        long s = request.sessionId();
        int attempts = request.attempts() + 1;
        Optional<String> cancelled = whyCancelled(s);
        if (cancelled.isPresent()) {
            store.updateHireRequest(s, request.number(), HireRequest.State.FAILED, request.attempts(),
                    "cancelled: " + cancelled.get(), null);
            notBefore.remove(request.token());
            return;
        }
        Optional<String> hitType = store.hitTypeOf(s);
        if (hitType.isEmpty()) {
            store.updateHireRequest(s, request.number(), HireRequest.State.FAILED, request.attempts(),
                    "the session was never posted on the marketplace, so there is no HIT type to hire with", null);
            return;
        }
        Task task = tasks.find(sessions.getObject().config(s).taskId()).orElseThrow();
        store.updateHireRequest(s, request.number(), HireRequest.State.SENT, attempts, request.lastError(), null);
        try {
            Hit hit = marketplace.getObject().createHit(hitType.get(),
                    MarketplaceService.hit(task.settings(), 1, request.token()), request.token());
            store.addSessionHit(s, hitType.get(), hit.hitId());
            store.updateHireRequest(s, request.number(), HireRequest.State.DONE, attempts, null, hit.hitId());
            notBefore.remove(request.token());
            log.info("session {}: hire {} posted as HIT {}", s, request.number(), hit.hitId());
        } catch (MarketplaceException e) {
            if (e.retryable()) {
                Duration backoff = backoff(attempts);
                notBefore.put(request.token(), clock.instant().plus(backoff));
                store.updateHireRequest(s, request.number(), HireRequest.State.SENT, attempts, e.getMessage(), null);
                log.warn("session {}: hire {} not sent yet ({}); retrying in {} ms", s, request.number(),
                        e.errorCode(), backoff.toMillis());
            } else {
                store.updateHireRequest(s, request.number(), HireRequest.State.FAILED, attempts,
                        e.errorCode() + ": " + e.getMessage(), null);
                notBefore.remove(request.token());
                log.error("session {}: hire {} refused by the marketplace: {}", s, request.number(), e.getMessage());
            }
        }
    }

    /** A stopped or ended session hires nobody, not even hires it decided before (SPEC §4.2). */
    private Optional<String> whyCancelled(long sessionId) {
        try {
            return sessions.getObject().read(sessionId, engine -> engine.isExpired()
                    ? Optional.of("the session expired")
                    : engine.isStopped() ? Optional.of("the job was stopped") : Optional.<String>empty()).join();
        } catch (PavilionException ended) {
            return Optional.of(ended.getMessage());
        } catch (CompletionException e) {
            if (e.getCause() instanceof PavilionException ended) {
                return Optional.of(ended.getMessage());
            }
            throw e;
        }
    }

    /** Exponential backoff with full jitter, capped. */
    private Duration backoff(int attempts) {
        long cap = Math.min(maxBackoff.toMillis(), 500L << Math.min(attempts, 16));
        return Duration.ofMillis(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        wake();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
