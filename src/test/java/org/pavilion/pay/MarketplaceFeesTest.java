package org.pavilion.pay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MarketplaceFeesTest {

    @ParameterizedTest(name = "reward {0} ¢ on a HIT of {1} assignments: fee {2} ¢")
    @CsvSource({"50, 1, 10", "50, 9, 10", "50, 10, 20", "1, 1, 1", "3, 1, 1", "0, 1, 0", "1250, 12, 500", "52, 1, 10",
            "53, 1, 11"})
    void rewardFees(long reward, int assignments, long fee) {
        assertThat(MarketplaceFees.onReward(Money.ofCents(reward), assignments)).isEqualTo(Money.ofCents(fee));
    }

    @ParameterizedTest(name = "bonus {0} ¢: fee {1} ¢")
    @CsvSource({"4, 1", "1, 1", "100, 20", "2, 1", "8, 2", "0, 0"})
    void bonusFeesNeverPayTheLargeHitPart(long bonus, long fee) {
        assertThat(MarketplaceFees.onBonus(Money.ofCents(bonus))).isEqualTo(Money.ofCents(fee));
    }
}
