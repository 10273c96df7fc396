package org.pavilion.queue;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rules of the four queue thresholds (SPEC §3), stated once: {@link Thresholds} refuses what breaks
 * them, the task form and the REST API report them field by field, and the database's
 * {@code task_thresholds} check agrees with them (a test proves it). Pure: no I/O, no other package.
 *
 * <ul>
 * <li>1 ≤ minActive ≤ maxActive; 0 ≤ minWaiting ≤ maxWaiting; maxWaiting ≥ 1;</li>
 * <li>each at most {@value #MAX} (far beyond a real session, small enough for MaxAssignments).</li>
 * </ul>
 */
public final class ThresholdRules {

    /** The largest value of any threshold. */
    public static final int MAX = 10_000;

    private ThresholdRules() {
    }

    /**
     * What is wrong with these thresholds, as field name → message without the field's name (e.g.
     * {@code "must be at least 1 (and at most 10000) (was 0)"}), in the order minActive, maxActive,
     * minWaiting, maxWaiting. A null value is one not given: it is left to the caller (a required field)
     * and the rules comparing it with another are skipped. Empty when all are good.
     */
    public static Map<String, String> problems(Integer minActive, Integer minWaiting, Integer maxActive,
                                               Integer maxWaiting) {
        Map<String, String> p = new LinkedHashMap<>();
        range(p, "minActive", minActive, 1);
        range(p, "maxActive", maxActive, 1);
        range(p, "minWaiting", minWaiting, 0);
        range(p, "maxWaiting", maxWaiting, 1);
        if (!p.containsKey("minActive") && !p.containsKey("maxActive") && minActive != null && maxActive != null
                && maxActive < minActive) {
            p.put("maxActive", "must be at least minActive (" + minActive + "), was " + maxActive);
        }
        if (!p.containsKey("minWaiting") && !p.containsKey("maxWaiting") && minWaiting != null && maxWaiting != null
                && maxWaiting < minWaiting) {
            p.put("maxWaiting", "must be at least minWaiting (" + minWaiting + "), was " + maxWaiting);
        }
        return Collections.unmodifiableMap(p);
    }

    /** The first broken rule as an exception naming its field; nothing when all are good. */
    static void require(int minActive, int minWaiting, int maxActive, int maxWaiting) {
        Map<String, String> p = problems(minActive, minWaiting, maxActive, maxWaiting);
        if (!p.isEmpty()) {
            Map.Entry<String, String> first = p.entrySet().iterator().next();
            throw new InvalidConfigurationException(first.getKey(), first.getValue());
        }
    }

    private static void range(Map<String, String> p, String field, Integer value, int min) {
        if (value != null && (value < min || value > MAX)) {
            p.put(field, "must be at least " + min + " (and at most " + MAX + ") (was " + value + ")");
        }
    }
}
