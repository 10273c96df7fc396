package org.pavilion.marketplace.local;

import java.net.URI;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import java.util.List;

import org.pavilion.marketplace.LocalHitsGone;
import org.pavilion.marketplace.MarketplaceSettings;
import org.pavilion.marketplace.WhenListening;
import org.pavilion.session.LiveSessionService;
import org.pavilion.storage.JdbcSessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The local marketplace, present when {@code pavilion.marketplace.mode} is {@code local} (the
 * default): {@link LocalMarketplace} (state and Java API), {@link LocalSns} with its
 * {@link SnsSigner}, the {@link MTurkNotifications} that connect them, the {@link SigV4Verifier}
 * of the MTurk API, the {@link FaultInjector}, and the schedule that runs
 * {@link LocalMarketplace#sweep()} every {@code pavilion.marketplace.local.sweep-interval} (from once the
 * web server listens).
 * Everything is in memory: a restart of Pavilion empties the local marketplace.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnLocalMarketplace
@EnableConfigurationProperties(LocalMarketplaceProperties.class)
public class LocalMarketplaceConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LocalMarketplaceConfiguration.class);

    @Bean
    LocalBaseUrl localBaseUrl(LocalMarketplaceProperties props, Environment environment) {
        return new LocalBaseUrl(props.baseUrl(), environment);
    }

    @Bean
    SnsSigner localSnsSigner(LocalMarketplaceProperties props) {
        return new SnsSigner(props.signatureVersion());
    }

    @Bean(destroyMethod = "close")
    LocalSns localSns(SnsSigner signer, LocalBaseUrl base, MarketplaceSettings settings,
                      LocalMarketplaceProperties props) {
        URI configured = settings.local().notifyUrl();
        return new LocalSns(signer, base, () -> subscriber(configured, base.base()), props, Clock.systemUTC());
    }

    /**
     * The subscriber of the local SNS topics: {@code pavilion.marketplace.local.notify-url}, a
     * relative one (e.g. {@code /test-receiver}) taken against this server's base URL, or by default
     * this server's {@code /api/from_mturk}.
     */
    static URI subscriber(URI configured, String base) {
        if (configured == null) {
            return URI.create(base + "/api/from_mturk");
        }
        if (configured.isAbsolute()) {
            return configured;
        }
        String path = configured.toString();
        return URI.create(base + (path.startsWith("/") ? "" : "/") + path);
    }

    @Bean
    MTurkNotifications localMTurkNotifications(LocalSns sns, LocalMarketplaceProperties props) {
        return new MTurkNotifications(sns, props.requesterId());
    }

    /** On the application's clock (a test may replace it to pass the 24 hours of token memory). */
    @Bean
    LocalMarketplace localMarketplace(LocalMarketplaceProperties props, MTurkNotifications notifications,
                                      LocalBaseUrl base, ObjectProvider<Clock> clock) {
        LocalMarketplace marketplace = new LocalMarketplace(props, clock.getIfAvailable(Clock::systemUTC), base::base);
        marketplace.addListener(notifications);
        return marketplace;
    }

    @Bean
    SigV4Verifier localSigV4Verifier(MarketplaceSettings settings, LocalMarketplaceProperties props) {
        return new SigV4Verifier(settings.local().accessKeyId(), settings.local().secretAccessKey(),
                settings.region(), props.maxClockSkew(), Clock.systemUTC());
    }

    @Bean
    FaultInjector localFaultInjector() {
        return new FaultInjector();
    }

    /**
     * Runs {@link LocalMarketplace#sweep()} on its own daemon thread (not a shared executor bean), from once
     * the web server listens: a sweep may send notifications to this server.
     */
    @Bean(destroyMethod = "stop")
    WhenListening localMarketplaceSweeper(LocalMarketplace marketplace, LocalMarketplaceProperties props) {
        long everyMillis = props.sweepInterval().toMillis();
        ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "local-marketplace-sweep");
            t.setDaemon(true);
            return t;
        });
        return new WhenListening("the local marketplace's sweep", () -> schedule.scheduleWithFixedDelay(() -> {
            try {
                marketplace.sweep();
            } catch (RuntimeException e) {
                log.warn("local marketplace sweep failed", e);
            }
        }, everyMillis, everyMillis, TimeUnit.MILLISECONDS), schedule::shutdownNow);
    }

    /**
     * Once the web server listens, notes the live sessions recovered from the database whose HITs this
     * (empty, restarted) local marketplace does not know: it keeps HITs in memory only. One WARN line per
     * such session; the admin session view says so next to its expire control ({@link LocalHitsGone}). Not when
     * {@code pavilion.marketplace.endpoint} points the Requester API elsewhere.
     */
    @Bean
    WhenListening localHitsGoneCheck(LocalMarketplace marketplace, LocalHitsGone gone, MarketplaceSettings settings,
                                     ObjectProvider<LiveSessionService> sessions, ObjectProvider<JdbcSessionStore> store) {
        return new WhenListening("the check for live sessions whose local HITs are gone", () -> {
            // With pavilion.marketplace.endpoint set, the HITs are on that marketplace (another process's,
            // which may well have outlived this one's restart), not on this embedded one: nothing to check.
            if (settings.endpoint() == null) {
                checkLocalHits(marketplace, gone, sessions.getObject(), store.getObject(),
                        settings.mode() == null || settings.mode() == MarketplaceSettings.Mode.LOCAL);
            }
        }, () -> { });
    }

    /** Whether a session went live on the local marketplace (older sessions: if it was the configured one). */
    private static boolean onLocal(JdbcSessionStore store, long sessionId, boolean localConfigured) {
        return store.marketplaceOf(sessionId).map("LOCAL"::equals).orElse(localConfigured);
    }

    static void checkLocalHits(LocalMarketplace marketplace, LocalHitsGone gone, LiveSessionService sessions,
                               JdbcSessionStore store) {
        checkLocalHits(marketplace, gone, sessions, store, true);
    }

    static void checkLocalHits(LocalMarketplace marketplace, LocalHitsGone gone, LiveSessionService sessions,
                               JdbcSessionStore store, boolean localConfigured) {
        for (long sessionId : sessions.sessionIds()) {
            try {
                if (store.sessionExpired(sessionId) || !onLocal(store, sessionId, localConfigured)) {
                    continue; // a session on MTurk keeps its HITs there
                }
                List<String> hits = store.sessionHits(sessionId);
                if (!hits.isEmpty() && hits.stream().noneMatch(marketplace::hasHit)) {
                    gone.add(sessionId);
                    log.warn("live session {}: its {} HIT(s) ({}) were on the local marketplace, which keeps them in "
                            + "memory only: they are gone since Pavilion restarted, no worker can join; expire the "
                            + "session", sessionId, hits.size(), String.join(", ", hits));
                }
            } catch (RuntimeException e) {
                log.warn("could not check the local HITs of session {}", sessionId, e);
            }
        }
    }
}
