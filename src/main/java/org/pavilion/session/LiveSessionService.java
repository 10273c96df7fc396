package org.pavilion.session;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.pavilion.queue.Outcome;
import org.pavilion.queue.PavilionException;
import org.pavilion.queue.QueueEngine;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Queues;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.queue.SessionEndedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live sessions: applies events to each session one at a time through its
 * {@link SessionActor}, makes each event's effect durable through the {@link GroupCommitter},
 * and only then tells the {@link OutcomeListener}s. Sessions proceed in parallel.
 *
 * <p>After a restart (a crash included), {@link #recover()} rebuilds every live session by
 * replaying its event log, so queues come back with the same members in the same order.
 */
public final class LiveSessionService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveSessionService.class);

    private final SessionStore store;
    private final Clock clock;
    private final GroupCommitter committer;
    private final ExecutorService writers;
    private final ConcurrentHashMap<Long, SessionActor> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(named("pavilion-pay-"));
    /** Told (on the ticker's thread) when an ended session goes dormant, to drop what they keep of it. */
    private final List<java.util.function.LongConsumer> endedHooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** How long an ended session stays idle before its engine is let go ({@link #sleepEndedSessions}). */
    public static final Duration ENDED_IDLE = Duration.ofMinutes(1);

    public LiveSessionService(SessionStore store, List<OutcomeListener> listeners, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.committer = new GroupCommitter(store, listeners);
        this.writers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                named("pavilion-session-"));
    }

    /** Rebuilds every session that has not expired from the store. Call once, before any event. */
    public int recover() {
        List<SessionLog> live = store.loadLiveSessions();
        for (SessionLog session : live) {
            sessions.put(session.config().sessionId(), newActor(session));
        }
        log.info("recovered {} live session(s) from storage", live.size());
        return live.size();
    }

    /** Opens a new live session of a task (its queue settings are copied from the task). */
    public SessionConfig open(long taskId) {
        SessionConfig config = store.openSession(taskId, clock.instant());
        sessions.put(config.sessionId(), newActor(new SessionLog(config, false, List.of())));
        return config;
    }

    /**
     * Applies an event; the future completes with the outcome once it is durable, or
     * exceptionally with a {@link org.pavilion.queue.PavilionException} when refused
     * (nothing changed) or a {@link SessionStorageException} when it could not be stored.
     * The future completes on the commit thread: chain only quick work on it.
     */
    public CompletableFuture<Outcome> submit(long sessionId, QueueEvent event, String actor, String detail) {
        // After expiry the marketplace's reports of departures are still recorded (SPEC §4.9: pay and
        // approval must know who submitted), so such an event may load a session that has ended.
        return actor(sessionId, isReport(event)).submit(event, actor, detail);
    }

    private static boolean isReport(QueueEvent event) {
        return event instanceof QueueEvent.Leave leave && leave.confirmed()
                && leave.how() != QueueEvent.Departure.DISCONNECT;
    }

    /**
     * {@link #submit} with the log's detail written from the session's state right before the event is applied
     * (on the session's writer: {@code detail} must be quick and must not change the engine).
     */
    public CompletableFuture<Outcome> submitDescribed(long sessionId, QueueEvent event, String actor,
                                                      Function<QueueEngine, String> detail) {
        return actor(sessionId, isReport(event)).submitDescribed(event, actor, detail, null);
    }

    /**
     * {@link #submit}, applied only if {@code stillWanted} holds when the session's writer comes to it
     * (checked there, between two events); otherwise the future completes with null and nothing changes.
     * For events decided on a state that may change before they run (a grace period's end, say).
     */
    public CompletableFuture<Outcome> submitIf(long sessionId, QueueEvent event, String actor, String detail,
                                               java.util.function.BooleanSupplier stillWanted) {
        return actor(sessionId, false).submitIf(event, actor, detail, stillWanted);
    }

    /** {@link #submit} and wait: returns once durable, throws the refusal itself. */
    public Outcome apply(long sessionId, QueueEvent event, String actor) {
        return await(submit(sessionId, event, actor, null));
    }

    /**
     * A marketplace-reported departure (returned, abandoned, submitted) of an assignment: the
     * session and worker are found from Pavilion's own assignment records (SPEC §4.8).
     */
    public CompletableFuture<Outcome> submitForAssignment(String assignmentId, String workerId,
                                                          QueueEvent.Departure how, String actor, String detail) {
        AssignmentRef ref = store.findSessionByAssignment(assignmentId, workerId)
                .orElseThrow(() -> new UnknownAssignmentException(assignmentId, workerId));
        return submit(ref.sessionId(), new QueueEvent.Leave(ref.workerId(), assignmentId, how), actor, detail);
    }

    /**
     * Waiting pay a worker's current assignment has earned so far, in cents, computed from server
     * timestamps, up to the session's longest paid wait (SPEC §4.9).
     */
    public CompletableFuture<Long> waitingPayCents(long sessionId, String workerId) {
        var rules = config(sessionId).payRules();
        return read(sessionId, engine -> rules.waitingCents(engine.paidWaitMillis(workerId, clock.instant())));
    }

    /**
     * Starts the periodic check of paid waits: every {@code every}, each session in memory caps the waits
     * that reached its longest paid wait (the worker is paid up to then and asked to submit).
     */
    public void checkWaitCapsEvery(Duration every) {
        ticker.scheduleWithFixedDelay(() -> {
            sleepEndedSessions(ENDED_IDLE);
            for (SessionActor actor : sessions.values()) {
                if (actor.ended()) {
                    continue; // nothing to cap once it has ended (SESSION_ENDED settled every wait)
                }
                actor.submit(new QueueEvent.CapWaits(), "system", null).exceptionally(e -> {
                    RuntimeException why = unwrap(e);
                    if (why instanceof SessionStorageException) {
                        // A stalled database: said once per tick and session, without a stack trace; tried again next tick.
                        log.warn("session {}: the check of paid waits could not be stored: {}", actor.config.sessionId(),
                                why.getMessage());
                    } else if (!(why instanceof PavilionException)) {
                        log.warn("session {}: the check of paid waits failed", actor.config.sessionId(), e);
                    }
                    return null;
                });
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs a read of a session's queues on its writer, between two events. */
    public <T> CompletableFuture<T> read(long sessionId, Function<QueueEngine, T> query) {
        return actor(sessionId).read(query);
    }

    /**
     * The session's queues as last committed, without waiting for its writer: for threads that must not
     * block (connections, task logic, pages). An unknown session throws {@link UnknownSessionException};
     * one that has ended and gone dormant, or ended before this process started, throws
     * {@link SessionEndedException}.
     */
    public Queues published(long sessionId) {
        return actor(sessionId).published()
                .orElseThrow(() -> new SessionEndedException("session " + sessionId + " has ended"));
    }

    /**
     * A worker's status as last committed, without waiting (null if it never joined); as {@link #published}
     * for unknown and ended sessions.
     */
    public WorkerStatus publishedStatus(long sessionId, String workerId) {
        SessionActor actor = actor(sessionId);
        if (actor.published().isEmpty()) {
            throw new SessionEndedException("session " + sessionId + " has ended");
        }
        return actor.publishedStatus(workerId);
    }

    /** Every worker of the session as it is now, read on its writer (a dormant ended session is woken). */
    public QueueSnapshot snapshot(long sessionId) {
        return await(read(sessionId, QueueEngine::snapshot));
    }

    /** Whether the session has ended (its expiry is committed); unknown sessions throw. */
    public boolean hasEnded(long sessionId) {
        SessionActor actor = sessions.get(sessionId);
        if (actor != null) {
            return actor.ended();
        }
        return store.isExpired(sessionId).orElseThrow(() -> new UnknownSessionException(sessionId));
    }

    /**
     * Registers what to run when an ended session goes dormant: components drop what they keep per
     * session (connections' bookkeeping, task logic's aliases). Runs on the service's ticker thread.
     */
    public void whenEndedSessionSleeps(java.util.function.LongConsumer hook) {
        endedHooks.add(hook);
    }

    /**
     * Lets go of the engines of ended sessions idle for {@code idle} (each is rebuilt from its log if it is
     * read again) and tells the {@link #whenEndedSessionSleeps} hooks. Returns how many went dormant.
     */
    public int sleepEndedSessions(Duration idle) {
        int slept = 0;
        for (SessionActor actor : sessions.values()) {
            if (actor.ended() && !actor.dormant()) {
                actor.sleepIfIdle(idle);
            } else if (actor.dormant() && actor.notifiedDormant.compareAndSet(false, true)) {
                long id = actor.config.sessionId();
                for (var hook : endedHooks) {
                    try {
                        hook.accept(id);
                    } catch (RuntimeException e) {
                        log.warn("session {}: dropping its per-session state failed", id, e);
                    }
                }
                slept++;
            }
        }
        return slept;
    }

    /** Sessions whose engines are held in memory (live ones and ended ones not yet dormant). */
    public int engagedSessions() {
        return (int) sessions.values().stream().filter(a -> !a.dormant()).count();
    }

    public SessionConfig config(long sessionId) {
        return actor(sessionId).config;
    }

    /** Ids of the sessions held in memory (live, and those that expired since the start). */
    public List<Long> sessionIds() {
        return sessions.keySet().stream().sorted().toList();
    }

    private SessionActor actor(long sessionId) {
        return actor(sessionId, false);
    }

    private SessionActor actor(long sessionId, boolean evenIfEnded) {
        SessionActor actor = sessions.get(sessionId);
        if (actor != null) {
            return actor;
        }
        // Not in memory: it either never existed or ended before this process started. Which one is a
        // one-row question; its log is read only if it is needed.
        Optional<Boolean> expired = store.isExpired(sessionId);
        if (expired.isEmpty()) {
            throw new UnknownSessionException(sessionId);
        }
        if (expired.get() && !evenIfEnded) {
            throw new SessionEndedException("session " + sessionId + ": any event");
        }
        SessionLog stored = store.loadSession(sessionId).orElseThrow(() -> new UnknownSessionException(sessionId));
        return sessions.computeIfAbsent(sessionId, id -> newActor(stored));
    }

    private SessionActor newActor(SessionLog session) {
        return new SessionActor(session, store, committer, writers, clock);
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    private static RuntimeException unwrap(Throwable cause) {
        return cause instanceof RuntimeException r ? r : new CompletionException(cause);
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Lets queued events finish and be written, then stops. */
    @Override
    public void close() {
        ticker.shutdownNow();
        writers.shutdown();
        try {
            writers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        committer.close();
    }
}
