package org.pavilion.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pavilion.PavilionApplication;
import org.pavilion.admin.live.LiveControls;
import org.pavilion.admin.live.SessionView;
import org.pavilion.admin.live.SessionViews;
import org.pavilion.marketplace.local.FaultInjector;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.storage.JdbcSessionStore;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 13 item 1: go-live posting and HIT expiry go through durable outboxes and survive a restart.
 * The marketplace is a separate Pavilion in local mode (real HTTP, the MTurk API, fault injection) that
 * outlives the restarts; the Pavilion under test runs twice on the same H2 file database, talking to it
 * through {@code pavilion.marketplace.endpoint}.
 */
class SideEffectOutboxRestartTest {

    @TempDir
    Path dataDir;
    @TempDir
    Path marketDir;

    private ConfigurableApplicationContext market;

    /** Set in the first run of the go-live test: the process "dies" right after CreateHIT answered. */
    static volatile boolean crashAfterPost;

    @BeforeEach
    void startMarketplace() {
        market = new SpringApplication(PavilionApplication.class).run("--server.port=0",
                "--server.address=127.0.0.1", "--pavilion.data-dir=" + marketDir, "--pavilion.database.embedded=mem",
                "--pavilion.marketplace.mode=local", "--pavilion.marketplace.reconcile-interval=0");
    }

    @AfterEach
    void stopMarketplace() {
        crashAfterPost = false;
        market.close();
    }

    private LocalMarketplace local() {
        return market.getBean(LocalMarketplace.class);
    }

    private List<LocalMarketplace.HitView> postedHits() {
        return local().hits().stream().filter(h -> h.requesterAnnotation() != null
                && h.requesterAnnotation().endsWith("-post")).toList();
    }

    /** Pavilion on the data directory, with the separate marketplace; {@code crashing}: the go-live "dies" after CreateHIT. */
    private ConfigurableApplicationContext pavilion(boolean crashing, String poll) {
        SpringApplication app = new SpringApplication(PavilionApplication.class);
        if (crashing) {
            app.addInitializers(ctx -> ctx.getBeanFactory().addBeanPostProcessor(new CrashAfterPost()));
        }
        String endpoint = "http://127.0.0.1:" + market.getEnvironment().getProperty("local.server.port")
                + "/local-mturk/";
        return app.run("--server.port=0", "--server.address=127.0.0.1", "--pavilion.data-dir=" + dataDir,
                "--pavilion.database.embedded=file", "--pavilion.marketplace.mode=local",
                "--pavilion.marketplace.endpoint=" + endpoint, "--pavilion.marketplace.hire-poll=" + poll,
                "--pavilion.marketplace.hire-max-backoff=300ms", "--pavilion.marketplace.hire-lookup-delay=200ms",
                "--pavilion.marketplace.client.max-attempts=1", "--pavilion.marketplace.reconcile-interval=0");
    }

    private static long task(ConfigurableApplicationContext p) {
        long project = p.getBean(ProjectRepository.class).create("Outbox", "", Instant.now()).id();
        return p.getBean(TaskRepository.class).create(project, TaskSettings.basic("Steer a robot together",
                "A live task for several workers", "http://127.0.0.1:1/waiting_task", 50,
                new Thresholds(1, 0, 2, 2)), Instant.now()).id();
    }

    private static List<Long> sessionsOf(ConfigurableApplicationContext p, long task) {
        return p.getBean(JdbcTemplate.class).queryForList("select id from live_session where task_id = ? order by id",
                Long.class, task);
    }

    @Test
    void aGoLiveInterruptedBetweenCreateHitAndItsRecordIsRecoveredByTokenAfterARestart() {
        long task;
        crashAfterPost = true;
        try (ConfigurableApplicationContext first = pavilion(true, "1h")) {
            task = task(first);
            MarketplaceService service = first.getBean(MarketplaceService.class);
            assertThatThrownBy(() -> service.goLive(task, "admin@lab", "click-1"))
                    .isInstanceOf(SimulatedCrash.class);
        }
        crashAfterPost = false;
        assertThat(postedHits()).as("CreateHIT was carried out before the crash").hasSize(1);
        String hitId = postedHits().get(0).hitId();

        try (ConfigurableApplicationContext second = pavilion(false, "200ms")) {
            JdbcSessionStore store = second.getBean(JdbcSessionStore.class);
            List<Long> sessions = sessionsOf(second, task);
            assertThat(sessions).hasSize(1);
            long s = sessions.get(0);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(store.sessionHits(s)).as("the session's recorded HITs").containsExactly(hitId));
            assertThat(store.sessionExpired(s)).as("the session is live").isFalse();
            assertThat(postedHits()).as("no second HIT was posted").hasSize(1);
            assertThat(local().getHit(hitId).status()).isEqualTo("Assignable");

            // the same click again answers the recovered go-live: no second session, no second HIT
            MarketplaceService.Posted again = second.getBean(MarketplaceService.class).goLive(task, "admin@lab", "click-1");
            assertThat(again.sessionId()).isEqualTo(s);
            assertThat(again.hitId()).isEqualTo(hitId);
            assertThat(sessionsOf(second, task)).hasSize(1);
            assertThat(postedHits()).hasSize(1);
        }
    }

    @Test
    void aHitExpiryRefusedWith503IsRetriedAcrossARestartUntilTheHitIsExpiredAndShownMeanwhile() {
        long s;
        String hitId;
        try (ConfigurableApplicationContext first = pavilion(false, "200ms")) {
            long task = task(first);
            MarketplaceService.Posted posted = first.getBean(MarketplaceService.class).goLive(task, "admin@lab");
            s = posted.sessionId();
            hitId = posted.hitId();
            market.getBean(FaultInjector.class).failNext("UpdateExpirationForHIT", 100_000,
                    FaultInjector.Fault.HTTP_503);
            first.getBean(LiveControls.class).expire(s, "admin@lab");

            SessionViews views = first.getBean(SessionViews.class);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                SessionView.Marketplace m = views.view(s).marketplace();
                assertThat(m.hitsToExpire()).isEqualTo(1);
                assertThat(m.expiryNotice()).startsWith("1 HIT not yet expired: ").contains("ServiceUnavailable");
                assertThat(first.getBean(JdbcSessionStore.class).hitExpiries(s).get(0).attempts()).isGreaterThan(1);
            });
            assertThat(local().getHit(hitId).status()).as("still live at the marketplace").isEqualTo("Assignable");
        }
        // Pavilion is down; the marketplace recovers only after a few more refusals.
        market.getBean(FaultInjector.class).clear();
        market.getBean(FaultInjector.class).failNext("UpdateExpirationForHIT", 2, FaultInjector.Fault.HTTP_503);

        try (ConfigurableApplicationContext second = pavilion(false, "200ms")) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(local().getHit(hitId).status()).as("expired at the marketplace").isNotEqualTo("Assignable"));
            SessionViews views = second.getBean(SessionViews.class);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                SessionView.Marketplace m = views.view(s).marketplace();
                assertThat(m.hitsToExpire()).isZero();
                assertThat(m.hitsExpired()).isEqualTo(1);
                assertThat(m.expiryNotice()).isNull();
            });
        }
    }

    /** The process dying right after CreateHIT answered: nothing after the call runs. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("simulated crash after CreateHIT");
        }
    }

    /** Wraps the marketplace so that, while {@link #crashAfterPost}, a go-live's CreateHIT is made and then "crashes". */
    static final class CrashAfterPost implements BeanPostProcessor {
        @Override
        public Object postProcessAfterInitialization(Object bean, String name) {
            if (!(bean instanceof Marketplace target)) {
                return bean;
            }
            List<Class<?>> interfaces = new ArrayList<>(List.of(Marketplace.class));
            if (bean instanceof AutoCloseable) {
                interfaces.add(AutoCloseable.class);
            }
            return Proxy.newProxyInstance(Marketplace.class.getClassLoader(), interfaces.toArray(Class<?>[]::new),
                    (proxy, method, args) -> {
                        Object result;
                        try {
                            result = method.invoke(target, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (crashAfterPost && method.getName().equals("createHit")
                                && String.valueOf(args[2]).endsWith("-post")) {
                            throw new SimulatedCrash();
                        }
                        return result;
                    });
        }
    }
}
