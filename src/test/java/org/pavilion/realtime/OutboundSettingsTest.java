package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Bad settings of the outbound stage stop the start with a message naming the setting. */
class OutboundSettingsTest {

    @Test
    void aNegativeNumberOfSendersIsRefusedByName() {
        assertThatThrownBy(() -> new Outbound(null, -1, Duration.ofMillis(25)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pavilion.realtime.send-threads").hasMessageContaining("-1");
    }

    @Test
    void aNegativeCountsWindowIsRefusedByName() {
        assertThatThrownBy(() -> new Outbound(null, 2, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pavilion.realtime.counts-window");
    }
}
