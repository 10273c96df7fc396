package org.pavilion.eligibility;

import java.util.List;

import org.pavilion.queue.InvalidConfigurationException;

/**
 * A task's who-may-work settings beyond TaskSettings (which keeps country, approval rate, approved HITs
 * and allowRepeatWorkers).
 *
 * @param excludeProjectWorkers refuse a worker who took part in any other session of the task's project
 *        (of any task), whatever allowRepeatWorkers says
 * @param masters the HIT requires MTurk's Masters qualification
 * @param qualifications the admin's own QualificationRequirements, at most {@value #MAX_QUALIFICATIONS}
 */
public record Eligibility(boolean excludeProjectWorkers, boolean masters, List<CustomQualification> qualifications) {

    /** A task without settings of its own. */
    public static final Eligibility DEFAULT = new Eligibility(false, false, List.of());
    /** MTurk allows 15 requirements per HIT type; this leaves room for the ones Pavilion adds itself. */
    public static final int MAX_QUALIFICATIONS = 8;

    public Eligibility {
        qualifications = qualifications == null ? List.of() : List.copyOf(qualifications);
        if (qualifications.size() > MAX_QUALIFICATIONS) {
            throw new InvalidConfigurationException("qualifications", "at most " + MAX_QUALIFICATIONS
                    + " qualification requirements, not " + qualifications.size());
        }
        if (qualifications.stream().map(CustomQualification::qualificationTypeId).distinct().count()
                < qualifications.size()) {
            throw new InvalidConfigurationException("qualifications", "each qualification type may be required only once");
        }
    }
}
