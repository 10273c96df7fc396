package org.pavilion.marketplace;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one shape of Pavilion's durable outboxes (hires, go-live posting, HIT expiry, pay): a thread that
 * goes over the outbox's pending rows, then waits for a wake-up or the poll interval; a round that
 * fails (the database is down, say) is retried after the poll interval. What is pending is read from
 * the database every round, so a restart picks up where the last process stopped.
 */
public abstract class OutboxLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutboxLoop.class);

    private final String name;
    private final Duration poll;
    private final Duration maxBackoff;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Thread thread;
    private volatile boolean running = true;
    private boolean signalled;

    protected OutboxLoop(String name, Duration poll, Duration maxBackoff) {
        this.name = name;
        this.poll = poll;
        this.maxBackoff = maxBackoff;
        this.thread = new Thread(this::loop, "pavilion-" + name);
        this.thread.setDaemon(true);
    }

    /** One round over the outbox; public in subclasses for tests that drive it step by step. */
    public abstract void dispatchPending();

    /**
     * What the thread does each time it wakes: by default {@link #dispatchPending()}. An outbox that sends
     * on other threads starts its sends here without waiting for them, and wakes the loop as each ends.
     */
    protected void round() {
        dispatchPending();
    }

    /** Starts sending, beginning with whatever was left pending before a restart. */
    public void start() {
        thread.start();
    }

    /** Asks for a round now (something was made due: a commit, an admin's action). */
    public final void wake() {
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
                round();
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
                log.error("{} round failed; retrying", name, e); // e.g. the database is down
                sleepQuietly(poll);
            }
        }
    }

    /** Exponential backoff with full jitter, capped. */
    protected final Duration backoff(int attempts) {
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
