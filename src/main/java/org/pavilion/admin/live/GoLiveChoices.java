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
        // GoLiveOptions checks the name; which marketplaces are offered is the marketplace layer's to check
        return new GoLiveOptions(name, thresholds,
                given(marketplace) ? marketplace.strip().toUpperCase(java.util.Locale.ROOT) : null);
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
}
