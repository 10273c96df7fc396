package org.pavilion.queue;

/**
 * The four queue thresholds of a task (SPEC §3). A value of this type is always valid: the
 * constructor refuses anything that breaks the {@link ThresholdRules} with a message naming the field.
 */
public record Thresholds(int minActive, int minWaiting, int maxActive, int maxWaiting) {

    public Thresholds {
        ThresholdRules.require(minActive, minWaiting, maxActive, maxWaiting);
    }

    /** Workers the session holds when full: the HIT's MaxAssignments (SPEC §4.8). */
    public int capacity() {
        return maxActive + maxWaiting;
    }
}
