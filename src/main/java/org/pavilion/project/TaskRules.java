package org.pavilion.project;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.pavilion.queue.InvalidConfigurationException;

/**
 * Every rule of a task's settings, stated once. {@link TaskSettings} refuses what breaks them; the task form
 * (and so the REST API) reports them field by field in the researcher's units; the database's checks on the
 * task table agree with them (a test proves it). The queue thresholds' rules are
 * {@link org.pavilion.queue.ThresholdRules}.
 *
 * <p>The HIT's rules are MTurk's (CreateHITType, CreateHITWithHITType, ExternalQuestion, the system
 * qualifications), so that a task the form accepts is never refused at Go live for a value: Title required,
 * at most 128 characters; Description required, at most 2000; Keywords at most 1000 (all of them, comma
 * separated); Reward at least 0.01 USD; AssignmentDurationInSeconds and LifetimeInSeconds 30 s to 365 days;
 * AutoApprovalDelayInSeconds 0 to 30 days; an approval rate 0–100; a locale an ISO 3166-1 alpha-2 code.
 * The rest are Pavilion's own (waiting pay, grace, hire budget, spending cap, longest paid wait).
 */
public final class TaskRules {

    /** A text rule: {@code required} and at most {@code max} characters (after stripping). */
    public record Text(String field, String label, boolean required, int max) {

        /** The message for the form (with the label), or empty when the (stripped) text is good. */
        public Optional<String> problem(String value) {
            String v = value == null ? "" : value.strip();
            if (required && v.isEmpty()) {
                return Optional.of(label + " is required.");
            }
            if (v.length() > max) {
                return Optional.of(label + " must be at most " + max + " characters (it has " + v.length() + ").");
            }
            return Optional.empty();
        }

        /** The stripped text, or an {@link InvalidConfigurationException} naming the field. */
        public String require(String value) {
            String v = value == null ? "" : value.strip();
            if (required && v.isEmpty()) {
                throw new InvalidConfigurationException(field, "is required");
            }
            if (v.length() > max) {
                throw new InvalidConfigurationException(field, "must be at most " + max + " characters (was "
                        + v.length() + ")");
            }
            return v;
        }
    }

    /**
     * A whole-number rule in stored units (cents, seconds, counts): {@code min..max} inclusive.
     * {@code field} is the {@link TaskSettings} component, {@code formField} the form's (and REST API's) name,
     * {@code inWords} the range as the researcher reads it in the form's units (after "must be").
     */
    public record Range(String field, String formField, String label, long min, long max, String inWords) {

        public boolean accepts(long value) {
            return value >= min && value <= max;
        }

        /** The form's message for a value out of range, showing what was typed. */
        public String formMessage(String typed) {
            return label + " must be " + inWords + " (was " + typed + ").";
        }

        /** The value, or an {@link InvalidConfigurationException} naming the field. */
        public int require(int value) {
            if (!accepts(value)) {
                throw new InvalidConfigurationException(field, "must be between " + min + " and " + max
                        + " (was " + value + ")");
            }
            return value;
        }
    }

    // ---- the HIT (MTurk's rules) -----------------------------------------------------------------

    public static final Text TITLE = new Text("title", "Title", true, 128);
    public static final Text DESCRIPTION = new Text("description", "Description", true, 2000);
    public static final Text KEYWORDS = new Text("keywords", "Keywords", false, 1000);
    public static final Range REWARD = new Range("rewardCents", "reward", "Reward", 1, 100_000_00,
            "at least 0.01 and at most 100000.00 USD");
    public static final Range ASSIGNMENT_DURATION = new Range("assignmentDurationSeconds", "timeLimitMinutes",
            "Time limit", 30, 31_536_000, "between 0.5 minute and 525600 minutes (365 days)");
    public static final Range LIFETIME = new Range("lifetimeSeconds", "lifetimeHours", "Lifetime", 30, 31_536_000,
            "between 30 seconds and 8760 hours (365 days)");
    public static final Range AUTO_APPROVAL_DELAY = new Range("autoApprovalDelaySeconds", "autoApprovalDelayHours",
            "Auto-approval delay", 0, 2_592_000, "between 0 and 720 hours (30 days)");
    public static final Range MIN_APPROVAL_PERCENT = new Range("minApprovalPercent", "minApprovalPercent",
            "Minimum approval rate", 0, 100, "a percentage between 0 and 100, or empty for no requirement");
    public static final Range MIN_APPROVED_HITS = new Range("minApprovedHits", "minApprovedHits",
            "Minimum approved HITs", 0, Integer.MAX_VALUE, "a count of 0 or more, or empty for no requirement");
    public static final Range FRAME_HEIGHT = new Range("frameHeight", "frameHeight", "Frame height", 0, 100_000,
            "between 0 and 100000 pixels (0 lets the marketplace choose)");
    /** The ExternalURL's longest (and the column's). */
    public static final int EXTERNAL_URL_MAX = 2000;

    // ---- Pavilion's own -------------------------------------------------------------------------

    public static final Range WAITING_PAY = new Range("waitingPayCentsPerHour", "waitingPayRate", "Waiting pay rate",
            0, 100_000_00, "at least 0 and at most 100000.00 USD per hour");
    public static final Range DISCONNECT_GRACE = new Range("disconnectGraceSeconds", "disconnectGraceSeconds",
            "Disconnect grace", 0, 86_400, "between 0 and 86400 seconds");
    public static final Range HIRE_BUDGET = new Range("hireBudget", "hireBudget", "Hire budget", 0, 1_000_000,
            "a number of hires between 0 and 1000000, or empty for the default of 3 × (maxActive + maxWaiting)");
    public static final Range SPEND_CAP = new Range("spendCapCents", "spendCapUsd", "Spending cap", 0, 100_000_000,
            "at least 0 and at most 1000000.00 USD, or empty for no cap");
    /** A week: the database's limit too. */
    public static final Range MAX_PAID_WAIT = new Range("maxPaidWaitMinutes", "maxPaidWaitMinutes",
            "Longest paid wait", 1, 10_080, "between 1 and 10080 minutes");

    private static final Set<String> COUNTRIES = Collections.unmodifiableSet(
            new TreeSet<>(Arrays.asList(Locale.getISOCountries())));

    private TaskRules() {
    }

    /** Why a country is not an ISO 3166-1 alpha-2 code (any case; empty means any country), or empty. */
    public static Optional<String> countryProblem(String country) {
        String c = country == null ? "" : country.strip();
        if (c.isEmpty() || COUNTRIES.contains(c.toUpperCase(Locale.ROOT))) {
            return Optional.empty();
        }
        return Optional.of("must be an ISO 3166-1 alpha-2 code such as US or DE, or empty for any country (was '"
                + clip(c) + "')");
    }

    /**
     * Why a worker-facing URL is not acceptable (a sentence after "Worker-facing URL"), or empty: MTurk opens it
     * in its frame only over https; http is allowed on this machine's loopback names, for the local marketplace.
     */
    public static Optional<String> externalUrlProblem(String url) {
        String u = url == null ? "" : url.strip();
        if (u.isEmpty()) {
            return Optional.of("is required.");
        }
        if (u.length() > EXTERNAL_URL_MAX) {
            return Optional.of("must be at most " + EXTERNAL_URL_MAX + " characters.");
        }
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL (" + clip(e.getReason()) + ").");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (!uri.isAbsolute() || host == null || host.isEmpty() || uri.getRawUserInfo() != null) {
            return Optional.of("must be an absolute https:// URL with a host, such as https://example.org/task.");
        }
        if (scheme.equals("https")) {
            return Optional.empty();
        }
        if (scheme.equals("http")) {
            String h = host.toLowerCase(Locale.ROOT);
            if (h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]")) {
                return Optional.empty();
            }
            return Optional.of("must use https:// (http:// is allowed only on localhost or 127.0.0.1).");
        }
        return Optional.of("must be an https:// URL (was " + clip(scheme) + ":).");
    }

    /** Text cut for a message: a value typed can be long. */
    public static String clip(String v) {
        if (v == null) {
            return "";
        }
        return v.length() <= 40 ? v : v.substring(0, 39) + "\u2026";
    }
}
