package org.pavilion.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The hire-lookup settings refuse values that would never look, or look back in time, with the setting's name. */
class TokenLookupSettingsTest {

    @Test
    void defaultsLookFiveTimesAMinuteApart() {
        assertThat(HireDispatcher.TokenLookup.defaults())
                .isEqualTo(new HireDispatcher.TokenLookup(5, Duration.ofMinutes(1)));
    }

    @Test
    void badSettingsAreRefusedByName() {
        assertThatThrownBy(() -> new HireDispatcher.TokenLookup(0, Duration.ofSeconds(1)))
                .hasMessageContaining("pavilion.marketplace.hire-lookup-attempts");
        assertThatThrownBy(() -> new HireDispatcher.TokenLookup(3, Duration.ofSeconds(-1)))
                .hasMessageContaining("pavilion.marketplace.hire-lookup-delay");
        assertThat(new HireDispatcher.TokenLookup(1, Duration.ZERO).attempts()).isEqualTo(1);
    }
}
