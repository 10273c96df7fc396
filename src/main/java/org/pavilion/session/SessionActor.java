package org.pavilion.session;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.pavilion.queue.Outcome;
import org.pavilion.queue.PavilionException;
import org.pavilion.queue.QueueEngine;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Queues;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.queue.Decision.StatusChange;

/**
 * The single writer of one live session (LMAX style): its mailbox is drained by at most one
 * pool thread at a time, so no two transitions of the session interleave and the engine needs
 * no lock, while different sessions run in parallel on the pool.
 *
 * <p>Events are applied in memory at once and handed to the {@link GroupCommitter}; nothing is
 * acknowledged before the commit. If a commit fails, the committer bumps {@link #invalidEpoch}
 * and the actor rebuilds its engine from the store before its next message, so memory never
 * runs ahead of the database for long.
 *
 * <p>After each commit the actor publishes the committed queues ({@link Queues}, immutable) and each
 * worker's committed status, so readers that must not wait (socket threads, task logic, admin pages) never
 * queue behind its writes. Both are updated by the commit thread only, in the session's order.
 * An ended session that stays idle goes dormant ({@link #sleepIfIdle}): its engine and snapshot are let go
 * and rebuilt from the store, on its writer, only if something asks for it again.
 */
final class SessionActor implements Runnable {

    private static final int FAIRNESS_BATCH = 256;
    /** After a failed reload, how long commands fail at once before the store is tried again (doubling). */
    static final java.time.Duration RELOAD_BACKOFF_MIN = java.time.Duration.ofMillis(250);
    static final java.time.Duration RELOAD_BACKOFF_MAX = java.time.Duration.ofSeconds(2);

    final SessionConfig config;
    private final SessionStore store;
    private final GroupCommitter committer;
    private final Executor executor;
    private final Clock clock;

    private final ConcurrentLinkedQueue<Command> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    // Owned by the actor's current thread (the mailbox hand-off orders memory between runs).
    private QueueEngine engine; // null while dormant
    private long nextSeq;
    /** The committed queues, for readers on any thread; null while dormant. */
    private volatile Queues published;
    /** Each worker's committed status (written by the commit thread, or by the writer while rebuilding). */
    private final java.util.concurrent.ConcurrentHashMap<String, WorkerStatus> statuses =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Whether the session has ended (committed); once true, never false again. */
    private volatile boolean ended;
    /** Events handed to the committer and not yet written or failed. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long lastUsedNanos = System.nanoTime();
    // Owned by the writer: the last failed reload, and how long to fail at once after it (0: try the store).
    private RuntimeException lastReloadFailure;
    private long lastReloadFailureNanos;
    private long reloadBackoffNanos;
    /** Set once the service has told its hooks this dormant session's state can go; reset on waking. */
    final AtomicBoolean notifiedDormant = new AtomicBoolean();
    private volatile long epoch;
    /** Items of this epoch or older were rolled back; set by the committer. */
    volatile long invalidEpoch = -1;

    SessionActor(SessionLog log, SessionStore store, GroupCommitter committer, Executor executor, Clock clock) {
        this.config = log.config();
        this.store = store;
        this.committer = committer;
        this.executor = executor;
        this.clock = clock;
        rebuild(log);
    }

    /**
     * The engine from the stored log; what it holds is committed, so it is published at once (no commit of
     * this session is in flight: a rebuild follows a failed one, or wakes a dormant session).
     */
    private void rebuild(SessionLog log) {
        engine = QueueEngine.replay(config.thresholds(), config.allowRepeatWorkers(), config.hireBudget(),
                config.payRules(), log.facts().stream().map(LoggedFact::fact).toList());
        nextSeq = log.nextSeq();
        statuses.clear();
        engine.snapshot().workers().forEach((id, w) -> statuses.put(id, w.status()));
        publish(engine.queues());
    }

    private void publish(Queues queues) {
        published = queues;
        if (queues.expired()) {
            ended = true;
        }
    }

    /** The committer wrote an event of this session: its status changes and {@code after} (if any) are now true. */
    void committed(CommitItem item, Queues after) {
        for (var fact : item.facts()) {
            if (fact instanceof StatusChange c) {
                statuses.put(c.workerId(), c.to());
            }
        }
        if (after != null) {
            publish(after);
        }
        inFlight.decrementAndGet();
    }

    /** The committer gave up on an event of this session (the session is rebuilt from the store). */
    void uncommitted() {
        inFlight.decrementAndGet();
    }

    /** The session's queues as last committed, without waiting; empty while dormant. */
    java.util.Optional<Queues> published() {
        return java.util.Optional.ofNullable(published);
    }

    /** A worker's status as last committed (null if it never joined, or while dormant). */
    WorkerStatus publishedStatus(String workerId) {
        return statuses.get(workerId);
    }

    boolean ended() {
        return ended;
    }

    /** Whether it let go of its engine (an idle, ended session); for tests and the memory figures. */
    boolean dormant() {
        return ended && published == null;
    }

    /**
     * Lets an ended session's engine go once nothing has used it for {@code idle} and none of its writes is
     * in flight (a rebuild must read them back). Runs on the writer, between two events.
     */
    void sleepIfIdle(java.time.Duration idle) {
        if (ended && published != null && System.nanoTime() - lastUsedNanos >= idle.toNanos()) {
            enqueue(new Sleep(idle));
        }
    }

    /** Applies the event on the session's writer; the future completes once its effect is durable. */
    CompletableFuture<Outcome> submit(QueueEvent event, String actor, String detail) {
        return submitIf(event, actor, detail, null);
    }

    /**
     * As {@link #submit}, but the event is applied only if {@code stillWanted} (checked on the writer,
     * right before) says so; otherwise the future completes with null and nothing changes.
     */
    CompletableFuture<Outcome> submitIf(QueueEvent event, String actor, String detail, BooleanSupplier stillWanted) {
        return submitDescribed(event, actor, engine -> detail, stillWanted);
    }

    /**
     * As {@link #submitIf}, with the log's detail written on the writer from the state right before the event
     * (so it can state the server's own figures, e.g. the wait a worker is paid for).
     */
    CompletableFuture<Outcome> submitDescribed(QueueEvent event, String actor, Function<QueueEngine, String> detail,
                                               BooleanSupplier stillWanted) {
        Apply command = new Apply(event, actor, detail, stillWanted, new CompletableFuture<>());
        enqueue(command);
        return command.done();
    }

    /** Runs a read on the session's writer, so it sees a state no other event is halfway through. */
    <T> CompletableFuture<T> read(Function<QueueEngine, T> query) {
        Read<T> command = new Read<>(query, new CompletableFuture<>());
        enqueue(command);
        return command.done();
    }

    /** Asks the actor to rebuild itself from the store before its next message. */
    void invalidate(long failedEpoch) {
        synchronized (this) {
            if (failedEpoch > invalidEpoch) {
                invalidEpoch = failedEpoch;
            }
        }
        enqueue(new Rebuild());
    }

    /** What the mailbox holds. */
    private sealed interface Command {
        void fail(RuntimeException why);
    }

    private record Apply(QueueEvent event, String actor, Function<QueueEngine, String> detail,
                         BooleanSupplier stillWanted,
                         CompletableFuture<Outcome> done) implements Command {
        public void fail(RuntimeException why) {
            done.completeExceptionally(why);
        }
    }

    private record Read<T>(Function<QueueEngine, T> query, CompletableFuture<T> done) implements Command {
        public void fail(RuntimeException why) {
            done.completeExceptionally(why);
        }
    }

    private record Rebuild() implements Command {
        public void fail(RuntimeException why) {
        }
    }

    private record Sleep(java.time.Duration idle) implements Command {
        public void fail(RuntimeException why) {
        }
    }

    private void handle(Command command) {
        if (command instanceof Sleep sleep) {
            if (engine != null && invalidEpoch < epoch && engine.isExpired() && inFlight.get() == 0
                    && System.nanoTime() - lastUsedNanos >= sleep.idle().toNanos()) {
                engine = null;
                published = null;
                statuses.clear();
            }
            return;
        }
        lastUsedNanos = System.nanoTime();
        if (command instanceof Apply a) {
            if (a.stillWanted() != null && !a.stillWanted().getAsBoolean()) {
                a.done().complete(null);
                return;
            }
            String detail;
            try {
                detail = a.detail().apply(engine);
            } catch (RuntimeException e) {
                detail = null; // a description never stops the event it describes
            }
            apply(a.event(), a.actor(), detail, a.done());
        } else if (command instanceof Read<?> r) {
            read(r);
        }
        // Rebuild needs nothing more: run() rebuilt before handing it over.
    }

    private <T> void read(Read<T> r) {
        try {
            r.done().complete(r.query().apply(engine));
        } catch (RuntimeException e) {
            r.done().completeExceptionally(e);
        }
    }

    private void apply(QueueEvent event, String actor, String detail, CompletableFuture<Outcome> done) {
        Outcome outcome;
        // The store keeps microseconds; memory must hold exactly what a replay will read back.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        try {
            outcome = engine.apply(event, now);
        } catch (PavilionException refused) {
            done.completeExceptionally(refused); // the engine checked before changing anything
            return;
        } catch (RuntimeException bug) {
            // Not a refusal: the engine may have stopped halfway. Rebuild from the store.
            invalidate(epoch);
            done.completeExceptionally(bug);
            return;
        }
        CommitItem item = new CommitItem(config.sessionId(), nextSeq, now, actor, detail, outcome.facts());
        nextSeq += item.facts().size();
        // A copy of the two queues per changing event: what readers see once it is committed.
        Queues after = outcome.facts().isEmpty() ? null : engine.queues();
        inFlight.incrementAndGet();
        committer.enqueue(new GroupCommitter.Pending(this, epoch, item, outcome, after, done));
    }

    private void enqueue(Command command) {
        mailbox.add(command);
        if (scheduled.compareAndSet(false, true)) {
            executor.execute(this);
        }
    }

    @Override
    public void run() {
        try {
            Command command;
            int handled = 0;
            while (handled++ < FAIRNESS_BATCH && (command = mailbox.poll()) != null) {
                if (!(command instanceof Sleep) && (invalidEpoch >= epoch || engine == null)) {
                    RuntimeException failure = rebuildFromStore();
                    if (failure != null) {
                        command.fail(failure);
                        continue;
                    }
                }
                handle(command);
            }
        } finally {
            scheduled.set(false);
            if (!mailbox.isEmpty() && scheduled.compareAndSet(false, true)) {
                executor.execute(this);
            }
        }
    }

    /**
     * Rebuilds the engine from the store after a failed commit, or to wake a dormant session; returns the
     * failure if it cannot.
     */
    private RuntimeException rebuildFromStore() {
        long now = System.nanoTime();
        if (reloadBackoffNanos > 0 && now - lastReloadFailureNanos < reloadBackoffNanos) {
            // The store failed the last reload moments ago: fail at once rather than hold a writer thread
            // (shared by every session) for another lock timeout per queued command.
            return new SessionStorageException("session " + config.sessionId()
                    + " cannot be read from storage just now; nothing was done, try again", lastReloadFailure);
        }
        try {
            long target = Math.max(epoch, invalidEpoch + 1);
            if (engine == null) {
                notifiedDormant.set(false); // woken: it may gather state again, to be dropped when it sleeps
            }
            SessionLog log = store.loadSession(config.sessionId())
                    .orElseThrow(() -> new UnknownSessionException(config.sessionId()));
            rebuild(log);
            epoch = target;
            reloadBackoffNanos = 0;
            return null;
        } catch (RuntimeException e) {
            lastReloadFailure = e;
            lastReloadFailureNanos = System.nanoTime();
            reloadBackoffNanos = reloadBackoffNanos == 0 ? RELOAD_BACKOFF_MIN.toNanos()
                    : Math.min(2 * reloadBackoffNanos, RELOAD_BACKOFF_MAX.toNanos());
            return new SessionStorageException("session " + config.sessionId()
                    + " could not be reloaded from storage after a failed write; try again", e);
        }
    }
}
