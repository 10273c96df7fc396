package org.pavilion.session;

import java.time.Duration;
import java.util.Objects;

import org.pavilion.queue.PayRules;
import org.pavilion.queue.Thresholds;

/**
 * A live session's fixed settings, copied from its task when the session opened, so that
 * editing the task later never changes a running session.
 */
public record SessionConfig(long sessionId, long taskId, Thresholds thresholds, boolean allowRepeatWorkers,
                            Duration disconnectGrace, int waitingPayCentsPerHour, int hireBudget, PaySettings pay) {

    public SessionConfig {
        Objects.requireNonNull(thresholds, "thresholds");
        Objects.requireNonNull(disconnectGrace, "disconnectGrace");
        Objects.requireNonNull(pay, "pay");
        if (hireBudget < 0) {
            throw new IllegalArgumentException("hireBudget must be 0 or more");
        }
    }

    /** A session with the default pay settings ({@link PaySettings#DEFAULTS}). */
    public SessionConfig(long sessionId, long taskId, Thresholds thresholds, boolean allowRepeatWorkers,
                         Duration disconnectGrace, int waitingPayCentsPerHour, int hireBudget) {
        this(sessionId, taskId, thresholds, allowRepeatWorkers, disconnectGrace, waitingPayCentsPerHour, hireBudget,
                PaySettings.DEFAULTS);
    }

    /** The engine's pay rules: the rate and the longest paid wait. */
    public PayRules payRules() {
        return new PayRules(waitingPayCentsPerHour, pay.maxPaidWait());
    }

    /** A session with the default hire budget for its thresholds ({@link HireBudget#defaultFor}). */
    public SessionConfig(long sessionId, long taskId, Thresholds thresholds, boolean allowRepeatWorkers,
                         Duration disconnectGrace, int waitingPayCentsPerHour) {
        this(sessionId, taskId, thresholds, allowRepeatWorkers, disconnectGrace, waitingPayCentsPerHour,
                HireBudget.defaultFor(thresholds));
    }
}
