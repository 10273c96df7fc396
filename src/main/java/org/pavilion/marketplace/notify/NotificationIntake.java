package org.pavilion.marketplace.notify;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.json.JSONArray;
import org.json.JSONObject;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.PavilionException;
import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.UnknownAssignmentException;
import org.pavilion.session.UnknownHitException;
import org.pavilion.storage.SqlSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marketplace notifications (SPEC §4.8): an SNS delivery is parsed, verified, and then
 *
 * <ul>
 * <li>{@code SubscriptionConfirmation}: the SubscribeURL (admitted by the trust policy) is GET;</li>
 * <li>{@code UnsubscribeConfirmation}: logged; nothing is resubscribed;</li>
 * <li>{@code Notification}: unless its MessageId or its EventDocId was processed before, every
 *     event of the MTurk event document is handled: AssignmentReturned / Abandoned / Submitted
 *     become departures applied through {@link LiveSessionService#submitForAssignment} (the worker
 *     is resolved from Pavilion's own assignment records); an unknown assignment is skipped;
 *     other types are recorded only. Once every event's effect is durable, the document, its
 *     events' results and the MessageId are recorded in one transaction.</li>
 * </ul>
 *
 * Exactly once: a message is recorded only after its events were applied, so a crash in between
 * makes SNS deliver it again and it is applied again, which changes nothing in the engine (it
 * ignores departures of workers who already left). Deliveries of one document are serialized
 * in this process (Pavilion runs its sessions in one process), so a duplicate arriving while the
 * first copy is being applied waits and then finds it recorded.
 *
 * <p>Answers: 200 processed (or duplicate; refusals of single events by the engine are fine),
 * 400 malformed, 403 not verified (nothing changes; counted and logged with a short reason),
 * 502 the subscription confirmation failed, 503 the signing certificate could not be fetched or
 * events could not be made durable in time (SNS delivers again; nothing was recorded).
 */
public final class NotificationIntake {

    private static final Logger log = LoggerFactory.getLogger(NotificationIntake.class);
    public static final String ACTOR = "marketplace";
    private static final int STRIPES = 64;

    /** An HTTP answer: status and a small JSON body. */
    public record Response(int status, String body) {
        static Response of(int status, JSONObject body) {
            return new Response(status, body.toString());
        }
    }

    /** Counters since start. */
    public record Stats(long processed, long duplicates, long refused, long malformed, long confirmations,
                        long unverifiable) {
    }

    private final SnsSignatureVerifier verifier;
    private final NotificationLedger ledger;
    private final LiveSessionService sessions;
    private final SubscriptionConfirmer confirmer;
    private final Clock clock;
    private final SnsSettings settings;
    private final HitOwner hits;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final Tally processed;
    private final Tally duplicates;
    private final Tally refused;
    private final Tally malformed;
    private final Tally confirmations;
    private final Tally unverifiable;
    private final AtomicLong lastPrune = new AtomicLong();

    /**
     * Which session a HIT belongs to (empty: not Pavilion's). May ask the marketplace about a HIT posted a
     * moment ago and not recorded yet; throws {@link MarketplaceException} when it cannot be asked now.
     */
    @FunctionalInterface
    public interface HitOwner {
        Optional<Long> sessionOf(String hitId);

        /**
         * Whether the session went live on the local marketplace (issue 14 item 3). A notification signed by
         * the local marketplace is applied only to such a session: whoever can drive the local marketplace
         * must not move a session on MTurk, where money is real. By default every session is (one marketplace).
         */
        default boolean onLocalMarketplace(long sessionId) {
            return true;
        }
    }

    /**
     * One outcome's count: kept here for {@link #stats()} and as the Counter
     * {@code pavilion.notifications{outcome}} ({@code pavilion_notifications_total} in Prometheus), which
     * the registry holds strongly (a FunctionCounter would hold what it reads only weakly, and stop
     * counting once that was collected).
     */
    private static final class Tally {
        private final AtomicLong count = new AtomicLong();
        private final Counter counter;

        Tally(MeterRegistry meters, String outcome) {
            this.counter = Counter.builder("pavilion.notifications").description("Marketplace notifications by outcome")
                    .tag("outcome", outcome).register(meters);
        }

        void add() {
            count.incrementAndGet();
            counter.increment();
        }

        long get() {
            return count.get();
        }
    }

    /**
     * @param meters where {@code pavilion.notifications{outcome}} is counted, by outcome: {@code accepted}
     *               (applied and recorded), {@code refused} (not verified), {@code duplicate}, {@code malformed},
     *               {@code unverifiable} (certificate unavailable), {@code confirmation}
     */
    public NotificationIntake(SnsSignatureVerifier verifier, NotificationLedger ledger, LiveSessionService sessions,
                              SubscriptionConfirmer confirmer, Clock clock, SnsSettings settings, HitOwner hits,
                              MeterRegistry meters) {
        this.processed = new Tally(meters, "accepted");
        this.refused = new Tally(meters, "refused");
        this.duplicates = new Tally(meters, "duplicate");
        this.malformed = new Tally(meters, "malformed");
        this.unverifiable = new Tally(meters, "unverifiable");
        this.confirmations = new Tally(meters, "confirmation");
        this.hits = hits;
        this.verifier = verifier;
        this.ledger = ledger;
        this.sessions = sessions;
        this.confirmer = confirmer;
        this.clock = clock;
        this.settings = settings;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    public Stats stats() {
        return new Stats(processed.get(), duplicates.get(), refused.get(), malformed.get(), confirmations.get(),
                unverifiable.get());
    }

    /**
     * Handles one delivery.
     *
     * @param headerType the {@code x-amz-sns-message-type} header, or null
     * @param body       the request body (UTF-8 text)
     * @param remote     the sender's address, for the refusal log
     */
    public Response receive(String headerType, String body, String remote) {
        SnsMessage m;
        try {
            m = SnsMessage.parse(body, headerType);
        } catch (MalformedNotificationException e) {
            return malformed(e.getMessage(), headerType, remote);
        }
        try {
            verifier.verify(m);
        } catch (SnsVerificationException e) {
            if (e.retryable()) {
                unverifiable.add();
                log.warn("SNS: could not verify a delivery from {} (answered 503): {}", safe(remote), e.getMessage());
                return Response.of(503, new JSONObject().put("status", "error").put("reason", e.getMessage()));
            }
            return forbidden(e.getMessage(), m.type().wire(), remote);
        }
        prunePeriodically();
        switch (m.type()) {
            case SUBSCRIPTION_CONFIRMATION:
                return confirm(m, remote);
            case UNSUBSCRIBE_CONFIRMATION:
                log.warn("SNS: unsubscribed from topic {} (UnsubscribeConfirmation {}); not resubscribing",
                        m.topicArn(), m.messageId());
                ledger.recordMessage(m, null, sentAt(m), clock.instant());
                return Response.of(200, new JSONObject().put("status", "unsubscribed"));
            default:
                return notification(m, remote);
        }
    }

    /** Answers a request refused before parsing (too large, unreadable), and logs it. */
    public Response refuseUnread(int status, String reason, String headerType, String remote) {
        if (status == 403) {
            return forbidden(reason, headerType, remote);
        }
        return malformedWithStatus(status, reason, headerType, remote);
    }

    // ---- subscription ----------------------------------------------------------------------------

    private Response confirm(SnsMessage m, String remote) {
        URI url;
        try {
            url = verifier.policy().checkSubscribeUrl(m.subscribeUrl());
        } catch (SnsVerificationException e) {
            return forbidden(e.getMessage(), m.type().wire(), remote);
        }
        try {
            confirmer.confirm(url);
        } catch (IOException | RuntimeException e) {
            log.warn("SNS: confirming the subscription to topic {} failed: {}", m.topicArn(), e.toString());
            return Response.of(502, new JSONObject().put("status", "error").put("reason", "confirmation failed"));
        }
        confirmations.add();
        log.info("SNS: confirmed the subscription to topic {}", m.topicArn());
        ledger.recordMessage(m, null, sentAt(m), clock.instant());
        return Response.of(200, new JSONObject().put("status", "confirmed"));
    }

    // ---- notifications ---------------------------------------------------------------------------

    private Response notification(SnsMessage m, String remote) {
        if (ledger.messageSeen(m.messageId())) {
            return duplicate("message", m.messageId());
        }
        MturkEventDocument doc;
        try {
            doc = MturkEventDocument.parse(m.message());
        } catch (MalformedNotificationException e) {
            // Signed by a trusted topic, yet not an event document (a test publish, say).
            return malformed(e.getMessage(), m.type().wire(), remote);
        }
        ReentrantLock lock = stripes[Math.floorMod(doc.eventDocId().hashCode(), STRIPES)];
        lock.lock();
        try {
            if (ledger.messageSeen(m.messageId())) {
                return duplicate("message", m.messageId());
            }
            Instant now = clock.instant();
            if (ledger.documentSeen(doc.eventDocId())) {
                ledger.recordMessage(m, doc.eventDocId(), sentAt(m), now);
                return duplicate("event document", doc.eventDocId());
            }
            List<String> results;
            try {
                results = apply(doc, verifier.policy().signedLocally(m.field("SigningCertURL")));
            } catch (ApplyFailed e) {
                log.warn("SNS: event document {} not applied, SNS will deliver it again: {}", doc.eventDocId(),
                        e.getMessage());
                return Response.of(503, new JSONObject().put("status", "error").put("reason", "try again"));
            }
            if (!ledger.recordDocument(m, sentAt(m), doc, results, clock.instant())) {
                return duplicate("event document", doc.eventDocId());
            }
            processed.add();
            JSONArray events = new JSONArray();
            for (int i = 0; i < results.size(); i++) {
                events.put(new JSONObject().put("type", doc.events().get(i).eventType()).put("result", results.get(i)));
            }
            return Response.of(200, new JSONObject().put("status", "processed")
                    .put("eventDocId", doc.eventDocId()).put("events", events));
        } finally {
            lock.unlock();
        }
    }

    private static final class ApplyFailed extends Exception {
        ApplyFailed(String message) {
            super(message);
        }
    }

    /** Applies every event; returns each one's result. Throws when an effect could not be made durable. */
    private List<String> apply(MturkEventDocument doc, boolean signedLocally) throws ApplyFailed {
        List<String> results = new ArrayList<>();
        List<CompletableFuture<Outcome>> pending = new ArrayList<>();
        for (MturkEventDocument.Event e : doc.events()) {
            pending.add(null);
            if (signedLocally && !aboutLocalSession(e)) {
                results.add(WRONG_MARKETPLACE);
                log.warn("SNS: {} for HIT {} signed by the local marketplace refused: that HIT's session is not on "
                        + "the local marketplace", e.eventType(), e.hitId());
                continue;
            }
            if (e.isAcceptance()) {
                results.add(confirm(doc, e, pending));
                continue;
            }
            Optional<Departure> how = e.departure();
            if (how.isEmpty()) {
                results.add("recorded");
                log.debug("SNS: {} {} recorded", e.eventType(), e.assignmentId());
                continue;
            }
            if (e.assignmentId() == null) {
                results.add("no_assignment");
                continue;
            }
            String detail = detail(doc, e);
            try {
                pending.set(pending.size() - 1,
                        sessions.submitForAssignment(e.assignmentId(), e.workerId(), how.get(), ACTOR, detail));
                results.add(null);
            } catch (UnknownAssignmentException x) {
                if (how.get() != Departure.SUBMIT && e.hitId() != null) {
                    // Confirmed but never opened: its confirmation must not admit anyone any more.
                    results.add(release(doc, e, pending));
                } else {
                    results.add("unknown_assignment");
                    log.info("SNS: {} for assignment {} skipped: nobody opened it", e.eventType(), e.assignmentId());
                }
            } catch (PavilionException x) {
                results.add("refused:" + x.code());
            }
        }
        long deadline = System.nanoTime() + settings.applyTimeout().toNanos();
        for (int i = 0; i < pending.size(); i++) {
            CompletableFuture<Outcome> f = pending.get(i);
            if (f == null) {
                continue;
            }
            try {
                Outcome outcome = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                results.set(i, outcome.changesState() ? "applied" : "ignored");
            } catch (ExecutionException x) {
                if (x.getCause() instanceof PavilionException p) {
                    results.set(i, "refused:" + p.code());
                } else {
                    throw new ApplyFailed("event " + i + ": " + x.getCause());
                }
            } catch (TimeoutException x) {
                throw new ApplyFailed("event " + i + " not durable within " + settings.applyTimeout());
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new ApplyFailed("interrupted");
            }
        }
        return results;
    }

    /**
     * AssignmentAccepted: the marketplace confirms that this assignment of this HIT was taken (SPEC §4.1.0),
     * which is what lets a page claiming it into a queue. Returns the event's result, or null when its
     * effect is pending in {@code pending}.
     */
    private String confirm(MturkEventDocument doc, MturkEventDocument.Event e,
                           List<CompletableFuture<Outcome>> pending) throws ApplyFailed {
        if (e.assignmentId() == null || e.hitId() == null) {
            return "no_assignment";
        }
        try {
            long session = sessionOf(e.hitId());
            pending.set(pending.size() - 1, sessions.submit(session,
                    new QueueEvent.Confirm(e.assignmentId(), e.hitId(), e.workerId()), ACTOR, detail(doc, e)));
            return null;
        } catch (PavilionException x) {
            log.debug("SNS: {} for assignment {} of HIT {} skipped: {}", e.eventType(), e.assignmentId(), e.hitId(),
                    x.getMessage());
            return "refused:" + x.code();
        }
    }

    private String release(MturkEventDocument doc, MturkEventDocument.Event e,
                           List<CompletableFuture<Outcome>> pending) throws ApplyFailed {
        try {
            long session = sessionOf(e.hitId());
            pending.set(pending.size() - 1, sessions.submit(session, new QueueEvent.Release(e.assignmentId()), ACTOR,
                    detail(doc, e)));
            return null;
        } catch (PavilionException x) {
            return "refused:" + x.code();
        }
    }

    /** The result of an event the local marketplace signed about a HIT that is not on it. */
    static final String WRONG_MARKETPLACE = "refused:wrong_marketplace";

    /** Whether an event names a HIT of a session on the local marketplace (one naming no HIT does not). */
    private boolean aboutLocalSession(MturkEventDocument.Event e) throws ApplyFailed {
        if (e.hitId() == null) {
            return false;
        }
        try {
            Optional<Long> session = hits.sessionOf(e.hitId());
            return session.isEmpty() || hits.onLocalMarketplace(session.get()); // unknown: refused further on
        } catch (MarketplaceException x) {
            throw new ApplyFailed("HIT " + e.hitId() + " could not be looked up: " + x.getMessage());
        }
    }

    /** The HIT's session; when the marketplace cannot be asked now, SNS is asked to deliver again (503). */
    private long sessionOf(String hitId) throws ApplyFailed {
        try {
            return hits.sessionOf(hitId).orElseThrow(() -> new UnknownHitException(hitId));
        } catch (MarketplaceException x) {
            throw new ApplyFailed("HIT " + hitId + " could not be looked up: " + x.getMessage());
        }
    }

    private static String detail(MturkEventDocument doc, MturkEventDocument.Event e) {
        return SqlSupport.clip(e.eventType() + " at " + e.eventTimestamp() + " (MTurk event document "
                + doc.eventDocId() + ")", 500);
    }

    // ---- answers ---------------------------------------------------------------------------------

    private Response duplicate(String what, String id) {
        duplicates.add();
        log.debug("SNS: duplicate {} {} ignored", what, id);
        return Response.of(200, new JSONObject().put("status", "duplicate"));
    }

    private Response forbidden(String reason, String type, String remote) {
        refused.add();
        log.warn("SNS: refused a delivery from {}: {}", safe(remote), reason);
        logRefusal(403, reason, type, remote);
        return Response.of(403, new JSONObject().put("status", "refused").put("reason", reason));
    }

    private Response malformed(String reason, String type, String remote) {
        return malformedWithStatus(400, reason, type, remote);
    }

    private Response malformedWithStatus(int status, String reason, String type, String remote) {
        malformed.add();
        log.warn("SNS: malformed delivery from {}: {}", safe(remote), reason);
        logRefusal(status, reason, type, remote);
        return Response.of(status, new JSONObject().put("status", "malformed").put("reason", reason));
    }

    private void logRefusal(int status, String reason, String type, String remote) {
        try {
            ledger.recordRefusal(clock.instant(), status, reason, safe(type), safe(remote), settings.refusalLogSize());
        } catch (RuntimeException e) {
            log.warn("SNS: could not log a refusal: {}", e.toString());
        }
    }

    /** Sender-controlled text cut short and stripped of control characters. */
    static String safe(String value) {
        if (value == null) {
            return null;
        }
        String clipped = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        return clipped.replaceAll("\\p{Cntrl}", "?");
    }

    private static Instant sentAt(SnsMessage m) {
        return OffsetDateTime.parse(m.timestamp()).toInstant(); // verified to parse
    }

    private void prunePeriodically() {
        long now = clock.millis();
        long last = lastPrune.get();
        if (now - last < Duration.ofHours(1).toMillis() || !lastPrune.compareAndSet(last, now)) {
            return;
        }
        try {
            ledger.prune(clock.instant().minus(settings.dedupRetention()));
        } catch (RuntimeException e) {
            log.warn("SNS: pruning the notification ledger failed: {}", e.toString());
        }
    }
}
