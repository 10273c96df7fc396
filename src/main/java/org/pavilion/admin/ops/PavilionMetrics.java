package org.pavilion.admin.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.pavilion.admin.live.LiveControls;
import org.pavilion.admin.live.SessionQueries;
import org.pavilion.admin.security.LoginThrottle;
import org.pavilion.queue.Decision;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.HireRequest;
import org.pavilion.session.LiveSessionService;
import org.pavilion.queue.Queues;
import org.pavilion.queue.SessionEndedException;
import org.pavilion.session.OutcomeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Pavilion's own metrics (Micrometer; scraped at {@code /actuator/prometheus}):
 *
 * <ul>
 * <li>{@code pavilion_queue_waiting{session}}, {@code pavilion_queue_active{session}},
 *     {@code pavilion_queue_capacity{session}}: each live session's queues (a session's gauges go
 *     when it ends); {@code pavilion_sessions_live}: how many sessions are live;</li>
 * <li>{@code pavilion_hires{state}}: hire requests by state, {@code pending} (written, not yet
 *     sent), {@code sent}, {@code done}, {@code failed};</li>
 * <li>{@code pavilion_handoff_latency_seconds{cause}}: from the moment an active worker's departure
 *     (or an admin's migrate) was applied to the session to the moment the promoted worker's
 *     {@code start_your_task} was handed to delivery, which is after the event was made durable.
 *     {@code cause} is {@code promoted} (SPEC 4.2.3) or {@code migrated} (SPEC 4.6); the promotions
 *     that start a session are not handoffs;</li>
 * <li>{@code pavilion_notifications_total{outcome}}: marketplace notifications by outcome:
 *     {@code accepted}, {@code refused} (not verified), {@code duplicate}, {@code malformed},
 *     {@code unverifiable} (certificate unavailable), {@code confirmation}; counted where they are
 *     handled, by {@code org.pavilion.marketplace.notify.NotificationIntake};</li>
 * <li>{@code pavilion_side_effects{kind, state}}: the marketplace side effects other than hires (issue 13
 *     item 1, {@link SideEffectsStatus}): {@code kind="hit_expiry"} {@code pending} (not yet confirmed by the
 *     marketplace) and {@code failing} (pending, its last attempt failed: retried until the marketplace
 *     confirms); {@code kind="go_live"} {@code pending} (posting, or cancelling after a failure), {@code failing}
 *     and {@code failed} (ended without a HIT); and {@code pavilion_side_effects_oldest_pending_seconds{kind}},
 *     the age of the oldest pending one (alert on it: a HIT that is not expired can still be taken);</li>
 * <li>{@code pavilion_login_throttled_total{reason}}: admin logins and API requests refused by the
 *     login throttle, {@code reason} {@code account} (too many failed logins for the email) or
 *     {@code address} (too many failed logins and invalid API tokens from the client address).</li>
 * </ul>
 *
 * <p>The real-time channel's abuse limits register their own meters where they are enforced:
 * {@code pavilion_realtime_refused_total{reason}} ({@code event_rate}, {@code event_flood},
 * {@code second_chat_socket}: {@code org.pavilion.realtime.EventLimits}; {@code address_connections},
 * {@code handshake_rate}, {@code slow_polling_client}: {@code org.pavilion.realtime.transport};
 * {@code chat_rate}: {@code org.pavilion.tasklogic.GroupChat}), and the gauges
 * {@code pavilion_realtime_connections} and {@code pavilion_realtime_addresses}.
 *
 * <p>As an {@link OutcomeListener} it runs on the commit thread, so it only notes what it saw and
 * hands the rest (a log lookup, gauge bookkeeping) to its own thread.
 */
@Component
public class PavilionMetrics implements OutcomeListener, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(PavilionMetrics.class);
    private static final Duration COUNTS_TTL = Duration.ofMillis(500);
    private static final Duration HIRES_TTL = Duration.ofSeconds(2);
    private static final long SYNC_SECONDS = 10;

    private final MeterRegistry registry;
    private final ObjectProvider<LiveSessionService> sessions;
    private final SessionQueries queries;
    private final Clock clock;
    private final Timer promotedLatency;
    private final Timer migratedLatency;
    /** Held here too: a FunctionCounter keeps only a weak reference to the object it reads. */
    private final LoginThrottle loginThrottle;
    private final ScheduledThreadPoolExecutor worker;
    private final Map<Long, SessionGauges> gauges = new ConcurrentHashMap<>();
    private volatile CachedHires hires = new CachedHires(Instant.EPOCH, Map.of());
    private final SideEffectsStatus sideEffects;
    private volatile CachedSideEffects sideEffectCounts = new CachedSideEffects(Instant.EPOCH,
            new SideEffectsStatus.Counts(0, 0, null, 0, 0, 0, null));

    public PavilionMetrics(MeterRegistry registry, ObjectProvider<LiveSessionService> sessions, SessionQueries queries,
                           LoginThrottle loginThrottle, SideEffectsStatus sideEffects, Clock clock) {
        this.registry = registry;
        this.sessions = sessions;
        this.queries = queries;
        this.clock = clock;
        this.promotedLatency = handoffTimer("promoted");
        this.migratedLatency = handoffTimer("migrated");
        for (HireRequest.State state : HireRequest.State.values()) {
            Gauge.builder("pavilion.hires", this, m -> m.hireCount(state))
                    .description("Hire requests by state (pending: written, not yet sent)")
                    .tag("state", hireStateName(state)).strongReference(true).register(registry);
        }
        Gauge.builder("pavilion.sessions.live", gauges, Map::size).description("Live sessions")
                .strongReference(true).register(registry);
        this.sideEffects = sideEffects;
        sideEffectGauge("hit_expiry", "pending", SideEffectsStatus.Counts::expiriesPending,
                "HIT expiries not yet confirmed by the marketplace");
        sideEffectGauge("hit_expiry", "failing", SideEffectsStatus.Counts::expiriesFailing,
                "HIT expiries not yet confirmed whose last attempt failed (retried until the marketplace confirms)");
        sideEffectGauge("go_live", "pending", SideEffectsStatus.Counts::goLivesPending,
                "Go-lives posting, or cancelling after a failure");
        sideEffectGauge("go_live", "failing", SideEffectsStatus.Counts::goLivesFailing,
                "Go-lives posting or cancelling whose last attempt failed");
        sideEffectGauge("go_live", "failed", SideEffectsStatus.Counts::goLivesFailed,
                "Go-lives that ended without a HIT (their session expired at once)");
        for (String kind : new String[] {"hit_expiry", "go_live"}) {
            Gauge.builder("pavilion.side.effects.oldest.pending", this, m -> m.oldestPendingSeconds(kind))
                    .description("Age of the oldest side effect of this kind not yet confirmed (0: none pending)")
                    .baseUnit("seconds").tag("kind", kind).strongReference(true).register(registry);
        }
        this.loginThrottle = loginThrottle;
        for (LoginThrottle.Reason reason : LoginThrottle.Reason.values()) {
            FunctionCounter.builder("pavilion.login.throttled", loginThrottle, t -> t.throttled(reason))
                    .description("Admin logins and API requests refused by the login throttle")
                    .tag("reason", reason.tag()).register(registry);
        }

        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "pavilion-metrics");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.worker = executor;
        // Sessions recovered at start (see ready()), and any missed bookkeeping, are picked up here.
        executor.scheduleWithFixedDelay(this::sync, SYNC_SECONDS, SYNC_SECONDS, TimeUnit.SECONDS);
    }

    private Timer handoffTimer(String cause) {
        return Timer.builder("pavilion.handoff.latency")
                .description("From a departure (or migrate) being applied to the promoted worker's start_your_task "
                        + "being handed to delivery")
                .tag("cause", cause)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    static String hireStateName(HireRequest.State state) {
        return state == HireRequest.State.REQUESTED ? "pending" : state.name().toLowerCase(java.util.Locale.ROOT);
    }

    // ---- the commit thread ---------------------------------------------------------------------

    @Override
    public void committed(long sessionId, Outcome outcome) {
        Instant handedOver = clock.instant();
        List<Decision.StatusChange> promotions = null;
        boolean expired = false;
        boolean activeLeft = false;
        for (Decision d : outcome.decisions()) {
            if (d instanceof Decision.StatusChange c) {
                if (c.from() == WorkerStatus.ACTIVE && !c.to().inQueue()) {
                    activeLeft = true;
                } else if (c.to() == WorkerStatus.ACTIVE && (c.cause() == Decision.Cause.MIGRATED
                        || c.cause() == Decision.Cause.PROMOTED && activeLeft)) {
                    // A handoff: an active worker left and the next one takes its place (SPEC 4.2.3), or
                    // an admin's migrate. The promotions that start a session are not handoffs.
                    if (promotions == null) {
                        promotions = new ArrayList<>(1);
                    }
                    promotions.add(c);
                }
            } else if (d instanceof Decision.PhaseChange p && p.phase() == Decision.Phase.EXPIRED) {
                expired = true;
            }
        }
        boolean unknown = !gauges.containsKey(sessionId);
        if (promotions == null && !expired && !unknown) {
            return;
        }
        List<Decision.StatusChange> promoted = promotions;
        boolean ended = expired;
        offer(() -> {
            if (promoted != null) {
                for (Decision.StatusChange c : promoted) {
                    recordHandoff(sessionId, c, handedOver);
                }
            }
            if (ended) {
                untrack(sessionId);
            } else {
                track(sessionId);
            }
        });
    }

    private void offer(Runnable task) {
        if (worker.getQueue().size() > 10_000) {
            return; // never hold the commit thread up: metrics may miss a beat
        }
        try {
            worker.execute(task);
        } catch (RuntimeException e) {
            // shutting down
        }
    }

    private void recordHandoff(long sessionId, Decision.StatusChange c, Instant handedOver) {
        try {
            queries.lastPromotionAt(sessionId, c.workerId()).ifPresent(decided -> {
                Duration latency = Duration.between(decided, handedOver);
                if (!latency.isNegative()) {
                    (c.cause() == Decision.Cause.MIGRATED ? migratedLatency : promotedLatency).record(latency);
                }
            });
        } catch (RuntimeException e) {
            log.debug("handoff latency of session {} not recorded", sessionId, e);
        }
    }

    // ---- per-session gauges --------------------------------------------------------------------

    @EventListener(ApplicationReadyEvent.class)
    void ready() {
        offer(this::sync);
    }

    @EventListener
    void wentLive(LiveControls.SessionWentLive event) {
        track(event.sessionId());
    }

    /** Starts watching a live session (idempotent). */
    public void track(long sessionId) {
        gauges.computeIfAbsent(sessionId, id -> new SessionGauges(id, registry, this::readCounts));
    }

    void untrack(long sessionId) {
        SessionGauges g = gauges.remove(sessionId);
        if (g != null) {
            g.remove(registry);
        }
    }

    /** Every session the service holds: live ones get gauges, ended ones lose them. */
    void sync() {
        try {
            LiveSessionService service = sessions.getIfAvailable();
            if (service == null) {
                return;
            }
            List<Long> ids = service.sessionIds();
            for (Long id : ids) {
                Counts c = readCounts(id);
                if (c == null) {
                    continue; // busy or gone: decided on the next round
                }
                if (c.expired()) {
                    untrack(id);
                } else {
                    track(id);
                }
            }
            for (Long id : new ArrayList<>(gauges.keySet())) {
                if (!ids.contains(id)) {
                    untrack(id);
                }
            }
        } catch (RuntimeException e) {
            log.debug("metrics sync failed", e);
        }
    }

    /** A session's queue sizes, read on its writer between two events. */
    record Counts(int waiting, int active, int capacity, boolean expired) {
    }

    Counts readCounts(long sessionId) {
        LiveSessionService service = sessions.getIfAvailable();
        if (service == null) {
            return null;
        }
        try {
            // As last committed: a scrape never waits for a session's writer.
            Queues s = service.published(sessionId);
            return new Counts(s.waiting().size(), s.active().size(), service.config(sessionId).thresholds().capacity(),
                    s.expired());
        } catch (SessionEndedException ended) {
            return new Counts(0, 0, 0, true); // ended and dormant
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The three gauges of one session, reading its queues at most every {@link #COUNTS_TTL}. */
    private static final class SessionGauges {
        private final long sessionId;
        private final java.util.function.LongFunction<Counts> reader;
        private final List<Meter> meters = new ArrayList<>(3);
        private volatile Counts last;
        private volatile long lastNanos;

        SessionGauges(long sessionId, MeterRegistry registry, java.util.function.LongFunction<Counts> reader) {
            this.sessionId = sessionId;
            this.reader = reader;
            String tag = Long.toString(sessionId);
            meters.add(Gauge.builder("pavilion.queue.waiting", this, g -> g.value(Counts::waiting))
                    .description("Workers in the session's waiting queue").tag("session", tag)
                    .strongReference(true).register(registry));
            meters.add(Gauge.builder("pavilion.queue.active", this, g -> g.value(Counts::active))
                    .description("Workers in the session's active queue").tag("session", tag)
                    .strongReference(true).register(registry));
            meters.add(Gauge.builder("pavilion.queue.capacity", this, g -> g.value(Counts::capacity))
                    .description("The session's capacity (maxActive + maxWaiting)").tag("session", tag)
                    .strongReference(true).register(registry));
        }

        private double value(java.util.function.ToIntFunction<Counts> field) {
            Counts c = last;
            long now = System.nanoTime();
            if (c == null || now - lastNanos > COUNTS_TTL.toNanos()) {
                Counts fresh = reader.apply(sessionId);
                if (fresh != null) {
                    last = fresh;
                    lastNanos = now;
                    c = fresh;
                }
            }
            return c == null ? Double.NaN : field.applyAsInt(c);
        }

        void remove(MeterRegistry registry) {
            meters.forEach(registry::remove);
        }
    }

    // ---- hires ---------------------------------------------------------------------------------

    private record CachedHires(Instant at, Map<HireRequest.State, Long> counts) {
    }

    private double hireCount(HireRequest.State state) {
        CachedHires c = hires;
        Instant now = Instant.now();
        if (Duration.between(c.at(), now).compareTo(HIRES_TTL) > 0) {
            try {
                c = new CachedHires(now, new EnumMap<>(queries.hiresByState()));
                hires = c;
            } catch (RuntimeException e) {
                log.debug("hire counts not read", e);
            }
        }
        Long n = c.counts().get(state);
        return n == null ? 0 : n;
    }

    // ---- marketplace side effects (go-live, HIT expiry) ----------------------------------------

    private record CachedSideEffects(Instant at, SideEffectsStatus.Counts counts) {
    }

    private void sideEffectGauge(String kind, String state, java.util.function.ToLongFunction<SideEffectsStatus.Counts> field,
                                 String description) {
        Gauge.builder("pavilion.side.effects", this, m -> field.applyAsLong(m.sideEffectCounts()))
                .description(description).tag("kind", kind).tag("state", state).strongReference(true)
                .register(registry);
    }

    private double oldestPendingSeconds(String kind) {
        SideEffectsStatus.Counts c = sideEffectCounts();
        Instant oldest = kind.equals("hit_expiry") ? c.oldestExpiryPending() : c.oldestGoLivePending();
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
    }

    /** The outboxes' counts, read at most every {@link #HIRES_TTL} (the last ones while they cannot be read). */
    private SideEffectsStatus.Counts sideEffectCounts() {
        CachedSideEffects c = sideEffectCounts;
        Instant now = Instant.now();
        if (Duration.between(c.at(), now).compareTo(HIRES_TTL) > 0) {
            try {
                c = new CachedSideEffects(now, sideEffects.counts());
            } catch (RuntimeException e) {
                log.debug("side effect counts not read", e);
                c = new CachedSideEffects(now, c.counts()); // not again before the TTL: the database may be stalled
            }
            sideEffectCounts = c;
        }
        return c.counts();
    }

    @Override
    public void destroy() {
        worker.shutdownNow();
    }
}
