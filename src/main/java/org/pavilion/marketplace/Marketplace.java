package org.pavilion.marketplace;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * The crowd provider, in Mephisto's vocabulary: the MTurk Requester operations Pavilion uses.
 * One implementation, {@code MTurkClient}, speaks MTurk's JSON API; sandbox, production and the
 * local marketplace differ only in its endpoint and credentials (configuration, not code).
 *
 * <p>Every method either succeeds or throws {@link MarketplaceException}, which says whether a
 * retry may help. Methods that create something take a deterministic {@code token}
 * (MTurk's UniqueRequestToken, at most 64 characters) so that a retry never creates it twice.
 */
public interface Marketplace {

    /** CreateHITType: the HIT settings shared by a task's HITs; returns the HITTypeId. */
    String createHitType(HitTypeSpec spec);

    /**
     * CreateHITWithHITType: posts one HIT of a type. If {@code token} was already used (an earlier
     * attempt created the HIT but its answer was lost), throws {@link RequestTokenUsedException}.
     */
    Hit createHit(String hitTypeId, HitSpec spec, String token);

    /**
     * The HIT of type {@code hitTypeId} whose RequesterAnnotation is exactly {@code annotation}, if the
     * marketplace lists one (MTurk: ListHITs, every page). Pavilion annotates each HIT with its
     * UniqueRequestToken, so this finds what an earlier attempt with a token created, without relying
     * on the wording of any error message. Lists HITs of every status except deleted ones.
     */
    Optional<Hit> findHitByAnnotation(String hitTypeId, String annotation);

    /** GetHIT. */
    Hit getHit(String hitId);

    /** UpdateExpirationForHIT with a time in the past: no new worker can accept the HIT. */
    void expireHit(String hitId);

    /** UpdateNotificationSettings: send these event types of a HIT type to {@code destination} (an SNS topic ARN). */
    void registerNotifications(String hitTypeId, String destination, List<String> eventTypes);

    /** SendTestEventNotification for a destination, to check the notification path end to end. */
    void sendTestNotification(String destination, List<String> eventTypes);

    /** ListAssignmentsForHIT: the HIT's assignments in every status MTurk lists (Submitted, Approved, Rejected). */
    List<AssignmentInfo> listAssignments(String hitId);

    /** GetAssignment. */
    AssignmentInfo getAssignment(String assignmentId);

    /** ApproveAssignment. */
    void approve(String assignmentId, String feedback);

    /** RejectAssignment. */
    void reject(String assignmentId, String feedback);

    /** SendBonus, in cents. */
    void sendBonus(String workerId, String assignmentId, int cents, String reason, String token);

    /** GetAccountBalance: available balance in USD. */
    BigDecimal accountBalance();

    /** Settings shared by the HITs of a type (CreateHITType). */
    record HitTypeSpec(String title, String description, String keywords, int rewardCents,
                       int assignmentDurationSeconds, int autoApprovalDelaySeconds,
                       List<QualificationRequirement> qualifications) {
        public HitTypeSpec {
            qualifications = List.copyOf(qualifications);
        }
    }

    /** One HIT of a type (CreateHITWithHITType). {@code annotation} is kept by MTurk as RequesterAnnotation. */
    record HitSpec(int lifetimeSeconds, int maxAssignments, String questionXml, String annotation) {
    }

    /** A HIT as the marketplace reports it. {@code status}: Assignable, Unassignable, Reviewable, Reviewing, Disposed. */
    record Hit(String hitId, String hitTypeId, String status, int maxAssignments, java.time.Instant expiration,
               String annotation, int pending, int available, int completed) {
    }

    /** An assignment as the marketplace reports it. {@code status}: Submitted, Approved, Rejected. */
    record AssignmentInfo(String assignmentId, String workerId, String hitId, String status,
                          java.time.Instant acceptTime, java.time.Instant submitTime) {
    }

    /**
     * A qualification requirement. {@code localeCountry} is set for the locale requirement,
     * {@code integerValue} for the others.
     */
    record QualificationRequirement(String qualificationTypeId, String comparator, Integer integerValue,
                                    String localeCountry) {

        /** MTurk's system qualification: percent of assignments approved. */
        public static final String PERCENT_APPROVED = "000000000000000000L0";
        /** MTurk's system qualification: number of HITs approved. */
        public static final String NUMBER_APPROVED = "00000000000000000040";
        /** MTurk's system qualification: the worker's locale. */
        public static final String LOCALE = "00000000000000000071";

        public static QualificationRequirement approvalRateAtLeast(int percent) {
            return new QualificationRequirement(PERCENT_APPROVED, "GreaterThanOrEqualTo", percent, null);
        }

        public static QualificationRequirement approvedHitsAtLeast(int count) {
            return new QualificationRequirement(NUMBER_APPROVED, "GreaterThanOrEqualTo", count, null);
        }

        public static QualificationRequirement locale(String country) {
            return new QualificationRequirement(LOCALE, "EqualTo", null, country);
        }
    }
}
