package org.pavilion.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The thresholds' rules at their boundaries, as ThresholdRules states them and Thresholds enforces them. */
class ThresholdRulesTest {

    @Test
    void theBoundariesAreAccepted() {
        assertThat(ThresholdRules.problems(1, 0, 1, 1)).isEmpty();
        assertThat(ThresholdRules.problems(ThresholdRules.MAX, ThresholdRules.MAX, ThresholdRules.MAX,
                ThresholdRules.MAX)).isEmpty();
        assertThat(new Thresholds(1, 0, 1, 1).capacity()).isEqualTo(2);
        assertThat(new Thresholds(10_000, 10_000, 10_000, 10_000).capacity()).isEqualTo(20_000);
    }

    @Test
    void eachBrokenRuleNamesItsField() {
        assertThat(ThresholdRules.problems(0, 0, 1, 1))
                .containsExactly(Map.entry("minActive", "must be at least 1 (and at most 10000) (was 0)"));
        assertThat(ThresholdRules.problems(1, -1, 1, 1))
                .containsExactly(Map.entry("minWaiting", "must be at least 0 (and at most 10000) (was -1)"));
        assertThat(ThresholdRules.problems(1, 0, 1, 0))
                .containsExactly(Map.entry("maxWaiting", "must be at least 1 (and at most 10000) (was 0)"));
        assertThat(ThresholdRules.problems(1, 0, 10_001, 1))
                .containsExactly(Map.entry("maxActive", "must be at least 1 (and at most 10000) (was 10001)"));
        assertThat(ThresholdRules.problems(3, 0, 2, 1))
                .containsExactly(Map.entry("maxActive", "must be at least minActive (3), was 2"));
        assertThat(ThresholdRules.problems(1, 4, 1, 3))
                .containsExactly(Map.entry("maxWaiting", "must be at least minWaiting (4), was 3"));
    }

    @Test
    void aMissingValueSkipsTheRulesComparingIt() {
        assertThat(ThresholdRules.problems(null, null, 0, null))
                .containsExactly(Map.entry("maxActive", "must be at least 1 (and at most 10000) (was 0)"));
        assertThat(ThresholdRules.problems(5, null, null, null)).isEmpty();
    }

    @Test
    void thresholdsRefuseWhatTheRulesRefuseNamingTheField() {
        assertThatThrownBy(() -> new Thresholds(2, 0, 1, 1)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("maxActive: must be at least minActive (2), was 1")
                .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo("maxActive");
        assertThatThrownBy(() -> new Thresholds(1, 0, 1, 10_001)).isInstanceOf(InvalidConfigurationException.class)
                .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo("maxWaiting");
    }
}
