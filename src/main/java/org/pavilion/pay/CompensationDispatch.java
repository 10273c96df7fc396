package org.pavilion.pay;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.Marketplace.AssignmentInfo;
import org.pavilion.marketplace.Marketplace.Hit;
import org.pavilion.marketplace.Marketplace.HitSpec;
import org.pavilion.marketplace.Marketplace.HitTypeSpec;
import org.pavilion.marketplace.Marketplace.QualificationRequirement;
import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.marketplace.RequestTokenUsedException;
import org.pavilion.marketplace.SessionMarketplace;
import org.pavilion.marketplace.mturk.ExternalQuestionXml;
import org.pavilion.pay.Compensations.Compensation;
import org.pavilion.project.TaskRepository;
import org.pavilion.session.SessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Posts and settles compensation HITs (SPEC §4.9). Each is visible to its worker only: Pavilion keeps one
 * qualification type per installation, gives the owed worker the compensation's number as its value, and
 * the HIT requires exactly that value, guarding discovery, preview and accept. Its reward is the amount
 * owed; when the worker submits, it is approved, which pays it. The HIT is posted with the
 * compensation's deterministic token, so a resend never posts a second one.
 */
final class CompensationDispatch {

    private static final Logger log = LoggerFactory.getLogger(CompensationDispatch.class);
    /** How long the worker has to find and submit the compensation HIT. */
    static final Duration LIFETIME = Duration.ofDays(7);

    private final SessionMarketplace marketplace;
    private final Compensations compensations;
    private final SessionStore store;
    private final TaskRepository tasks;
    private final Clock clock;
    private final Optional<String> pageUrl;
    /** How often a posted compensation HIT is looked at for its submission (one ListAssignmentsForHIT each). */
    private final Duration checkEvery;
    private final Map<Long, Instant> notBefore = new ConcurrentHashMap<>();
    /** Per marketplace: each has its own qualification types. */
    private final Map<Marketplace, String> qualificationTypeIds = new ConcurrentHashMap<>();

    CompensationDispatch(SessionMarketplace marketplace, Compensations compensations, SessionStore store,
                         TaskRepository tasks, Clock clock, Optional<String> pageUrl, Duration checkEvery) {
        this.checkEvery = checkEvery;
        this.marketplace = marketplace;
        this.compensations = compensations;
        this.store = store;
        this.tasks = tasks;
        this.clock = clock;
        this.pageUrl = pageUrl;
    }

    /** One round: opens the automatic compensations, posts the requested HITs, approves the submitted ones. */
    void round() {
        for (long sessionId : compensations.sessionsToCompensateAutomatically()) {
            List<Compensation> opened = compensations.payOwed(sessionId);
            log.info("session {}: {} owed worker(s) paid through compensation HITs automatically", sessionId,
                    opened.size());
        }
        Instant now = clock.instant();
        for (Compensation c : compensations.open()) {
            Instant wait = notBefore.get(c.id());
            if (wait != null && wait.isAfter(now)) {
                continue;
            }
            try {
                if (c.state() == Compensations.State.REQUESTED) {
                    post(c);
                } else {
                    settle(c);
                }
            } catch (MarketplaceException e) {
                int attempts = c.attempts() + 1;
                if (e.retryable()) {
                    notBefore.put(c.id(), now.plus(checkEvery));
                    compensations.attempted(c.id(), attempts, e.errorCode() + ": " + e.getMessage());
                } else {
                    compensations.failed(c.id(), attempts, e.errorCode() + ": " + e.getMessage());
                    log.error("session {}: compensation {} refused by the marketplace: {}", c.sessionId(), c.id(),
                            e.getMessage());
                }
            }
        }
    }

    private void post(Compensation c) {
        Marketplace m = marketplace.of(c.sessionId());
        String qualification = qualificationType(m);
        // The value is the compensation's number: only this worker, and only for this HIT, meets it.
        m.associateQualification(qualification, c.workerId(), Math.toIntExact(c.id()));
        HitTypeSpec type = new HitTypeSpec("Payment owed to you for waiting (" + c.amount().display() + ")",
                "You waited in a live task's waiting room but could not be paid there. Accept and submit this HIT "
                        + "to receive what you are owed: " + c.amount().display() + ".",
                "payment, compensation", Math.toIntExact(c.amount().cents()), (int) Duration.ofHours(1).toSeconds(),
                (int) Duration.ofDays(1).toSeconds(), List.of(new QualificationRequirement(qualification, "EqualTo",
                        Math.toIntExact(c.id()), null, QualificationRequirement.DISCOVER_PREVIEW_AND_ACCEPT)));
        String hitTypeId = m.createHitType(type);
        HitSpec spec = new HitSpec((int) LIFETIME.toSeconds(), 1, ExternalQuestionXml.of(page(c), 400), c.token());
        Hit hit;
        try {
            hit = m.createHit(hitTypeId, spec, c.token());
        } catch (RequestTokenUsedException used) {
            hit = m.findHitByAnnotation(hitTypeId, c.token()).orElseThrow(() -> new MarketplaceException(
                    used.errorCode(), "the marketplace had already seen token " + c.token() + " but lists no HIT "
                    + "annotated with it; nothing was posted in its place", false, used));
        }
        compensations.posted(c.id(), hit.hitId());
        notBefore.put(c.id(), clock.instant().plus(checkEvery));
        log.info("session {}: compensation {} of {} for worker {} posted as HIT {}", c.sessionId(), c.id(),
                c.amount().display(), c.workerId(), hit.hitId());
    }

    private void settle(Compensation c) {
        Marketplace m = marketplace.of(c.sessionId());
        for (AssignmentInfo a : m.listAssignments(c.hitId())) {
            if (!a.workerId().equals(c.workerId())) {
                log.warn("compensation HIT {} was taken by worker {}, not the owed worker {}", c.hitId(), a.workerId(),
                        c.workerId());
                continue;
            }
            if ("Submitted".equals(a.status())) {
                m.approve(a.assignmentId(), "Thank you: this pays what you were owed for waiting.");
            }
            if ("Submitted".equals(a.status()) || "Approved".equals(a.status())) {
                compensations.paid(c.id(), a.assignmentId());
                notBefore.remove(c.id());
                log.info("session {}: compensation {} paid ({} to worker {})", c.sessionId(), c.id(),
                        c.amount().display(), c.workerId());
                return;
            }
        }
        notBefore.put(c.id(), clock.instant().plus(checkEvery));
    }

    /** The installation's compensation qualification type, found or made once. */
    private String qualificationType(Marketplace m) {
        String known = qualificationTypeIds.get(m);
        if (known != null) {
            return known;
        }
        String name = "Pavilion compensation " + store.instanceId();
        String id = m.findQualificationType(name).orElseGet(() -> m.createQualificationType(name,
                "Given by Pavilion to a worker it owes pay, so that only that worker sees the HIT that pays it."));
        qualificationTypeIds.put(m, id);
        return id;
    }

    /** The compensation page: on the server that serves the session's task pages, unless configured. */
    private String page(Compensation c) {
        if (pageUrl.isPresent()) {
            return pageUrl.get();
        }
        long taskId = store.loadSession(c.sessionId()).orElseThrow().config().taskId();
        URI task = URI.create(tasks.find(taskId).orElseThrow().settings().externalUrl());
        return task.getScheme() + "://" + task.getRawAuthority() + "/compensation";
    }
}
