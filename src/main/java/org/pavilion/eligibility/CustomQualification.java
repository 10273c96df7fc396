package org.pavilion.eligibility;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.pavilion.queue.InvalidConfigurationException;

/**
 * One QualificationRequirement of the admin's own: a qualification type, one of MTurk's comparators and
 * the values it compares with (integers, or locales such as {@code US} or {@code US-NY}). Valid by
 * construction, by MTurk's rules: Exists and DoesNotExist take no value, In and NotIn 1 to 15, the
 * others exactly one; locales go only with EqualTo, NotEqualTo, In and NotIn.
 */
public record CustomQualification(String qualificationTypeId, String comparator, List<Integer> integerValues,
                                  List<String> localeValues) {

    public static final Set<String> COMPARATORS = Set.of("LessThan", "LessThanOrEqualTo", "GreaterThan",
            "GreaterThanOrEqualTo", "EqualTo", "NotEqualTo", "Exists", "DoesNotExist", "In", "NotIn");
    private static final Set<String> LOCALE_COMPARATORS = Set.of("EqualTo", "NotEqualTo", "In", "NotIn");
    private static final Pattern TYPE_ID = Pattern.compile("[A-Z0-9]{1,64}");
    private static final Pattern LOCALE = Pattern.compile("[A-Z]{2}(-[A-Z0-9]{1,3})?");
    static final int MAX_VALUES = 15;

    public CustomQualification {
        String where = "qualification '" + qualificationTypeId + "'";
        if (qualificationTypeId == null || !TYPE_ID.matcher(qualificationTypeId).matches()) {
            throw new InvalidConfigurationException("qualifications", "qualificationTypeId must be 1 to 64 upper-case letters and "
                    + "digits (an MTurk QualificationTypeId): '" + qualificationTypeId + "'");
        }
        if (comparator == null || !COMPARATORS.contains(comparator)) {
            throw new InvalidConfigurationException("qualifications", where + ": comparator must be one of "
                    + COMPARATORS.stream().sorted().toList() + ", not '" + comparator + "'");
        }
        integerValues = integerValues == null ? List.of() : List.copyOf(integerValues);
        localeValues = localeValues == null ? List.of() : List.copyOf(localeValues);
        if (!integerValues.isEmpty() && !localeValues.isEmpty()) {
            throw new InvalidConfigurationException("qualifications", where + ": give integer values or locales, not both");
        }
        int count = integerValues.size() + localeValues.size();
        boolean presence = comparator.equals("Exists") || comparator.equals("DoesNotExist");
        boolean set = comparator.equals("In") || comparator.equals("NotIn");
        if (presence && count != 0) {
            throw new InvalidConfigurationException("qualifications", where + ": " + comparator + " takes no value");
        }
        if (set && (count < 1 || count > MAX_VALUES)) {
            throw new InvalidConfigurationException("qualifications", where + ": " + comparator + " takes 1 to " + MAX_VALUES
                    + " values, not " + count);
        }
        if (!presence && !set && count != 1) {
            throw new InvalidConfigurationException("qualifications", where + ": " + comparator + " takes exactly one value, not "
                    + count);
        }
        if (!localeValues.isEmpty() && !LOCALE_COMPARATORS.contains(comparator)) {
            throw new InvalidConfigurationException("qualifications", where + ": locales go only with " + LOCALE_COMPARATORS.stream()
                    .sorted().toList());
        }
        for (String locale : localeValues) {
            if (locale == null || !LOCALE.matcher(locale).matches()) {
                throw new InvalidConfigurationException("qualifications", where + ": a locale is a country code such as US, or a "
                        + "country and subdivision such as US-NY, not '" + locale + "'");
            }
        }
        for (Integer value : integerValues) {
            if (value == null) {
                throw new InvalidConfigurationException("qualifications", where + ": an integer value is missing");
            }
        }
    }
}
