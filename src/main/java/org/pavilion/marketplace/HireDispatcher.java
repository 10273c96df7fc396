package org.pavilion.marketplace;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.pavilion.marketplace.Marketplace.Hit;
import org.pavilion.project.Task;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.PavilionException;
import org.pavilion.session.HireRequest;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.OutcomeListener;
import org.pavilion.storage.JdbcSessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Sends the hire outbox (SPEC §4.8). A hire request is written in the same transaction as the
 * event that decided it; this thread sends it afterwards: one more one-assignment HIT of the
 * session's HIT type, with the request's deterministic token, so a resend after a crash or a
 * timeout never makes a second one. Throttling and outages are retried with backoff; a permanent
 * refusal marks the request FAILED for the admin to see; a session stopped or expired before its
 * hire was sent cancels it. A hire already sent when its session stopped or expired (its CreateHIT in
 * flight across the expiry: the answer lost, or the process killed before recording it) may have made its
 * HIT all the same: it is looked for by token, and recorded as the session's if found, so the HIT expiry
 * outbox expires it with the session's other HITs; if none is listed after the lookups, it is cancelled.
 *
 * <p>A resend whose token the marketplace has already seen ({@link RequestTokenUsedException}: the
 * first attempt made the HIT, but its answer was lost or the process stopped before recording it)
 * is settled with the HIT that first attempt made: the one Pavilion's own records already hold for
 * the token, else the HIT of the session's type whose RequesterAnnotation is the token
 * ({@link Marketplace#findHitByAnnotation}). The error's text is never read. If the marketplace
 * lists no such HIT, the lookup is tried again later, {@link TokenLookup#attempts()} times in all,
 * then the request is FAILED with the reason; a second HIT is never posted in its place. (The count
 * is kept in memory: a restart grants another round of lookups, which create nothing.) A request
 * sent before but still unsettled after the marketplace may have forgotten its token (about 24 h,
 * e.g. Pavilion was down) is looked up the same way before it is sent again.
 *
 * <p>States: REQUESTED (decided) → SENT (on its way; a crash here resends with the same token)
 * → DONE (the HIT exists) or FAILED. When a request may be tried again (backoff, the next lookup) is kept
 * with it in the database, so the poll reads only due requests.
 *
 * <p><b>Sends in parallel (issue 15).</b> Up to {@link #concurrency()} requests are sent at once, each on one
 * of as many sender threads; the loop thread only reads what is due and hands it out, and each send that ends
 * wakes it for the next. A request is claimed by its token before it is handed out and re-read once claimed
 * (sent only if still unsettled and due), so the same request is never in flight twice, here or after a
 * send that settled it a moment before. Each poll reads at most {@code free senders + sends in flight} due
 * requests ({@link JdbcSessionStore#dueHireRequests}), in turns across sessions: every session's oldest due
 * request before any session's second, sessions taken round-robin from the one after the last served, so a
 * session with a long backlog does not hold another's hire back by more than one send.
 */
public final class HireDispatcher extends OutboxLoop implements OutcomeListener {

    private static final Logger log = LoggerFactory.getLogger(HireDispatcher.class);

    private final SessionMarketplace marketplace;
    private final ObjectProvider<LiveSessionService> sessions; // lazy: the service also lists this listener
    private final JdbcSessionStore store;
    private final TaskRepository tasks;
    private final Clock clock;
    /**
     * How long the marketplace surely remembers a UniqueRequestToken: MTurk keeps them 24 hours;
     * an hour less, for clock differences and the time between a request's decision and its send.
     */
    static final Duration TOKEN_MEMORY = Duration.ofHours(23);
    private static final String SETTLED = "settled with the HIT its first attempt made,";

    private final TokenLookup lookup;
    private final int concurrency;
    private final ExecutorService senders;
    /** Free senders: a request is handed out only with one. */
    private final Semaphore free;
    /** Tokens of the requests being sent right now: each at most once. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** The session whose request was handed out last: the next turn starts after it (round-robin). */
    private volatile long lastServed;
    /** Tokens the marketplace said were used, with how many lookups have not found their HIT yet. */
    private final Map<String, Integer> usedTokens = new ConcurrentHashMap<>();
    /** Tokens of sent hires whose session was cancelled since, with how many lookups have not found their HIT. */
    private final Map<String, Integer> cancelledLookups = new ConcurrentHashMap<>();

    /**
     * How a hire whose token was already used looks for the HIT its first attempt made.
     *
     * @param attempts lookups in all before the request is FAILED (at least 1)
     * @param delay    the wait between two lookups (a HIT just made may not be listed yet)
     */
    public record TokenLookup(int attempts, Duration delay) {
        public TokenLookup {
            if (attempts < 1) {
                throw new IllegalArgumentException("pavilion.marketplace.hire-lookup-attempts must be at least 1");
            }
            if (delay == null || delay.isNegative()) {
                throw new IllegalArgumentException("pavilion.marketplace.hire-lookup-delay must not be negative");
            }
        }

        public static TokenLookup defaults() {
            return new TokenLookup(5, Duration.ofMinutes(1));
        }
    }

    public HireDispatcher(SessionMarketplace marketplace, ObjectProvider<LiveSessionService> sessions, JdbcSessionStore store,
                          TaskRepository tasks, Clock clock, Duration poll, Duration maxBackoff) {
        this(marketplace, sessions, store, tasks, clock, poll, maxBackoff, TokenLookup.defaults());
    }

    public HireDispatcher(SessionMarketplace marketplace, ObjectProvider<LiveSessionService> sessions, JdbcSessionStore store,
                          TaskRepository tasks, Clock clock, Duration poll, Duration maxBackoff, TokenLookup lookup) {
        this(marketplace, sessions, store, tasks, clock, poll, maxBackoff, lookup, DEFAULT_CONCURRENCY);
    }

    /**
     * The default number of hires sent at once. A CreateHIT takes some 0.2–0.5 s at MTurk, so 8 senders post
     * some 15–40 hires a second, above what 100 sessions of 20+20 turning over need at their peak (4,000 workers
     * each replaced every five minutes or so: about 13 a second); more would mostly buy MTurk's throttling
     * (which is retried with backoff) and would compete with the session writers for database connections.
     */
    public static final int DEFAULT_CONCURRENCY = 8;

    public HireDispatcher(SessionMarketplace marketplace, ObjectProvider<LiveSessionService> sessions, JdbcSessionStore store,
                          TaskRepository tasks, Clock clock, Duration poll, Duration maxBackoff, TokenLookup lookup,
                          int concurrency) {
        super("hires", poll, maxBackoff);
        if (concurrency < 1) {
            throw new IllegalArgumentException("pavilion.marketplace.hire-concurrency must be at least 1");
        }
        this.concurrency = concurrency;
        this.free = new Semaphore(concurrency);
        AtomicInteger n = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "pavilion-hires-send-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        this.marketplace = marketplace;
        this.sessions = sessions;
        this.store = store;
        this.tasks = tasks;
        this.clock = clock;
    }

    @Override
    public void committed(long sessionId, Outcome outcome) {
        if (!outcome.hires().isEmpty()) {
            wake();
        }
    }

    /** How many hires are sent at once at most. */
    public int concurrency() {
        return concurrency;
    }

    /** The loop's round: hands out what is due to the free senders, without waiting; each send's end wakes it. */
    @Override
    protected void round() {
        start(new HashSet<>());
    }

    /**
     * One round over the outbox, waited for: every request due when it is called is tried once (in parallel, at
     * most {@link #concurrency()} at a time). Public for tests that drive the outbox step by step.
     */
    @Override
    public void dispatchPending() {
        Set<String> tried = new HashSet<>();
        while (true) {
            List<Future<?>> started = start(tried);
            if (started.isEmpty() && inFlight.isEmpty()) {
                return;
            }
            for (Future<?> f : started) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
            if (started.isEmpty()) {
                awaitASend(); // another caller's sends hold the senders: wait for one to end
            }
        }
    }

    /**
     * Hands the due requests to free senders, in the order of {@link JdbcSessionStore#dueHireRequests}, skipping
     * those in flight and those in {@code tried} (adding those it starts). Reads at most as many requests as
     * could be started, plus those that may be skipped.
     */
    private List<Future<?>> start(Set<String> tried) {
        int slots = free.availablePermits();
        if (slots == 0) {
            return List.of();
        }
        List<Future<?>> started = new ArrayList<>();
        for (HireRequest request : store.dueHireRequests(clock.instant(), slots + inFlight.size() + tried.size(),
                lastServed)) {
            if (tried.contains(request.token())) {
                continue;
            }
            if (!free.tryAcquire()) {
                break; // every sender is busy (another caller took the last): the rest waits for the next round
            }
            if (!inFlight.add(request.token())) {
                free.release();
                continue;
            }
            try {
                started.add(senders.submit(() -> send(request)));
            } catch (RejectedExecutionException closed) {
                released(request);
                break;
            }
            tried.add(request.token());
            lastServed = request.sessionId();
        }
        return started;
    }

    /** One request, on a sender: re-read now that it is claimed, and sent only if still unsettled and due. */
    private void send(HireRequest claimed) {
        boolean ended = false;
        try {
            store.dueHireRequest(claimed.sessionId(), claimed.number(), clock.instant()).ifPresent(this::dispatch);
            ended = true;
        } catch (RuntimeException e) {
            // e.g. the database is down: tried again at a later round, not at once (no wake-up)
            log.error("session {}: hire {} not sent this round; retrying", claimed.sessionId(), claimed.number(), e);
        } finally {
            released(claimed);
        }
        if (ended) {
            wake(); // a sender is free: the next due request can go
        }
    }

    private void released(HireRequest request) {
        inFlight.remove(request.token());
        free.release();
        synchronized (inFlight) {
            inFlight.notifyAll();
        }
    }

    private void awaitASend() {
        synchronized (inFlight) {
            try {
                if (!inFlight.isEmpty()) {
                    inFlight.wait(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the loop, then lets the sends in flight end (each settles or leaves its request to be resent). */
    @Override
    public void close() {
        super.close();
        senders.shutdown();
        try {
            senders.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void dispatch(HireRequest request) {
        long s = request.sessionId();
        int attempts = request.attempts() + 1;
        Optional<String> cancelled = whyCancelled(s);
        if (cancelled.isPresent()) {
            if (request.state() == HireRequest.State.SENT) {
                cancelSent(request, cancelled.get());
                return;
            }
            store.updateHireRequest(s, request.number(), HireRequest.State.FAILED, request.attempts(),
                    "cancelled: " + cancelled.get(), null);
            forget(request);
            return;
        }
        Optional<String> hitType = store.hitTypeOf(s);
        if (hitType.isEmpty()) {
            store.updateHireRequest(s, request.number(), HireRequest.State.FAILED, request.attempts(),
                    "the session was never posted on the marketplace, so there is no HIT type to hire with", null);
            return;
        }
        if (usedTokens.containsKey(request.token())) {
            // The marketplace already said the token was used: sending again would only repeat that.
            findHitOfUsedToken(request, hitType.get(), request.attempts());
            return;
        }
        if (request.state() == HireRequest.State.SENT
                && request.requestedAt().isBefore(clock.instant().minus(TOKEN_MEMORY))) {
            // Sent before, so long ago that the marketplace may have forgotten the token: a resend could
            // post a second HIT. If the first attempt made one, it is listed under the token: look first.
            Optional<String> earlier;
            try {
                earlier = earlierHit(s, request.token(), hitType.get());
            } catch (MarketplaceException e) {
                lookupFailed(request, request.attempts(), e);
                return;
            }
            if (earlier.isPresent()) {
                done(request, request.attempts(), hitType.get(), earlier.get(), SETTLED);
                return;
            }
        }
        Task task = tasks.find(sessions.getObject().config(s).taskId()).orElseThrow();
        store.updateHireRequest(s, request.number(), HireRequest.State.SENT, attempts, request.lastError(), null);
        try {
            Hit hit = marketplace.of(s).createHit(hitType.get(),
                    MarketplaceService.hit(task.settings(), 1, request.token()), request.token());
            done(request, attempts, hitType.get(), hit.hitId(), "posted as");
        } catch (RequestTokenUsedException e) {
            log.info("session {}: hire {}: the marketplace had already seen token {}; looking for the HIT it made",
                    s, request.number(), request.token());
            usedTokens.putIfAbsent(request.token(), 0);
            findHitOfUsedToken(request, hitType.get(), attempts);
        } catch (MarketplaceException e) {
            if (e.retryable()) {
                retryLater(request, attempts, e);
            } else {
                store.updateHireRequest(s, request.number(), HireRequest.State.FAILED, attempts,
                        e.errorCode() + ": " + e.getMessage(), null);
                forget(request);
                log.error("session {}: hire {} refused by the marketplace: {}", s, request.number(), e.getMessage());
            }
        }
    }

    /**
     * Settles a hire whose token the marketplace had already seen with the HIT its first attempt
     * made: from Pavilion's own records, else the marketplace's HIT of this type annotated with the
     * token. Not found: looked for again later, then FAILED; never a second HIT.
     */
    private void findHitOfUsedToken(HireRequest request, String hitTypeId, int attempts) {
        long s = request.sessionId();
        String token = request.token();
        Optional<String> hitId;
        try {
            hitId = earlierHit(s, token, hitTypeId);
        } catch (MarketplaceException e) {
            lookupFailed(request, attempts, e);
            return;
        }
        if (hitId.isPresent()) {
            done(request, attempts, hitTypeId, hitId.get(), SETTLED);
            return;
        }
        int misses = usedTokens.merge(token, 1, Integer::sum);
        String why = "the marketplace had already seen token " + token + ", so a first attempt made a HIT, but no HIT "
                + "of type " + hitTypeId + " with RequesterAnnotation " + token + " is listed";
        if (misses >= lookup.attempts()) {
            store.updateHireRequest(s, request.number(), HireRequest.State.FAILED, attempts, why + " after "
                    + misses + " lookups (was it deleted?). No second HIT was posted, so as never to hire twice: "
                    + "check the requester's HITs on the marketplace and hire by hand if needed", null);
            forget(request);
            log.error("session {}: hire {} FAILED: {} after {} lookups", s, request.number(), why, misses);
        } else {
            store.updateHireRequest(s, request.number(), HireRequest.State.SENT, attempts, why
                    + " yet; looking again in " + lookup.delay().toSeconds() + " s (lookup " + misses + " of "
                    + lookup.attempts() + ")", null, clock.instant().plus(lookup.delay()));
            log.warn("session {}: hire {}: {} yet (lookup {} of {})", s, request.number(), why, misses,
                    lookup.attempts());
        }
    }

    /**
     * Cancels a hire that was sent before its session stopped or expired. Its CreateHIT may have made the HIT
     * all the same (the answer lost, or the process stopped before recording it, the call having landed after
     * the expiry): the HIT is looked for by token, and if found recorded as the session's like any hire's, so
     * the expiry outbox expires it with its session's. Not found: looked for again, {@link TokenLookup#attempts()}
     * lookups in all, then FAILED as cancelled. Nothing is ever sent again.
     */
    private void cancelSent(HireRequest request, String why) {
        long s = request.sessionId();
        Optional<String> hitType = store.hitTypeOf(s);
        Optional<String> made = Optional.empty();
        if (hitType.isPresent()) {
            try {
                made = earlierHit(request.sessionId(), request.token(), hitType.get());
            } catch (MarketplaceException e) {
                lookupFailed(request, request.attempts(), e);
                return;
            }
        }
        if (made.isPresent()) {
            store.completeHireRequest(s, request.number(), request.attempts(), hitType.get(), made.get());
            forget(request);
            log.warn("session {}: hire {} was cancelled ({}), but its earlier attempt had made HIT {}: recorded as "
                    + "the session's{}", s, request.number(), why, made.get(),
                    store.sessionExpired(s) ? ", to be expired with it" : "");
            return;
        }
        int misses = hitType.isEmpty() ? lookup.attempts() : cancelledLookups.merge(request.token(), 1, Integer::sum);
        if (misses >= lookup.attempts()) {
            store.updateHireRequest(s, request.number(), HireRequest.State.FAILED, request.attempts(),
                    "cancelled: " + why + " (no HIT was made with token " + request.token() + ")", null);
            forget(request);
            return;
        }
        store.updateHireRequest(s, request.number(), HireRequest.State.SENT, request.attempts(), "being cancelled: "
                + why + "; looking for a HIT its earlier attempt may have made with token " + request.token()
                + " (lookup " + misses + " of " + lookup.attempts() + ")", null, clock.instant().plus(lookup.delay()));
    }

    /** The HIT an earlier attempt with this token made: in Pavilion's own records, else listed by the marketplace. */
    private Optional<String> earlierHit(long sessionId, String token, String hitTypeId) {
        Optional<String> recorded = store.hireHitIdByToken(token);
        return recorded.isPresent() ? recorded
                : marketplace.of(sessionId).findHitByAnnotation(hitTypeId, token).map(Hit::hitId);
    }

    private void lookupFailed(HireRequest request, int attempts, MarketplaceException e) {
        if (e.retryable()) {
            retryLater(request, attempts, e);
            return;
        }
        store.updateHireRequest(request.sessionId(), request.number(), HireRequest.State.FAILED, attempts,
                "looking for the HIT an earlier attempt with token " + request.token() + " made failed: "
                        + e.errorCode() + ": " + e.getMessage(), null);
        forget(request);
        log.error("session {}: hire {}: looking for the HIT of token {} failed: {}", request.sessionId(),
                request.number(), request.token(), e.getMessage());
    }

    /** Records the hire's HIT as every hire's is recorded: the session's HIT, the request DONE. */
    private void done(HireRequest request, int attempts, String hitTypeId, String hitId, String how) {
        store.completeHireRequest(request.sessionId(), request.number(), attempts, hitTypeId, hitId);
        forget(request);
        log.info("session {}: hire {} {} HIT {}", request.sessionId(), request.number(), how, hitId);
    }

    private void retryLater(HireRequest request, int attempts, MarketplaceException e) {
        Duration backoff = backoff(attempts);
        store.updateHireRequest(request.sessionId(), request.number(), HireRequest.State.SENT, attempts,
                e.getMessage(), null, clock.instant().plus(backoff));
        log.warn("session {}: hire {} not settled yet ({}); retrying in {} ms", request.sessionId(), request.number(),
                e.errorCode(), backoff.toMillis());
    }

    private void forget(HireRequest request) {
        usedTokens.remove(request.token());
        cancelledLookups.remove(request.token());
    }

    /** A stopped or ended session hires nobody, not even hires it decided before (SPEC §4.2). */
    private Optional<String> whyCancelled(long sessionId) {
        try {
            // The committed state, read without waiting for the session's writer (nor waking an ended one).
            var queues = sessions.getObject().published(sessionId);
            return queues.expired() ? Optional.of("the session expired")
                    : queues.stopped() ? Optional.of("the job was stopped") : Optional.<String>empty();
        } catch (PavilionException ended) {
            return Optional.of(ended.getMessage());
        }
    }
}
