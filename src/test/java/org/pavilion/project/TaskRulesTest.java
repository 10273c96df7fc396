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

    static final Thresholds T = new Thresholds(1, 0, 1, 1);

    /** A valid task to vary one value of. */
    static TaskSettings valid() {
        return new TaskSettings("Chat", "A group chat", "chat", 50, 3600, 86_400, 259_200, null, null, null,
                "https://example.org/waiting_task", 800, T, false, 725, 30, null, null, 60, ApprovalPolicy.AUTO,
                false);
    }

    /** The valid task with one integer value replaced. */
    static TaskSettings with(String field, int v) {
        TaskSettings s = valid();
        return switch (field) {
            case "rewardCents" -> new TaskSettings(s.title(), s.description(), s.keywords(), v, 3600, 86_400,
                    259_200, null, null, null, s.externalUrl(), 800, T, false, 725, 30);
            case "assignmentDurationSeconds" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, v,
                    86_400, 259_200, null, null, null, s.externalUrl(), 800, T, false, 725, 30);
            case "lifetimeSeconds" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600, v,
                    259_200, null, null, null, s.externalUrl(), 800, T, false, 725, 30);
            case "autoApprovalDelaySeconds" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600,
                    86_400, v, null, null, null, s.externalUrl(), 800, T, false, 725, 30);
            case "minApprovalPercent" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600,
                    86_400, 259_200, null, v, null, s.externalUrl(), 800, T, false, 725, 30);
            case "minApprovedHits" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600,
                    86_400, 259_200, null, null, v, s.externalUrl(), 800, T, false, 725, 30);
            case "frameHeight" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600, 86_400,
                    259_200, null, null, null, s.externalUrl(), v, T, false, 725, 30);
            case "waitingPayCentsPerHour" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600,
                    86_400, 259_200, null, null, null, s.externalUrl(), 800, T, false, v, 30);
            case "disconnectGraceSeconds" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600,
                    86_400, 259_200, null, null, null, s.externalUrl(), 800, T, false, 725, v);
            case "hireBudget" -> s.withHireBudget(v, null);
            case "spendCapCents" -> s.withHireBudget(null, v);
            case "maxPaidWaitMinutes" -> s.withPay(v, ApprovalPolicy.AUTO, false);
            default -> throw new IllegalArgumentException(field);
        };
    }

    static final List<TaskRules.Range> RANGES = List.of(TaskRules.REWARD, TaskRules.ASSIGNMENT_DURATION,
            TaskRules.LIFETIME, TaskRules.AUTO_APPROVAL_DELAY, TaskRules.MIN_APPROVAL_PERCENT,
            TaskRules.MIN_APPROVED_HITS, TaskRules.FRAME_HEIGHT, TaskRules.WAITING_PAY, TaskRules.DISCONNECT_GRACE,
            TaskRules.HIRE_BUDGET, TaskRules.SPEND_CAP, TaskRules.MAX_PAID_WAIT);

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
