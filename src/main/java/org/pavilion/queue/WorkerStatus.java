package org.pavilion.queue;

/**
 * A worker's status within one session (SPEC §2). The seed numbered the first five 1..5;
 * {@link #DISCONNECTED} is ours (SPEC §4.7).
 */
public enum WorkerStatus {
    WAITING(1), ACTIVE(2), SUBMITTED(3), RETURNED(4), ABANDONED(5), DISCONNECTED(6);

    private final int seedCode;

    WorkerStatus(int seedCode) {
        this.seedCode = seedCode;
    }

    /** The number the seed's database used for this status. */
    public int seedCode() {
        return seedCode;
    }

    /** In one of the two queues. */
    public boolean inQueue() {
        return this == WAITING || this == ACTIVE;
    }
}
