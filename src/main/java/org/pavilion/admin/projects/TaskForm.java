package org.pavilion.admin.projects;

import org.pavilion.pay.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.pavilion.project.TaskSettings;
import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.HireBudget;
import org.pavilion.session.PaySettings.ApprovalPolicy;

/**
 * The task form, as the researcher types it (page and REST API alike): every value is text until
 * {@link #validate()} checks each field and gives one message per bad field, or the
 * {@link TaskSettings} when all are good. Units are the researcher's: reward and waiting pay in
 * USD, the time limit in minutes, lifetime and auto-approval delay in hours.
 *
 * <p>Validation rules (server side; nothing is saved unless every field passes):
 * <ul>
 * <li>title required, at most 128 characters; description at most 2000; keywords at most 1000;</li>
 * <li>reward: USD with at most two decimals, at least 0.01, at most 100000;</li>
 * <li>time limit 0.5 minute to 365 days; lifetime 30 s to 365 days; auto-approval 0 to 30 days;</li>
 * <li>country: empty (any) or an ISO 3166-1 alpha-2 code ({@link Locale#getISOCountries()});</li>
 * <li>approval rate 0–100 (or empty), approved HITs a non-negative count (or empty);</li>
 * <li>worker-facing URL: https, or http only on localhost / 127.0.0.1 / [::1];</li>
 * <li>thresholds per SPEC §3: 1 ≤ minActive ≤ maxActive, 0 ≤ minWaiting ≤ maxWaiting, maxWaiting ≥ 1
 * (each at most {@value #MAX_THRESHOLD});</li>
 * <li>waiting pay: USD per hour, at most two decimals, 0 to 100000; disconnect grace 0–86400 s;</li>
 * <li>hire budget: empty (the default, 3 × (maxActive + maxWaiting)) or a count of hires 0 to
 * {@value TaskSettings#MAX_HIRE_BUDGET}; spending cap: empty (none) or USD, at most two decimals,
 * 0 to 1000000;</li>
 * <li>longest paid wait: whole minutes, 1 to {@value TaskSettings#MAX_PAID_WAIT_MINUTES} (a week);
 * approval: {@code auto} or {@code manual} (any case); automatic compensation: a checkbox.</li>
 * </ul>
 */
public class TaskForm {

    public static final int MAX_THRESHOLD = 10_000;
    static final int TITLE_MAX = 128;

    /** Field names, in the order the form shows them; the REST API and the error maps use the same names. */
    public static final List<String> FIELDS = List.of("title", "description", "keywords", "externalUrl",
            "frameHeight", "reward", "waitingPayRate", "maxPaidWaitMinutes", "timeLimitMinutes", "lifetimeHours",
            "autoApprovalDelayHours", "approvalPolicy", "autoCompensate", "country", "minApprovalPercent", "minApprovedHits", "allowRepeatWorkers", "minActive", "maxActive",
            "minWaiting", "maxWaiting", "disconnectGraceSeconds", "hireBudget", "spendCapUsd");

    private static final Set<String> COUNTRIES = Collections.unmodifiableSet(
            new TreeSet<>(Arrays.asList(Locale.getISOCountries())));
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

    /** A new task's form: the usual defaults (TaskSettings.basic), thresholds and the task's own text empty. */
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
        if (cap == null || rewardCents == null || rewardCents < 1 || rewardCents > 100_000_00L) {
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
        String t = text(title);
        if (t.isEmpty()) {
            errors.put("title", "Title is required.");
        } else if (t.length() > TITLE_MAX) {
            errors.put("title", "Title must be at most " + TITLE_MAX + " characters (it has " + t.length() + ").");
        }
        String d = text(description);
        if (d.length() > 2000) {
            errors.put("description", "Description must be at most 2000 characters (it has " + d.length() + ").");
        }
        String k = text(keywords);
        if (k.length() > 1000) {
            errors.put("keywords", "Keywords must be at most 1000 characters (they have " + k.length() + ").");
        }
        Long rewardCents = cents(errors, "reward", "Reward", reward, 1, 100_000_00L, " USD");
        Integer duration = seconds(errors, "timeLimitMinutes", "Time limit", timeLimitMinutes, SIXTY, 30, 31_536_000,
                "must be between 0.5 minute and 525600 minutes (365 days)");
        Integer lifetime = seconds(errors, "lifetimeHours", "Lifetime", lifetimeHours, HOUR, 30, 31_536_000,
                "must be between 30 seconds and 8760 hours (365 days)");
        Integer autoApproval = seconds(errors, "autoApprovalDelayHours", "Auto-approval delay", autoApprovalDelayHours,
                HOUR, 0, 2_592_000, "must be between 0 and 720 hours (30 days)");
        String c = text(country).toUpperCase(Locale.ROOT);
        if (!c.isEmpty() && !COUNTRIES.contains(c)) {
            errors.put("country", "Country must be an ISO 3166-1 alpha-2 code such as US or DE, or empty for any "
                    + "country (was '" + clip(text(country)) + "').");
        }
        Integer approval = optionalInt(errors, "minApprovalPercent", "Minimum approval rate", minApprovalPercent, 0, 100,
                "must be a percentage between 0 and 100, or empty for no requirement");
        Integer approved = optionalInt(errors, "minApprovedHits", "Minimum approved HITs", minApprovedHits, 0,
                Integer.MAX_VALUE, "must be a count of 0 or more, or empty for no requirement");
        String url = text(externalUrl);
        String urlProblem = urlProblem(url);
        if (urlProblem != null) {
            errors.put("externalUrl", "Worker-facing URL " + urlProblem);
        }
        Integer frame = requiredInt(errors, "frameHeight", "Frame height", frameHeight, 0, 100_000,
                "must be between 0 and 100000 pixels (0 lets the marketplace choose)");
        Integer minA = requiredInt(errors, "minActive", "minActive", minActive, 1, MAX_THRESHOLD,
                "must be at least 1 (and at most " + MAX_THRESHOLD + ")");
        Integer minW = requiredInt(errors, "minWaiting", "minWaiting", minWaiting, 0, MAX_THRESHOLD,
                "must be at least 0 (and at most " + MAX_THRESHOLD + ")");
        Integer maxA = requiredInt(errors, "maxActive", "maxActive", maxActive, 1, MAX_THRESHOLD,
                "must be at least 1 (and at most " + MAX_THRESHOLD + ")");
        Integer maxW = requiredInt(errors, "maxWaiting", "maxWaiting", maxWaiting, 1, MAX_THRESHOLD,
                "must be at least 1 (and at most " + MAX_THRESHOLD + ")");
        if (minA != null && maxA != null && maxA < minA) {
            errors.put("maxActive", "maxActive must be at least minActive (" + minA + "), was " + maxA + ".");
        }
        if (minW != null && maxW != null && maxW < minW) {
            errors.put("maxWaiting", "maxWaiting must be at least minWaiting (" + minW + "), was " + maxW + ".");
        }
        Long rate = cents(errors, "waitingPayRate", "Waiting pay rate", waitingPayRate, 0, 100_000_00L, " USD per hour");
        Integer grace = requiredInt(errors, "disconnectGraceSeconds", "Disconnect grace", disconnectGraceSeconds, 0,
                86_400, "must be between 0 and 86400 seconds");
        Integer budget = optionalInt(errors, "hireBudget", "Hire budget", hireBudget, 0, TaskSettings.MAX_HIRE_BUDGET,
                "must be a number of hires between 0 and " + TaskSettings.MAX_HIRE_BUDGET
                        + ", or empty for the default of 3 × (maxActive + maxWaiting)");
        Long cap = text(spendCapUsd).isEmpty() ? null : cents(errors, "spendCapUsd", "Spending cap", spendCapUsd, 0,
                TaskSettings.MAX_SPEND_CAP_CENTS, " USD, or empty for no cap");
        Integer maxPaidWait = requiredInt(errors, "maxPaidWaitMinutes", "Longest paid wait", maxPaidWaitMinutes, 1,
                TaskSettings.MAX_PAID_WAIT_MINUTES, "must be between 1 and " + TaskSettings.MAX_PAID_WAIT_MINUTES
                        + " minutes");
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

    /** Why the URL is not acceptable, or null. */
    static String urlProblem(String url) {
        if (url.isEmpty()) {
            return "is required.";
        }
        if (url.length() > 2000) {
            return "must be at most 2000 characters.";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "is not a valid URL (" + clip(e.getReason()) + ").";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (!uri.isAbsolute() || host == null || host.isEmpty() || uri.getRawUserInfo() != null) {
            return "must be an absolute https:// URL with a host, such as https://example.org/task.";
        }
        if (scheme.equals("https")) {
            return null;
        }
        if (scheme.equals("http")) {
            String h = host.toLowerCase(Locale.ROOT);
            if (h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]")) {
                return null;
            }
            return "must use https:// (http:// is allowed only on localhost or 127.0.0.1).";
        }
        return "must be an https:// URL (was " + clip(scheme) + ":).";
    }

    private static Integer requiredInt(Map<String, String> errors, String field, String label, String value, int min,
                                       int max, String range) {
        String v = text(value);
        if (v.isEmpty()) {
            errors.put(field, label + " is required.");
            return null;
        }
        return checkedInt(errors, field, label, v, min, max, range);
    }

    private static Integer optionalInt(Map<String, String> errors, String field, String label, String value, int min,
                                       int max, String range) {
        String v = text(value);
        return v.isEmpty() ? null : checkedInt(errors, field, label, v, min, max, range);
    }

    private static Integer checkedInt(Map<String, String> errors, String field, String label, String v, int min,
                                      int max, String range) {
        if (!INTEGER.matcher(v).matches()) {
            errors.put(field, label + " must be a whole number (was '" + clip(v) + "').");
            return null;
        }
        long n = Long.parseLong(v);
        if (n < min || n > max) {
            errors.put(field, label + " " + range + " (was " + v + ").");
            return null;
        }
        return (int) n;
    }

    /** A USD amount as whole cents, at least {@code min} cents. */
    private static Long cents(Map<String, String> errors, String field, String label, String value, long min,
                              long max, String unit) {
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
        if (c < min || c > max) {
            errors.put(field, label + " must be " + (min > 0 ? "at least " + usd(min) : "at least 0") + " and at most "
                    + usd(max) + unit + " (was " + clip(v) + ").");
            return null;
        }
        return c;
    }

    /** A decimal number of {@code unit}s as whole seconds (rounded to the nearest second). */
    private static Integer seconds(Map<String, String> errors, String field, String label, String value,
                                   BigDecimal unit, int min, int max, String range) {
        String v = text(value);
        if (v.isEmpty()) {
            errors.put(field, label + " is required.");
            return null;
        }
        if (!DECIMAL.matcher(v).matches()) {
            errors.put(field, label + " must be a number (was '" + clip(v) + "').");
            return null;
        }
        BigDecimal s = new BigDecimal(v).multiply(unit).setScale(0, RoundingMode.HALF_UP);
        if (s.compareTo(BigDecimal.valueOf(min)) < 0 || s.compareTo(BigDecimal.valueOf(max)) > 0) {
            errors.put(field, label + " " + range + " (was " + clip(v) + ").");
            return null;
        }
        return s.intValueExact();
    }

    private static String text(String v) {
        return v == null ? "" : v.strip();
    }

    private static String clip(String v) {
        if (v == null) {
            return "";
        }
        return v.length() <= 40 ? v : v.substring(0, 39) + "\u2026";
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
