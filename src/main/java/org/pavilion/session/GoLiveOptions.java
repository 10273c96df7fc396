package org.pavilion.session;

import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.Thresholds;

/**
 * What an admin may choose for one session at Go live (issue 14 item 3), on top of the task's settings:
 * a name, other thresholds than the task's, and the marketplace. A value of this type is valid: the
 * constructor refuses anything else with an {@link InvalidConfigurationException} naming the field.
 *
 * @param name        the session's name, or null for none (then it is known by its number)
 * @param thresholds  the session's thresholds, or null for the task's
 * @param marketplace the marketplace's mode name (LOCAL, SANDBOX, PRODUCTION), or null for the server's
 *                    configured one; which modes may be chosen is the marketplace layer's to check
 */
public record GoLiveOptions(String name, Thresholds thresholds, String marketplace) {

    /** Longest session name (the column's width). */
    public static final int NAME_MAX = 100;

    /** The task's settings as they are, on the server's configured marketplace. */
    public static final GoLiveOptions TASK_DEFAULTS = new GoLiveOptions(null, null, null);

    public GoLiveOptions {
        if (name != null) {
            name = name.strip();
            if (name.isEmpty()) {
                name = null;
            } else if (name.length() > NAME_MAX) {
                throw new InvalidConfigurationException("name",
                        "must be at most " + NAME_MAX + " characters (was " + name.length() + ")");
            } else if (name.chars().anyMatch(Character::isISOControl)) {
                throw new InvalidConfigurationException("name", "must be one line of text");
            }
        }
        if (marketplace != null && !marketplace.matches("LOCAL|SANDBOX|PRODUCTION")) {
            String was = marketplace.toLowerCase(java.util.Locale.ROOT);
            throw new InvalidConfigurationException("marketplace", "must be local, sandbox or production (was '"
                    + (was.length() <= 20 ? was : was.substring(0, 19) + "\u2026") + "')");
        }
    }

    /** These options with the marketplace set (the server's configured one when none was chosen). */
    public GoLiveOptions onMarketplace(String mode) {
        return new GoLiveOptions(name, thresholds, mode);
    }
}
