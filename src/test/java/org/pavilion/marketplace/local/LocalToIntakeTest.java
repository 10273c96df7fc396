package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.MarketplaceSettings;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * With no notify-url the local marketplace's SNS messages go to this server's own
 * {@code /api/from_mturk}: the intake verifies the SubscriptionConfirmation's signature with the
 * local certificate and confirms it, then accepts the signed notifications.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = LocalTestSupport.P1)
class LocalToIntakeTest {

    @LocalServerPort
    int port;
    @Autowired
    LocalMarketplace marketplace;
    @Autowired
    LocalSns sns;
    @Autowired
    MarketplaceSettings settings;

    @Test
    void theIntakeConfirmsTheSubscriptionAndTakesTheNotifications() {
        String topic = settings.notificationTopicArn();
        LocalMarketplace.HitType type = marketplace.createHitType(new LocalMarketplace.HitTypeSpec(
                "Intake " + UUID.randomUUID(), "d", null, new BigDecimal("0.10"), 60, 60, null));
        marketplace.updateNotificationSettings(type.hitTypeId(), new LocalMarketplace.NotificationSettings(topic,
                "SNS", LocalMarketplace.NOTIFICATION_VERSION, List.of("AssignmentAccepted", "AssignmentReturned"),
                true), null);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sns.subscriptions())
                .filteredOn(s -> s.topicArn().equals(topic)).singleElement()
                .satisfies(s -> {
                    assertThat(s.endpoint()).isEqualTo(URI.create("http://localhost:" + port + "/api/from_mturk"));
                    assertThat(s.state()).isEqualTo(LocalSns.State.CONFIRMED);
                }));

        // The application context (and so this marketplace) may be shared with earlier tests: count from here.
        int before = (int) sns.deliveries().stream()
                .filter(d -> d.topicArn().equals(topic) && d.type().equals("Notification")).count();
        String hitId = marketplace.createHit(type.hitTypeId(), 600, 1,
                LocalTestSupport.externalQuestion("https://task.example/t"), null, null).hitId();
        LocalMarketplace.AssignmentView a = marketplace.accept("A1INTAKE", hitId);
        marketplace.returnAssignment(a.assignmentId());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sns.deliveries())
                .filteredOn(d -> d.topicArn().equals(topic) && d.type().equals("Notification")).hasSize(before + 2)
                .allSatisfy(d -> assertThat(d.status()).as("not refused as forged").isNotIn(401, 403)));
    }
}
