package org.pavilion.queue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Objects;

/**
 * How a session pays for waiting (SPEC §4.9): the hourly rate, and the longest wait that is paid,
 * after which the worker is asked to submit ({@code maxPaidWait}).
 */
public record PayRules(int waitingCentsPerHour, Duration maxPaidWait) {

    /** The default longest paid wait: an hour. */
    public static final Duration DEFAULT_MAX_PAID_WAIT = Duration.ofMinutes(60);
    /** Waiting is not paid and never capped (tests of the queue rules alone). */
    public static final PayRules UNPAID = new PayRules(0, Duration.ofMillis(Long.MAX_VALUE));

    private static final BigDecimal MILLIS_PER_HOUR = BigDecimal.valueOf(3_600_000L);

    public PayRules {
        if (waitingCentsPerHour < 0) {
            throw new InvalidConfigurationException("waitingPayCentsPerHour", "must not be negative (was "
                    + waitingCentsPerHour + ")");
        }
        Objects.requireNonNull(maxPaidWait, "maxPaidWait");
        if (maxPaidWait.isNegative() || maxPaidWait.isZero()) {
            throw new InvalidConfigurationException("maxPaidWaitMinutes", "must be positive (was " + maxPaidWait + ")");
        }
    }

    /** The paid part of a wait: at most {@link #maxPaidWait}. */
    public long paidMillis(long waitedMillis) {
        return Math.min(waitedMillis, maxPaidWait.toMillis());
    }

    /** Cents owed for a wait, capped, rounded half up to the cent once. */
    public long waitingCents(long waitedMillis) {
        return cents(paidMillis(waitedMillis), waitingCentsPerHour);
    }

    /** Cents for {@code millis} at {@code centsPerHour}, rounded half up to the cent. */
    public static long cents(long millis, int centsPerHour) {
        if (millis < 0 || centsPerHour < 0) {
            throw new IllegalArgumentException("waited time and rate must not be negative");
        }
        return BigDecimal.valueOf(millis).multiply(BigDecimal.valueOf(centsPerHour))
                .divide(MILLIS_PER_HOUR, 0, RoundingMode.HALF_UP).longValueExact();
    }
}
