package org.pavilion.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pavilion.PavilionApplication;
import org.pavilion.admin.live.GoLiveChoices;
import org.pavilion.admin.live.LiveControls;
import org.pavilion.marketplace.MarketplaceSettings.Mode;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalSns;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A session's calls go to the marketplace it went live on (issue 14 item 3), over real HTTP. Two servers: one
 * plays MTurk's sandbox (its own local marketplace, reached by the other through the sandbox mode's endpoint
 * override, signed with AWS credentials from the standard chain), the other is Pavilion configured for the sandbox,
 * which still offers its own local marketplace. A session posted on each: its HIT, its hire and its HIT expiry land
 * on that session's marketplace and never on the other.
 */
class SessionMarketplaceRoutingTest {

    @TempDir
    Path sandboxDir;
    @TempDir
    Path pavilionDir;

    private ConfigurableApplicationContext sandbox;
    private ConfigurableApplicationContext pavilion;
    private String oldKey;
    private String oldSecret;

    @BeforeEach
    void start() {
        sandbox = new SpringApplication(PavilionApplication.class).run("--server.port=0",
                "--server.address=127.0.0.1", "--pavilion.data-dir=" + sandboxDir, "--pavilion.database.embedded=mem",
                "--pavilion.marketplace.mode=local", "--pavilion.marketplace.reconcile-interval=0");
        // The "sandbox" checks SigV4 against the local keys: the AWS chain (system properties) holds them here.
        oldKey = System.getProperty("aws.accessKeyId");
        oldSecret = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", MarketplaceSettings.Local.DEFAULT_ACCESS_KEY_ID);
        System.setProperty("aws.secretAccessKey", MarketplaceSettings.Local.DEFAULT_SECRET_ACCESS_KEY);
        String endpoint = "http://127.0.0.1:" + sandbox.getEnvironment().getProperty("local.server.port")
                + "/local-mturk/";
        pavilion = new SpringApplication(PavilionApplication.class).run("--server.port=0",
                "--server.address=127.0.0.1", "--pavilion.data-dir=" + pavilionDir,
                "--pavilion.database.embedded=mem", "--pavilion.marketplace.mode=sandbox",
                "--pavilion.marketplace.endpoint=" + endpoint, "--pavilion.marketplace.hire-poll=200ms",
                "--pavilion.marketplace.reconcile-interval=0", "--pavilion.marketplace.client.max-attempts=2");
    }

    @AfterEach
    void stop() {
        if (pavilion != null) {
            pavilion.close();
        }
        sandbox.close();
        restore("aws.accessKeyId", oldKey);
        restore("aws.secretAccessKey", oldSecret);
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    private LocalMarketplace sandboxMarket() {
        return sandbox.getBean(LocalMarketplace.class);
    }

    private LocalMarketplace ownLocalMarket() {
        return pavilion.getBean(LocalMarketplace.class);
    }

    private long task() {
        long project = pavilion.getBean(ProjectRepository.class).create("Routing", "", Instant.now()).id();
        return pavilion.getBean(TaskRepository.class).create(project, TaskSettings.basic("Steer a robot together",
                "A live task for several workers", "https://127.0.0.1:1/waiting_task", 50,
                new Thresholds(1, 0, 1, 1)), Instant.now()).id();
    }

    private static List<String> hitIds(LocalMarketplace market) {
        return market.hits().stream().map(LocalMarketplace.HitView::hitId).toList();
    }

    @Test
    void eachSessionsHitsHiresAndExpiriesGoToTheMarketplaceItWentLiveOn() {
        Marketplaces marketplaces = pavilion.getBean(Marketplaces.class);
        assertThat(marketplaces.offered()).containsExactly(Mode.SANDBOX, Mode.LOCAL);
        assertThatThrownBy(() -> marketplaces.choose("production")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("not available");

        LiveControls controls = pavilion.getBean(LiveControls.class);
        long task = task();
        var onSandbox = controls.goLive(task, "admin@lab", true, "click-sandbox",
                new GoLiveChoices(null, null, null, null, null, null));
        var onLocal = controls.goLive(task, "admin@lab", true, "click-local",
                new GoLiveChoices("try-out", null, null, null, null, "local"));

        assertThat(hitIds(sandboxMarket())).contains(onSandbox.hitId()).doesNotContain(onLocal.hitId());
        assertThat(hitIds(ownLocalMarket())).contains(onLocal.hitId()).doesNotContain(onSandbox.hitId());
        JdbcSessionStore store = pavilion.getBean(JdbcSessionStore.class);
        assertThat(store.marketplaceOf(onSandbox.sessionId())).contains("SANDBOX");
        assertThat(store.marketplaceOf(onLocal.sessionId())).contains("LOCAL");

        // a worker submits in each session (its assignment is used up): each hire is posted on its own session's marketplace
        LiveSessionService sessions = pavilion.getBean(LiveSessionService.class);
        for (MarketplaceService.Posted p : List.of(onSandbox, onLocal)) {
            String w = "W" + p.sessionId();
            ConfirmedArrivals.arrive(sessions, p.sessionId(), w, "ASG-" + w, p.hitId(), "worker:" + w);
            sessions.apply(p.sessionId(), new QueueEvent.Leave(w, "ASG-" + w, Departure.SUBMIT), "marketplace");
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(store.sessionHits(onSandbox.sessionId())).hasSize(2);
            assertThat(store.sessionHits(onLocal.sessionId())).hasSize(2);
        });
        assertThat(hitIds(sandboxMarket())).containsAll(store.sessionHits(onSandbox.sessionId()))
                .doesNotContainAnyElementsOf(store.sessionHits(onLocal.sessionId()));
        assertThat(hitIds(ownLocalMarket())).containsAll(store.sessionHits(onLocal.sessionId()))
                .doesNotContainAnyElementsOf(store.sessionHits(onSandbox.sessionId()));

        // expiring each session expires its HITs where they are
        controls.expire(onSandbox.sessionId(), "admin@lab");
        controls.expire(onLocal.sessionId(), "admin@lab");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (String hit : store.sessionHits(onSandbox.sessionId())) {
                assertThat(sandboxMarket().getHit(hit).expiration()).isBeforeOrEqualTo(Instant.now());
            }
            for (String hit : store.sessionHits(onLocal.sessionId())) {
                assertThat(ownLocalMarket().getHit(hit).expiration()).isBeforeOrEqualTo(Instant.now());
            }
        });
    }

    @Test
    void aNotificationSignedByTheLocalMarketplaceMovesNoSessionOnMTurk() {
        LiveControls controls = pavilion.getBean(LiveControls.class);
        long task = task();
        var onSandbox = controls.goLive(task, "admin@lab", true, "click-sandbox", GoLiveChoices.NONE);
        var onLocal = controls.goLive(task, "admin@lab", true, "click-local",
                new GoLiveChoices(null, null, null, null, null, "local"));
        LocalSns sns = pavilion.getBean(LocalSns.class);
        String topic = pavilion.getBean(MarketplaceSettings.class).notificationTopicArn();
        JdbcTemplate jdbc = pavilion.getBean(JdbcTemplate.class);

        // Whoever drives this server's local marketplace (loopback, or anyone when it is open to the network)
        // can make it sign any event document: one about the sandbox session's HIT is refused.
        for (MarketplaceService.Posted p : List.of(onSandbox, onLocal)) {
            String doc = "{\"EventDocId\":\"doc-" + p.sessionId() + "\",\"SourceAccount\":\"000000000000\","
                    + "\"CustomerId\":\"A1LOCAL\",\"EventDocVersion\":\"2014-08-15\",\"Events\":[{"
                    + "\"EventType\":\"AssignmentAccepted\",\"EventTimestamp\":\"" + Instant.now().toString()
                    .substring(0, 19) + "Z\",\"HITId\":\"" + p.hitId() + "\",\"AssignmentId\":\"ASG-forged-"
                    + p.sessionId() + "\",\"HITTypeId\":\"" + p.hitTypeId() + "\"}]}";
            sns.publish(topic, "Amazon Mechanical Turk event notification", doc);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(jdbc.queryForList(
                "select result from mturk_event where event_doc_id in (?, ?) order by event_doc_id", String.class,
                "doc-" + onSandbox.sessionId(), "doc-" + onLocal.sessionId())).hasSize(2));
        assertThat(jdbc.queryForObject("select result from mturk_event where event_doc_id = ?", String.class,
                "doc-" + onSandbox.sessionId())).isEqualTo("refused:wrong_marketplace");
        assertThat(jdbc.queryForObject("select result from mturk_event where event_doc_id = ?", String.class,
                "doc-" + onLocal.sessionId())).isNotEqualTo("refused:wrong_marketplace");
        assertThat(jdbc.queryForObject("select count(*) from session_event where session_id = ? and assignment_id = ?",
                Integer.class, onSandbox.sessionId(), "ASG-forged-" + onSandbox.sessionId()))
                .as("nothing of the forged event reached the sandbox session").isZero();
    }
}
