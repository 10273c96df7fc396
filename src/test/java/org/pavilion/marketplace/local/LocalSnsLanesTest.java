package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local SNS delivers messages about one HIT in the order they were published and messages
 * about different HITs in parallel, each signed (on its lane, after publishing). The subscriber is
 * a real HTTP server that holds a chosen message until the test lets it go.
 */
class LocalSnsLanesTest {

    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:pavilion-lanes";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<Map<String, String>> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch heldArrived = new CountDownLatch(1);
    private final SnsSigner signer = new SnsSigner("2");
    private HttpServer subscriber;
    private LocalSns sns;

    @BeforeEach
    void start() throws IOException {
        subscriber = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        subscriber.setExecutor(Executors.newFixedThreadPool(8));
        subscriber.createContext("/api/from_mturk", this::receive);
        subscriber.start();
        URI endpoint = URI.create("http://127.0.0.1:" + subscriber.getAddress().getPort() + "/api/from_mturk");
        LocalMarketplaceProperties d = LocalMarketplaceProperties.defaults();
        LocalMarketplaceProperties twoLanes = new LocalMarketplaceProperties(d.startingBalance(), "2", null,
                d.sweepInterval(), d.deliveryAttempts(), d.deliveryBackoff(), d.deliveryTimeout(), 2,
                d.maxClockSkew(), d.minAssignmentDuration(), false, d.requesterId(), d.tokenRetention());
        LocalBaseUrl base = new LocalBaseUrl(URI.create("http://127.0.0.1:1"), new MockEnvironment());
        sns = new LocalSns(signer, base, () -> endpoint, twoLanes, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        release.countDown();
        sns.close();
        subscriber.stop(0);
    }

    private void receive(HttpExchange exchange) throws IOException {
        Map<String, String> message = JSON.readValue(new String(exchange.getRequestBody().readAllBytes(),
                StandardCharsets.UTF_8), new TypeReference<Map<String, String>>() { });
        if ("held".equals(message.get("Message"))) {
            heldArrived.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        received.add(message);
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
    }

    private List<String> notifications() {
        return received.stream().filter(m -> "Notification".equals(m.get("Type"))).map(m -> m.get("Message")).toList();
    }

    @Test
    void oneHitsMessagesKeepTheirOrderWhileAnotherHitsOvertakeThem() throws Exception {
        // The two keys fall in different lanes of two (the precondition the rest relies on).
        assertThat(LocalSns.lane("HIT-A", 2)).isNotEqualTo(LocalSns.lane("HIT-B", 2));
        sns.publish(TOPIC, null, "before confirmation", "HIT-A");
        await().atMost(Duration.ofSeconds(10)).until(() -> received.stream()
                .anyMatch(m -> "SubscriptionConfirmation".equals(m.get("Type"))));
        String token = received.get(0).get("Token");
        assertThat(notifications()).as("held until the subscription is confirmed").isEmpty();
        assertThat(sns.confirm(token)).isPresent();

        sns.publish(TOPIC, null, "held", "HIT-A");
        sns.publish(TOPIC, null, "after held", "HIT-A");
        assertThat(heldArrived.await(10, TimeUnit.SECONDS)).isTrue();
        sns.publish(TOPIC, null, "other hit", "HIT-B");

        // HIT-B's message is delivered while HIT-A's lane waits for the subscriber's answer ...
        await().atMost(Duration.ofSeconds(10)).until(() -> notifications().contains("other hit"));
        // ... and HIT-A's next message waits behind the held one.
        assertThat(notifications()).containsExactly("before confirmation", "other hit");

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> notifications().size() == 4);
        assertThat(notifications()).containsExactly("before confirmation", "other hit", "held", "after held");

        // Signed on the lane, after publishing: every message carries a signature that verifies.
        for (Map<String, String> m : received) {
            assertThat(SnsSigner.verify(m, signer.certificate().getPublicKey())).as(m.get("Message")).isTrue();
        }
        assertThat(sns.deliveries()).filteredOn(LocalSns.Delivery::delivered).hasSize(5);
    }
}
