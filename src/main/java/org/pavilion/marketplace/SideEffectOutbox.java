package org.pavilion.marketplace;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.pavilion.marketplace.Marketplace.Hit;
import org.pavilion.project.Task;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.Decision;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.QueueEvent;
import org.pavilion.session.GoLiveIntent;
import org.pavilion.session.HitExpiryRequest;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.OutcomeListener;
import org.pavilion.storage.JdbcSessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The marketplace side effects other than hires, through durable outboxes sent the way hires are
 * ({@link OutboxLoop}, issue 13 item 1):
 *
 * <ul>
 * <li><b>Go-live posting.</b> The intent ({@link GoLiveIntent}) is recorded with its session before
 * CreateHIT; the HIT is posted with the session's post token as UniqueRequestToken. The admin's request
 * posts it at once ({@link #post}); an intent left POSTING by a crash is posted by this thread with the
 * same token, and a token the marketplace already saw is settled with the HIT annotated with it, so
 * no second HIT is ever posted. A go-live that failed (its session expired at once) but whose failed
 * call may have made the HIT (an outage, a lost answer) is CANCELLING: the HIT is looked for by token,
 * recorded and so expired; not found after {@link HireDispatcher.TokenLookup#attempts()} lookups, the
 * intent is FAILED.</li>
 * <li><b>HIT expiry.</b> The expiry of a session writes one row per HIT in its transaction, and a HIT
 * recorded after its session expired (a hire in flight, a late go-live) gets one in the transaction
 * that records it. This thread calls UpdateExpirationForHIT until the marketplace confirms, with
 * backoff; attempts and the last error are shown to the admin meanwhile.</li>
 * </ul>
 */
public final class SideEffectOutbox extends OutboxLoop implements OutcomeListener {

    private static final Logger log = LoggerFactory.getLogger(SideEffectOutbox.class);

    private final SessionMarketplace marketplace;
    private final ObjectProvider<LiveSessionService> sessions;
    private final JdbcSessionStore store;
    private final TaskRepository tasks;
    private final Clock clock;
    private final HireDispatcher.TokenLookup lookup;
    private final String notificationTopicArn;
    private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
    private final Map<String, Integer> misses = new ConcurrentHashMap<>();
    /** Go-lives (task/click) an admin's request is recording or posting right now: this thread leaves them alone. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    public SideEffectOutbox(SessionMarketplace marketplace, ObjectProvider<LiveSessionService> sessions,
                            JdbcSessionStore store, TaskRepository tasks, Clock clock, Duration poll,
                            Duration maxBackoff, HireDispatcher.TokenLookup lookup, String notificationTopicArn) {
        super("side-effects", poll, maxBackoff);
        this.marketplace = marketplace;
        this.sessions = sessions;
        this.store = store;
        this.tasks = tasks;
        this.clock = clock;
        this.lookup = lookup;
        this.notificationTopicArn = notificationTopicArn;
    }

    @Override
    public void committed(long sessionId, Outcome outcome) {
        if (outcome.facts().stream().anyMatch(f -> f instanceof Decision.PhaseChange p
                && p.phase() == Decision.Phase.EXPIRED)) {
            wake();
        }
    }

    @Override
    public void dispatchPending() {
        Instant now = clock.instant();
        for (GoLiveIntent intent : store.pendingGoLives()) {
            if (due(intent.token(), now) && claim(intent.taskId(), intent.nonce())) {
                try {
                    settle(intent);
                } finally {
                    release(intent.taskId(), intent.nonce());
                }
            }
        }
        for (HitExpiryRequest expiry : store.pendingHitExpiries()) {
            if (due(expiry.hitId(), now)) {
                expire(expiry);
            }
        }
    }

    private boolean due(String key, Instant now) {
        Instant wait = notBefore.get(key);
        return wait == null || !wait.isAfter(now);
    }

    // ---- go live -----------------------------------------------------------------------------

    private static String click(long taskId, String nonce) {
        return taskId + "/" + nonce;
    }

    /**
     * Claims a go-live click for the admin's request, before its intent is recorded, so this thread does
     * not post it at the same time (which would be harmless, the token being the same, but could make the
     * request see a HIT it cannot list yet). False if another request holds it. {@link #release} after.
     */
    public boolean claim(long taskId, String nonce) {
        return inFlight.add(click(taskId, nonce));
    }

    public void release(long taskId, String nonce) {
        inFlight.remove(click(taskId, nonce));
    }

    /**
     * Posts a go-live's HIT now, on the admin's request, which holds its {@link #claim}. A refusal is thrown after the session was
     * expired (nobody can have joined it); a failure that may have posted the HIT all the same leaves
     * the intent CANCELLING for this thread to find and expire that HIT.
     */
    public MarketplaceService.Posted post(GoLiveIntent intent) {
        if (!inFlight.contains(click(intent.taskId(), intent.nonce()))) {
            throw new IllegalStateException("go-live " + intent.token() + " was not claimed");
        }
        {
            int attempts = intent.attempts() + 1;
            store.updateGoLive(intent.sessionId(), GoLiveIntent.State.POSTING, attempts, intent.lastError());
            Hit hit;
            try {
                hit = createOrFind(intent);
            } catch (MarketplaceException e) {
                goLiveFailed(intent, attempts, e);
                throw e;
            }
            store.completeGoLive(intent.sessionId(), attempts, intent.hitTypeId(), hit.hitId(), hit.hitGroupId());
            try {
                marketplace.of(intent.sessionId()).registerNotifications(intent.hitTypeId(), notificationTopicArn,
                        MarketplaceService.EVENT_TYPES);
            } catch (RuntimeException e) {
                expireSession(intent.sessionId()); // its HIT is recorded, so the expiry outbox expires it
                throw e;
            }
            return new MarketplaceService.Posted(intent.sessionId(), intent.hitTypeId(), hit.hitId());
        }
    }

    /** Posts with the intent's token; a token already used is settled with the HIT annotated with it. */
    private Hit createOrFind(GoLiveIntent intent) {
        Marketplace market = marketplace.of(intent.sessionId());
        Task task = tasks.find(intent.taskId()).orElseThrow();
        int capacity = sessions.getObject().config(intent.sessionId()).thresholds().capacity();
        try {
            return market.createHit(intent.hitTypeId(), MarketplaceService.hit(task.settings(), capacity,
                    intent.token()), intent.token());
        } catch (RequestTokenUsedException e) {
            log.info("session {}: the marketplace had already seen token {}; taking the HIT it made",
                    intent.sessionId(), intent.token());
            return market.findHitByAnnotation(intent.hitTypeId(), intent.token())
                    .orElseThrow(() -> new MarketplaceException(e.errorCode(), "the marketplace had already seen "
                            + "token " + intent.token() + ", but lists no HIT of type " + intent.hitTypeId()
                            + " annotated with it yet; nothing was posted in its place", true, e));
        }
    }

    private void goLiveFailed(GoLiveIntent intent, int attempts, MarketplaceException e) {
        String error = e.errorCode() + ": " + e.getMessage();
        if (e.retryable()) {
            // The HIT may exist all the same (a lost answer): looked for by its token later.
            store.updateGoLive(intent.sessionId(), GoLiveIntent.State.CANCELLING, attempts, error);
            notBefore.put(intent.token(), clock.instant().plus(lookup.delay()));
        } else {
            store.updateGoLive(intent.sessionId(), GoLiveIntent.State.FAILED, attempts, error);
        }
        expireSession(intent.sessionId());
        log.warn("session {}: go-live of task {} failed ({}); the session is expired", intent.sessionId(),
                intent.taskId(), error);
    }

    /** Settles a go-live left pending (by a crash, or a failure that may have posted the HIT). */
    private void settle(GoLiveIntent intent) {
        int attempts = intent.attempts() + 1;
        boolean cancelling = intent.state() == GoLiveIntent.State.CANCELLING || store.sessionExpired(intent.sessionId());
        try {
            if (!cancelling) {
                Hit hit = createOrFind(intent);
                store.completeGoLive(intent.sessionId(), attempts, intent.hitTypeId(), hit.hitId(), hit.hitGroupId());
                forget(intent.token());
                log.info("session {}: go-live recovered: HIT {} (token {})", intent.sessionId(), hit.hitId(),
                        intent.token());
                try {
                    marketplace.of(intent.sessionId()).registerNotifications(intent.hitTypeId(), notificationTopicArn,
                            MarketplaceService.EVENT_TYPES);
                } catch (MarketplaceException e) {
                    log.error("session {}: notifications of HIT type {} could not be registered: {}",
                            intent.sessionId(), intent.hitTypeId(), e.getMessage());
                }
                return;
            }
            Optional<Hit> made = marketplace.of(intent.sessionId()).findHitByAnnotation(intent.hitTypeId(), intent.token());
            if (made.isPresent()) {
                // the failed go-live's HIT: recorded as its (expired) session's, so the expiry outbox expires it
                store.completeGoLive(intent.sessionId(), attempts, intent.hitTypeId(), made.get().hitId(),
                        made.get().hitGroupId());
                forget(intent.token());
                log.warn("session {}: the failed go-live had posted HIT {} all the same; it is being expired",
                        intent.sessionId(), made.get().hitId());
                return;
            }
            int missed = misses.merge(intent.token(), 1, Integer::sum);
            if (missed >= lookup.attempts()) {
                store.updateGoLive(intent.sessionId(), GoLiveIntent.State.FAILED, attempts, intent.lastError()
                        + " (no HIT with token " + intent.token() + " was posted)");
                forget(intent.token());
            } else {
                store.updateGoLive(intent.sessionId(), GoLiveIntent.State.CANCELLING, attempts, intent.lastError());
                notBefore.put(intent.token(), clock.instant().plus(lookup.delay()));
            }
        } catch (MarketplaceException e) {
            String error = e.errorCode() + ": " + e.getMessage();
            if (e.retryable() || cancelling) {
                store.updateGoLive(intent.sessionId(), intent.state(), attempts, error);
                notBefore.put(intent.token(), clock.instant().plus(backoff(attempts)));
                log.warn("session {}: go-live not settled yet ({}); retrying", intent.sessionId(), error);
            } else {
                store.updateGoLive(intent.sessionId(), GoLiveIntent.State.FAILED, attempts, error);
                forget(intent.token());
                expireSession(intent.sessionId());
                log.error("session {}: go-live refused by the marketplace: {}", intent.sessionId(), error);
            }
        }
    }

    private void expireSession(long sessionId) {
        try {
            sessions.getObject().apply(sessionId, new QueueEvent.Expire("system"), "system");
        } catch (RuntimeException e) {
            log.debug("session {} not expired (already ended?): {}", sessionId, e.getMessage());
        }
    }

    private void forget(String key) {
        notBefore.remove(key);
        misses.remove(key);
    }

    // ---- HIT expiry --------------------------------------------------------------------------

    static final String HIT_DOES_NOT_EXIST = "AWS.MechanicalTurk.HITDoesNotExist";

    private void expire(HitExpiryRequest expiry) {
        int attempts = expiry.attempts() + 1;
        try {
            marketplace.of(expiry.sessionId()).expireHit(expiry.hitId());
            store.updateHitExpiry(expiry.hitId(), true, attempts, null);
            forget(expiry.hitId());
            log.info("session {}: HIT {} expired at the marketplace", expiry.sessionId(), expiry.hitId());
        } catch (MarketplaceException e) {
            if (e instanceof org.pavilion.marketplace.mturk.MTurkException m
                    && HIT_DOES_NOT_EXIST.equals(m.turkErrorCode())) {
                // Nothing to expire: no worker can take a HIT the marketplace does not have (in local mode,
                // one posted before a restart emptied the in-memory marketplace).
                store.updateHitExpiry(expiry.hitId(), true, attempts, e.errorCode() + ": " + e.getMessage());
                forget(expiry.hitId());
                log.warn("session {}: HIT {} does not exist at the marketplace; nothing to expire",
                        expiry.sessionId(), expiry.hitId());
                return;
            }
            // retried until the marketplace confirms, whatever the error: a live HIT must not be forgotten
            Duration wait = backoff(attempts);
            notBefore.put(expiry.hitId(), clock.instant().plus(wait));
            store.updateHitExpiry(expiry.hitId(), false, attempts, e.errorCode() + ": " + e.getMessage());
            log.warn("session {}: HIT {} could not be expired yet ({}); retrying in {} ms", expiry.sessionId(),
                    expiry.hitId(), e.getMessage(), wait.toMillis());
        }
    }
}
