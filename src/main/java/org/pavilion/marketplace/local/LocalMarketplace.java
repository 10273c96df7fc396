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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The local marketplace's state and rules: HIT types, HITs, assignments, the requester's
 * balance, UniqueRequestTokens and notification settings, all in memory. A restart of Pavilion
 * empties it (nothing is persisted; the sessions that used it see their HITs vanish).
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

    public record HitType(String hitTypeId, String hitGroupId, HitTypeSpec spec) {
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

    public record Bonus(String workerId, String assignmentId, BigDecimal amount, String reason, Instant time) {
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
    private BigDecimal balance;

    public LocalMarketplace(LocalMarketplaceProperties props, Clock clock) {
        this(props, clock, () -> "http://localhost:8080");
    }

    /** @param baseUrl this server's base URL (for {@link #workUrl(String)}), e.g. {@code http://localhost:8080} */
    public LocalMarketplace(LocalMarketplaceProperties props, Clock clock, Supplier<String> baseUrl) {
        this.props = props;
        this.clock = clock;
        this.baseUrl = baseUrl;
        this.balance = props.startingBalance().setScale(2, RoundingMode.HALF_UP);
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
        if (spec.reward() == null || spec.reward().signum() < 0 || spec.reward().stripTrailingZeros().scale() > 2) {
            throw LocalMarketplaceException.invalid("Reward must be a USD amount such as \"0.50\"" + suffix());
        }
        requireRange(spec.assignmentDurationSeconds(), "AssignmentDurationInSeconds",
                props.minAssignmentDuration().toSeconds(), MAX_SECONDS);
        requireRange(spec.autoApprovalDelaySeconds(), "AutoApprovalDelayInSeconds", 0, MAX_AUTO_APPROVAL);
        HitTypeSpec normal = new HitTypeSpec(spec.title(), spec.description(), spec.keywords(),
                spec.reward().setScale(2, RoundingMode.UNNECESSARY), spec.assignmentDurationSeconds(),
                spec.autoApprovalDelaySeconds(), spec.qualificationRequirementsJson());
        String existing = hitTypeBySpec.get(normal);
        if (existing != null) {
            return hitTypes.get(existing);
        }
        HitType type = new HitType(newId(), newId(), normal);
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
        approveNow(a, now);
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
     * SendBonus to the worker of a submitted (approved, rejected) assignment; debits the balance.
     * A {@code token} already used within the retention is refused, as on MTurk.
     */
    public synchronized Bonus sendBonus(String workerId, String assignmentId, BigDecimal amount, String reason,
                                        String token) {
        Instant now = clock.instant();
        if (token != null) {
            if (token.isEmpty() || token.length() > 64) {
                throw LocalMarketplaceException.invalid("UniqueRequestToken must be 1 to 64 characters" + suffix());
            }
            purgeTokens(now);
            Token used = bonusTokens.get(token);
            if (used != null) {
                throw LocalMarketplaceException.conflict("AWS.MechanicalTurk.DuplicateRequest",
                        "The idempotency token \"" + token + "\" has already been processed (request "
                                + used.value() + ")." + suffix());
            }
        }
        if (amount == null || amount.signum() <= 0 || amount.stripTrailingZeros().scale() > 2) {
            throw LocalMarketplaceException.invalid("BonusAmount must be a positive USD amount such as \"1.25\""
                    + suffix());
        }
        if (reason == null || reason.isBlank()) {
            throw LocalMarketplaceException.invalid("Reason is required for a bonus" + suffix());
        }
        Assignment a = existing(assignmentId);
        if (!a.workerId.equals(workerId)) {
            throw LocalMarketplaceException.invalid("Assignment " + assignmentId + " does not belong to worker "
                    + workerId + suffix());
        }
        if (!a.status.completed()) {
            throw invalidState(a, "Submitted, Approved, Rejected");
        }
        BigDecimal value = amount.setScale(2, RoundingMode.UNNECESSARY);
        if (balance.compareTo(value) < 0) {
            throw LocalMarketplaceException.conflict("AWS.MechanicalTurk.InsufficientFunds",
                    "This Requester has insufficient funds in their account to complete this transaction." + suffix());
        }
        balance = balance.subtract(value);
        Bonus bonus = new Bonus(workerId, assignmentId, value, reason, now);
        bonuses.add(bonus);
        if (token != null) {
            bonusTokens.put(token, new Token(newId(), now));
        }
        return bonus;
    }

    public synchronized List<Bonus> bonuses() {
        return List.copyOf(bonuses);
    }

    /** GetAccountBalance's AvailableBalance. */
    public synchronized BigDecimal balance() {
        return balance;
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
                    approveNow(a, now);
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

    // ---- internals ------------------------------------------------------------------------------

    private void release(Assignment a, AssignmentStatus to, String eventType, Instant now) {
        a.status = to;
        a.releaseTime = now;
        a.hit.freedIds.add(a.id);
        emit(new Event(eventType, now, a.hit.type.hitTypeId(), a.hit.id, a.id, a.workerId, null));
        checkStatus(a.hit, now);
    }

    private void approveNow(Assignment a, Instant now) {
        a.status = AssignmentStatus.APPROVED;
        a.approvalTime = now;
        balance = balance.subtract(a.hit.type.spec().reward());
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
