package org.pavilion.marketplace.local;

import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.pavilion.marketplace.Marketplace.QualificationRequirement;
import org.pavilion.pay.MarketplaceFees;
import org.pavilion.pay.Money;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local marketplace's state and rules: HIT types, HITs, assignments, the requester's
 * balance, bonuses, qualification types and the workers' qualifications, UniqueRequestTokens and
 * notification settings, all in memory. A restart of Pavilion empties it (nothing is persisted;
 * the sessions that used it see their HITs vanish).
 *
 * <p>Money moves as on MTurk: approving an assignment debits its reward plus MTurk's fee
 * ({@link MarketplaceFees#onReward}, by the HIT's MaxAssignments), a bonus debits its amount plus
 * {@link MarketplaceFees#onBonus}; rejecting, returning and abandoning debit nothing. A debit the
 * balance cannot cover is refused with {@code AWS.MechanicalTurk.InsufficientFunds} and changes
 * nothing (an auto-approval that cannot be paid waits for funds). UniqueRequestTokens of
 * CreateHITWithHITType and SendBonus are remembered for {@code token-retention} (24 h) on the
 * injected clock.
 *
 * <p>Qualification requirements on the types this marketplace created
 * ({@link #createQualificationType}) are enforced for the worker: a HIT whose requirement a worker
 * does not meet is hidden from it ({@code DiscoverPreviewAndAccept}), not previewable
 * ({@code PreviewAndAccept}) and, in every case, refused at accept. MTurk's system qualifications
 * (approval rate, approved HITs, locale, Masters, ...) are taken as met: local workers have no
 * history.
 *
 * <p>This is also the Java API for tests and the simulator: the requester side
 * ({@link #createHitType}, {@link #createHit}, {@link #approve}, …) backs the MTurk JSON API at
 * {@code POST /local-mturk/}, and the worker side ({@link #accept}, {@link #returnAssignment},
 * {@link #submit}, {@link #abandon}) backs the worker board and the program API. Every method is
 * thread-safe (one lock; the marketplace is small). Events (AssignmentAccepted, …) go to the
 * {@link Listener}s in the order they happen, under the lock, so listeners must only enqueue.
 *
 * <p>Assignment states: {@code Accepted} (held by a worker; MTurk's API does not show these),
 * then {@code Submitted}, {@code Approved}, {@code Rejected}, or {@code Returned} /
 * {@code Abandoned}, which give the slot back to the HIT.
 */
public class LocalMarketplace {

    private static final Logger log = LoggerFactory.getLogger(LocalMarketplace.class);

    /** What MTurk puts in {@code assignmentId} while a worker previews a HIT. */
    public static final String PREVIEW_ASSIGNMENT = "ASSIGNMENT_ID_NOT_AVAILABLE";
    /** The only Notification API version MTurk accepts. */
    public static final String NOTIFICATION_VERSION = "2006-05-05";
    /** MTurk's notification event types; Ping only for SendTestEventNotification. */
    public static final List<String> EVENT_TYPES = List.of("AssignmentAccepted", "AssignmentAbandoned",
            "AssignmentReturned", "AssignmentSubmitted", "AssignmentRejected", "AssignmentApproved", "HITCreated",
            "HITExpired", "HITReviewable", "HITExtended", "HITDisposed", "Ping");
    public static final List<String> TRANSPORTS = List.of("Email", "SQS", "SNS");

    private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final char[] ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    private static final long MAX_SECONDS = 31_536_000L;
    private static final long MAX_AUTO_APPROVAL = 2_592_000L;
    private static final BigDecimal MIN_REWARD = new BigDecimal("0.01");
    private static final int MAX_REQUIREMENTS = 10;
    private static final int MAX_REASON = 4096;
    /** The most one bonus may be here: a guard against a typo emptying the balance. */
    static final Money MAX_BONUS = Money.ofCents(100_000);
    /** The most {@link #addFunds} adds at once. */
    public static final Money MAX_FUNDS = Money.ofCents(100_000_000);

    /** MTurk's TurkErrorCodes the local marketplace answers with. */
    public static final String DUPLICATE_REQUEST = "AWS.MechanicalTurk.DuplicateRequest";
    public static final String INSUFFICIENT_FUNDS = "AWS.MechanicalTurk.InsufficientFunds";
    public static final String QUALIFICATION_TYPE_ALREADY_EXISTS = "AWS.MechanicalTurk.QualificationTypeAlreadyExists";
    public static final String QUALIFICATION_TYPE_DOES_NOT_EXIST = "AWS.MechanicalTurk.QualificationTypeDoesNotExist";
    /** The worker side's refusal of a HIT whose qualification requirements the worker does not meet. */
    public static final String QUALIFICATIONS_NOT_MET = "AWS.MechanicalTurk.QualificationRequirementsNotMet";

    /**
     * MTurk's system qualification types (approval rate, approved HITs, locale, adult, submission,
     * abandonment, return and rejection rates, Masters in production and sandbox): accepted in
     * requirements and taken as met by local workers.
     */
    public static final Set<String> SYSTEM_QUALIFICATION_TYPES = Set.of(QualificationRequirement.PERCENT_APPROVED,
            QualificationRequirement.NUMBER_APPROVED, QualificationRequirement.LOCALE, "00000000000000000060",
            "00000000000000000000", "00000000000000000070", "000000000000000000E0", "000000000000000000S0",
            "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH", "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6");

    /** An assignment's state. {@link #wire()} is MTurk's spelling. */
    public enum AssignmentStatus {
        ACCEPTED("Accepted"), SUBMITTED("Submitted"), APPROVED("Approved"), REJECTED("Rejected"),
        RETURNED("Returned"), ABANDONED("Abandoned");

        private final String wire;

        AssignmentStatus(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        /** Submitted, Approved or Rejected: what MTurk's API lists and counts as completed. */
        public boolean completed() {
            return this == SUBMITTED || this == APPROVED || this == REJECTED;
        }

        /** Returned or abandoned: the slot went back to the HIT. */
        public boolean released() {
            return this == RETURNED || this == ABANDONED;
        }

        public static Optional<AssignmentStatus> ofWire(String value) {
            for (AssignmentStatus s : values()) {
                if (s.wire.equals(value)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /** CreateHITType's parameters. {@code qualificationRequirementsJson}: the JSON array as sent, or null. */
    public record HitTypeSpec(String title, String description, String keywords, BigDecimal reward,
                              long assignmentDurationSeconds, long autoApprovalDelaySeconds,
                              String qualificationRequirementsJson) {
    }

    /** A HIT type; {@code requirements}: its QualificationRequirements, checked and parsed. */
    public record HitType(String hitTypeId, String hitGroupId, HitTypeSpec spec, List<Requirement> requirements) {
        public HitType {
            requirements = List.copyOf(requirements);
        }

        /** The reward as money (CreateHITType's Reward has at most two decimals). */
        public Money reward() {
            return toMoney(spec.reward());
        }
    }

    /** What a worker does with a HIT, from the least guarded: see it listed, preview it, accept it. */
    public enum WorkerAction { DISCOVER, PREVIEW, ACCEPT }

    /**
     * One QualificationRequirement. {@code localeValues}: {@code "US"} or {@code "US-NY"}.
     * {@code actionsGuarded}: as sent (null: MTurk's default, only accepting is guarded, or
     * PreviewAndAccept for the deprecated RequiredToPreview).
     */
    public record Requirement(String qualificationTypeId, String comparator, List<Integer> integerValues,
                              List<String> localeValues, String actionsGuarded, boolean requiredToPreview) {
        public Requirement {
            integerValues = List.copyOf(integerValues);
            localeValues = List.copyOf(localeValues);
        }

        /** Whether a worker who does not meet this requirement is kept from {@code action}. */
        public boolean guards(WorkerAction action) {
            String guarded = actionsGuarded != null ? actionsGuarded
                    : requiredToPreview ? QualificationRequirement.PREVIEW_AND_ACCEPT : QualificationRequirement.ACCEPT;
            return switch (action) {
                case ACCEPT -> true;
                case PREVIEW -> !QualificationRequirement.ACCEPT.equals(guarded);
                case DISCOVER -> QualificationRequirement.DISCOVER_PREVIEW_AND_ACCEPT.equals(guarded);
            };
        }

        /** Whether a worker whose value of the qualification is {@code value} (null: has none) meets it. */
        public boolean metBy(Integer value) {
            if ("DoesNotExist".equals(comparator)) {
                return value == null;
            }
            if (value == null) {
                return false;
            }
            if ("Exists".equals(comparator)) {
                return true;
            }
            if (integerValues.isEmpty()) {
                return false; // a locale comparison: the local marketplace's own types hold integers
            }
            int v = value;
            int first = integerValues.get(0);
            return switch (comparator) {
                case "LessThan" -> v < first;
                case "LessThanOrEqualTo" -> v <= first;
                case "GreaterThan" -> v > first;
                case "GreaterThanOrEqualTo" -> v >= first;
                case "EqualTo" -> v == first;
                case "NotEqualTo" -> v != first;
                case "In" -> integerValues.contains(v);
                case "NotIn" -> !integerValues.contains(v);
                default -> false;
            };
        }

        String describe() {
            String values = !integerValues.isEmpty() ? " " + integerValues : !localeValues.isEmpty()
                    ? " " + localeValues : "";
            return comparator + values;
        }
    }

    /** A qualification type of the requester's (CreateQualificationType). */
    public record QualificationType(String qualificationTypeId, String name, String description, String keywords,
                                    String status, boolean autoGranted, Integer autoGrantedValue,
                                    Instant creationTime) {
        public boolean active() {
            return "Active".equals(status);
        }
    }

    /** A qualification a worker holds (AssociateQualificationWithWorker). */
    public record WorkerQualification(String workerId, String qualificationTypeId, String name, int value,
                                      Instant grantTime) {
    }

    /** A HIT as MTurk reports it; {@code externalUrl} is the ExternalQuestion's URL (null for other questions). */
    public record HitView(String hitId, String hitTypeId, String hitGroupId, String title, String description,
                          String keywords, BigDecimal reward, Instant creationTime, Instant expiration,
                          int maxAssignments, long assignmentDurationSeconds, long autoApprovalDelaySeconds,
                          String question, String externalUrl, String requesterAnnotation,
                          String qualificationRequirementsJson, String status, int pending, int available,
                          int completed) {
    }

    /** An assignment. {@code answer}: MTurk's QuestionFormAnswers XML once submitted. */
    public record AssignmentView(String assignmentId, String hitId, String hitTypeId, String workerId,
                                 AssignmentStatus status, Instant acceptTime, Instant deadline, Instant submitTime,
                                 Instant autoApprovalTime, Instant approvalTime, Instant rejectionTime,
                                 Instant releaseTime, String answer, String requesterFeedback) {
    }

    /** UpdateNotificationSettings' NotificationSpecification and Active flag. */
    public record NotificationSettings(String destination, String transport, String version,
                                       List<String> eventTypes, boolean active) {
        public NotificationSettings {
            eventTypes = List.copyOf(eventTypes);
        }

        public boolean delivers(String eventType) {
            return active && eventTypes.contains(eventType);
        }
    }

    /**
     * Something that happened. {@code workerId} is for local listeners (event documents leave it
     * out); {@code testDestination} is set only for SendTestEventNotification, whose event goes to
     * that specification rather than to a HIT type's.
     */
    public record Event(String eventType, Instant timestamp, String hitTypeId, String hitId, String assignmentId,
                        String workerId, NotificationSettings testDestination) {
    }

    /** A bonus paid: its amount (what the worker gets) and the fee charged on top. */
    public record Bonus(String workerId, String assignmentId, String hitId, Money amount, Money fee, String reason,
                        Instant grantTime) {
    }

    /** A change of the requester's balance: {@code Reward} and {@code Bonus} debit amount + fee, {@code Funds} credits. */
    public record Transaction(String kind, String workerId, String assignmentId, Money amount, Money fee,
                              Money balanceAfter, Instant time) {
        /** What the balance changed by: negative for a debit. */
        public Money change() {
            return "Funds".equals(kind) ? amount : Money.ZERO.minus(amount.plus(fee));
        }
    }

    /** Hears of events and of notification settings; called under the marketplace's lock, so it must only enqueue. */
    public interface Listener {
        void onEvent(Event event);

        default void onNotificationSettings(String hitTypeId, NotificationSettings settings) {
        }
    }

    private static final class Hit {
        final String id;
        final HitType type;
        final Instant created;
        final int max;
        final String question;
        final String externalUrl;
        final String annotation;
        final List<Assignment> assignments = new ArrayList<>();
        final Deque<String> freedIds = new ArrayDeque<>();
        Instant expiration;
        boolean expiredNotified;
        String lastStatus;

        Hit(String id, HitType type, Instant created, Instant expiration, int max, String question,
            String externalUrl, String annotation) {
            this.id = id;
            this.type = type;
            this.created = created;
            this.expiration = expiration;
            this.max = max;
            this.question = question;
            this.externalUrl = externalUrl;
            this.annotation = annotation;
        }
    }

    private static final class Assignment {
        final String id;
        final Hit hit;
        final String workerId;
        final Instant acceptTime;
        final Instant deadline;
        AssignmentStatus status = AssignmentStatus.ACCEPTED;
        Instant submitTime;
        Instant autoApprovalTime;
        Instant approvalTime;
        Instant rejectionTime;
        Instant releaseTime;
        String answer;
        String feedback;
        /** An auto-approval was due but the balance could not pay it (logged once). */
        boolean autoApprovalUnfunded;

        Assignment(String id, Hit hit, String workerId, Instant acceptTime, Instant deadline) {
            this.id = id;
            this.hit = hit;
            this.workerId = workerId;
            this.acceptTime = acceptTime;
            this.deadline = deadline;
        }
    }

    private record Token(String value, Instant at) {
    }

    private final LocalMarketplaceProperties props;
    private final Clock clock;
    private final Supplier<String> baseUrl;
    private final SecureRandom random = new SecureRandom();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    private final Map<String, HitType> hitTypes = new LinkedHashMap<>();
    private final Map<HitTypeSpec, String> hitTypeBySpec = new HashMap<>();
    private final Map<String, Hit> hits = new LinkedHashMap<>();
    /** By id: the assignment's current holder (ids may be reused, see reuseAssignmentIds). */
    private final Map<String, Assignment> assignments = new HashMap<>();
    private final Map<String, Token> hitTokens = new HashMap<>();
    private final Map<String, Token> bonusTokens = new HashMap<>();
    private final Map<String, NotificationSettings> notificationSettings = new HashMap<>();
    private final List<Bonus> bonuses = new ArrayList<>();
    private final Map<String, List<Bonus>> bonusesByWorker = new HashMap<>();
    private final List<Transaction> transactions = new ArrayList<>();
    private final Map<String, QualificationType> qualificationTypes = new LinkedHashMap<>();
    /** By qualification type id: each worker's value and when it was given. */
    private final Map<String, Map<String, WorkerQualification>> workerQualifications = new HashMap<>();
    private Money balance;

    public LocalMarketplace(LocalMarketplaceProperties props, Clock clock) {
        this(props, clock, () -> "http://localhost:8080");
    }

    /** @param baseUrl this server's base URL (for {@link #workUrl(String)}), e.g. {@code http://localhost:8080} */
    public LocalMarketplace(LocalMarketplaceProperties props, Clock clock, Supplier<String> baseUrl) {
        this.props = props;
        this.clock = clock;
        this.baseUrl = baseUrl;
        this.balance = toMoney(props.startingBalance());
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    // ---- requester side (the MTurk API) ---------------------------------------------------------

    /** CreateHITType: a type with exactly these settings is returned again rather than duplicated, as MTurk does. */
    public synchronized HitType createHitType(HitTypeSpec spec) {
        requireText(spec.title(), "Title", 128);
        requireText(spec.description(), "Description", 2000);
        if (spec.keywords() != null && spec.keywords().length() > 1000) {
            throw LocalMarketplaceException.invalid("Keywords must be at most 1000 characters" + suffix());
        }
        if (spec.reward() == null || spec.reward().stripTrailingZeros().scale() > 2) {
            throw LocalMarketplaceException.invalid("Reward must be a USD amount such as \"0.50\"" + suffix());
        }
        if (spec.reward().compareTo(MIN_REWARD) < 0) {
            throw LocalMarketplaceException.invalid("Reward must be at least 0.01 USD" + suffix()); // MTurk's least
        }
        requireRange(spec.assignmentDurationSeconds(), "AssignmentDurationInSeconds",
                props.minAssignmentDuration().toSeconds(), MAX_SECONDS);
        requireRange(spec.autoApprovalDelaySeconds(), "AutoApprovalDelayInSeconds", 0, MAX_AUTO_APPROVAL);
        List<Requirement> requirements = parseRequirements(spec.qualificationRequirementsJson());
        HitTypeSpec normal = new HitTypeSpec(spec.title(), spec.description(), spec.keywords(),
                spec.reward().setScale(2, RoundingMode.UNNECESSARY), spec.assignmentDurationSeconds(),
                spec.autoApprovalDelaySeconds(), spec.qualificationRequirementsJson());
        String existing = hitTypeBySpec.get(normal);
        if (existing != null) {
            return hitTypes.get(existing);
        }
        HitType type = new HitType(newId(), newId(), normal, requirements);
        hitTypes.put(type.hitTypeId(), type);
        hitTypeBySpec.put(normal, type.hitTypeId());
        return type;
    }

    public synchronized Optional<HitType> hitType(String hitTypeId) {
        return Optional.ofNullable(hitTypes.get(hitTypeId));
    }

    /**
     * CreateHITWithHITType. A {@code token} already used within the token retention (24 h) is
     * refused with {@code AWS.MechanicalTurk.HitAlreadyExists}. Unlike MTurk's, the message does not
     * name the existing HIT: a client must find it some other way (its RequesterAnnotation, via
     * ListHITs), so tests prove that no client reads HIT ids out of error text.
     */
    public synchronized HitView createHit(String hitTypeId, long lifetimeSeconds, int maxAssignments,
                                          String question, String annotation, String token) {
        Instant now = clock.instant();
        HitType type = hitTypes.get(hitTypeId);
        if (type == null) {
            throw LocalMarketplaceException.notFound("AWS.MechanicalTurk.HITTypeDoesNotExist",
                    "HIT type " + hitTypeId + " does not exist." + suffix());
        }
        if (token != null) {
            if (token.isEmpty() || token.length() > 64) {
                throw LocalMarketplaceException.invalid("UniqueRequestToken must be 1 to 64 characters" + suffix());
            }
            purgeTokens(now);
            Token used = hitTokens.get(token);
            if (used != null) {
                throw LocalMarketplaceException.conflict("AWS.MechanicalTurk.HitAlreadyExists",
                        "A HIT was already created with UniqueRequestToken \"" + token + "\"." + suffix());
            }
        }
        requireRange(lifetimeSeconds, "LifetimeInSeconds", props.minAssignmentDuration().toSeconds(), MAX_SECONDS);
        requireRange(maxAssignments, "MaxAssignments", 1, 1_000_000);
        if (annotation != null && annotation.length() > 255) {
            throw LocalMarketplaceException.invalid("RequesterAnnotation must be at most 255 characters" + suffix());
        }
        String externalUrl = parseQuestion(question);
        Hit hit = new Hit(newId(), type, now, now.plusSeconds(lifetimeSeconds), maxAssignments, question,
                externalUrl, annotation);
        hits.put(hit.id, hit);
        if (token != null) {
            hitTokens.put(token, new Token(hit.id, now));
        }
        hit.lastStatus = status(hit, now);
        emit(new Event("HITCreated", now, type.hitTypeId(), hit.id, null, null, null));
        return view(hit, now);
    }

    /** GetHIT. */
    public synchronized HitView getHit(String hitId) {
        return view(hit(hitId), clock.instant());
    }

    /** Whether this marketplace knows the HIT (it keeps HITs in memory only: not after a restart). */
    public synchronized boolean hasHit(String hitId) {
        return hitId != null && hits.containsKey(hitId);
    }

    /** Every HIT, oldest first. */
    public synchronized List<HitView> hits() {
        Instant now = clock.instant();
        return hits.values().stream().map(h -> view(h, now)).toList();
    }

    /**
     * ListHITs' page: at most {@code max} HITs from position {@code offset} in creation order (oldest
     * first). HITs are never removed here, so a position stays valid between pages.
     */
    public synchronized List<HitView> hits(int offset, int max) {
        Instant now = clock.instant();
        return hits.values().stream().skip(Math.max(0, offset)).limit(Math.max(0, max)).map(h -> view(h, now))
                .toList();
    }

    public synchronized int hitCount() {
        return hits.size();
    }

    /** The HITs a worker can accept now (status Assignable), oldest first. */
    public synchronized List<HitView> openHits() {
        Instant now = clock.instant();
        return hits.values().stream().map(h -> view(h, now)).filter(h -> "Assignable".equals(h.status())).toList();
    }

    /**
     * UpdateExpirationForHIT: a time not in the future expires the HIT now (HITExpired); a later
     * time extends it (HITExtended).
     */
    public synchronized HitView updateExpiration(String hitId, Instant expireAt) {
        Instant now = clock.instant();
        Hit hit = hit(hitId);
        if (!expireAt.isAfter(now)) {
            if (hit.expiration.isAfter(now)) {
                hit.expiration = now;
            }
            expireIfDue(hit, now);
        } else {
            boolean extended = expireAt.isAfter(hit.expiration);
            hit.expiration = expireAt;
            hit.expiredNotified = false;
            if (extended) {
                emit(new Event("HITExtended", now, hit.type.hitTypeId(), hit.id, null, null, null));
            }
        }
        checkStatus(hit, now);
        return view(hit, now);
    }

    /**
     * UpdateNotificationSettings: a specification (active unless {@code active} says otherwise),
     * or only the Active flag of the existing one.
     */
    public synchronized NotificationSettings updateNotificationSettings(String hitTypeId,
                                                                       NotificationSettings specification,
                                                                       Boolean active) {
        if (!hitTypes.containsKey(hitTypeId)) {
            throw LocalMarketplaceException.notFound("AWS.MechanicalTurk.HITTypeDoesNotExist",
                    "HIT type " + hitTypeId + " does not exist." + suffix());
        }
        NotificationSettings result;
        if (specification != null) {
            validate(specification, false);
            result = new NotificationSettings(specification.destination(), specification.transport(),
                    specification.version(), specification.eventTypes(), active == null || active);
        } else if (active != null) {
            NotificationSettings existing = notificationSettings.get(hitTypeId);
            if (existing == null) {
                throw LocalMarketplaceException.invalid("HIT type " + hitTypeId
                        + " has no notification specification to activate or deactivate" + suffix());
            }
            result = new NotificationSettings(existing.destination(), existing.transport(), existing.version(),
                    existing.eventTypes(), active);
        } else {
            throw LocalMarketplaceException.invalid("Either Notification or Active must be given" + suffix());
        }
        notificationSettings.put(hitTypeId, result);
        for (Listener l : listeners) {
            try {
                l.onNotificationSettings(hitTypeId, result);
            } catch (RuntimeException e) {
                log.warn("local marketplace listener failed on notification settings", e);
            }
        }
        return result;
    }

    public synchronized Optional<NotificationSettings> notificationSettings(String hitTypeId) {
        return Optional.ofNullable(notificationSettings.get(hitTypeId));
    }

    /** SendTestEventNotification: one event of {@code testEventType} to the given specification. */
    public synchronized void sendTestEvent(NotificationSettings specification, String testEventType) {
        validate(specification, true);
        if (testEventType == null || !EVENT_TYPES.contains(testEventType)) {
            throw LocalMarketplaceException.invalid("TestEventType must be one of " + EVENT_TYPES + suffix());
        }
        emit(new Event(testEventType, clock.instant(), null, null, null, null,
                new NotificationSettings(specification.destination(), specification.transport(),
                        specification.version(), specification.eventTypes(), true)));
    }

    /**
     * ListAssignmentsForHIT: the HIT's assignments in the given statuses (default Submitted,
     * Approved, Rejected — the only ones MTurk lists), in order of acceptance.
     */
    public synchronized List<AssignmentView> listAssignments(String hitId, Collection<AssignmentStatus> statuses) {
        Set<AssignmentStatus> wanted = statuses == null || statuses.isEmpty()
                ? Set.of(AssignmentStatus.SUBMITTED, AssignmentStatus.APPROVED, AssignmentStatus.REJECTED)
                : Set.copyOf(statuses);
        return hit(hitId).assignments.stream().filter(a -> wanted.contains(a.status)).map(LocalMarketplace::view)
                .toList();
    }

    /** An assignment in any state (the MTurk API shows only completed ones). */
    public synchronized Optional<AssignmentView> assignment(String assignmentId) {
        return Optional.ofNullable(assignments.get(assignmentId)).map(LocalMarketplace::view);
    }

    /** ApproveAssignment: a Submitted assignment (or a Rejected one with {@code overrideRejection}); debits the reward. */
    public synchronized AssignmentView approve(String assignmentId, String feedback, boolean overrideRejection) {
        Instant now = clock.instant();
        Assignment a = existing(assignmentId);
        if (!(a.status == AssignmentStatus.SUBMITTED
                || (overrideRejection && a.status == AssignmentStatus.REJECTED))) {
            throw invalidState(a, overrideRejection ? "Submitted, Rejected" : "Submitted");
        }
        checkFeedback(feedback);
        payReward(a, now);
        a.feedback = feedback;
        emit(new Event("AssignmentApproved", now, a.hit.type.hitTypeId(), a.hit.id, a.id, a.workerId, null));
        return view(a);
    }

    /** RejectAssignment: a Submitted assignment; feedback is required, as on MTurk. */
    public synchronized AssignmentView reject(String assignmentId, String feedback) {
        Instant now = clock.instant();
        Assignment a = existing(assignmentId);
        if (a.status != AssignmentStatus.SUBMITTED) {
            throw invalidState(a, "Submitted");
        }
        if (feedback == null || feedback.isBlank()) {
            throw LocalMarketplaceException.invalid("RequesterFeedback is required to reject an assignment"
                    + suffix());
        }
        checkFeedback(feedback);
        a.status = AssignmentStatus.REJECTED;
        a.rejectionTime = now;
        a.feedback = feedback;
        emit(new Event("AssignmentRejected", now, a.hit.type.hitTypeId(), a.hit.id, a.id, a.workerId, null));
        return view(a);
    }

    /**
     * SendBonus to the worker of a submitted (approved, rejected) assignment: debits the amount plus
     * MTurk's fee on bonuses, or is refused with {@code AWS.MechanicalTurk.InsufficientFunds} and
     * changes nothing. A {@code token} already used within the retention is refused with
     * {@code AWS.MechanicalTurk.DuplicateRequest}, whether or not that request paid (a refused
     * request does not use its token).
     */
    public synchronized Bonus sendBonus(String workerId, String assignmentId, Money amount, String reason,
                                        String token) {
        Instant now = clock.instant();
        if (token != null) {
            if (token.isEmpty() || token.length() > 64) {
                throw LocalMarketplaceException.invalid("UniqueRequestToken must be 1 to 64 characters" + suffix());
            }
            purgeTokens(now);
            Token used = bonusTokens.get(token);
            if (used != null) {
                throw LocalMarketplaceException.conflict(DUPLICATE_REQUEST,
                        "The idempotency token \"" + token + "\" has already been processed (request "
                                + used.value() + ")." + suffix());
            }
        }
        if (amount == null || !amount.isPositive()) {
            throw LocalMarketplaceException.invalid("BonusAmount must be a positive USD amount such as \"1.25\""
                    + suffix());
        }
        if (amount.compareTo(MAX_BONUS) > 0) {
            throw LocalMarketplaceException.invalid("BonusAmount must be at most " + MAX_BONUS.usd() + suffix());
        }
        if (reason == null || reason.isBlank()) {
            throw LocalMarketplaceException.invalid("Reason is required for a bonus" + suffix());
        }
        if (reason.length() > MAX_REASON) {
            throw LocalMarketplaceException.invalid("Reason must be at most " + MAX_REASON + " characters" + suffix());
        }
        Assignment a = existing(assignmentId);
        if (!a.workerId.equals(workerId)) {
            throw LocalMarketplaceException.invalid("Assignment " + assignmentId + " does not belong to worker "
                    + workerId + suffix());
        }
        if (!a.status.completed()) {
            throw invalidState(a, "Submitted, Approved, Rejected");
        }
        Money fee = MarketplaceFees.onBonus(amount);
        debit("Bonus", workerId, assignmentId, amount, fee, now);
        Bonus bonus = new Bonus(workerId, assignmentId, a.hit.id, amount, fee, reason, now);
        bonuses.add(bonus);
        bonusesByWorker.computeIfAbsent(workerId, w -> new ArrayList<>()).add(bonus);
        if (token != null) {
            bonusTokens.put(token, new Token(newId(), now));
        }
        return bonus;
    }

    /** Every bonus paid, oldest first. */
    public synchronized List<Bonus> bonuses() {
        return List.copyOf(bonuses);
    }

    /** The bonuses a worker received, oldest first. */
    public synchronized List<Bonus> bonusesOf(String workerId) {
        return List.copyOf(bonusesByWorker.getOrDefault(workerId, List.of()));
    }

    /** ListBonusPayments by AssignmentId: the bonuses paid for that assignment id, oldest first. */
    public synchronized List<Bonus> bonusesForAssignment(String assignmentId) {
        existing(assignmentId);
        return bonuses.stream().filter(b -> b.assignmentId().equals(assignmentId)).toList();
    }

    /** ListBonusPayments by HITId: the bonuses paid for the HIT's assignments, oldest first. */
    public synchronized List<Bonus> bonusesForHit(String hitId) {
        hit(hitId);
        return bonuses.stream().filter(b -> b.hitId().equals(hitId)).toList();
    }

    /** GetAccountBalance's AvailableBalance. */
    public synchronized Money balance() {
        return balance;
    }

    /** Every change of the balance (rewards, bonuses, funds added), oldest first. */
    public synchronized List<Transaction> transactions() {
        return List.copyOf(transactions);
    }

    /**
     * Adds play money to the requester's balance (tests and demos; MTurk's requesters prepay on its
     * web site). At most {@link #MAX_FUNDS} at a time.
     */
    public synchronized Money addFunds(Money amount) {
        if (amount == null || !amount.isPositive() || amount.compareTo(MAX_FUNDS) > 0) {
            throw LocalMarketplaceException.invalid("The amount of funds to add must be between 0.01 and "
                    + MAX_FUNDS.usd());
        }
        balance = balance.plus(amount);
        transactions.add(new Transaction("Funds", null, null, amount, Money.ZERO, balance, clock.instant()));
        return balance;
    }

    // ---- qualifications ---------------------------------------------------------------------------

    /**
     * CreateQualificationType, without a test (the local marketplace has no qualification tests). A
     * name is unique among the requester's types ({@code AWS.MechanicalTurk.QualificationTypeAlreadyExists}).
     * An auto-granted type counts as held by every worker, with {@code autoGrantedValue} (default 1),
     * unless the worker was given another value: on MTurk a worker gets it by asking.
     */
    public synchronized QualificationType createQualificationType(String name, String description, String keywords,
                                                                  String status, boolean autoGranted,
                                                                  Integer autoGrantedValue) {
        requireText(name, "Name", 256);
        requireText(description, "Description", 2000);
        if (keywords != null && keywords.length() > 1000) {
            throw LocalMarketplaceException.invalid("Keywords must be at most 1000 characters" + suffix());
        }
        if (!"Active".equals(status) && !"Inactive".equals(status)) {
            throw LocalMarketplaceException.invalid("QualificationTypeStatus must be Active or Inactive" + suffix());
        }
        if (autoGrantedValue != null && !autoGranted) {
            throw LocalMarketplaceException.invalid("AutoGrantedValue is only valid when AutoGranted is true"
                    + suffix());
        }
        for (QualificationType t : qualificationTypes.values()) {
            if (t.name().equals(name)) {
                throw LocalMarketplaceException.conflict(QUALIFICATION_TYPE_ALREADY_EXISTS,
                        "You have already created a QualificationType with this name. A QualificationType's name "
                                + "must be unique among all of the QualificationTypes created by the same user."
                                + suffix());
            }
        }
        QualificationType type = new QualificationType(newId(), name, description, keywords, status, autoGranted,
                autoGranted ? (autoGrantedValue == null ? 1 : autoGrantedValue) : null, clock.instant());
        qualificationTypes.put(type.qualificationTypeId(), type);
        return type;
    }

    public synchronized Optional<QualificationType> qualificationType(String qualificationTypeId) {
        return Optional.ofNullable(qualificationTypes.get(qualificationTypeId));
    }

    /**
     * ListQualificationTypes: the requester's types (the local marketplace lists no system types),
     * oldest first, whose name, description or keywords contain {@code query} (any case; null: all).
     * The requester's types count as requestable, as MTurk reports them.
     */
    public synchronized List<QualificationType> listQualificationTypes(String query) {
        String q = query == null ? null : query.strip().toLowerCase(java.util.Locale.ROOT);
        return qualificationTypes.values().stream().filter(t -> q == null || q.isEmpty()
                || contains(t.name(), q) || contains(t.description(), q) || contains(t.keywords(), q)).toList();
    }

    private static boolean contains(String text, String lowerQuery) {
        return text != null && text.toLowerCase(java.util.Locale.ROOT).contains(lowerQuery);
    }

    /** AssociateQualificationWithWorker: gives (or changes) a worker's value of one of the requester's types. */
    public synchronized WorkerQualification associateQualification(String qualificationTypeId, String workerId,
                                                                   int value) {
        QualificationType type = qualificationTypes.get(qualificationTypeId);
        if (type == null) {
            throw LocalMarketplaceException.notFound(QUALIFICATION_TYPE_DOES_NOT_EXIST,
                    "QualificationType [" + qualificationTypeId + "] does not exist." + suffix());
        }
        requireWorkerId(workerId);
        WorkerQualification given = new WorkerQualification(workerId, type.qualificationTypeId(), type.name(), value,
                clock.instant());
        workerQualifications.computeIfAbsent(qualificationTypeId, k -> new HashMap<>()).put(workerId, given);
        return given;
    }

    /** The requester's qualifications a worker holds (given ones; auto-granted types are not listed). */
    public synchronized List<WorkerQualification> qualificationsOf(String workerId) {
        List<WorkerQualification> held = new ArrayList<>();
        for (String typeId : qualificationTypes.keySet()) {
            WorkerQualification q = workerQualifications.getOrDefault(typeId, Map.of()).get(workerId);
            if (q != null) {
                held.add(q);
            }
        }
        return held;
    }

    /** Whether {@code workerId} (null: a visitor with no qualifications) may take {@code action} on the HIT. */
    public synchronized boolean allows(String workerId, String hitId, WorkerAction action) {
        return unmet(workerId, hit(hitId), action).isEmpty();
    }

    /** The HITs a worker can accept now that it may also see (DiscoverPreviewAndAccept hides the others). */
    public synchronized List<HitView> openHitsFor(String workerId) {
        Instant now = clock.instant();
        return hits.values().stream().filter(h -> unmet(workerId, h, WorkerAction.DISCOVER).isEmpty())
                .map(h -> view(h, now)).filter(h -> "Assignable".equals(h.status())).toList();
    }

    // ---- worker side ----------------------------------------------------------------------------

    /** A worker accepts a HIT: a new Accepted assignment, due within the HIT type's AssignmentDurationInSeconds. */
    public synchronized AssignmentView accept(String workerId, String hitId) {
        Instant now = clock.instant();
        requireWorkerId(workerId);
        Hit hit = hit(hitId);
        String status = status(hit, now);
        if (!"Assignable".equals(status)) {
            throw LocalMarketplaceException.conflict("AWS.MechanicalTurk.HITNotAssignable",
                    "HIT " + hitId + " cannot be accepted: it is " + status
                            + (hit.expiration.isAfter(now) ? "" : " (expired)") + suffix());
        }
        Optional<Requirement> unmet = unmet(workerId, hit, WorkerAction.ACCEPT);
        if (unmet.isPresent()) {
            Requirement r = unmet.get();
            QualificationType t = qualificationTypes.get(r.qualificationTypeId());
            throw new LocalMarketplaceException(LocalMarketplaceException.Kind.REQUEST_ERROR, QUALIFICATIONS_NOT_MET,
                    403, "Worker " + workerId + " does not meet the Qualification requirements of HIT " + hitId
                    + ": it requires qualification \"" + (t != null ? t.name() : r.qualificationTypeId()) + "\" ("
                    + r.qualificationTypeId() + ") " + r.describe() + suffix());
        }
        for (Assignment held : hit.assignments) {
            if (held.workerId.equals(workerId) && !held.status.released()) {
                throw LocalMarketplaceException.conflict("AWS.MechanicalTurk.AssignmentAlreadyHeld",
                        "Worker " + workerId + " already has assignment " + held.id + " (" + held.status.wire()
                                + ") of HIT " + hitId + "; a worker may hold one assignment per HIT" + suffix());
            }
        }
        String id = props.reuseAssignmentIds() && !hit.freedIds.isEmpty() ? hit.freedIds.poll() : newId();
        Assignment a = new Assignment(id, hit, workerId, now,
                now.plusSeconds(hit.type.spec().assignmentDurationSeconds()));
        hit.assignments.add(a);
        assignments.put(id, a);
        emit(new Event("AssignmentAccepted", now, hit.type.hitTypeId(), hit.id, a.id, workerId, null));
        checkStatus(hit, now);
        return view(a);
    }

    /** The worker returns an accepted assignment: its slot goes back to the HIT. */
    public synchronized AssignmentView returnAssignment(String assignmentId) {
        Instant now = clock.instant();
        Assignment a = accepted(assignmentId, now);
        release(a, AssignmentStatus.RETURNED, "AssignmentReturned", now);
        return view(a);
    }

    /**
     * The worker submits ({@code /mturk/externalSubmit}): Submitted, auto-approved after the HIT
     * type's AutoApprovalDelayInSeconds. {@code answers}: the posted form fields but assignmentId.
     */
    public synchronized AssignmentView submit(String assignmentId, Map<String, String> answers) {
        Instant now = clock.instant();
        Assignment a = accepted(assignmentId, now);
        a.status = AssignmentStatus.SUBMITTED;
        a.submitTime = now;
        a.autoApprovalTime = now.plusSeconds(a.hit.type.spec().autoApprovalDelaySeconds());
        a.answer = answerXml(answers == null ? Map.of() : answers);
        emit(new Event("AssignmentSubmitted", now, a.hit.type.hitTypeId(), a.hit.id, a.id, a.workerId, null));
        checkStatus(a.hit, now);
        return view(a);
    }

    /** Abandons an accepted assignment now, as if its duration had passed. */
    public synchronized AssignmentView abandon(String assignmentId) {
        Instant now = clock.instant();
        Assignment a = accepted(assignmentId, now);
        release(a, AssignmentStatus.ABANDONED, "AssignmentAbandoned", now);
        return view(a);
    }

    /** A worker's assignments in every state, oldest first. */
    public synchronized List<AssignmentView> assignmentsOf(String workerId) {
        return hits.values().stream().flatMap(h -> h.assignments.stream()).filter(a -> a.workerId.equals(workerId))
                .sorted(Comparator.comparing(a -> a.acceptTime)).map(LocalMarketplace::view).toList();
    }

    /** A HIT's assignments in every state (including earlier holders of a reused id), oldest first. */
    public synchronized List<AssignmentView> assignmentsOfHit(String hitId) {
        return hit(hitId).assignments.stream().map(LocalMarketplace::view).toList();
    }

    /**
     * The time-based rules, run by a schedule (and callable by tests): assignments past their
     * deadline are abandoned, HITs past their expiration report HITExpired, submitted assignments
     * past their auto-approval time are approved, old UniqueRequestTokens are forgotten.
     */
    public synchronized void sweep() {
        Instant now = clock.instant();
        for (Hit hit : hits.values()) {
            for (Assignment a : List.copyOf(hit.assignments)) {
                if (a.status == AssignmentStatus.ACCEPTED && !now.isBefore(a.deadline)) {
                    release(a, AssignmentStatus.ABANDONED, "AssignmentAbandoned", now);
                } else if (a.status == AssignmentStatus.SUBMITTED && !now.isBefore(a.autoApprovalTime)) {
                    autoApprove(a, now);
                }
            }
            expireIfDue(hit, now);
            checkStatus(hit, now);
        }
        purgeTokens(now);
    }

    /**
     * The URL a worker's browser opens for an accepted (still held) assignment: the ExternalQuestion URL with
     * MTurk's {@code assignmentId}, {@code hitId}, {@code workerId} and {@code turkSubmitTo}
     * ({@code base + "/local-mturk"}, so that submitting lands on this marketplace).
     */
    public synchronized Optional<String> workUrl(String assignmentId, String base) {
        Assignment a = assignments.get(assignmentId);
        if (a == null || a.status != AssignmentStatus.ACCEPTED || a.hit.externalUrl == null) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("assignmentId", a.id);
        params.put("hitId", a.hit.id);
        params.put("workerId", a.workerId);
        params.put("turkSubmitTo", stripSlash(base) + "/local-mturk");
        return Optional.of(withQuery(a.hit.externalUrl, params));
    }

    /** {@link #workUrl(String, String)} with this server's own base URL (for programs driving workers). */
    public Optional<String> workUrl(String assignmentId) {
        return workUrl(assignmentId, baseUrl.get());
    }

    /** The preview URL of a HIT: its ExternalQuestion URL with assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE. */
    public synchronized Optional<String> previewUrl(String hitId) {
        Hit hit = hit(hitId);
        if (hit.externalUrl == null) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("assignmentId", PREVIEW_ASSIGNMENT);
        params.put("hitId", hit.id);
        return Optional.of(withQuery(hit.externalUrl, params));
    }

    /** The preview URL of a HIT for a worker (null: a visitor), if that worker may preview it. */
    public synchronized Optional<String> previewUrl(String hitId, String workerId) {
        return allows(workerId, hitId, WorkerAction.PREVIEW) ? previewUrl(hitId) : Optional.empty();
    }

    // ---- internals ------------------------------------------------------------------------------

    private void release(Assignment a, AssignmentStatus to, String eventType, Instant now) {
        a.status = to;
        a.releaseTime = now;
        a.hit.freedIds.add(a.id);
        emit(new Event(eventType, now, a.hit.type.hitTypeId(), a.hit.id, a.id, a.workerId, null));
        checkStatus(a.hit, now);
    }

    /** Approves, paying the reward and MTurk's fee; refused (nothing changes) when the balance cannot cover both. */
    private void payReward(Assignment a, Instant now) {
        Money reward = a.hit.type.reward();
        debit("Reward", a.workerId, a.id, reward, MarketplaceFees.onReward(reward, a.hit.max), now);
        a.status = AssignmentStatus.APPROVED;
        a.approvalTime = now;
    }

    /** MTurk's auto-approval; when the balance cannot pay it, the assignment stays Submitted until it can. */
    private void autoApprove(Assignment a, Instant now) {
        try {
            payReward(a, now);
        } catch (LocalMarketplaceException e) {
            if (!a.autoApprovalUnfunded) {
                a.autoApprovalUnfunded = true;
                log.warn("local marketplace: assignment {} is due for auto-approval but the balance ({}) cannot "
                        + "pay its reward and fee; it stays Submitted until funds are added", a.id, balance.display());
            }
        }
    }

    /** Takes {@code amount + fee} from the balance, or refuses as MTurk does, changing nothing. */
    private void debit(String kind, String workerId, String assignmentId, Money amount, Money fee, Instant now) {
        Money total = amount.plus(fee);
        if (balance.compareTo(total) < 0) {
            throw LocalMarketplaceException.conflict(INSUFFICIENT_FUNDS,
                    "This Requester has insufficient funds in their account to complete this transaction." + suffix());
        }
        balance = balance.minus(total);
        transactions.add(new Transaction(kind, workerId, assignmentId, amount, fee, balance, now));
    }

    /** The first requirement of the HIT guarding {@code action} that the worker does not meet. */
    private Optional<Requirement> unmet(String workerId, Hit hit, WorkerAction action) {
        for (Requirement r : hit.type.requirements()) {
            if (!r.guards(action)) {
                continue;
            }
            QualificationType type = qualificationTypes.get(r.qualificationTypeId());
            if (type == null) {
                continue; // one of MTurk's system qualifications: local workers are taken to meet them
            }
            if (!r.metBy(valueOf(workerId, type))) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    private Integer valueOf(String workerId, QualificationType type) {
        if (workerId == null) {
            return null;
        }
        WorkerQualification given = workerQualifications.getOrDefault(type.qualificationTypeId(), Map.of())
                .get(workerId);
        if (given != null) {
            return given.value();
        }
        return type.autoGranted() ? type.autoGrantedValue() : null;
    }

    /** MTurk's comparators, and how many values each takes. */
    private static final Set<String> ONE_VALUE = Set.of("LessThan", "LessThanOrEqualTo", "GreaterThan",
            "GreaterThanOrEqualTo", "EqualTo", "NotEqualTo");
    private static final Set<String> NO_VALUE = Set.of("Exists", "DoesNotExist");
    private static final Set<String> SET_OF_VALUES = Set.of("In", "NotIn");
    private static final Set<String> LOCALE_COMPARATORS = Set.of("EqualTo", "NotEqualTo", "In", "NotIn");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * CreateHITType's QualificationRequirements, checked as MTurk checks them: a known comparator with
     * the values it takes, a valid ActionsGuarded (not together with RequiredToPreview), and a
     * qualification type that exists (one of MTurk's system types or one created here).
     */
    private List<Requirement> parseRequirements(String json) {
        if (json == null) {
            return List.of();
        }
        JsonNode list;
        try {
            list = JSON.readTree(json);
        } catch (JacksonException e) {
            throw LocalMarketplaceException.invalid("QualificationRequirements must be a list" + suffix());
        }
        if (list == null || !list.isArray()) {
            throw LocalMarketplaceException.invalid("QualificationRequirements must be a list" + suffix());
        }
        if (list.size() > MAX_REQUIREMENTS) {
            throw LocalMarketplaceException.invalid("At most " + MAX_REQUIREMENTS
                    + " QualificationRequirements are allowed" + suffix());
        }
        List<Requirement> parsed = new ArrayList<>();
        for (JsonNode q : list) {
            if (!q.isObject()) {
                throw LocalMarketplaceException.invalid("Each QualificationRequirement must be an object" + suffix());
            }
            String typeId = string(q, "QualificationTypeId");
            String comparator = string(q, "Comparator");
            if (typeId == null || typeId.isBlank()) {
                throw LocalMarketplaceException.invalid("QualificationRequirement.QualificationTypeId is required"
                        + suffix());
            }
            if (comparator == null || !(ONE_VALUE.contains(comparator) || NO_VALUE.contains(comparator)
                    || SET_OF_VALUES.contains(comparator))) {
                throw LocalMarketplaceException.invalid("QualificationRequirement.Comparator must be one of "
                        + "LessThan, LessThanOrEqualTo, GreaterThan, GreaterThanOrEqualTo, EqualTo, NotEqualTo, "
                        + "Exists, DoesNotExist, In, NotIn" + suffix());
            }
            List<Integer> integers = new ArrayList<>();
            JsonNode ints = q.get("IntegerValues");
            if (ints != null && !ints.isNull()) {
                if (!ints.isArray()) {
                    throw LocalMarketplaceException.invalid("IntegerValues must be a list" + suffix());
                }
                for (JsonNode v : ints) {
                    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                        throw LocalMarketplaceException.invalid("IntegerValues must hold integers" + suffix());
                    }
                    integers.add(v.intValue());
                }
            }
            List<String> locales = new ArrayList<>();
            JsonNode locs = q.get("LocaleValues");
            if (locs != null && !locs.isNull()) {
                if (!locs.isArray()) {
                    throw LocalMarketplaceException.invalid("LocaleValues must be a list" + suffix());
                }
                for (JsonNode v : locs) {
                    String country = v.isObject() ? string(v, "Country") : null;
                    if (country == null || !country.matches("[A-Z]{2}")) {
                        throw LocalMarketplaceException.invalid("Each LocaleValue needs a Country, a two-letter "
                                + "ISO 3166-1 code" + suffix());
                    }
                    String subdivision = string(v, "Subdivision");
                    locales.add(subdivision == null ? country : country + "-" + subdivision);
                }
            }
            int values = integers.size() + locales.size();
            if (!integers.isEmpty() && !locales.isEmpty()) {
                throw LocalMarketplaceException.invalid("A QualificationRequirement takes IntegerValues or "
                        + "LocaleValues, not both" + suffix());
            }
            if (NO_VALUE.contains(comparator) && values != 0) {
                throw LocalMarketplaceException.invalid("Comparator " + comparator + " takes no values" + suffix());
            }
            if (ONE_VALUE.contains(comparator) && values != 1) {
                throw LocalMarketplaceException.invalid("Comparator " + comparator + " takes exactly one value"
                        + suffix());
            }
            if (SET_OF_VALUES.contains(comparator) && (values < 1 || values > 15)) {
                throw LocalMarketplaceException.invalid("Comparator " + comparator + " takes 1 to 15 values"
                        + suffix());
            }
            if (!locales.isEmpty() && !LOCALE_COMPARATORS.contains(comparator)) {
                throw LocalMarketplaceException.invalid("LocaleValues can only be compared with EqualTo, NotEqualTo, "
                        + "In or NotIn" + suffix());
            }
            String guarded = string(q, "ActionsGuarded");
            if (guarded != null && !QualificationRequirement.ACTIONS_GUARDED.contains(guarded)) {
                throw LocalMarketplaceException.invalid("ActionsGuarded must be one of Accept, PreviewAndAccept, "
                        + "DiscoverPreviewAndAccept" + suffix());
            }
            JsonNode preview = q.get("RequiredToPreview");
            if (preview != null && !preview.isNull() && !preview.isBoolean()) {
                throw LocalMarketplaceException.invalid("RequiredToPreview must be true or false" + suffix());
            }
            boolean requiredToPreview = preview != null && preview.isBoolean() && preview.booleanValue();
            if (guarded != null && preview != null && !preview.isNull()) {
                throw LocalMarketplaceException.invalid("ActionsGuarded cannot be combined with RequiredToPreview"
                        + suffix());
            }
            if (!SYSTEM_QUALIFICATION_TYPES.contains(typeId) && !qualificationTypes.containsKey(typeId)) {
                throw LocalMarketplaceException.notFound(QUALIFICATION_TYPE_DOES_NOT_EXIST,
                        "QualificationType [" + typeId + "] does not exist." + suffix());
            }
            parsed.add(new Requirement(typeId, comparator, integers, locales, guarded, requiredToPreview));
        }
        return parsed;
    }

    private static String string(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw LocalMarketplaceException.invalid(field + " must be a string" + suffix());
        }
        return v.stringValue();
    }

    /** A dollar amount of at most two decimals (checked by the caller) as money. */
    static Money toMoney(BigDecimal dollars) {
        return Money.ofCents(dollars.movePointRight(2).setScale(0, RoundingMode.UNNECESSARY).longValueExact());
    }


    private void expireIfDue(Hit hit, Instant now) {
        if (!hit.expiredNotified && !now.isBefore(hit.expiration)) {
            hit.expiredNotified = true;
            emit(new Event("HITExpired", now, hit.type.hitTypeId(), hit.id, null, null, null));
        }
    }

    private void checkStatus(Hit hit, Instant now) {
        String status = status(hit, now);
        if (!status.equals(hit.lastStatus) && "Reviewable".equals(status)) {
            emit(new Event("HITReviewable", now, hit.type.hitTypeId(), hit.id, null, null, null));
        }
        hit.lastStatus = status;
    }

    private Assignment accepted(String assignmentId, Instant now) {
        Assignment a = existing(assignmentId);
        if (a.status != AssignmentStatus.ACCEPTED) {
            throw invalidState(a, "Accepted");
        }
        if (!now.isBefore(a.deadline)) {
            release(a, AssignmentStatus.ABANDONED, "AssignmentAbandoned", now);
            throw LocalMarketplaceException.conflict("AWS.MechanicalTurk.InvalidAssignmentState",
                    "Assignment " + assignmentId + " passed its deadline and was abandoned" + suffix());
        }
        return a;
    }

    private Assignment existing(String assignmentId) {
        Assignment a = assignmentId == null ? null : assignments.get(assignmentId);
        if (a == null) {
            throw LocalMarketplaceException.notFound("AWS.MechanicalTurk.AssignmentDoesNotExist",
                    "Assignment " + assignmentId + " does not exist." + suffix());
        }
        return a;
    }

    private Hit hit(String hitId) {
        Hit hit = hitId == null ? null : hits.get(hitId);
        if (hit == null) {
            throw LocalMarketplaceException.notFound("AWS.MechanicalTurk.HITDoesNotExist",
                    "Hit " + hitId + " does not exist." + suffix());
        }
        return hit;
    }

    private static LocalMarketplaceException invalidState(Assignment a, String allowed) {
        return LocalMarketplaceException.conflict("AWS.MechanicalTurk.InvalidAssignmentState",
                "Assignment " + a.id + " is " + a.status.wire() + "; this operation can be called with a status of: "
                        + allowed + suffix());
    }

    private void emit(Event event) {
        for (Listener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("local marketplace listener failed on {}", event.eventType(), e);
            }
        }
    }

    private void purgeTokens(Instant now) {
        Instant cutoff = now.minus(props.tokenRetention());
        hitTokens.values().removeIf(t -> t.at().isBefore(cutoff));
        bonusTokens.values().removeIf(t -> t.at().isBefore(cutoff));
    }

    private static String status(Hit hit, Instant now) {
        int pending = count(hit, AssignmentStatus.ACCEPTED);
        int completed = completed(hit);
        int available = hit.max - pending - completed;
        if (now.isBefore(hit.expiration) && available > 0) {
            return "Assignable";
        }
        return pending > 0 ? "Unassignable" : "Reviewable";
    }

    private static int count(Hit hit, AssignmentStatus status) {
        int n = 0;
        for (Assignment a : hit.assignments) {
            if (a.status == status) {
                n++;
            }
        }
        return n;
    }

    private static int completed(Hit hit) {
        int n = 0;
        for (Assignment a : hit.assignments) {
            if (a.status.completed()) {
                n++;
            }
        }
        return n;
    }

    private static HitView view(Hit h, Instant now) {
        int pending = count(h, AssignmentStatus.ACCEPTED);
        int completed = completed(h);
        HitTypeSpec s = h.type.spec();
        return new HitView(h.id, h.type.hitTypeId(), h.type.hitGroupId(), s.title(), s.description(), s.keywords(),
                s.reward(), h.created, h.expiration, h.max, s.assignmentDurationSeconds(),
                s.autoApprovalDelaySeconds(), h.question, h.externalUrl, h.annotation,
                s.qualificationRequirementsJson(), status(h, now), pending, h.max - pending - completed, completed);
    }

    private static AssignmentView view(Assignment a) {
        return new AssignmentView(a.id, a.hit.id, a.hit.type.hitTypeId(), a.workerId, a.status, a.acceptTime,
                a.deadline, a.submitTime, a.autoApprovalTime, a.approvalTime, a.rejectionTime, a.releaseTime,
                a.answer, a.feedback);
    }

    private void validate(NotificationSettings spec, boolean test) {
        if (spec.destination() == null || spec.destination().isBlank()) {
            throw LocalMarketplaceException.invalid("Notification.Destination is required" + suffix());
        }
        if (spec.transport() == null || !TRANSPORTS.contains(spec.transport())) {
            throw LocalMarketplaceException.invalid("Notification.Transport must be one of " + TRANSPORTS + suffix());
        }
        if (!NOTIFICATION_VERSION.equals(spec.version())) {
            throw LocalMarketplaceException.invalid("Notification.Version must be " + NOTIFICATION_VERSION + suffix());
        }
        if ("SNS".equals(spec.transport()) && !spec.destination().startsWith("arn:aws:sns:")) {
            throw LocalMarketplaceException.invalid("Notification.Destination must be an SNS topic ARN "
                    + "(arn:aws:sns:<region>:<account>:<topic>) when Transport is SNS" + suffix());
        }
        if (spec.eventTypes().isEmpty()) {
            throw LocalMarketplaceException.invalid("Notification.EventTypes must not be empty" + suffix());
        }
        for (String type : spec.eventTypes()) {
            if (!EVENT_TYPES.contains(type) || ("Ping".equals(type) && !test)) {
                throw LocalMarketplaceException.invalid("Unknown or unusable event type \"" + type
                        + "\" (Ping is only valid for SendTestEventNotification)" + suffix());
            }
        }
    }

    private static void checkFeedback(String feedback) {
        if (feedback != null && feedback.length() > 1024) {
            throw LocalMarketplaceException.invalid("RequesterFeedback must be at most 1024 characters" + suffix());
        }
    }

    private static void requireText(String value, String name, int max) {
        if (value == null || value.isBlank() || value.length() > max) {
            throw LocalMarketplaceException.invalid(name + " is required and must be at most " + max + " characters"
                    + suffix());
        }
    }

    private static void requireRange(long value, String name, long min, long max) {
        if (value < min || value > max) {
            throw LocalMarketplaceException.invalid(name + " must be between " + min + " and " + max + suffix());
        }
    }

    static void requireWorkerId(String workerId) {
        if (workerId == null || !WORKER_ID.matcher(workerId).matches()) {
            throw LocalMarketplaceException.invalid("workerId must be 1 to 64 letters, digits, '_', '.' or '-'");
        }
    }

    /** MTurk's messages end with the time of the request in milliseconds. */
    private static String suffix() {
        return " (" + System.currentTimeMillis() + ")";
    }

    private String newId() {
        char[] id = new char[30];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_CHARS[random.nextInt(ID_CHARS.length)];
        }
        return new String(id);
    }

    /*
     * One parser per thread, from one factory: DocumentBuilderFactory.newInstance() searches the class
     * path for a provider on every call, which the benchmark saw on every hire. Builders are not
     * thread-safe, factories are not documented to be.
     */
    private static final ThreadLocal<DocumentBuilder> QUESTION_PARSER = ThreadLocal.withInitial(() -> {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            return f.newDocumentBuilder();
        } catch (javax.xml.parsers.ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser refuses a secure configuration", e);
        }
    });

    /**
     * Checks the Question document and returns its ExternalURL (null for QuestionForm and
     * HTMLQuestion, which the local board cannot show).
     */
    static String parseQuestion(String question) {
        if (question == null || question.isBlank()) {
            throw LocalMarketplaceException.invalid("Question is required" + suffix());
        }
        if (question.length() > 131_072) {
            throw LocalMarketplaceException.invalid("Question must be at most 131072 characters" + suffix());
        }
        Document doc;
        try {
            DocumentBuilder b = QUESTION_PARSER.get();
            b.reset();
            b.setErrorHandler(null);
            doc = b.parse(new InputSource(new StringReader(question)));
        } catch (Exception e) {
            throw new LocalMarketplaceException(LocalMarketplaceException.Kind.REQUEST_ERROR,
                    "AWS.MechanicalTurk.XMLParseError", 400,
                    "There was an error parsing the XML question or answer data in your request: "
                            + e.getMessage() + suffix());
        }
        Element root = doc.getDocumentElement();
        String name = root.getLocalName();
        if ("ExternalQuestion".equals(name)) {
            NodeList urls = root.getElementsByTagNameNS("*", "ExternalURL");
            String url = urls.getLength() == 0 ? "" : urls.item(0).getTextContent().strip();
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || uri.getHost() == null
                    || !("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))) {
                throw LocalMarketplaceException.invalid("ExternalQuestion.ExternalURL must be an absolute http(s) URL"
                        + suffix());
            }
            return url;
        }
        if ("HTMLQuestion".equals(name) || "QuestionForm".equals(name)) {
            return null;
        }
        throw LocalMarketplaceException.invalid("Question must be an ExternalQuestion, HTMLQuestion or QuestionForm "
                + "document" + suffix());
    }

    static String withQuery(String url, Map<String, String> params) {
        String fragment = "";
        int hash = url.indexOf('#');
        if (hash >= 0) {
            fragment = url.substring(hash);
            url = url.substring(0, hash);
        }
        StringBuilder out = new StringBuilder(url);
        char sep = url.contains("?") ? '&' : '?';
        if (url.endsWith("?") || url.endsWith("&")) {
            sep = 0;
        }
        for (Map.Entry<String, String> p : params.entrySet()) {
            if (sep != 0) {
                out.append(sep);
            }
            out.append(p.getKey()).append('=')
                    .append(java.net.URLEncoder.encode(p.getValue(), java.nio.charset.StandardCharsets.UTF_8));
            sep = '&';
        }
        return out.append(fragment).toString();
    }

    private static String stripSlash(String base) {
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** MTurk's QuestionFormAnswers document for an external HIT's posted fields. */
    static String answerXml(Map<String, String> answers) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>"
                + "<QuestionFormAnswers xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
                + "2005-10-01/QuestionFormAnswers.xsd\">");
        for (Map.Entry<String, String> e : answers.entrySet()) {
            xml.append("<Answer><QuestionIdentifier>").append(escapeXml(e.getKey()))
                    .append("</QuestionIdentifier><FreeText>").append(escapeXml(e.getValue()))
                    .append("</FreeText></Answer>");
        }
        return xml.append("</QuestionFormAnswers>").toString();
    }

    private static String escapeXml(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&': out.append("&amp;"); break;
                case '<': out.append("&lt;"); break;
                case '>': out.append("&gt;"); break;
                case '"': out.append("&quot;"); break;
                case '\'': out.append("&apos;"); break;
                default: out.append(c);
            }
        }
        return out.toString();
    }
}
