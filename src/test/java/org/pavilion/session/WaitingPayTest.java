package org.pavilion.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WaitingPayTest {

    @Test
    void anHourAtTheSeedRateIsSevenTwentyFive() {
        assertThat(WaitingPay.cents(3_600_000, 725)).isEqualTo(725);
    }

    @Test
    void roundsHalfUpToTheCent() {
        assertThat(WaitingPay.cents(1_800_000, 725)).isEqualTo(363); // 362.5
        assertThat(WaitingPay.cents(4_965, 725)).isEqualTo(1);       // 0.9998
        assertThat(WaitingPay.cents(2_482, 725)).isEqualTo(0);       // 0.4998
        assertThat(WaitingPay.cents(0, 725)).isZero();
    }

    @Test
    void refusesNegativeInput() {
        assertThatThrownBy(() -> WaitingPay.cents(-1, 725)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WaitingPay.cents(1, -725)).isInstanceOf(IllegalArgumentException.class);
    }
}
