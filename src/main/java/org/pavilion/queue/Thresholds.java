package org.pavilion.queue;

/**
 * The four queue thresholds of a task (SPEC §3). A value of this type is always valid:
 * the constructor refuses anything else with a message naming the field.
 */
public record Thresholds(int minActive, int minWaiting, int maxActive, int maxWaiting) {

    public Thresholds {
        if (minActive < 1) {
            throw new InvalidConfigurationException("minActive", "must be at least 1 (was " + minActive + ")");
        }
        if (maxActive < minActive) {
            throw new InvalidConfigurationException("maxActive",
                    "must be at least minActive (" + minActive + "), was " + maxActive);
        }
        if (minWaiting < 0) {
            throw new InvalidConfigurationException("minWaiting", "must be at least 0 (was " + minWaiting + ")");
        }
        if (maxWaiting < 1) {
            throw new InvalidConfigurationException("maxWaiting", "must be at least 1 (was " + maxWaiting + ")");
        }
        if (maxWaiting < minWaiting) {
            throw new InvalidConfigurationException("maxWaiting",
                    "must be at least minWaiting (" + minWaiting + "), was " + maxWaiting);
        }
    }

    /** Workers the session holds when full: the HIT's MaxAssignments (SPEC §4.8). */
    public int capacity() {
        return maxActive + maxWaiting;
    }
}
