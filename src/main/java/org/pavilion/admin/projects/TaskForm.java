package org.pavilion.admin.projects;

import org.pavilion.pay.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.pavilion.project.TaskRules;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.ThresholdRules;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.HireBudget;
import org.pavilion.session.PaySettings.ApprovalPolicy;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The task form, as the researcher types it (page and REST API alike): every value is text until
 * {@link #validate()} checks each field and gives one message per bad field, or the
 * {@link TaskSettings} when all are good. Units are the researcher's: reward and waiting pay in
 * USD, the time limit in minutes, lifetime and auto-approval delay in hours.
 *
 * <p>The rules (server side; nothing is saved unless every field passes) are not stated here: they are
 * {@link TaskRules} (MTurk's rules for the HIT, Pavilion's for pay and hiring) and {@link ThresholdRules}, the
 * same that {@link TaskSettings} enforces, so a task the form accepts can go live. This form only reads the
 * researcher's text and units (USD, minutes, hours) and words each refusal next to its field.
 */
public class TaskForm {

    public static final int MAX_THRESHOLD = ThresholdRules.MAX;
    static final int TITLE_MAX = TaskRules.TITLE.max();

    /** Field names, in the order the form shows them; the REST API and the error maps use the same names. */
    public static final List<String> FIELDS = List.of("title", "description", "keywords", "externalUrl",
            "frameHeight", "reward", "waitingPayRate", "maxPaidWaitMinutes", "timeLimitMinutes", "lifetimeHours",
            "autoApprovalDelayHours", "approvalPolicy", "autoCompensate", "country", "minApprovalPercent", "minApprovedHits", "allowRepeatWorkers", "minActive", "maxActive",
            "minWaiting", "maxWaiting", "disconnectGraceSeconds", "hireBudget", "spendCapUsd");

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,12}");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d{1,12}(\\.\\d*)?|\\.\\d+)");
    private static final BigDecimal SIXTY = BigDecimal.valueOf(60);
    private static final BigDecimal HOUR = BigDecimal.valueOf(3600);

    private String title;
    private String description;
    private String keywords;
    private String reward;
    private String timeLimitMinutes;
    private String lifetimeHours;
    private String autoApprovalDelayHours;
    private String country;
    private String minApprovalPercent;
    private String minApprovedHits;
    private String externalUrl;
    private String frameHeight;
    private String minActive;
    private String minWaiting;
    private String maxActive;
    private String maxWaiting;
    private String waitingPayRate;
    private boolean allowRepeatWorkers;
    private String disconnectGraceSeconds;
    private String hireBudget;
    private String spendCapUsd;
    private String maxPaidWaitMinutes;
    /** "auto" or "manual" as the form sends it; anything else is an error, not a default. */
    private String approvalPolicy;
    private boolean autoCompensate;

    /**
     * A new task's form: the usual defaults (TaskSettings.basic), the worker-facing URL {@code workerUrl}
     * (this server's waiting room, {@link #waitingTaskUrl()}), thresholds and the task's own text empty.
     */
    public static TaskForm defaults(String workerUrl) {
        TaskForm f = defaults();
        f.externalUrl = workerUrl == null ? "" : workerUrl;
        return f;
    }

    /**
     * This server's waiting room, {@code <base>/waiting_task}, where a new task's workers should land: the
     * base is the one the current request reached (scheme, host, port and context path, honouring
     * X-Forwarded-* when the server is set to trust them), since no setting names a public base URL.
     */
    public static String waitingTaskUrl() {
        return ServletUriComponentsBuilder.fromCurrentContextPath().path(WAITING_TASK_PATH).build().toUriString();
    }

    /** The worker pages' waiting room (org.pavilion.realtime.pages.WorkerPagesController). */
    public static final String WAITING_TASK_PATH = "/waiting_task";

    /** A new task's form without a request: the worker-facing URL empty (tests and tools). */
    public static TaskForm defaults() {
        TaskForm f = new TaskForm();
        f.title = "";
        f.description = "";
        f.keywords = "";
        f.reward = "";
        f.timeLimitMinutes = "60";
        f.lifetimeHours = "24";
        f.autoApprovalDelayHours = "72";
        f.country = "";
        f.minApprovalPercent = "";
        f.minApprovedHits = "";
        f.externalUrl = "";
        f.frameHeight = "800";
        f.minActive = "";
        f.minWaiting = "";
        f.maxActive = "";
        f.maxWaiting = "";
        f.waitingPayRate = usd(TaskSettings.DEFAULT_WAITING_PAY_CENTS_PER_HOUR);
        f.allowRepeatWorkers = false;
        f.disconnectGraceSeconds = Integer.toString(TaskSettings.DEFAULT_DISCONNECT_GRACE_SECONDS);
        f.hireBudget = "";
        f.spendCapUsd = "";
        f.maxPaidWaitMinutes = Integer.toString(TaskSettings.DEFAULT_MAX_PAID_WAIT_MINUTES);
        f.approvalPolicy = policyName(ApprovalPolicy.AUTO);
        f.autoCompensate = false;
        return f;
    }

    /** The form showing a stored task's settings. */
    public static TaskForm of(TaskSettings s) {
        TaskForm f = new TaskForm();
        f.title = s.title();
        f.description = s.description();
        f.keywords = s.keywords();
        f.reward = usd(s.rewardCents());
        f.timeLimitMinutes = per(s.assignmentDurationSeconds(), SIXTY);
        f.lifetimeHours = per(s.lifetimeSeconds(), HOUR);
        f.autoApprovalDelayHours = per(s.autoApprovalDelaySeconds(), HOUR);
        f.country = s.country() == null ? "" : s.country();
        f.minApprovalPercent = s.minApprovalPercent() == null ? "" : s.minApprovalPercent().toString();
        f.minApprovedHits = s.minApprovedHits() == null ? "" : s.minApprovedHits().toString();
        f.externalUrl = s.externalUrl();
        f.frameHeight = Integer.toString(s.frameHeight());
        Thresholds t = s.thresholds();
        f.minActive = Integer.toString(t.minActive());
        f.minWaiting = Integer.toString(t.minWaiting());
        f.maxActive = Integer.toString(t.maxActive());
        f.maxWaiting = Integer.toString(t.maxWaiting());
        f.waitingPayRate = usd(s.waitingPayCentsPerHour());
        f.allowRepeatWorkers = s.allowRepeatWorkers();
        f.disconnectGraceSeconds = Integer.toString(s.disconnectGraceSeconds());
        f.hireBudget = s.hireBudget() == null ? "" : s.hireBudget().toString();
        f.spendCapUsd = s.spendCapCents() == null ? "" : usd(s.spendCapCents());
        f.maxPaidWaitMinutes = Integer.toString(s.maxPaidWaitMinutes());
        f.approvalPolicy = policyName(s.approvalPolicy());
        f.autoCompensate = s.autoCompensate();
        return f;
    }

    /** "Copy of …", cut to the title limit. */
    public static String copyTitle(String title) {
        String t = "Copy of " + title;
        return t.length() <= TITLE_MAX ? t : t.substring(0, TITLE_MAX - 1) + "\u2026";
    }

    /** The form's (and the REST API's) name of an approval policy: "auto" or "manual". */
    public static String policyName(ApprovalPolicy policy) {
        return policy.name().toLowerCase(Locale.ROOT);
    }

    private static String usd(long cents) {
        return Money.ofCents(cents).usd();
    }

    private static String per(int seconds, BigDecimal unit) {
        BigDecimal v = BigDecimal.valueOf(seconds).divide(unit, 6, RoundingMode.HALF_UP).stripTrailingZeros();
        return v.scale() < 0 ? v.setScale(0).toPlainString() : v.toPlainString();
    }

    /**
     * Sets a field by name from text (the REST API's way in; a boolean field takes
     * {@code true}/{@code false}). Returns false for an unknown name.
     */
    public boolean set(String field, String value) {
        switch (field) {
            case "title" -> title = value;
            case "description" -> description = value;
            case "keywords" -> keywords = value;
            case "reward" -> reward = value;
            case "timeLimitMinutes" -> timeLimitMinutes = value;
            case "lifetimeHours" -> lifetimeHours = value;
            case "autoApprovalDelayHours" -> autoApprovalDelayHours = value;
            case "country" -> country = value;
            case "minApprovalPercent" -> minApprovalPercent = value;
            case "minApprovedHits" -> minApprovedHits = value;
            case "externalUrl" -> externalUrl = value;
            case "frameHeight" -> frameHeight = value;
            case "minActive" -> minActive = value;
            case "minWaiting" -> minWaiting = value;
            case "maxActive" -> maxActive = value;
            case "maxWaiting" -> maxWaiting = value;
            case "waitingPayRate" -> waitingPayRate = value;
            case "allowRepeatWorkers" -> allowRepeatWorkers = "true".equalsIgnoreCase(value == null ? "" : value.strip());
            case "autoCompensate" -> autoCompensate = "true".equalsIgnoreCase(value == null ? "" : value.strip());
            case "maxPaidWaitMinutes" -> maxPaidWaitMinutes = value;
            case "approvalPolicy" -> approvalPolicy = value;
            case "disconnectGraceSeconds" -> disconnectGraceSeconds = value;
            case "hireBudget" -> hireBudget = value;
            case "spendCapUsd" -> spendCapUsd = value;
            default -> {
                return false;
            }
        }
        return true;
    }

    // ---- the hire budget in words (the form's hints, computed from what is typed so far) -------------

    /** What the hire budget field does, with the default's value for the thresholds typed so far. */
    public String getHireBudgetHint() {
        Integer capacity = capacity();
        String byDefault = capacity == null ? "3 × (maxActive + maxWaiting) hires"
                : "3 × (maxActive + maxWaiting) = " + HireBudget.DEFAULT_TURNOVERS * capacity
                        + " hires for the current thresholds";
        return "The most hires one session may make; when reached, hiring stops until you raise it in the live view. "
                + "Empty: the default, " + byDefault + ".";
    }

    /** What the spending cap field does, and the hires it pays for when one is typed (with the reward). */
    public String getSpendCapHint() {
        String what = "The most a session may spend on hires (reward + MTurk's 20 % fee each); it lowers the hire "
                + "budget to the hires it pays for. Empty: no cap.";
        Long cap = quietCents(spendCapUsd);
        Long rewardCents = quietCents(reward);
        if (cap == null || rewardCents == null || !TaskRules.REWARD.accepts(rewardCents)) {
            return what;
        }
        long cost = HireBudget.costOfOneHireCents(rewardCents.intValue());
        long paidFor = cap / cost;
        StringBuilder b = new StringBuilder(what).append(" With this cap: ").append(paidFor)
                .append(paidFor == 1 ? " hire" : " hires").append(" at ").append(usd(cost)).append(" USD each");
        Integer capacity = capacity();
        Long named = quietInt(hireBudget);
        if (named != null || capacity != null) {
            long budget = named != null ? named : (long) HireBudget.DEFAULT_TURNOVERS * capacity;
            b.append("; a session's budget: ").append(Math.min(budget, paidFor)).append(" hires");
        }
        return b.append('.').toString();
    }

    /** maxActive + maxWaiting as typed, or null while either is not a count yet. */
    private Integer capacity() {
        Long a = quietInt(maxActive);
        Long w = quietInt(maxWaiting);
        if (a == null || w == null || a < 1 || w < 1 || a > MAX_THRESHOLD || w > MAX_THRESHOLD) {
            return null;
        }
        return (int) (a + w);
    }

    private static Long quietInt(String value) {
        String v = text(value);
        return INTEGER.matcher(v).matches() ? Long.valueOf(Long.parseLong(v)) : null;
    }

    /** A USD amount typed as whole cents ≥ 0, or null when it is not one. */
    private static Long quietCents(String value) {
        String v = text(value);
        if (v.startsWith("$")) {
            v = v.substring(1).strip();
        }
        if (!DECIMAL.matcher(v).matches()) {
            return null;
        }
        BigDecimal amount = new BigDecimal(v);
        if (amount.signum() < 0 || amount.stripTrailingZeros().scale() > 2) {
            return null;
        }
        return amount.movePointRight(2).longValueExact();
    }

    // ---- validation ----------------------------------------------------------------------------

    /** The outcome of validating a form: settings when {@link #errors} is empty. */
    public record Validation(TaskSettings settings, Map<String, String> errors) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /** Checks every field; each bad one gets a message naming it. */
    public Validation validate() {
        Map<String, String> errors = new LinkedHashMap<>();
        String t = text(TaskRules.TITLE, title, errors);
        String d = text(TaskRules.DESCRIPTION, description, errors);
        String k = text(TaskRules.KEYWORDS, keywords, errors);
        Long rewardCents = cents(errors, TaskRules.REWARD, reward);
        Integer duration = seconds(errors, TaskRules.ASSIGNMENT_DURATION, timeLimitMinutes, SIXTY);
        Integer lifetime = seconds(errors, TaskRules.LIFETIME, lifetimeHours, HOUR);
        Integer autoApproval = seconds(errors, TaskRules.AUTO_APPROVAL_DELAY, autoApprovalDelayHours, HOUR);
        String c = text(country).toUpperCase(Locale.ROOT);
        TaskRules.countryProblem(country).ifPresent(p -> errors.put("country", "Country " + p + "."));
        Integer approval = whole(errors, TaskRules.MIN_APPROVAL_PERCENT, minApprovalPercent, false);
        Integer approved = whole(errors, TaskRules.MIN_APPROVED_HITS, minApprovedHits, false);
        String url = text(externalUrl);
        TaskRules.externalUrlProblem(url).ifPresent(p -> errors.put("externalUrl", "Worker-facing URL " + p));
        Integer frame = whole(errors, TaskRules.FRAME_HEIGHT, frameHeight, true);
        Integer minA = threshold(errors, "minActive", minActive);
        Integer minW = threshold(errors, "minWaiting", minWaiting);
        Integer maxA = threshold(errors, "maxActive", maxActive);
        Integer maxW = threshold(errors, "maxWaiting", maxWaiting);
        ThresholdRules.problems(minA, minW, maxA, maxW).forEach((field, problem) ->
                errors.put(field, field + " " + problem + "."));
        Long rate = cents(errors, TaskRules.WAITING_PAY, waitingPayRate);
        Integer grace = whole(errors, TaskRules.DISCONNECT_GRACE, disconnectGraceSeconds, true);
        Integer budget = whole(errors, TaskRules.HIRE_BUDGET, hireBudget, false);
        Long cap = text(spendCapUsd).isEmpty() ? null : cents(errors, TaskRules.SPEND_CAP, spendCapUsd);
        Integer maxPaidWait = whole(errors, TaskRules.MAX_PAID_WAIT, maxPaidWaitMinutes, true);
        ApprovalPolicy policy = policy(errors, approvalPolicy);
        if (!errors.isEmpty()) {
            return new Validation(null, orderedErrors(errors));
        }
        try {
            TaskSettings settings = new TaskSettings(t, d, k, rewardCents.intValue(), duration, lifetime, autoApproval,
                    c.isEmpty() ? null : c, approval, approved, url, frame, new Thresholds(minA, minW, maxA, maxW),
                    allowRepeatWorkers, rate.intValue(), grace, budget, cap == null ? null : cap.intValue(), maxPaidWait,
                    policy, autoCompensate);
            return new Validation(settings, Map.of());
        } catch (InvalidConfigurationException e) {
            // a rule of TaskSettings this form does not know yet: still a message on the right field
            errors.put(formField(e.field()), e.getMessage());
            return new Validation(null, orderedErrors(errors));
        }
    }

    private static Map<String, String> orderedErrors(Map<String, String> errors) {
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String f : FIELDS) {
            if (errors.containsKey(f)) {
                ordered.put(f, errors.get(f));
            }
        }
        errors.forEach(ordered::putIfAbsent);
        return Collections.unmodifiableMap(ordered);
    }

    private static String formField(String settingsField) {
        return switch (settingsField) {
            case "rewardCents" -> "reward";
            case "assignmentDurationSeconds" -> "timeLimitMinutes";
            case "lifetimeSeconds" -> "lifetimeHours";
            case "autoApprovalDelaySeconds" -> "autoApprovalDelayHours";
            case "waitingPayCentsPerHour" -> "waitingPayRate";
            case "thresholds" -> "minActive";
            case "spendCapCents" -> "spendCapUsd";
            default -> settingsField;
        };
    }

    private static ApprovalPolicy policy(Map<String, String> errors, String value) {
        String v = text(value);
        for (ApprovalPolicy p : ApprovalPolicy.values()) {
            if (p.name().equalsIgnoreCase(v)) {
                return p;
            }
        }
        errors.put("approvalPolicy", v.isEmpty() ? "Approval is required: auto or manual."
                : "Approval must be auto or manual (was '" + clip(v) + "').");
        return null;
    }

    /** The stripped text of a text field, its rule's message recorded when it breaks it. */
    private static String text(TaskRules.Text rule, String value, Map<String, String> errors) {
        rule.problem(value).ifPresent(m -> errors.put(rule.field(), m));
        return text(value);
    }

    /** A threshold: a required whole number (its range and relations are {@link ThresholdRules}'). */
    private static Integer threshold(Map<String, String> errors, String field, String value) {
        String v = text(value);
        if (v.isEmpty()) {
            errors.put(field, field + " is required.");
            return null;
        }
        if (!INTEGER.matcher(v).matches()) {
            errors.put(field, field + " must be a whole number (was '" + clip(v) + "').");
            return null;
        }
        // beyond an int it is beyond the rules' range anyway: kept out of range, not wrapped
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Long.parseLong(v)));
    }

    /** A whole number in the rule's range; empty is an error when {@code required}, else null. */
    private static Integer whole(Map<String, String> errors, TaskRules.Range rule, String value, boolean required) {
        String v = text(value);
        if (v.isEmpty()) {
            if (required) {
                errors.put(rule.formField(), rule.label() + " is required.");
            }
            return null;
        }
        if (!INTEGER.matcher(v).matches()) {
            errors.put(rule.formField(), rule.label() + " must be a whole number (was '" + clip(v) + "').");
            return null;
        }
        long n = Long.parseLong(v);
        if (!rule.accepts(n)) {
            errors.put(rule.formField(), rule.formMessage(v));
            return null;
        }
        return (int) n;
    }

    /** A USD amount as whole cents in the rule's range. */
    private static Long cents(Map<String, String> errors, TaskRules.Range rule, String value) {
        String field = rule.formField();
        String label = rule.label();
        String v = text(value);
        if (v.startsWith("$")) {
            v = v.substring(1).strip();
        }
        if (v.isEmpty()) {
            errors.put(field, label + " is required.");
            return null;
        }
        if (!DECIMAL.matcher(v).matches()) {
            errors.put(field, label + " must be an amount in USD such as 0.50 (was '" + clip(text(value)) + "').");
            return null;
        }
        BigDecimal amount = new BigDecimal(v);
        if (amount.stripTrailingZeros().scale() > 2) {
            errors.put(field, label + " must be in whole cents: at most two decimals (was " + clip(v) + ").");
            return null;
        }
        long c = amount.movePointRight(2).longValueExact();
        if (!rule.accepts(c)) {
            errors.put(field, rule.formMessage(clip(v)));
            return null;
        }
        return c;
    }

    /** A decimal number of {@code unit}s as whole seconds (rounded to the nearest second) in the rule's range. */
    private static Integer seconds(Map<String, String> errors, TaskRules.Range rule, String value, BigDecimal unit) {
        String field = rule.formField();
        String v = text(value);
        if (v.isEmpty()) {
            errors.put(field, rule.label() + " is required.");
            return null;
        }
        if (!DECIMAL.matcher(v).matches()) {
            errors.put(field, rule.label() + " must be a number (was '" + clip(v) + "').");
            return null;
        }
        BigDecimal s = new BigDecimal(v).multiply(unit).setScale(0, RoundingMode.HALF_UP);
        if (s.compareTo(BigDecimal.valueOf(rule.min())) < 0 || s.compareTo(BigDecimal.valueOf(rule.max())) > 0) {
            errors.put(field, rule.formMessage(clip(v)));
            return null;
        }
        return s.intValueExact();
    }

    private static String text(String v) {
        return v == null ? "" : v.strip();
    }

    private static String clip(String v) {
        return TaskRules.clip(v);
    }

    // ---- bean accessors (form binding and templates) -------------------------------------------

    public String getTitle() {
        return title;
    }

    public void setTitle(String title) {
        this.title = title;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public String getKeywords() {
        return keywords;
    }

    public void setKeywords(String keywords) {
        this.keywords = keywords;
    }

    public String getReward() {
        return reward;
    }

    public void setReward(String reward) {
        this.reward = reward;
    }

    public String getTimeLimitMinutes() {
        return timeLimitMinutes;
    }

    public void setTimeLimitMinutes(String timeLimitMinutes) {
        this.timeLimitMinutes = timeLimitMinutes;
    }

    public String getLifetimeHours() {
        return lifetimeHours;
    }

    public void setLifetimeHours(String lifetimeHours) {
        this.lifetimeHours = lifetimeHours;
    }

    public String getAutoApprovalDelayHours() {
        return autoApprovalDelayHours;
    }

    public void setAutoApprovalDelayHours(String autoApprovalDelayHours) {
        this.autoApprovalDelayHours = autoApprovalDelayHours;
    }

    public String getCountry() {
        return country;
    }

    public void setCountry(String country) {
        this.country = country;
    }

    public String getMinApprovalPercent() {
        return minApprovalPercent;
    }

    public void setMinApprovalPercent(String minApprovalPercent) {
        this.minApprovalPercent = minApprovalPercent;
    }

    public String getMinApprovedHits() {
        return minApprovedHits;
    }

    public void setMinApprovedHits(String minApprovedHits) {
        this.minApprovedHits = minApprovedHits;
    }

    public String getExternalUrl() {
        return externalUrl;
    }

    public void setExternalUrl(String externalUrl) {
        this.externalUrl = externalUrl;
    }

    public String getFrameHeight() {
        return frameHeight;
    }

    public void setFrameHeight(String frameHeight) {
        this.frameHeight = frameHeight;
    }

    public String getMinActive() {
        return minActive;
    }

    public void setMinActive(String minActive) {
        this.minActive = minActive;
    }

    public String getMinWaiting() {
        return minWaiting;
    }

    public void setMinWaiting(String minWaiting) {
        this.minWaiting = minWaiting;
    }

    public String getMaxActive() {
        return maxActive;
    }

    public void setMaxActive(String maxActive) {
        this.maxActive = maxActive;
    }

    public String getMaxWaiting() {
        return maxWaiting;
    }

    public void setMaxWaiting(String maxWaiting) {
        this.maxWaiting = maxWaiting;
    }

    public String getWaitingPayRate() {
        return waitingPayRate;
    }

    public void setWaitingPayRate(String waitingPayRate) {
        this.waitingPayRate = waitingPayRate;
    }

    public boolean isAllowRepeatWorkers() {
        return allowRepeatWorkers;
    }

    public void setAllowRepeatWorkers(boolean allowRepeatWorkers) {
        this.allowRepeatWorkers = allowRepeatWorkers;
    }

    public String getDisconnectGraceSeconds() {
        return disconnectGraceSeconds;
    }

    public void setDisconnectGraceSeconds(String disconnectGraceSeconds) {
        this.disconnectGraceSeconds = disconnectGraceSeconds;
    }

    public String getHireBudget() {
        return hireBudget;
    }

    public void setHireBudget(String hireBudget) {
        this.hireBudget = hireBudget;
    }

    public String getSpendCapUsd() {
        return spendCapUsd;
    }

    public void setSpendCapUsd(String spendCapUsd) {
        this.spendCapUsd = spendCapUsd;
    }

    public String getMaxPaidWaitMinutes() {
        return maxPaidWaitMinutes;
    }

    public void setMaxPaidWaitMinutes(String maxPaidWaitMinutes) {
        this.maxPaidWaitMinutes = maxPaidWaitMinutes;
    }

    public String getApprovalPolicy() {
        return approvalPolicy;
    }

    public void setApprovalPolicy(String approvalPolicy) {
        this.approvalPolicy = approvalPolicy;
    }

    public boolean isAutoCompensate() {
        return autoCompensate;
    }

    public void setAutoCompensate(boolean autoCompensate) {
        this.autoCompensate = autoCompensate;
    }
}
