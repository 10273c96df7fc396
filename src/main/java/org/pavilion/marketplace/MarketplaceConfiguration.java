package org.pavilion.marketplace;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.pavilion.project.TaskRepository;
import org.pavilion.session.LiveSessionService;
import org.pavilion.storage.JdbcSessionStore;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The marketplace side of live sessions: the hire outbox, HIT expiry and reconciliation. The outbox and
 * the reconciliation start only once the web server listens ({@link WhenListening}): a hire left pending
 * before a restart is sent then, not while the application is still starting.
 */
@Configuration(proxyBeanMethods = false)
class MarketplaceConfiguration {

    /** Each session's calls to the marketplace it went live on (resolved at the call: no cycle at start). */
    static SessionMarketplace bySession(ObjectProvider<Marketplaces> marketplaces) {
        return sessionId -> marketplaces.getObject().forSession(sessionId);
    }

    @Bean
    HitOwnership hitOwnership(JdbcSessionStore store, ObjectProvider<Marketplace> marketplace) {
        return new HitOwnership(store, marketplace);
    }

    @Bean(destroyMethod = "close")
    HireDispatcher hireDispatcher(ObjectProvider<Marketplaces> marketplace, ObjectProvider<LiveSessionService> sessions,
                                  JdbcSessionStore store, TaskRepository tasks, Clock clock,
                                  @Value("${pavilion.marketplace.hire-poll:5s}") Duration poll,
                                  @Value("${pavilion.marketplace.hire-max-backoff:5m}") Duration maxBackoff,
                                  @Value("${pavilion.marketplace.hire-lookup-attempts:5}") int lookupAttempts,
                                  @Value("${pavilion.marketplace.hire-lookup-delay:1m}") Duration lookupDelay,
                                  @Value("${pavilion.marketplace.hire-concurrency:" + HireDispatcher.DEFAULT_CONCURRENCY
                                          + "}") int concurrency) {
        return new HireDispatcher(bySession(marketplace), sessions, store, tasks, clock, poll, maxBackoff,
                new HireDispatcher.TokenLookup(lookupAttempts, lookupDelay), concurrency);
    }

    @Bean
    WhenListening hireDispatcherStart(HireDispatcher dispatcher) {
        return new WhenListening("the hire outbox", dispatcher::start, dispatcher::close);
    }

    @Bean(destroyMethod = "close")
    SideEffectOutbox sideEffectOutbox(ObjectProvider<Marketplaces> marketplace,
                                      ObjectProvider<LiveSessionService> sessions, JdbcSessionStore store,
                                      TaskRepository tasks, Clock clock, MarketplaceSettings settings,
                                      @Value("${pavilion.marketplace.hire-poll:5s}") Duration poll,
                                      @Value("${pavilion.marketplace.hire-max-backoff:5m}") Duration maxBackoff,
                                      @Value("${pavilion.marketplace.hire-lookup-attempts:5}") int lookupAttempts,
                                      @Value("${pavilion.marketplace.hire-lookup-delay:1m}") Duration lookupDelay) {
        return new SideEffectOutbox(bySession(marketplace), sessions, store, tasks, clock, poll, maxBackoff,
                new HireDispatcher.TokenLookup(lookupAttempts, lookupDelay), settings.notificationTopicArn());
    }

    @Bean
    WhenListening sideEffectOutboxStart(SideEffectOutbox outbox) {
        return new WhenListening("the go-live and HIT expiry outbox", outbox::start, outbox::close);
    }

    @Bean
    Reconciler reconciler(ObjectProvider<Marketplaces> marketplace, LiveSessionService sessions, JdbcSessionStore store,
                          @Value("${pavilion.marketplace.reconcile-batch:" + Reconciler.DEFAULT_BATCH + "}") int batch) {
        return new Reconciler(bySession(marketplace), sessions, store, batch);
    }

    /**
     * Lists the next slice of live sessions' HITs now and then ({@link Reconciler#reconcileNext()}), from once the
     * web server listens; {@code 0} turns it off. Every 20 s by default: at most 100 HITs (the default batch) each
     * time, some 5 listings a second at most, so a walk over 4,000 HITs (100 sessions of 20+20) takes ~14 minutes.
     */
    @Bean(destroyMethod = "stop")
    WhenListening reconciliationSchedule(Reconciler reconciler,
                                         @Value("${pavilion.marketplace.reconcile-interval:20s}") Duration interval) {
        ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pavilion-reconciliation");
            t.setDaemon(true);
            return t;
        });
        return new WhenListening("reconciliation", () -> {
            if (!interval.isZero()) {
                schedule.scheduleWithFixedDelay(() -> {
                    try {
                        reconciler.reconcileNext();
                    } catch (RuntimeException e) { // e.g. the database is down; a throw would end the schedule
                        LoggerFactory.getLogger(Reconciler.class).error("reconciliation step failed", e);
                    }
                }, interval.toMillis(), interval.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }, schedule::shutdownNow);
    }
}
