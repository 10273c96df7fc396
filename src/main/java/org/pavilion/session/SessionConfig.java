package org.pavilion.session;

import java.time.Duration;
import java.util.Objects;

import org.pavilion.queue.Thresholds;

/**
 * A live session's fixed settings, copied from its task when the session opened, so that
 * editing the task later never changes a running session.
 */
public record SessionConfig(long sessionId, long taskId, Thresholds thresholds, boolean allowRepeatWorkers,
                            Duration disconnectGrace, int waitingPayCentsPerHour) {

    public SessionConfig {
        Objects.requireNonNull(thresholds, "thresholds");
        Objects.requireNonNull(disconnectGrace, "disconnectGrace");
    }
}
