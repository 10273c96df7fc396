package org.pavilion.session;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Pay for waiting (SPEC §4.9): waiting time × the task's hourly rate, rounded to the cent. */
public final class WaitingPay {

    private static final BigDecimal MILLIS_PER_HOUR = BigDecimal.valueOf(3_600_000L);

    private WaitingPay() {
    }

    /** Cents owed for {@code waitedMillis} at {@code centsPerHour}, rounded half up to the cent. */
    public static long cents(long waitedMillis, int centsPerHour) {
        if (waitedMillis < 0 || centsPerHour < 0) {
            throw new IllegalArgumentException("waited time and rate must not be negative");
        }
        return BigDecimal.valueOf(waitedMillis).multiply(BigDecimal.valueOf(centsPerHour))
                .divide(MILLIS_PER_HOUR, 0, RoundingMode.HALF_UP).longValueExact();
    }
}
