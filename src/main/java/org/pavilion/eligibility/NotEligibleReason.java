package org.pavilion.eligibility;

/**
 * Why a worker may not join a session, in words a worker page shows as they are.
 * {@code code} is the stable name the page's {@code error} event carries.
 */
public record NotEligibleReason(String code, String message) {

    /** The code of every eligibility refusal on the real-time channel. */
    public static final String NOT_ELIGIBLE = "not_eligible";

    static NotEligibleReason excluded() {
        return new NotEligibleReason(NOT_ELIGIBLE, "the researcher has excluded your worker id from this project's "
                + "HITs; please return the HIT");
    }

    static NotEligibleReason tookPartInTask() {
        return new NotEligibleReason(NOT_ELIGIBLE, "you already took part in an earlier session of this task, which "
                + "takes each worker once; please return the HIT");
    }

    static NotEligibleReason tookPartInProject() {
        return new NotEligibleReason(NOT_ELIGIBLE, "you already took part in an earlier session of this project, "
                + "which takes each worker once; please return the HIT");
    }
}
