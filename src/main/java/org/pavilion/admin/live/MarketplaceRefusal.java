package org.pavilion.admin.live;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.marketplace.mturk.MTurkException;
import org.pavilion.project.TaskRules;

/**
 * A marketplace's refusal of a Go live in plain words: what was refused and what to change, for the task
 * page and the REST API alike. MTurk names the parameter it refused (Title, Reward, LifetimeInSeconds ...);
 * that becomes the task form's field and what it must be. Anything else is told with the marketplace's own
 * words, stripped of what means nothing to a researcher (error types, TurkErrorCodes, request ids, the
 * request's time in milliseconds).
 *
 * @param field   the task form's field the refusal is about (e.g. {@code description}), or null
 * @param message the sentence to show
 */
public record MarketplaceRefusal(String field, String message) {

    /** A parameter of CreateHITType / CreateHITWithHITType and the task form's field behind it. */
    private record Parameter(Pattern name, String field, String label, String rule) {
        static Parameter of(String regex, String field, String label, String rule) {
            return new Parameter(Pattern.compile("\\b(" + regex + ")\\b"), field, label, rule);
        }
    }

    private static final List<Parameter> PARAMETERS = List.of(
            Parameter.of("Title", "title", "Title",
                    "required, at most " + TaskRules.TITLE.max() + " characters"),
            Parameter.of("Description", "description", "Description",
                    "required, at most " + TaskRules.DESCRIPTION.max() + " characters"),
            Parameter.of("Keywords", "keywords", "Keywords",
                    "comma-separated, at most " + TaskRules.KEYWORDS.max() + " characters"),
            Parameter.of("Reward", "reward", "Reward", TaskRules.REWARD.inWords()),
            Parameter.of("AssignmentDurationInSeconds", "timeLimitMinutes", "Time limit",
                    TaskRules.ASSIGNMENT_DURATION.inWords()),
            Parameter.of("LifetimeInSeconds", "lifetimeHours", "Listed for (hours)", TaskRules.LIFETIME.inWords()),
            Parameter.of("AutoApprovalDelayInSeconds", "autoApprovalDelayHours", "Auto-approve after (hours)",
                    TaskRules.AUTO_APPROVAL_DELAY.inWords()),
            Parameter.of("MaxAssignments", "maxActive", "maxActive and maxWaiting",
                    "their sum is the HIT's number of assignments"),
            Parameter.of("Locale|Country", "country", "Country", "an ISO 3166-1 alpha-2 code such as US, or empty"),
            Parameter.of("QualificationRequirements?|IntegerValues?|Comparator", "minApprovalPercent",
                    "worker requirements", "approval rate 0 to 100, approved HITs 0 or more, a country code"),
            Parameter.of("ExternalURL|ExternalQuestion|Question", "externalUrl", "Worker-facing URL",
                    "an https:// URL of the worker pages"),
            Parameter.of("FrameHeight", "frameHeight", "Frame height", TaskRules.FRAME_HEIGHT.inWords()));

    // what the marketplace client puts around MTurk's message: the outbox's note, the error type (one CamelCase
    // word such as RequestError or InternalFailure), the operation
    private static final Pattern WRAPPING = Pattern.compile(
            "^(this go-live failed: |(HTTP ?\\d+|[A-Z][a-z]+(?:[A-Z][a-z]*)+): "
                    + "|MTurk [A-Za-z]+ (refused|failed on MTurk's side|failed|throttled): )+");
    private static final Pattern NOISE = Pattern.compile(
            "\\s*(\\[[A-Za-z.]+]|\\(request [^)]*\\)|\\(\\d{9,}\\))");
    private static final Pattern TURK_CODE = Pattern.compile("AWS\\.MechanicalTurk\\.([A-Za-z]+)");

    /** The refusal of this failed Go live. */
    public static MarketplaceRefusal of(MarketplaceException e) {
        String raw = e.getMessage() == null ? "" : e.getMessage();
        String said = said(raw);
        String turkCode = turkCode(e, raw);
        if (MTurkException.AUTHENTICATION_FAILED.equals(e.errorCode())
                || raw.toLowerCase(Locale.ROOT).contains("authentication failed")) {
            return new MarketplaceRefusal(null, "Not posted: the marketplace did not accept this server's "
                    + "credentials. Check the requester account's access key and secret in the server's settings, "
                    + "then go live again.");
        }
        if ("InsufficientFunds".equals(turkCode)) {
            return new MarketplaceRefusal(null, "Not posted: the marketplace account's balance cannot pay for "
                    + "this HIT. Add funds to the requester account (or lower the reward or the thresholds), then "
                    + "go live again.");
        }
        if (e.retryable()) {
            return new MarketplaceRefusal(null, "Not posted: the marketplace is busy or unavailable right now"
                    + (said.isEmpty() ? "" : " (" + said + ")") + ". Nothing was posted; go live again in a few "
                    + "minutes.");
        }
        Parameter named = named(said);
        if (named != null) {
            return new MarketplaceRefusal(named.field(), "Not posted: the marketplace refused the task's "
                    + named.label() + (said.isEmpty() ? "" : " (\u201c" + said + "\u201d)") + ". Edit the task "
                    + "and change " + named.label() + " (" + named.rule() + "), then go live again.");
        }
        return new MarketplaceRefusal(null, "Not posted: the marketplace refused the task"
                + (said.isEmpty() ? "" : " (\u201c" + said + "\u201d)") + ". Nothing was posted; change the task "
                + "as it says, then go live again.");
    }

    /** The marketplace's own words, without the wrapping and the numbers that mean nothing to a researcher. */
    static String said(String raw) {
        String s = raw.strip();
        Matcher w = WRAPPING.matcher(s);
        if (w.find()) {
            s = s.substring(w.end());
        }
        s = NOISE.matcher(s).replaceAll("").strip();
        while (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s;
    }

    private static String turkCode(MarketplaceException e, String raw) {
        String code = e instanceof MTurkException m ? m.turkErrorCode() : null;
        Matcher c = TURK_CODE.matcher(code != null ? code : raw);
        return c.find() ? c.group(1) : null;
    }

    /** The parameter the message names first, if any. */
    private static Parameter named(String said) {
        Parameter first = null;
        int at = Integer.MAX_VALUE;
        for (Parameter p : PARAMETERS) {
            Matcher m = p.name().matcher(said);
            if (m.find() && m.start() < at) {
                at = m.start();
                first = p;
            }
        }
        return first;
    }
}
