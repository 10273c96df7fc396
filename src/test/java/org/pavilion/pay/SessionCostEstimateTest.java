package org.pavilion.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The go-live estimate's arithmetic, worked by hand from MTurk's fee rules. */
class SessionCostEstimateTest {

    private static Money usd(String amount) {
        return Money.parseUsd(amount);
    }

    @Test
    void aSmallSessionOfOneHourAssignments() {
        // maxActive 1 + maxWaiting 1 = 2 places; one turnover an hour: 2 hires.
        SessionCostEstimate e = SessionCostEstimate.of(usd("0.50"), 1, 1, usd("7.25"), 3600);
        assertThat(e.hiresPerHour()).isEqualTo(2);
        assertThat(e.waitingPay()).isEqualTo(usd("7.25"));
        assertThat(e.waitingPayFees()).isEqualTo(usd("1.45"));
        assertThat(e.hireRewards()).isEqualTo(usd("1.00"));
        assertThat(e.hireFees()).isEqualTo(usd("0.20"));
        assertThat(e.perHour()).isEqualTo(usd("9.90"));
        assertThat(e.initialRewards()).isEqualTo(usd("1.00"));
        assertThat(e.initialFees()).isEqualTo(usd("0.20"));
        assertThat(e.initialHit()).isEqualTo(usd("1.20"));
        assertThat(e.firstHour()).isEqualTo(usd("11.10"));
    }

    @Test
    void anInitialHitOfTenAssignmentsPaysTheLargeHitFeeButHiresDoNot() {
        // 5 + 5 = 10 places, 30-minute assignments: 20 hires an hour, each a one-assignment HIT.
        SessionCostEstimate e = SessionCostEstimate.of(usd("0.50"), 5, 5, usd("7.25"), 1800);
        assertThat(e.hiresPerHour()).isEqualTo(20);
        assertThat(e.waitingPay()).isEqualTo(usd("36.25"));
        assertThat(e.waitingPayFees()).isEqualTo(usd("7.25"));
        assertThat(e.hireRewards()).isEqualTo(usd("10.00"));
        assertThat(e.hireFees()).isEqualTo(usd("2.00")); // 20 %, not 40 %
        assertThat(e.perHour()).isEqualTo(usd("55.50"));
        assertThat(e.initialFees()).isEqualTo(usd("2.00")); // 40 % of 0.50 on each of 10
        assertThat(e.initialHit()).isEqualTo(usd("7.00"));
        assertThat(e.firstHour()).isEqualTo(usd("62.50"));
    }

    @Test
    void nineAssignmentsStayBelowTheLargeHitFee() {
        assertThat(SessionCostEstimate.of(usd("1.00"), 4, 5, Money.ZERO, 3600).initialFees()).isEqualTo(usd("1.80"));
        assertThat(SessionCostEstimate.of(usd("1.00"), 5, 5, Money.ZERO, 3600).initialFees()).isEqualTo(usd("4.00"));
    }

    @Test
    void everyBonusAndRewardPaysAtLeastACentOfFee() {
        // 2 cents an hour of waiting: 20 % is 0.4 cent, charged as 1 cent per worker's bonus.
        SessionCostEstimate e = SessionCostEstimate.of(usd("0.01"), 1, 3, usd("0.02"), 7200);
        assertThat(e.hiresPerHour()).isEqualTo(4); // two-hour assignments: still at least one hire per place
        assertThat(e.waitingPay()).isEqualTo(usd("0.06"));
        assertThat(e.waitingPayFees()).isEqualTo(usd("0.03"));
        assertThat(e.hireFees()).isEqualTo(usd("0.04"));
        assertThat(e.perHour()).isEqualTo(usd("0.17"));
        assertThat(e.firstHour()).isEqualTo(usd("0.25"));
    }

    @Test
    void noWaitingPayMeansNoBonusFee() {
        SessionCostEstimate e = SessionCostEstimate.of(usd("0.50"), 1, 2, Money.ZERO, 3600);
        assertThat(e.waitingPay()).isEqualTo(Money.ZERO);
        assertThat(e.waitingPayFees()).isEqualTo(Money.ZERO);
        assertThat(e.perHour()).isEqualTo(usd("1.80")); // 3 hires of 0.50 + 0.10
    }

    @ParameterizedTest(name = "{0} places, {1} s assignments: {2} hires an hour")
    @CsvSource({"3, 3600, 3", "3, 7200, 3", "3, 86400, 3", "3, 2700, 4", "3, 2500, 5", "2, 30, 240", "1, 3599, 2",
            "0, 60, 0"})
    void expectedHiresPerHourTurnsEachPlaceOverOncePerTimeLimitRoundedUp(int capacity, int duration, int hires) {
        assertThat(SessionCostEstimate.expectedHiresPerHour(capacity, duration)).isEqualTo(hires);
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> SessionCostEstimate.expectedHiresPerHour(2, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SessionCostEstimate.of(Money.ofCents(-1), 1, 1, Money.ZERO, 3600))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SessionCostEstimate.of(Money.ZERO, 0, 0, Money.ZERO, 3600))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
