package org.pavilion.project;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.PayRules;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.HireBudget;
import org.pavilion.session.PaySettings;
import org.pavilion.session.PaySettings.ApprovalPolicy;

/**
 * Everything a researcher sets on a task (SPEC §2, §3, §4.8, §4.7, §4.9). A value of this type is
 * valid: the constructor refuses anything that breaks the {@link TaskRules} with an
 * {@link InvalidConfigurationException} naming the field. The rules are MTurk's where MTurk has one, so a
 * task that can be stored can be posted (a description is required, as CreateHITType requires one).
 *
 * @param country ISO 3166-1 alpha-2 locale requirement (upper-cased), or null for any
 * @param minApprovalPercent approval-rate requirement 0..100, or null for none
 * @param minApprovedHits number-of-approved-HITs requirement, or null for none
 * @param frameHeight ExternalQuestion frame height in pixels; 0 lets the marketplace size it
 * @param hireBudget hires one session may make in all (SPEC §4.2, a circuit breaker), or null for the
 *        default of {@link HireBudget#defaultFor 3 × (maxActive + maxWaiting)}
 * @param spendCapCents the most a session's hires may cost (reward + MTurk's fee each), or null for no cap;
 *        it lowers the budget to the hires it pays for ({@link #sessionHireBudget()})
 * @param maxPaidWaitMinutes the longest paid wait, 1..{@value #MAX_PAID_WAIT_MINUTES} minutes; after it the
 *        worker is asked to submit and is paid up to then
 * @param approvalPolicy whether a confirmed submission is approved automatically or reviewed by the admin
 * @param autoCompensate whether owed workers are paid through a compensation HIT at session end without asking
 */
public record TaskSettings(String title, String description, String keywords, int rewardCents,
                           int assignmentDurationSeconds, int lifetimeSeconds, int autoApprovalDelaySeconds,
                           String country, Integer minApprovalPercent, Integer minApprovedHits,
                           String externalUrl, int frameHeight, Thresholds thresholds, boolean allowRepeatWorkers,
                           int waitingPayCentsPerHour, int disconnectGraceSeconds, Integer hireBudget,
                           Integer spendCapCents, int maxPaidWaitMinutes, ApprovalPolicy approvalPolicy,
                           boolean autoCompensate) {

    /** The seed's waiting rate: 7.25 USD an hour (SPEC §4.9). */
    public static final int DEFAULT_WAITING_PAY_CENTS_PER_HOUR = 725;
    /** SPEC §4.7. */
    public static final int DEFAULT_DISCONNECT_GRACE_SECONDS = 30;
    /** The largest hire budget a task may name: far beyond any real session, small enough to be a limit. */
    public static final int MAX_HIRE_BUDGET = (int) TaskRules.HIRE_BUDGET.max();
    /** The largest spending cap: 1,000,000 USD. */
    public static final int MAX_SPEND_CAP_CENTS = (int) TaskRules.SPEND_CAP.max();
    /** The default longest paid wait: an hour (SPEC §4.9). */
    public static final int DEFAULT_MAX_PAID_WAIT_MINUTES = (int) PayRules.DEFAULT_MAX_PAID_WAIT.toMinutes();
    /** The longest paid wait a task may name: a week (the database's limit too). */
    public static final int MAX_PAID_WAIT_MINUTES = (int) TaskRules.MAX_PAID_WAIT.max();

    public TaskSettings {
        // every rule is TaskRules' (and ThresholdRules', inside Thresholds): stated once, shared with the form
        title = TaskRules.TITLE.require(title);
        description = TaskRules.DESCRIPTION.require(description);
        keywords = TaskRules.KEYWORDS.require(keywords);
        TaskRules.REWARD.require(rewardCents);
        TaskRules.ASSIGNMENT_DURATION.require(assignmentDurationSeconds);
        TaskRules.LIFETIME.require(lifetimeSeconds);
        TaskRules.AUTO_APPROVAL_DELAY.require(autoApprovalDelaySeconds);
        if (country != null) {
            country = country.strip().toUpperCase(Locale.ROOT);
            Optional<String> problem = TaskRules.countryProblem(country);
            if (problem.isPresent()) {
                throw new InvalidConfigurationException("country", problem.get());
            }
            if (country.isEmpty()) {
                country = null;
            }
        }
        if (minApprovalPercent != null) {
            TaskRules.MIN_APPROVAL_PERCENT.require(minApprovalPercent);
        }
        if (minApprovedHits != null) {
            TaskRules.MIN_APPROVED_HITS.require(minApprovedHits);
        }
        externalUrl = externalUrl == null ? "" : externalUrl.strip();
        Optional<String> urlProblem = TaskRules.externalUrlProblem(externalUrl);
        if (urlProblem.isPresent()) {
            String p = urlProblem.get();
            throw new InvalidConfigurationException("externalUrl", p.substring(0, p.length() - 1));
        }
        TaskRules.FRAME_HEIGHT.require(frameHeight);
        if (thresholds == null) {
            throw new InvalidConfigurationException("thresholds", "are required");
        }
        TaskRules.WAITING_PAY.require(waitingPayCentsPerHour);
        TaskRules.DISCONNECT_GRACE.require(disconnectGraceSeconds);
        if (hireBudget != null) {
            TaskRules.HIRE_BUDGET.require(hireBudget);
        }
        if (spendCapCents != null) {
            TaskRules.SPEND_CAP.require(spendCapCents);
        }
        TaskRules.MAX_PAID_WAIT.require(maxPaidWaitMinutes);
        if (approvalPolicy == null) {
            throw new InvalidConfigurationException("approvalPolicy", "is required (AUTO or MANUAL)");
        }
    }

    /** A task with the default pay settings: an hour's paid wait, automatic approval, no automatic compensation. */
    public TaskSettings(String title, String description, String keywords, int rewardCents,
                        int assignmentDurationSeconds, int lifetimeSeconds, int autoApprovalDelaySeconds,
                        String country, Integer minApprovalPercent, Integer minApprovedHits, String externalUrl,
                        int frameHeight, Thresholds thresholds, boolean allowRepeatWorkers, int waitingPayCentsPerHour,
                        int disconnectGraceSeconds, Integer hireBudget, Integer spendCapCents) {
        this(title, description, keywords, rewardCents, assignmentDurationSeconds, lifetimeSeconds,
                autoApprovalDelaySeconds, country, minApprovalPercent, minApprovedHits, externalUrl, frameHeight,
                thresholds, allowRepeatWorkers, waitingPayCentsPerHour, disconnectGraceSeconds, hireBudget,
                spendCapCents, DEFAULT_MAX_PAID_WAIT_MINUTES, ApprovalPolicy.AUTO, false);
    }

    /** A task with the default hire budget, no spending cap and the default pay settings. */
    public TaskSettings(String title, String description, String keywords, int rewardCents,
                        int assignmentDurationSeconds, int lifetimeSeconds, int autoApprovalDelaySeconds,
                        String country, Integer minApprovalPercent, Integer minApprovedHits, String externalUrl,
                        int frameHeight, Thresholds thresholds, boolean allowRepeatWorkers, int waitingPayCentsPerHour,
                        int disconnectGraceSeconds) {
        this(title, description, keywords, rewardCents, assignmentDurationSeconds, lifetimeSeconds,
                autoApprovalDelaySeconds, country, minApprovalPercent, minApprovedHits, externalUrl, frameHeight,
                thresholds, allowRepeatWorkers, waitingPayCentsPerHour, disconnectGraceSeconds, null, null);
    }

    /** These settings with another hire budget (null: the default) and spending cap (null: none). */
    public TaskSettings withHireBudget(Integer hireBudget, Integer spendCapCents) {
        return new TaskSettings(title, description, keywords, rewardCents, assignmentDurationSeconds, lifetimeSeconds,
                autoApprovalDelaySeconds, country, minApprovalPercent, minApprovedHits, externalUrl, frameHeight,
                thresholds, allowRepeatWorkers, waitingPayCentsPerHour, disconnectGraceSeconds, hireBudget,
                spendCapCents, maxPaidWaitMinutes, approvalPolicy, autoCompensate);
    }

    /** These settings with other pay settings. */
    public TaskSettings withPay(int maxPaidWaitMinutes, ApprovalPolicy approvalPolicy, boolean autoCompensate) {
        return new TaskSettings(title, description, keywords, rewardCents, assignmentDurationSeconds, lifetimeSeconds,
                autoApprovalDelaySeconds, country, minApprovalPercent, minApprovedHits, externalUrl, frameHeight,
                thresholds, allowRepeatWorkers, waitingPayCentsPerHour, disconnectGraceSeconds, hireBudget,
                spendCapCents, maxPaidWaitMinutes, approvalPolicy, autoCompensate);
    }

    /** These settings under another title (a clone's "Copy of …"), everything else the same. */
    public TaskSettings withTitle(String title) {
        return new TaskSettings(title, description, keywords, rewardCents, assignmentDurationSeconds, lifetimeSeconds,
                autoApprovalDelaySeconds, country, minApprovalPercent, minApprovedHits, externalUrl, frameHeight,
                thresholds, allowRepeatWorkers, waitingPayCentsPerHour, disconnectGraceSeconds, hireBudget,
                spendCapCents, maxPaidWaitMinutes, approvalPolicy, autoCompensate);
    }

    /** The pay settings a session of this task gets when it opens. */
    public PaySettings pay() {
        return new PaySettings(Duration.ofMinutes(maxPaidWaitMinutes), approvalPolicy, autoCompensate);
    }

    /** The budget when none is named: {@link HireBudget#defaultFor} these thresholds. */
    public int defaultHireBudget() {
        return HireBudget.defaultFor(thresholds);
    }

    /** The hire budget a session of this task gets when it opens: the named or default one, lowered by the cap. */
    public int sessionHireBudget() {
        return HireBudget.of(thresholds, hireBudget, rewardCents, spendCapCents);
    }

    /**
     * A task with the usual defaults: one hour to do it, listed for a day, approved automatically
     * after three days, no qualification requirements, frame 800 px, no repeat workers,
     * 7.25 USD an hour for waiting, 30 s disconnect grace, an hour's paid wait, automatic approval.
     */
    public static TaskSettings basic(String title, String description, String externalUrl, int rewardCents,
                                     Thresholds thresholds) {
        return new TaskSettings(title, description, "", rewardCents, 3600, 86_400, 259_200, null, null, null,
                externalUrl, 800, thresholds, false, DEFAULT_WAITING_PAY_CENTS_PER_HOUR,
                DEFAULT_DISCONNECT_GRACE_SECONDS);
    }
}
