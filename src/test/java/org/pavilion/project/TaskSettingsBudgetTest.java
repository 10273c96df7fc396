package org.pavilion.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.Thresholds;

/** A task's hire budget and spending cap (SPEC 4.2): defaults, limits, and the budget a session gets. */
class TaskSettingsBudgetTest {

    /** Reward 0.50 USD, capacity 3 + 2 = 5. */
    private static TaskSettings basic() {
        return TaskSettings.basic("Chat", "A group chat", "https://example.org/t", 50, new Thresholds(2, 1, 3, 2));
    }

    @Test
    void withoutBudgetOrCapASessionGetsThreeTurnoversOfItsSlots() {
        TaskSettings s = basic();
        assertThat(s.hireBudget()).isNull();
        assertThat(s.spendCapCents()).isNull();
        assertThat(s.defaultHireBudget()).isEqualTo(15);
        assertThat(s.sessionHireBudget()).isEqualTo(15);
    }

    @Test
    void aNamedBudgetReplacesTheDefaultAndACapLowersItToTheHiresItPaysFor() {
        assertThat(basic().withHireBudget(40, null).sessionHireBudget()).isEqualTo(40);
        assertThat(basic().withHireBudget(0, null).sessionHireBudget()).isZero();
        // one hire costs 50 + 10 (MTurk's 20 %) = 60 cents: 5.00 USD pays for 8 hires
        assertThat(basic().withHireBudget(null, 500).sessionHireBudget()).isEqualTo(8);
        assertThat(basic().withHireBudget(40, 500).sessionHireBudget()).isEqualTo(8);
        assertThat(basic().withHireBudget(4, 500).sessionHireBudget()).isEqualTo(4);
        assertThat(basic().withHireBudget(null, 59).sessionHireBudget()).isZero();
        TaskSettings s = basic().withHireBudget(7, 900);
        assertThat(s.hireBudget()).isEqualTo(7);
        assertThat(s.spendCapCents()).isEqualTo(900);
        assertThat(s.withHireBudget(null, null)).isEqualTo(basic());
    }

    @Test
    void negativeOrHugeValuesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> basic().withHireBudget(-1, null)).isInstanceOf(InvalidConfigurationException.class)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).field()).isEqualTo("hireBudget"));
        assertThatThrownBy(() -> basic().withHireBudget(TaskSettings.MAX_HIRE_BUDGET + 1, null))
                .isInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> basic().withHireBudget(null, -1)).isInstanceOf(InvalidConfigurationException.class)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).field()).isEqualTo("spendCapCents"));
        assertThatThrownBy(() -> basic().withHireBudget(null, TaskSettings.MAX_SPEND_CAP_CENTS + 1))
                .isInstanceOf(InvalidConfigurationException.class);
    }
}
