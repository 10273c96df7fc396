package org.pavilion.session;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.pavilion.queue.Outcome;
import org.pavilion.queue.Queues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes events durable in groups: one thread takes whatever events of all sessions are
 * waiting, writes them in one transaction, and only then completes their futures and hands
 * their outcomes to the listeners, in the order the sessions produced them. Under load a
 * group grows, so commits per second stay flat while events per second rise.
 */
final class GroupCommitter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);
    private static final int MAX_GROUP = 1024;

    /**
     * One event's effect, waiting to be written. {@code after}: the session's queues once it is applied
     * (null if it changed nothing), published when it is durable.
     */
    record Pending(SessionActor session, long epoch, CommitItem item, Outcome outcome, Queues after,
                   CompletableFuture<Outcome> done) {
    }

    private final SessionStore store;
    private final List<OutcomeListener> listeners;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(64 * 1024);
    private final Thread thread;
    private volatile boolean running = true;

    GroupCommitter(SessionStore store, List<OutcomeListener> listeners) {
        this.store = store;
        this.listeners = List.copyOf(listeners);
        this.thread = new Thread(this::loop, "pavilion-commit");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Blocks while the queue is full: back-pressure on the sessions' writers. */
    void enqueue(Pending pending) {
        if (!running) {
            pending.done().completeExceptionally(new IllegalStateException("Pavilion is shutting down"));
            return;
        }
        try {
            queue.put(pending);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.done().completeExceptionally(e);
        }
    }

    private void loop() {
        List<Pending> group = new ArrayList<>(MAX_GROUP);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                commit(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("commit loop failed", e); // commit() handles store errors; this is a bug
            } finally {
                group.clear();
            }
        }
    }

    private void commit(List<Pending> group) {
        List<Pending> valid = new ArrayList<>(group.size());
        List<CommitItem> items = new ArrayList<>(group.size());
        for (Pending p : group) {
            if (p.epoch() <= p.session().invalidEpoch) {
                // An earlier event of this session was rolled back, and this one was decided on top of it.
                p.session().uncommitted();
                p.done().completeExceptionally(new SessionStorageException(
                        "an earlier write of session " + p.item().sessionId() + " failed; try again", null));
                continue;
            }
            valid.add(p);
            if (!p.item().facts().isEmpty()) {
                items.add(p.item());
            }
        }
        if (!items.isEmpty()) {
            try {
                store.commit(items);
            } catch (RuntimeException e) {
                Map<SessionActor, List<Pending>> bySession = new java.util.LinkedHashMap<>();
                for (Pending p : valid) {
                    bySession.computeIfAbsent(p.session(), k -> new ArrayList<>()).add(p);
                }
                if (bySession.size() == 1 || transientFailure(e)) {
                    // A lock held too long, a cancelled statement, a lost connection: the database, not one
                    // session's data. Writing each session alone would cost a timeout per session.
                    fail(valid, e);
                    return;
                }
                // One session's bad write must not fail the others written with it: each alone, in order.
                log.warn("could not write a group of {} events of {} sessions; writing each session alone",
                        items.size(), bySession.size(), e);
                for (List<Pending> alone : bySession.values()) {
                    List<CommitItem> its = alone.stream().map(Pending::item).filter(i -> !i.facts().isEmpty()).toList();
                    try {
                        if (!its.isEmpty()) {
                            store.commit(its);
                        }
                    } catch (RuntimeException again) {
                        fail(alone, again);
                        continue;
                    }
                    delivered(alone);
                }
                return;
            }
        }
        delivered(valid);
    }

    /** SQL states of failures that belong to the database's condition, not to the rows written. */
    private static final java.util.Set<String> TRANSIENT_STATES = java.util.Set.of(
            "55P03", "57014", "40001", "40P01", "HYT00"); // lock timeout, cancelled, serialization, deadlock, H2 timeout

    /** Whether a write failed for the database's condition (so every session of the group would fail alike). */
    static boolean transientFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLTransientException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || TRANSIENT_STATES.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /** Their sessions are rebuilt from storage; their callers hear the failure. */
    private void fail(List<Pending> failed, RuntimeException e) {
        log.error("could not write {} events; their sessions are rebuilt from storage", failed.size(), e);
        Map<SessionActor, Long> failedEpochs = new IdentityHashMap<>();
        for (Pending p : failed) {
            failedEpochs.merge(p.session(), p.epoch(), Math::max);
        }
        // Invalidate before failing the futures: a caller woken by the failure must see the rebuild.
        failedEpochs.forEach(SessionActor::invalidate);
        for (Pending p : failed) {
            p.session().uncommitted();
            p.done().completeExceptionally(new SessionStorageException("the event could not be stored", e));
        }
    }

    private void delivered(List<Pending> written) {
        for (Pending p : written) {
            p.session().committed(p.item(), p.after()); // before anyone hears of it: a reader woken by it sees it
            for (OutcomeListener listener : listeners) {
                try {
                    listener.committed(p.item().sessionId(), p.outcome());
                } catch (RuntimeException e) {
                    log.error("listener {} failed for session {}", listener, p.item().sessionId(), e);
                }
            }
            p.done().complete(p.outcome());
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
