package org.pavilion.queue;

/** What the session tells workers: the server→client events of SPEC §5. */
public sealed interface Message {

    /** {@code start_your_task}: you were promoted to the active queue. */
    record StartYourTask() implements Message {
    }

    /** {@code job_is_full}: you were not admitted; return the HIT. */
    record JobIsFull(String reason) implements Message {
    }

    /**
     * {@code update_worker_count}: the waiting queue's size out of maxWaiting, as the seed sends it
     * (SPEC §5). {@link WorkersStatus} carries both queues.
     */
    record WorkerCount(int count, int maxCount) implements Message {
    }

    /** {@code workers_status}: the two queue sizes. */
    record WorkersStatus(int waiting, int active) implements Message {
    }

    /** {@code stop}: the job is over; submit now. */
    record Stop() implements Message {
    }
}
