package org.pavilion.marketplace;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.pavilion.pay.Money;

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

    /**
     * SendBonus: pays {@code amount} (positive) to the worker of a submitted, approved or rejected
     * assignment, with a {@code reason} the worker reads. The marketplace charges its fee on top
     * ({@code MarketplaceFees.onBonus}).
     *
     * <p>If {@code token} was already used within the marketplace's token memory (24 hours), throws
     * {@link BonusTokenUsedException}: an earlier attempt with this token may have paid (its answer
     * lost), so the caller decides by looking at {@link #listBonusPayments}, never by the error's
     * text. A retry inside one call (after a lost answer) can meet that refusal too.
     */
    void sendBonus(String workerId, String assignmentId, Money amount, String reason, String token);

    /** ListBonusPayments by AssignmentId, every page: the bonuses paid for one assignment, oldest first. */
    List<BonusPayment> listBonusPayments(String assignmentId);

    /** GetAccountBalance: the available balance. */
    Money accountBalance();

    /**
     * CreateQualificationType: a type of this requester's, Active, without a test, not auto-granted;
     * returns its QualificationTypeId. A name is unique per requester: creating a second type of the
     * same name is refused (MTurk: {@code AWS.MechanicalTurk.QualificationTypeAlreadyExists}), so look
     * for it first with {@link #findQualificationType}.
     */
    String createQualificationType(String name, String description);

    /**
     * The Active qualification type of this requester whose name is exactly {@code name}, if any
     * (ListQualificationTypes with MustBeOwnedByCaller, MustBeRequestable false, Query = name, every
     * page; the query is a text search, so the exact name is checked here).
     */
    Optional<String> findQualificationType(String name);

    /** AssociateQualificationWithWorker with this integer value, without notifying the worker. */
    void associateQualification(String qualificationTypeId, String workerId, int value);

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

    /**
     * A HIT as the marketplace reports it. {@code status}: Assignable, Unassignable, Reviewable, Reviewing, Disposed.
     * {@code hitGroupId}: the group the worker site lists it under (its preview link), null if not reported.
     */
    record Hit(String hitId, String hitTypeId, String status, int maxAssignments, java.time.Instant expiration,
               String annotation, int pending, int available, int completed, String hitGroupId) {

        /** A HIT whose group was not reported. */
        public Hit(String hitId, String hitTypeId, String status, int maxAssignments, java.time.Instant expiration,
                   String annotation, int pending, int available, int completed) {
            this(hitId, hitTypeId, status, maxAssignments, expiration, annotation, pending, available, completed, null);
        }
    }

    /** An assignment as the marketplace reports it. {@code status}: Submitted, Approved, Rejected. */
    record AssignmentInfo(String assignmentId, String workerId, String hitId, String status,
                          java.time.Instant acceptTime, java.time.Instant submitTime) {
    }

    /** One bonus as ListBonusPayments reports it. */
    record BonusPayment(String workerId, String assignmentId, Money amount, String reason, Instant grantTime) {
    }

    /**
     * A qualification requirement. {@code localeValues} are set for a locale requirement ({@code US} or
     * {@code US-NY}), {@code integerValues} for the comparisons with numbers (one value, or up to 15 for
     * {@code In} and {@code NotIn}), neither for {@code Exists} and {@code DoesNotExist}. {@code actionsGuarded}:
     * what a worker who does not meet it may not do ({@link #ACCEPT}, {@link #PREVIEW_AND_ACCEPT},
     * {@link #DISCOVER_PREVIEW_AND_ACCEPT}); null leaves it out of the request, and MTurk guards accepting only.
     */
    record QualificationRequirement(String qualificationTypeId, String comparator, List<Integer> integerValues,
                                    List<String> localeValues, String actionsGuarded) {

        /** The worker cannot accept the HIT, but can see and preview it. */
        public static final String ACCEPT = "Accept";
        /** The worker cannot accept or preview the HIT, but can see it in search results. */
        public static final String PREVIEW_AND_ACCEPT = "PreviewAndAccept";
        /** The worker cannot accept, preview, or even see the HIT. */
        public static final String DISCOVER_PREVIEW_AND_ACCEPT = "DiscoverPreviewAndAccept";
        /** MTurk's ActionsGuarded values. */
        public static final Set<String> ACTIONS_GUARDED = Set.of(ACCEPT, PREVIEW_AND_ACCEPT,
                DISCOVER_PREVIEW_AND_ACCEPT);

        /** MTurk's system qualification: percent of assignments approved. */
        public static final String PERCENT_APPROVED = "000000000000000000L0";
        /** MTurk's system qualification: number of HITs approved. */
        public static final String NUMBER_APPROVED = "00000000000000000040";
        /** MTurk's system qualification: the worker's locale. */
        public static final String LOCALE = "00000000000000000071";
        /** MTurk's Masters qualification in production (the sandbox has its own id). */
        public static final String MASTERS_PRODUCTION = "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH";
        /** MTurk's Masters qualification in the sandbox. */
        public static final String MASTERS_SANDBOX = "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6";

        public QualificationRequirement {
            Objects.requireNonNull(qualificationTypeId, "qualificationTypeId");
            Objects.requireNonNull(comparator, "comparator");
            integerValues = integerValues == null ? List.of() : List.copyOf(integerValues);
            localeValues = localeValues == null ? List.of() : List.copyOf(localeValues);
            if (actionsGuarded != null && !ACTIONS_GUARDED.contains(actionsGuarded)) {
                throw new IllegalArgumentException("ActionsGuarded is one of " + ACTIONS_GUARDED + ": "
                        + actionsGuarded);
            }
        }

        /** At most one integer and one locale country. */
        public QualificationRequirement(String qualificationTypeId, String comparator, Integer integerValue,
                                        String localeCountry, String actionsGuarded) {
            this(qualificationTypeId, comparator, integerValue == null ? List.of() : List.of(integerValue),
                    localeCountry == null ? List.<String>of() : List.of(localeCountry), actionsGuarded);
        }

        /** Without ActionsGuarded (MTurk's default: only accepting is guarded). */
        public QualificationRequirement(String qualificationTypeId, String comparator, Integer integerValue,
                                        String localeCountry) {
            this(qualificationTypeId, comparator, integerValue, localeCountry, null);
        }

        /** The first integer value, or null. */
        public Integer integerValue() {
            return integerValues.isEmpty() ? null : integerValues.get(0);
        }

        /** The first locale, or null. */
        public String localeCountry() {
            return localeValues.isEmpty() ? null : localeValues.get(0);
        }

        public static QualificationRequirement approvalRateAtLeast(int percent) {
            return new QualificationRequirement(PERCENT_APPROVED, "GreaterThanOrEqualTo", percent, null,
                    DISCOVER_PREVIEW_AND_ACCEPT);
        }

        public static QualificationRequirement approvedHitsAtLeast(int count) {
            return new QualificationRequirement(NUMBER_APPROVED, "GreaterThanOrEqualTo", count, null,
                    DISCOVER_PREVIEW_AND_ACCEPT);
        }

        public static QualificationRequirement locale(String country) {
            return new QualificationRequirement(LOCALE, "EqualTo", List.of(), List.of(country), DISCOVER_PREVIEW_AND_ACCEPT);
        }

        /**
         * Only workers who hold qualification {@code typeId} (any value) may see, preview or accept the
         * HIT: e.g. a compensation HIT meant for the workers given that qualification.
         */
        public static QualificationRequirement exists(String typeId) {
            return new QualificationRequirement(typeId, "Exists", List.of(), List.of(), DISCOVER_PREVIEW_AND_ACCEPT);
        }
    }
}
