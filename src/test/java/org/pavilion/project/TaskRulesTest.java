package org.pavilion.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.PaySettings.ApprovalPolicy;

/**
 * The task rules at their boundaries (MTurk's for the HIT): each boundary is accepted by TaskSettings, one
 * step past it is refused with an exception naming the field.
 */
class TaskRulesTest {

    static final Thresholds T = TaskRuleCases.T;

    static TaskSettings valid() {
        return TaskRuleCases.valid();
    }

    static TaskSettings with(String field, int v) {
        return TaskRuleCases.with(field, v);
    }

    static final List<TaskRules.Range> RANGES = TaskRuleCases.RANGES;

    @Test
    void eachRangeAcceptsItsBoundariesAndRefusesOneStepPastThemNamingTheField() {
        for (TaskRules.Range r : RANGES) {
            int min = (int) r.min();
            int max = (int) r.max();
            assertThat(with(r.field(), min)).as(r.field() + " at its least").isNotNull();
            assertThat(with(r.field(), max)).as(r.field() + " at its most").isNotNull();
            assertThatThrownBy(() -> with(r.field(), min - 1)).as(r.field() + " below")
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage(r.field() + ": must be between " + min + " and " + max + " (was " + (min - 1) + ")");
            if (max < Integer.MAX_VALUE) {
                assertThatThrownBy(() -> with(r.field(), max + 1)).as(r.field() + " above")
                        .isInstanceOf(InvalidConfigurationException.class)
                        .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo(r.field());
            }
        }
    }

    @Test
    void mturksLimitsAreTheOnesStated() {
        assertThat(TaskRules.TITLE.max()).isEqualTo(128);
        assertThat(TaskRules.DESCRIPTION.max()).isEqualTo(2000);
        assertThat(TaskRules.DESCRIPTION.required()).isTrue();
        assertThat(TaskRules.KEYWORDS.max()).isEqualTo(1000);
        assertThat(TaskRules.REWARD.min()).isEqualTo(1); // 0.01 USD
        assertThat(TaskRules.ASSIGNMENT_DURATION.min()).isEqualTo(30);
        assertThat(TaskRules.ASSIGNMENT_DURATION.max()).isEqualTo(365L * 24 * 3600);
        assertThat(TaskRules.LIFETIME.max()).isEqualTo(365L * 24 * 3600);
        assertThat(TaskRules.AUTO_APPROVAL_DELAY.max()).isEqualTo(30L * 24 * 3600);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "title|128|129|Title",
            "description|2000|2001|Description",
            "keywords|1000|1001|Keywords"})
    void textsAreLimitedAndEachMessageNamesItsField(String field, int max, int over, String label) {
        Function<String, TaskSettings> make = text -> {
            TaskSettings s = valid();
            return new TaskSettings(field.equals("title") ? text : s.title(),
                    field.equals("description") ? text : s.description(), field.equals("keywords") ? text : s.keywords(),
                    50, 3600, 86_400, 259_200, null, null, null, s.externalUrl(), 800, T, false, 725, 30);
        };
        assertThat(make.apply("x".repeat(max))).isNotNull();
        assertThatThrownBy(() -> make.apply("x".repeat(over))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage(field + ": must be at most " + max + " characters (was " + over + ")");
        TaskRules.Text rule = switch (field) {
            case "title" -> TaskRules.TITLE;
            case "description" -> TaskRules.DESCRIPTION;
            default -> TaskRules.KEYWORDS;
        };
        assertThat(rule.problem("x".repeat(over))).contains(label + " must be at most " + max
                + " characters (it has " + over + ").");
        assertThat(rule.problem("x".repeat(max))).isEmpty();
    }

    @Test
    void aDescriptionIsRequiredAsMTurkRequiresOne() {
        assertThat(TaskRules.DESCRIPTION.problem("  ")).contains("Description is required.");
        assertThatThrownBy(() -> TaskSettings.basic("Chat", "", "https://example.org/t", 50, T))
                .isInstanceOf(InvalidConfigurationException.class).hasMessage("description: is required");
        assertThatThrownBy(() -> TaskSettings.basic("Chat", null, "https://example.org/t", 50, T))
                .isInstanceOf(InvalidConfigurationException.class).hasMessage("description: is required");
        assertThat(TaskRules.KEYWORDS.problem("")).isEmpty();
    }

    @Test
    void countryAndUrlAreCheckedByTheSameRulesAsTheForm() {
        assertThat(TaskRules.countryProblem("de")).isEmpty();
        assertThat(TaskRules.countryProblem("")).isEmpty();
        assertThat(TaskRules.countryProblem("XX")).hasValueSatisfying(m -> assertThat(m).contains("'XX'"));
        TaskSettings s = valid();
        assertThatThrownBy(() -> new TaskSettings(s.title(), s.description(), "", 50, 3600, 86_400, 0, "XX", null,
                null, s.externalUrl(), 800, T, false, 725, 30)).isInstanceOf(InvalidConfigurationException.class)
                .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo("country");
        assertThatThrownBy(() -> new TaskSettings(s.title(), s.description(), "", 50, 3600, 86_400, 0, null, null,
                null, "http://example.org/task", 800, T, false, 725, 30))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("externalUrl: must use https:// (http:// is allowed only on localhost or 127.0.0.1)");
        assertThat(TaskRules.externalUrlProblem("http://localhost:8080/waiting_task")).isEmpty();
    }
}
