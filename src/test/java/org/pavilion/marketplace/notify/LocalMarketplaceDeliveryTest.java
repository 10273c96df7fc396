package org.pavilion.marketplace.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.MarketplaceSettings;
import org.pavilion.marketplace.local.LocalSns;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.LiveSessionService;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Interoperation with the local marketplace's SNS, nothing replaced: it subscribes this server's
 * {@code /api/from_mturk} (the intake verifies the SubscriptionConfirmation against the local
 * certificate fetched over loopback http and GETs the SubscribeURL), then delivers a signed
 * Notification whose event is applied.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
class LocalMarketplaceDeliveryTest {

    @Autowired
    LocalSns localSns;
    @Autowired
    MarketplaceSettings marketplace;
    @Autowired
    NotificationIntake intake;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;

    @Test
    void theLocalMarketplacesSignedDeliveriesAreConfirmedAndApplied() {
        long project = projects.create("Local delivery", "", Instant.now()).id();
        long task = tasks.create(project, TaskSettings.basic("Live task", "A live task", "https://localhost/task", 50,
                new Thresholds(1, 0, 2, 2)), Instant.now()).id();
        long session = sessions.open(task).sessionId();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        ConfirmedArrivals.arrive(sessions, session, "W-" + tag, "A-" + tag, "worker");

        long refusedBefore = intake.stats().refused();
        localSns.publish(marketplace.notificationTopicArn(), null, SnsSigner.eventDocument("DOC-" + tag,
                new String[] {"AssignmentReturned", "A-" + tag, null}));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                sessions.snapshot(session).workers().get("W-" + tag).status()).isEqualTo(WorkerStatus.RETURNED));
        // the subscription was confirmed (now, or by an earlier test sharing this context)
        assertThat(intake.stats().confirmations()).isPositive();
        assertThat(intake.stats().refused()).isEqualTo(refusedBefore);
    }
}
