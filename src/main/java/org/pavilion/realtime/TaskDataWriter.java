package org.pavilion.realtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.pavilion.storage.TaskDataStore;
import org.pavilion.tasklogic.TaskRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes task data off the socket threads (issue 13 items 4 and 7): one thread takes what task logic
 * recorded, writes everything queued in one transaction, and then runs each event's continuation (its
 * held messages and its acknowledgement) in the order the events were queued — so the order in which
 * messages leave is the order in which they were stored. A batch that fails is written again one event
 * at a time, so one bad event fails only itself.
 */
public final class TaskDataWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskDataWriter.class);

    /** The most events waiting to be written; beyond it an event is refused ("try again"). */
    static final int MAX_QUEUED = 10_000;
    static final int MAX_BATCH = 128;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    /** One event's records, and what to do once they are durable (or could not be written). */
    record Unit(List<TaskRecord> records, Runnable then, Consumer<Throwable> failed) {
    }

    private final TaskDataStore store;
    private final BlockingQueue<Unit> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
    private final Thread thread;
    private volatile boolean closed;

    public TaskDataWriter(TaskDataStore store) {
        this.store = store;
        this.thread = new Thread(this::run, "pavilion-task-data");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues an event's records; false when the queue is full or the writer is closed (nothing queued). */
    boolean submit(Unit unit) {
        return !closed && queue.offer(unit);
    }

    private void run() {
        List<Unit> batch = new ArrayList<>();
        while (!(closed && queue.isEmpty())) {
            Unit first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (closed) {
                    queue.drainTo(batch); // write what was accepted before the close
                    write(batch);
                    return;
                }
                continue;
            }
            if (first == null) {
                continue;
            }
            batch.clear();
            batch.add(first);
            queue.drainTo(batch, MAX_BATCH - 1);
            write(batch);
        }
    }

    private void write(List<Unit> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<TaskRecord> all = new ArrayList<>();
        batch.forEach(u -> all.addAll(u.records()));
        try {
            store.append(all);
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                fail(batch.get(0), e);
                return;
            }
            for (Unit u : batch) { // one at a time: only the failing event fails
                try {
                    store.append(u.records());
                } catch (RuntimeException alone) {
                    fail(u, alone);
                    continue;
                }
                done(u);
            }
            return;
        }
        batch.forEach(TaskDataWriter::done);
    }

    private static void done(Unit u) {
        try {
            u.then().run();
        } catch (RuntimeException e) {
            log.warn("task data written; its continuation failed", e);
        }
    }

    private static void fail(Unit u, RuntimeException e) {
        log.warn("task data of session {} could not be written ({} records): {}",
                u.records().isEmpty() ? null : u.records().get(0).sessionId(), u.records().size(), e.toString());
        try {
            u.failed().accept(e);
        } catch (RuntimeException again) {
            log.warn("task data failure handler failed", again);
        }
    }

    /** Writes what was queued (waiting at most 10 s) and stops. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
