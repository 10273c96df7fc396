package org.pavilion.admin.projects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.PaySettings;
import org.pavilion.session.PaySettings.ApprovalPolicy;

/** The task form's server-side rules, field by field, and its units. */
class TaskFormTest {

    static TaskForm valid() {
        TaskForm f = TaskForm.defaults();
        f.setTitle("Chat with a bot");
        f.setDescription("Talk with others, live.");
        f.setKeywords("chat, live");
        f.setReward("0.50");
        f.setExternalUrl("https://example.org/waiting_task");
        f.setMinActive("2");
        f.setMinWaiting("1");
        f.setMaxActive("3");
        f.setMaxWaiting("2");
        return f;
    }

    @Test
    void aValidFormGivesTheSettingsInStoredUnits() {
        TaskForm f = valid();
        f.setCountry("de");
        f.setMinApprovalPercent("95");
        f.setMinApprovedHits("100");
        f.setTimeLimitMinutes("1.5");
        f.setLifetimeHours("48");
        f.setAutoApprovalDelayHours("0");
        f.setWaitingPayRate("$9.00");
        f.setAllowRepeatWorkers(true);
        f.setDisconnectGraceSeconds("45");
        TaskForm.Validation v = f.validate();
        assertThat(v.errors()).isEmpty();
        TaskSettings s = v.settings();
        assertThat(s.title()).isEqualTo("Chat with a bot");
        assertThat(s.rewardCents()).isEqualTo(50);
        assertThat(s.assignmentDurationSeconds()).isEqualTo(90);
        assertThat(s.lifetimeSeconds()).isEqualTo(172_800);
        assertThat(s.autoApprovalDelaySeconds()).isZero();
        assertThat(s.country()).isEqualTo("DE");
        assertThat(s.minApprovalPercent()).isEqualTo(95);
        assertThat(s.minApprovedHits()).isEqualTo(100);
        assertThat(s.thresholds()).isEqualTo(new Thresholds(2, 1, 3, 2));
        assertThat(s.waitingPayCentsPerHour()).isEqualTo(900);
        assertThat(s.allowRepeatWorkers()).isTrue();
        assertThat(s.disconnectGraceSeconds()).isEqualTo(45);
        assertThat(s.frameHeight()).isEqualTo(800);
    }

    @Test
    void emptyOptionalFieldsMeanNoRequirement() {
        TaskSettings s = valid().validate().settings();
        assertThat(s.country()).isNull();
        assertThat(s.minApprovalPercent()).isNull();
        assertThat(s.minApprovedHits()).isNull();
        assertThat(s.waitingPayCentsPerHour()).isEqualTo(725);
        assertThat(s.disconnectGraceSeconds()).isEqualTo(30);
        assertThat(s.assignmentDurationSeconds()).isEqualTo(3600);
    }

    @Test
    void aStoredTaskShowsAndValidatesBackToTheSameSettings() {
        TaskForm f = valid();
        f.setTimeLimitMinutes("1.0166667"); // 61 s
        f.setCountry("US");
        f.setMinApprovalPercent("0");
        TaskSettings s = f.validate().settings();
        TaskForm again = TaskForm.of(s);
        assertThat(again.getReward()).isEqualTo("0.50");
        assertThat(again.getWaitingPayRate()).isEqualTo("7.25");
        assertThat(again.getTimeLimitMinutes()).isEqualTo("1.016667");
        assertThat(again.validate().settings()).isEqualTo(s);
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', value = {
            "title|''|Title is required.",
            "title|'   '|Title is required.",
            "description|''|Description is required.",
            "description|' '|Description is required.",
            "reward|''|Reward is required.",
            "reward|0|Reward must be at least 0.01 and at most 100000.00 USD (was 0).",
            "reward|0.00|Reward must be at least 0.01 and at most 100000.00 USD (was 0.00).",
            "reward|0.001|Reward must be in whole cents: at most two decimals (was 0.001).",
            "reward|-1|Reward must be at least 0.01 and at most 100000.00 USD (was -1).",
            "reward|abc|Reward must be an amount in USD such as 0.50 (was 'abc').",
            "reward|0,50|Reward must be an amount in USD such as 0.50 (was '0,50').",
            "timeLimitMinutes|0|Time limit must be between 0.5 minute and 525600 minutes (365 days) (was 0).",
            "timeLimitMinutes|x|Time limit must be a number (was 'x').",
            "lifetimeHours|9000|Lifetime must be between 30 seconds and 8760 hours (365 days) (was 9000).",
            "autoApprovalDelayHours|721|Auto-approval delay must be between 0 and 720 hours (30 days) (was 721).",
            "country|XX|Country must be an ISO 3166-1 alpha-2 code such as US or DE, or empty for any country (was 'XX').",
            "country|USA|Country must be an ISO 3166-1 alpha-2 code such as US or DE, or empty for any country (was 'USA').",
            "minApprovalPercent|101|Minimum approval rate must be a percentage between 0 and 100, or empty for no requirement (was 101).",
            "minApprovalPercent|-1|Minimum approval rate must be a percentage between 0 and 100, or empty for no requirement (was -1).",
            "minApprovalPercent|95.5|Minimum approval rate must be a whole number (was '95.5').",
            "minApprovedHits|-5|Minimum approved HITs must be a count of 0 or more, or empty for no requirement (was -5).",
            "externalUrl|''|Worker-facing URL is required.",
            "externalUrl|http://example.org/task|Worker-facing URL must use https:// (http:// is allowed only on localhost or 127.0.0.1).",
            "externalUrl|ftp://example.org/task|Worker-facing URL must be an https:// URL (was ftp:).",
            "externalUrl|javascript:alert(1)|Worker-facing URL must be an absolute https:// URL with a host, such as https://example.org/task.",
            "externalUrl|/waiting_task|Worker-facing URL must be an absolute https:// URL with a host, such as https://example.org/task.",
            "externalUrl|https://exa mple.org/|Worker-facing URL is not a valid URL (Illegal character in authority).",
            "frameHeight|-1|Frame height must be between 0 and 100000 pixels (0 lets the marketplace choose) (was -1).",
            "minActive|0|minActive must be at least 1 (and at most 10000) (was 0).",
            "minActive|''|minActive is required.",
            "minActive|two|minActive must be a whole number (was 'two').",
            "maxActive|1|maxActive must be at least minActive (2), was 1.",
            "minWaiting|-1|minWaiting must be at least 0 (and at most 10000) (was -1).",
            "minWaiting|3|maxWaiting must be at least minWaiting (3), was 2.",
            "maxWaiting|0|maxWaiting must be at least 1 (and at most 10000) (was 0).",
            "waitingPayRate|-0.01|Waiting pay rate must be at least 0 and at most 100000.00 USD per hour (was -0.01).",
            "waitingPayRate|7.255|Waiting pay rate must be in whole cents: at most two decimals (was 7.255).",
            "disconnectGraceSeconds|86401|Disconnect grace must be between 0 and 86400 seconds (was 86401).",
            "maxPaidWaitMinutes|0|Longest paid wait must be between 1 and 10080 minutes (was 0).",
            "maxPaidWaitMinutes|10081|Longest paid wait must be between 1 and 10080 minutes (was 10081).",
            "maxPaidWaitMinutes|-5|Longest paid wait must be between 1 and 10080 minutes (was -5).",
            "maxPaidWaitMinutes|''|Longest paid wait is required.",
            "maxPaidWaitMinutes|1.5|Longest paid wait must be a whole number (was '1.5').",
            "maxPaidWaitMinutes|an hour|Longest paid wait must be a whole number (was 'an hour').",
            "approvalPolicy|sometimes|Approval must be auto or manual (was 'sometimes').",
            "approvalPolicy|''|Approval is required: auto or manual.",
    })
    void eachBadFieldGetsItsOwnMessage(String field, String value, String message) {
        TaskForm f = valid();
        f.set(field, value);
        TaskForm.Validation v = f.validate();
        assertThat(v.settings()).isNull();
        String expectedField = field.equals("minWaiting") && value.equals("3") ? "maxWaiting" : field;
        assertThat(v.errors()).containsExactly(Map.entry(expectedField, message));
    }

    @ParameterizedTest
    @CsvSource({"http://localhost:8080/waiting_task", "http://127.0.0.1/task", "HTTPS://Example.org/x?y=1&z=2",
            "https://localhost/waiting_task"})
    void httpsOrLocalHttpUrlsAreAccepted(String url) {
        TaskForm f = valid();
        f.setExternalUrl(url);
        assertThat(f.validate().errors()).isEmpty();
    }

    @Test
    void everyBadFieldIsReportedAtOnceInFormOrder() {
        TaskForm f = new TaskForm();
        TaskForm.Validation v = f.validate();
        assertThat(v.errors().keySet()).containsExactly("title", "description", "externalUrl", "frameHeight", "reward",
                "waitingPayRate", "maxPaidWaitMinutes", "timeLimitMinutes", "lifetimeHours", "autoApprovalDelayHours",
                "approvalPolicy", "minActive", "maxActive", "minWaiting", "maxWaiting", "disconnectGraceSeconds");
    }

    @Test
    void paySettingsDefaultToAnHourAutomaticApprovalAndNoAutomaticCompensation() {
        TaskForm blank = TaskForm.defaults();
        assertThat(blank.getMaxPaidWaitMinutes()).isEqualTo("60");
        assertThat(blank.getApprovalPolicy()).isEqualTo("auto");
        assertThat(blank.isAutoCompensate()).isFalse();
        TaskSettings s = valid().validate().settings();
        assertThat(s.maxPaidWaitMinutes()).isEqualTo(60);
        assertThat(s.approvalPolicy()).isEqualTo(ApprovalPolicy.AUTO);
        assertThat(s.autoCompensate()).isFalse();
        assertThat(s.pay()).isEqualTo(PaySettings.DEFAULTS);
    }

    @ParameterizedTest
    @CsvSource({"manual, MANUAL", "MANUAL, MANUAL", "' Manual ', MANUAL", "auto, AUTO", "AUTO, AUTO"})
    void approvalIsAutoOrManualInAnyCase(String typed, ApprovalPolicy expected) {
        TaskForm f = valid();
        f.setApprovalPolicy(typed);
        assertThat(f.validate().settings().approvalPolicy()).isEqualTo(expected);
    }

    @Test
    void paySettingsAreStoredAndShownBackTheSame() {
        TaskForm f = valid();
        f.set("maxPaidWaitMinutes", " 15 ");
        f.set("approvalPolicy", "manual");
        f.set("autoCompensate", "true");
        TaskSettings s = f.validate().settings();
        assertThat(s.maxPaidWaitMinutes()).isEqualTo(15);
        assertThat(s.approvalPolicy()).isEqualTo(ApprovalPolicy.MANUAL);
        assertThat(s.autoCompensate()).isTrue();
        assertThat(s.pay()).isEqualTo(new PaySettings(Duration.ofMinutes(15), ApprovalPolicy.MANUAL, true));

        TaskForm again = TaskForm.of(s);
        assertThat(again.getMaxPaidWaitMinutes()).isEqualTo("15");
        assertThat(again.getApprovalPolicy()).isEqualTo("manual");
        assertThat(again.isAutoCompensate()).isTrue();
        assertThat(again.validate().settings()).isEqualTo(s);

        // the limits themselves are allowed
        f.set("maxPaidWaitMinutes", "1");
        assertThat(f.validate().settings().maxPaidWaitMinutes()).isEqualTo(1);
        f.set("maxPaidWaitMinutes", "10080");
        assertThat(f.validate().settings().maxPaidWaitMinutes()).isEqualTo(10_080);
    }

    @Test
    void taskSettingsRefuseOutOfRangePaySettingsNamingTheField() {
        TaskSettings s = valid().validate().settings();
        assertThatThrownBy(() -> s.withPay(0, ApprovalPolicy.AUTO, false))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("maxPaidWaitMinutes: must be between 1 and 10080 (was 0)")
                .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo("maxPaidWaitMinutes");
        assertThatThrownBy(() -> s.withPay(10_081, ApprovalPolicy.AUTO, false))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("maxPaidWaitMinutes: must be between 1 and 10080 (was 10081)");
        assertThatThrownBy(() -> s.withPay(60, null, false))
                .isInstanceOf(InvalidConfigurationException.class)
                .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo("approvalPolicy");
    }

    @Test
    void aLongTitleIsRefusedAndACopyTitleIsCut() {
        TaskForm f = valid();
        f.setTitle("x".repeat(129));
        assertThat(f.validate().errors()).containsExactly(
                Map.entry("title", "Title must be at most 128 characters (it has 129)."));
        assertThat(TaskForm.copyTitle("x".repeat(128))).hasSize(128).startsWith("Copy of x").endsWith("\u2026");
        assertThat(TaskForm.copyTitle("Chat")).isEqualTo("Copy of Chat");
    }

    @Test
    void hireBudgetAndSpendingCapAreOptionalAndStoredInTheirUnits() {
        TaskForm f = valid();
        assertThat(f.validate().settings().hireBudget()).isNull();
        assertThat(f.validate().settings().spendCapCents()).isNull();
        f.setHireBudget(" 12 ");
        f.setSpendCapUsd("$7.5");
        TaskSettings s = f.validate().settings();
        assertThat(s.hireBudget()).isEqualTo(12);
        assertThat(s.spendCapCents()).isEqualTo(750);
        assertThat(TaskForm.of(s).getHireBudget()).isEqualTo("12");
        assertThat(TaskForm.of(s).getSpendCapUsd()).isEqualTo("7.50");
        f.setHireBudget("0");
        f.setSpendCapUsd("0");
        assertThat(f.validate().settings().hireBudget()).isZero();
        assertThat(f.validate().settings().spendCapCents()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "hireBudget|-1|Hire budget must be a number of hires between 0 and 1000000, or empty for the default of 3 × (maxActive + maxWaiting) (was -1).",
            "hireBudget|1000001|Hire budget must be a number of hires between 0 and 1000000, or empty for the default of 3 × (maxActive + maxWaiting) (was 1000001).",
            "hireBudget|ten|Hire budget must be a whole number (was 'ten').",
            "hireBudget|2.5|Hire budget must be a whole number (was '2.5').",
            "spendCapUsd|-1|Spending cap must be at least 0 and at most 1000000.00 USD, or empty for no cap (was -1).",
            "spendCapUsd|1000000.01|Spending cap must be at least 0 and at most 1000000.00 USD, or empty for no cap (was 1000000.01).",
            "spendCapUsd|lots|Spending cap must be an amount in USD such as 0.50 (was 'lots').",
            "spendCapUsd|1.005|Spending cap must be in whole cents: at most two decimals (was 1.005).",
    })
    void badBudgetsAndCapsAreRefusedWithTheirMessage(String field, String value, String message) {
        TaskForm f = valid();
        f.set(field, value);
        assertThat(f.validate().errors()).containsExactly(Map.entry(field, message));
    }

    @Test
    void theHintsSayWhatTheBudgetWillBe() {
        TaskForm blank = TaskForm.defaults();
        assertThat(blank.getHireBudgetHint()).endsWith("Empty: the default, 3 × (maxActive + maxWaiting) hires.");
        assertThat(blank.getSpendCapHint()).endsWith("Empty: no cap.");

        TaskForm f = valid(); // reward 0.50, maxActive 3 + maxWaiting 2
        assertThat(f.getHireBudgetHint())
                .endsWith("Empty: the default, 3 × (maxActive + maxWaiting) = 15 hires for the current thresholds.");
        f.setSpendCapUsd("5.00");
        assertThat(f.getSpendCapHint())
                .endsWith("With this cap: 8 hires at 0.60 USD each; a session's budget: 8 hires.");
        f.setSpendCapUsd("100");
        assertThat(f.getSpendCapHint()).endsWith("With this cap: 166 hires at 0.60 USD each; a session's budget: 15 hires.");
        f.setHireBudget("40");
        assertThat(f.getSpendCapHint()).endsWith("a session's budget: 40 hires.");
        f.setSpendCapUsd("nonsense");
        assertThat(f.getSpendCapHint()).endsWith("Empty: no cap.");
    }
}
