package org.pavilion.realtime;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.pavilion.queue.PavilionException;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.realtime.Connections.WorkerBinding;
import org.pavilion.realtime.Connections.WorkerKey;
import org.pavilion.session.LiveSessionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The grace period of SPEC §4.7: a worker whose last connection closed keeps its place for the task's
 * grace period; if no connection has claimed it by then, it leaves as {@code disconnected}. After a
 * restart every worker still in a queue gets the same period, counted from the moment the server
 * answers again.
 *
 * <p>Race-free by generation: the timer remembers the worker's connection generation when it starts,
 * and its leave is applied only if, on the session's writer, no connection has claimed the worker
 * since and none is open. A reconnect that arrives just before the leave therefore always wins.
 */
final class DisconnectGrace {

    private static final Logger log = LoggerFactory.getLogger(DisconnectGrace.class);

    private final Supplier<LiveSessionService> sessions;
    private final Connections connections;
    private final ScheduledExecutorService timers;
    private final Map<WorkerKey, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();
    /** Workers whose seed page said IAmReady, with the connection generation it was said at. */
    private final Map<WorkerKey, Long> leftForMainTask = new ConcurrentHashMap<>();
    /** Seed-page workers told {@code start_your_task}: the generation then, and when (nanoTime). */
    private final Map<WorkerKey, Promotion> promotions = new ConcurrentHashMap<>();

    private record Promotion(long generation, long atNanos) {
    }

    /**
     * How long after a promotion a seed page's connection that is lost without a word still counts as
     * having left for the main task: the page leaves at once, and an abruptly lost connection is noticed
     * within Engine.IO's ping interval and timeout (10 s + 10 s by default).
     */
    static final Duration PROMOTION_WINDOW = Duration.ofSeconds(30);

    DisconnectGrace(Supplier<LiveSessionService> sessions, Connections connections, ScheduledExecutorService timers) {
        this.sessions = sessions;
        this.connections = connections;
        this.timers = timers;
    }

    /**
     * A page of the seed's said {@code IAmReady}: it is leaving for the seed's main page, which never
     * identifies itself until it submits. Until another connection claims the worker, its being without
     * a connection is not a disconnect: an active worker there is left to the marketplace (submission,
     * return or abandon), as in the seed (SPEC §5). Pavilion's own pages (signed) join again on the main
     * page, so this is never called for them. Kept per worker and generation, not per connection: the
     * close may be handled before the IAmReady that preceded it is (a page admitted just then).
     */
    void leftForMainTask(WorkerKey key) {
        leftForMainTask.put(key, connections.generation(key));
    }

    /**
     * A worker whose pages are not Pavilion's signed ones was told {@code start_your_task}. The seed's
     * waiting page answers it by sending {@code IAmReady}, disconnecting and leaving for its silent main
     * page at once; the browser may cancel that last poll with the page, so the server can lose both the
     * {@code IAmReady} and the goodbye, and only see the connection drop. See {@link #connectionLost}.
     */
    void promoted(WorkerKey key) {
        promotions.put(key, new Promotion(connections.generation(key), System.nanoTime()));
    }

    /** Drops an ended session's timers and seed-page marks (it has nothing left to free). */
    void forgetSession(long sessionId) {
        pending.entrySet().removeIf(e -> {
            if (e.getKey().sessionId() != sessionId) {
                return false;
            }
            e.getValue().cancel(false);
            return true;
        });
        leftForMainTask.keySet().removeIf(k -> k.sessionId() == sessionId);
        promotions.keySet().removeIf(k -> k.sessionId() == sessionId);
    }

    /** Entries kept per worker (timers and seed-page marks), for the memory figures and tests. */
    int workerEntries() {
        return pending.size() + leftForMainTask.size() + promotions.size();
    }

    /** {@link #connectionLost(WorkerBinding, boolean)} for a connection that said goodbye (or was closed by us). */
    void connectionLost(WorkerBinding last) {
        connectionLost(last, false);
    }

    /**
     * The worker's last connection closed: it must reconnect within the grace period. {@code abruptly}:
     * the transport was lost without the page saying goodbye (no Socket.IO disconnect). A seed page lost
     * that way within {@link #PROMOTION_WINDOW} of its promotion, with no other connection since, left
     * for the main task as if its {@code IAmReady} had arrived; a page that says goodbye sends it after
     * its {@code IAmReady} on the same transport, so it never needs this.
     */
    void connectionLost(WorkerBinding last, boolean abruptly) {
        WorkerKey key = last.key();
        Promotion promotion = promotions.remove(key);
        if (abruptly && promotion != null && promotion.generation() == connections.generation(key)
                && System.nanoTime() - promotion.atNanos() <= PROMOTION_WINDOW.toNanos()) {
            leftForMainTask.putIfAbsent(key, promotion.generation());
        }
        Duration grace;
        try {
            grace = sessions.get().config(last.sessionId()).disconnectGrace();
        } catch (PavilionException ended) {
            return; // the session is over: nothing to free
        }
        start(last.key(), last.assignmentId(), grace, "no connection for " + grace.toSeconds() + " s");
    }

    /**
     * After a restart: every worker in a queue of a live session must reconnect within the grace period
     * from now (SPEC §4.7). Returns how many timers it started.
     */
    int startAfterRestart() {
        int started = 0;
        for (long sessionId : sessions.get().sessionIds()) {
            QueueSnapshot snapshot;
            Duration grace;
            try {
                grace = sessions.get().config(sessionId).disconnectGrace();
                snapshot = sessions.get().snapshot(sessionId);
            } catch (PavilionException ended) {
                continue;
            }
            for (var worker : snapshot.workers().entrySet()) {
                WorkerStatus status = worker.getValue().status();
                if (status != WorkerStatus.WAITING && status != WorkerStatus.ACTIVE) {
                    continue;
                }
                WorkerKey key = new WorkerKey(sessionId, worker.getKey());
                if (connections.isConnected(key)) {
                    continue;
                }
                start(key, worker.getValue().assignmentId(), grace,
                        "no connection within " + grace.toSeconds() + " s of the restart");
                started++;
            }
        }
        if (started > 0) {
            log.info("{} worker(s) in live sessions must reconnect within their grace period", started);
        }
        return started;
    }

    private void start(WorkerKey key, String assignmentId, Duration grace, String why) {
        long generation = connections.generation(key);
        AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
        ScheduledFuture<?> timer = timers.schedule(() -> {
            pending.remove(key, self.get());
            Runnable again = () -> start(key, assignmentId, grace, why);
            Long movedOnAt = leftForMainTask.get(key);
            if (movedOnAt == null || movedOnAt != generation) {
                leave(key, assignmentId, generation, why, again);
                return;
            }
            sessions.get().read(key.sessionId(), engine -> engine.statusOf(key.workerId()) == WorkerStatus.ACTIVE)
                    .thenAccept(active -> {
                        if (!active) {
                            leftForMainTask.remove(key, movedOnAt);
                            leave(key, assignmentId, generation, why, again);
                        } else if (log.isDebugEnabled()) {
                            log.debug("worker {} left its waiting page for the seed's main page: kept active",
                                    key.workerId());
                        }
                    })
                    .exceptionally(e -> null); // an ended session needs nothing
        }, grace.toMillis(), TimeUnit.MILLISECONDS);
        self.set(timer);
        ScheduledFuture<?> previous = pending.put(key, timer);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    /**
     * Leaves the worker unless, on the session's writer, a connection is open for it or has claimed it
     * since the timer started. A claim that never became a connection (refused, or still waiting for
     * the marketplace) does not keep the place for ever: the period starts again.
     */
    private void leave(WorkerKey key, String assignmentId, long generation, String why, Runnable again) {
        sessions.get().submitIf(key.sessionId(), new QueueEvent.Leave(key.workerId(), assignmentId, Departure.DISCONNECT),
                        "system", why, () -> connections.goneSince(key, generation))
                .thenAccept(applied -> {
                    if (applied == null && !connections.isConnected(key)) {
                        again.run();
                    }
                })
                .exceptionally(e -> null); // ended sessions and finished workers need nothing
    }

    /**
     * How long the worker's grace period still runs, if a timer is running for it (the live view's "inside
     * the grace period until ..."); empty when none runs or it is due now.
     */
    java.util.Optional<Duration> remaining(WorkerKey key) {
        ScheduledFuture<?> timer = pending.get(key);
        if (timer == null || timer.isDone()) {
            return java.util.Optional.empty();
        }
        long millis = timer.getDelay(TimeUnit.MILLISECONDS);
        return millis > 0 ? java.util.Optional.of(Duration.ofMillis(millis)) : java.util.Optional.empty();
    }

    /** Timers running now (for tests). */
    int pendingTimers() {
        return pending.size();
    }
}
