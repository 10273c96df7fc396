package org.pavilion.session;

import org.pavilion.queue.PayRules;

/** Pay for waiting (SPEC §4.9): waiting time × the task's hourly rate, rounded to the cent. */
public final class WaitingPay {

    private WaitingPay() {
    }

    /** Cents owed for {@code waitedMillis} at {@code centsPerHour}, rounded half up to the cent. */
    public static long cents(long waitedMillis, int centsPerHour) {
        return PayRules.cents(waitedMillis, centsPerHour);
    }
}
