package org.pavilion.queue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An immutable picture of a session's queues, for views, comparisons and tests. */
public record QueueSnapshot(List<String> waiting, List<String> active, Map<String, WorkerView> workers,
                            boolean started, boolean stopped, boolean expired, int hires, int hireBudget,
                            int withheldHires) {

    public QueueSnapshot {
        waiting = List.copyOf(waiting);
        active = List.copyOf(active);
        workers = Map.copyOf(workers);
    }

    /**
     * One worker as the session knows it. {@code waitingSince} is set while a waiting period is
     * open; {@code waitedMillis} sums the closed ones. {@code replaced}: a replacement for the worker's
     * current assignment was decided at its disconnect (SPEC §4.7; hired, or withheld by the budget), so
     * that assignment hires nobody again.
     */
    public record WorkerView(WorkerStatus status, String assignmentId, long order,
                             Instant waitingSince, long waitedMillis, boolean ready, boolean replaced) {

        public WorkerView(WorkerStatus status, String assignmentId, long order, Instant waitingSince,
                          long waitedMillis, boolean ready) {
            this(status, assignmentId, order, waitingSince, waitedMillis, ready, false);
        }
    }
}
