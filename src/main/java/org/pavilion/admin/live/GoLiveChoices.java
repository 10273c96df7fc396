package org.pavilion.admin.live;

import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.GoLiveOptions;

/**
 * The Go live dialog's and API's choices as sent, as text (issue 14 item 3): a session name, thresholds
 * that differ from the task's (each one left empty keeps the task's), and the marketplace. {@link #options}
 * checks them: a bad one is an {@link InvalidConfigurationException} naming its field, and nothing is opened.
 */
public record GoLiveChoices(String name, String minActive, String maxActive, String minWaiting, String maxWaiting,
                            String marketplace) {

    /** No choice: the task's thresholds, no name, the configured marketplace. */
    public static final GoLiveChoices NONE = new GoLiveChoices(null, null, null, null, null, null);

    /** The checked options for a task whose own thresholds are {@code task}. */
    public GoLiveOptions options(Thresholds task) {
        boolean any = given(minActive) || given(maxActive) || given(minWaiting) || given(maxWaiting);
        Thresholds thresholds = null;
        if (any) {
            Thresholds t = new Thresholds(count("minActive", minActive, task.minActive()),
                    count("minWaiting", minWaiting, task.minWaiting()), count("maxActive", maxActive, task.maxActive()),
                    count("maxWaiting", maxWaiting, task.maxWaiting()));
            thresholds = t.equals(task) ? null : t;
        }
        return new GoLiveOptions(name, thresholds, given(marketplace) ? marketplaceName(marketplace) : null);
    }

    private static boolean given(String value) {
        return value != null && !value.isBlank();
    }

    private static int count(String field, String value, int taskValue) {
        if (!given(value)) {
            return taskValue;
        }
        String v = value.strip();
        if (!v.matches("\\d{1,9}")) {
            throw new InvalidConfigurationException(field, "must be a whole number (was '"
                    + (v.length() <= 20 ? v : v.substring(0, 19) + "\u2026") + "')");
        }
        return Integer.parseInt(v); // the ranges are ThresholdRules', checked by Thresholds
    }

    /** The marketplace as {@link GoLiveOptions} names it; which one is offered is checked when going live. */
    private static String marketplaceName(String value) {
        String v = value.strip().toUpperCase(java.util.Locale.ROOT);
        if (!v.matches("LOCAL|SANDBOX|PRODUCTION")) {
            throw new InvalidConfigurationException("marketplace", "must be local, sandbox or production (was '"
                    + (value.strip().length() <= 20 ? value.strip() : value.strip().substring(0, 19) + "\u2026")
                    + "')");
        }
        return v;
    }
}
