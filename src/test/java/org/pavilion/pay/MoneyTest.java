package org.pavilion.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MoneyTest {

    @ParameterizedTest
    @CsvSource({"50, 0.50, $0.50", "5, 0.05, $0.05", "1200, 12.00, $12.00", "0, 0.00, $0.00", "-125, -1.25, -$1.25"})
    void writesCentsAsMTurkAndAsPeopleRead(long cents, String usd, String display) {
        assertThat(Money.ofCents(cents).usd()).isEqualTo(usd);
        assertThat(Money.ofCents(cents).display()).isEqualTo(display);
    }

    @ParameterizedTest
    @CsvSource({"0.5, 50", "5, 500", "'$7.25', 725", "' 0.01 ', 1", "10000.00, 1000000"})
    void parsesDollarStrings(String usd, long cents) {
        assertThat(Money.parseUsd(usd).cents()).isEqualTo(cents);
    }

    @Test
    void refusesWhatIsNotAWholeNumberOfCents() {
        assertThatThrownBy(() -> Money.parseUsd("0.005")).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> Money.parseUsd("ten")).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> Money.parseUsd(null)).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void percentagesRoundHalfUpOnce() {
        assertThat(Money.ofCents(5).percentOf(20)).isEqualTo(Money.ofCents(1));   // 1.0
        assertThat(Money.ofCents(7).percentOf(20)).isEqualTo(Money.ofCents(1));   // 1.4
        assertThat(Money.ofCents(13).percentOf(20)).isEqualTo(Money.ofCents(3));  // 2.6
        assertThat(Money.ofCents(1250).percentOf(40)).isEqualTo(Money.ofCents(500));
    }

    @Test
    void sumsAndComparesExactly() {
        Money a = Money.ofCents(10).plus(Money.ofCents(20));
        assertThat(a).isEqualTo(Money.ofCents(30)).isGreaterThan(Money.ofCents(29));
        assertThat(a.minus(Money.ofCents(31)).isNegative()).isTrue();
        assertThat(Money.ofCents(3).times(4)).isEqualTo(Money.ofCents(12));
        assertThatThrownBy(() -> Money.ofCents(Long.MAX_VALUE).plus(Money.ofCents(1))).isInstanceOf(ArithmeticException.class);
    }
}
