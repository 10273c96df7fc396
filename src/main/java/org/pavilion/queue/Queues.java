package org.pavilion.queue;

import java.util.List;

/**
 * A session's two queues and its phase, small enough to copy after every change: what readers that must
 * not wait for the session's writer see (the full {@link QueueSnapshot} holds every worker ever seen).
 */
public record Queues(List<String> waiting, List<String> active, boolean started, boolean stopped, boolean expired) {

    public Queues {
        waiting = List.copyOf(waiting);
        active = List.copyOf(active);
    }

    /** SPEC §3, as {@link QueueEngine#isFull()}. */
    public boolean isFull(Thresholds thresholds) {
        return QueueEngine.isFull(waiting.size(), active.size(), thresholds);
    }
}
