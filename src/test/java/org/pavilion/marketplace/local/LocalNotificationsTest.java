package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pavilion.marketplace.local.LocalTestSupport.externalQuestion;
import static org.pavilion.marketplace.local.LocalTestSupport.get;
import static org.pavilion.marketplace.local.LocalTestSupport.ok;
import static org.pavilion.marketplace.local.LocalTestSupport.q;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import tools.jackson.databind.JsonNode;

/**
 * MTurk-format notifications delivered as signed SNS HTTP messages to a test subscriber: the
 * SubscriptionConfirmation first, nothing before it is confirmed, then the events in order, each
 * signature checked here with java.security.Signature over SNS's documented string to sign and
 * the certificate fetched from SigningCertURL.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        LocalTestSupport.P1, LocalTestSupport.P2, LocalTestSupport.P3, LocalTestSupport.P4, LocalTestSupport.P5})
@Import(LocalTestSupport.Receiver.class)
class LocalNotificationsTest {

    @LocalServerPort
    int port;
    @Autowired
    LocalMarketplace marketplace;
    @Autowired
    LocalTestSupport.SnsInbox inbox;

    /** SNS's string to sign, written here from the documentation (not taken from the code under test). */
    private static String stringToSign(Map<String, String> m) {
        List<String> keys = "Notification".equals(m.get("Type"))
                ? List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
                : List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type");
        StringBuilder s = new StringBuilder();
        for (String k : keys) {
            if (m.get(k) != null) {
                s.append(k).append('\n').append(m.get(k)).append('\n');
            }
        }
        return s.toString();
    }

    private static boolean validSignature(Map<String, String> m, X509Certificate cert) throws Exception {
        String algorithm = "1".equals(m.get("SignatureVersion")) ? "SHA1withRSA" : "SHA256withRSA";
        Signature s = Signature.getInstance(algorithm);
        s.initVerify(cert.getPublicKey());
        s.update(stringToSign(m).getBytes(StandardCharsets.UTF_8));
        return s.verify(Base64.getDecoder().decode(m.get("Signature")));
    }

    private X509Certificate certificate(String url) throws Exception {
        HttpResponse<String> pem = get(url);
        assertThat(pem.statusCode()).isEqualTo(200);
        assertThat(pem.body()).startsWith("-----BEGIN CERTIFICATE-----");
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.body().getBytes(StandardCharsets.US_ASCII)));
    }

    private String hitType(String title) {
        return ok(port, "CreateHITType", "{\"Title\":" + q(title) + ",\"Description\":\"d\",\"Reward\":\"0.25\","
                + "\"AssignmentDurationInSeconds\":2}").get("HITTypeId").stringValue();
    }

    private static List<String> eventTypes(List<LocalTestSupport.SnsInbox.Received> notifications) {
        return notifications.stream().map(n -> LocalTestSupport.JSON.readTree(n.field("Message")).get("Events")
                .get(0).get("EventType").stringValue()).collect(Collectors.toList());
    }

    @Test
    void subscriptionIsConfirmedFirstThenEventsArriveInOrderSignedInMTurksFormat() throws Exception {
        String topic = "arn:aws:sns:us-east-1:123456789012:pavilion-" + UUID.randomUUID();
        String typeId = hitType("Notified " + UUID.randomUUID());
        ok(port, "UpdateNotificationSettings", "{\"HITTypeId\":" + q(typeId) + ",\"Notification\":{\"Destination\":"
                + q(topic) + ",\"Transport\":\"SNS\",\"Version\":\"2006-05-05\",\"EventTypes\":[\"AssignmentAccepted\","
                + "\"AssignmentReturned\",\"AssignmentAbandoned\",\"AssignmentSubmitted\",\"HITCreated\","
                + "\"HITExpired\"]},\"Active\":true}");

        await().atMost(Duration.ofSeconds(5)).until(() -> !inbox.accepted(topic).isEmpty());
        LocalTestSupport.SnsInbox.Received confirmation = inbox.accepted(topic).get(0);
        assertThat(confirmation.headers()).containsEntry("x-amz-sns-message-type", "SubscriptionConfirmation")
                .containsEntry("x-amz-sns-topic-arn", topic);
        assertThat(confirmation.headers().get("content-type")).startsWith("text/plain");
        Map<String, String> c = confirmation.fields();
        assertThat(c).containsEntry("Type", "SubscriptionConfirmation").containsEntry("TopicArn", topic)
                .containsEntry("SignatureVersion", "1").containsKeys("MessageId", "Token", "Message", "Timestamp",
                        "Signature");
        assertThat(c.get("SigningCertURL")).isEqualTo("http://localhost:" + port + "/local-mturk/sns/cert.pem");
        assertThat(c.get("SubscribeURL")).startsWith("http://localhost:" + port + "/local-mturk/sns/confirm?")
                .contains(c.get("Token"));
        X509Certificate cert = certificate(c.get("SigningCertURL"));
        assertThat(validSignature(c, cert)).isTrue();

        // a HIT made before the subscriber confirms: its HITCreated is held, not lost
        String hitId = ok(port, "CreateHITWithHITType", "{\"HITTypeId\":" + q(typeId) + ",\"MaxAssignments\":3,"
                + "\"LifetimeInSeconds\":600,\"Question\":" + q(externalQuestion("https://task.example/t")) + "}")
                .get("HIT").get("HITId").stringValue();
        Thread.sleep(300);
        assertThat(inbox.accepted(topic)).hasSize(1);

        HttpResponse<String> confirmed = get(c.get("SubscribeURL"));
        assertThat(confirmed.statusCode()).isEqualTo(200);
        assertThat(confirmed.body()).contains("<SubscriptionArn>" + topic + ":");

        LocalMarketplace.AssignmentView a1 = marketplace.accept("A1NOTE", hitId);
        marketplace.returnAssignment(a1.assignmentId());
        LocalMarketplace.AssignmentView a2 = marketplace.accept("A1NOTE", hitId);
        marketplace.submit(a2.assignmentId(), Map.of());
        LocalMarketplace.AssignmentView a3 = marketplace.accept("A2NOTE", hitId);
        marketplace.abandon(a3.assignmentId());
        LocalMarketplace.AssignmentView a4 = marketplace.accept("A3NOTE", hitId); // abandoned by the clock (2 s)
        ok(port, "UpdateExpirationForHIT", "{\"HITId\":" + q(hitId) + ",\"ExpireAt\":0}");

        List<String> expected = List.of("HITCreated", "AssignmentAccepted", "AssignmentReturned", "AssignmentAccepted",
                "AssignmentSubmitted", "AssignmentAccepted", "AssignmentAbandoned", "AssignmentAccepted", "HITExpired",
                "AssignmentAbandoned");
        await().atMost(Duration.ofSeconds(10)).until(() -> inbox.accepted(topic).size() >= 1 + expected.size());
        List<LocalTestSupport.SnsInbox.Received> notifications = inbox.accepted(topic).subList(1, 1 + expected.size());
        assertThat(eventTypes(notifications)).containsExactlyElementsOf(expected);

        List<String> assignmentIds = List.of("", a1.assignmentId(), a1.assignmentId(), a2.assignmentId(),
                a2.assignmentId(), a3.assignmentId(), a3.assignmentId(), a4.assignmentId(), "", a4.assignmentId());
        for (int i = 0; i < notifications.size(); i++) {
            LocalTestSupport.SnsInbox.Received n = notifications.get(i);
            assertThat(n.headers()).containsEntry("x-amz-sns-message-type", "Notification")
                    .containsEntry("x-amz-sns-message-id", n.field("MessageId"))
                    .containsKey("x-amz-sns-subscription-arn");
            Map<String, String> m = n.fields();
            assertThat(m).containsEntry("Type", "Notification").containsEntry("TopicArn", topic)
                    .containsEntry("SignatureVersion", "1").containsKeys("Subject", "Timestamp", "UnsubscribeURL");
            assertThat(m.get("SigningCertURL")).isEqualTo(c.get("SigningCertURL"));
            assertThat(validSignature(m, cert)).as("signature of " + m.get("MessageId")).isTrue();
            Map<String, String> tampered = new java.util.LinkedHashMap<>(m);
            tampered.put("Message", m.get("Message").replace(hitId, "3OTHERHIT"));
            assertThat(validSignature(tampered, cert)).isFalse();

            JsonNode doc = LocalTestSupport.JSON.readTree(m.get("Message"));
            assertThat(doc.get("EventDocVersion").stringValue()).isEqualTo("2014-08-15");
            assertThat(UUID.fromString(doc.get("EventDocId").stringValue())).isNotNull();
            assertThat(doc.get("SourceAccount").stringValue()).isEqualTo("123456789012");
            assertThat(doc.get("CustomerId").stringValue()).isNotBlank();
            assertThat(doc.get("Events")).hasSize(1);
            JsonNode event = doc.get("Events").get(0);
            assertThat(Instant.parse(event.get("EventTimestamp").stringValue())).isBefore(Instant.now().plusSeconds(1));
            assertThat(event.get("HITId").stringValue()).isEqualTo(hitId);
            assertThat(event.get("HITTypeId").stringValue()).isEqualTo(typeId);
            assertThat(event.has("WorkerId")).as("MTurk does not guarantee WorkerId").isFalse();
            if (assignmentIds.get(i).isEmpty()) {
                assertThat(event.has("AssignmentId")).isFalse();
            } else {
                assertThat(event.get("AssignmentId").stringValue()).isEqualTo(assignmentIds.get(i));
            }
        }
        assertThat(notifications.stream().map(n -> n.field("MessageId")).distinct()).hasSize(expected.size());
    }

    @Test
    void aTestEventIsDeliveredAfterConfirmationAndFailedDeliveriesAreRetried() throws Exception {
        String topic = "arn:aws:sns:us-east-1:210987654321:ping-" + UUID.randomUUID();
        inbox.failNext(topic, 2);
        ok(port, "SendTestEventNotification", "{\"Notification\":{\"Destination\":" + q(topic) + ",\"Transport\":"
                + "\"SNS\",\"Version\":\"2006-05-05\",\"EventTypes\":[\"Ping\"]},\"TestEventType\":\"Ping\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> !inbox.accepted(topic).isEmpty());
        long refusedConfirmations = inbox.all().stream().filter(r -> topic.equals(r.field("TopicArn")))
                .filter(r -> r.answeredStatus() == 503).count();
        assertThat(refusedConfirmations).as("answered 503 twice, then delivered").isEqualTo(2);
        LocalTestSupport.SnsInbox.Received confirmation = inbox.accepted(topic).get(0);
        assertThat(confirmation.field("Type")).isEqualTo("SubscriptionConfirmation");
        assertThat(get(confirmation.field("SubscribeURL")).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(5)).until(() -> inbox.accepted(topic).size() >= 2);
        LocalTestSupport.SnsInbox.Received ping = inbox.accepted(topic).get(1);
        JsonNode event = LocalTestSupport.JSON.readTree(ping.field("Message")).get("Events").get(0);
        assertThat(event.get("EventType").stringValue()).isEqualTo("Ping");
        assertThat(validSignature(ping.fields(), certificate(ping.field("SigningCertURL")))).isTrue();
        assertThat(LocalTestSupport.JSON.readTree(ping.field("Message")).get("SourceAccount").stringValue())
                .isEqualTo("210987654321");

        // unsubscribing ends deliveries (an UnsubscribeConfirmation follows)
        HttpResponse<String> unsubscribed = get(ping.field("UnsubscribeURL"));
        assertThat(unsubscribed.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> inbox.accepted(topic).size() >= 3);
        assertThat(inbox.accepted(topic).get(2).field("Type")).isEqualTo("UnsubscribeConfirmation");
        assertThat(validSignature(inbox.accepted(topic).get(2).fields(), certificate(ping.field("SigningCertURL"))))
                .isTrue();
        ok(port, "SendTestEventNotification", "{\"Notification\":{\"Destination\":" + q(topic) + ",\"Transport\":"
                + "\"SNS\",\"Version\":\"2006-05-05\",\"EventTypes\":[\"Ping\"]},\"TestEventType\":\"Ping\"}");
        Thread.sleep(300);
        assertThat(inbox.accepted(topic)).hasSize(3);
        assertThat(get("http://localhost:" + port + "/local-mturk/sns/confirm?Token=nope").statusCode())
                .isEqualTo(404);
    }

    @Test
    void inactiveSettingsOrUnlistedEventsSendNothing() throws Exception {
        String topic = "arn:aws:sns:us-east-1:123456789012:quiet-" + UUID.randomUUID();
        String typeId = hitType("Quiet " + UUID.randomUUID());
        ok(port, "UpdateNotificationSettings", "{\"HITTypeId\":" + q(typeId) + ",\"Notification\":{\"Destination\":"
                + q(topic) + ",\"Transport\":\"SNS\",\"Version\":\"2006-05-05\",\"EventTypes\":"
                + "[\"AssignmentReturned\"]}}");
        await().atMost(Duration.ofSeconds(5)).until(() -> !inbox.accepted(topic).isEmpty());
        assertThat(get(inbox.accepted(topic).get(0).field("SubscribeURL")).statusCode()).isEqualTo(200);
        String hitId = marketplace.createHit(typeId, 600, 2, externalQuestion("https://task.example/q"), null, null)
                .hitId();
        LocalMarketplace.AssignmentView a = marketplace.accept("A1QUIET", hitId); // not listed: no notification
        ok(port, "UpdateNotificationSettings", "{\"HITTypeId\":" + q(typeId) + ",\"Active\":false}");
        marketplace.returnAssignment(a.assignmentId()); // inactive: no notification
        ok(port, "UpdateNotificationSettings", "{\"HITTypeId\":" + q(typeId) + ",\"Active\":true}");
        LocalMarketplace.AssignmentView b = marketplace.accept("A1QUIET", hitId);
        marketplace.returnAssignment(b.assignmentId());
        await().atMost(Duration.ofSeconds(5)).until(() -> inbox.accepted(topic).size() >= 2);
        Thread.sleep(200);
        List<LocalTestSupport.SnsInbox.Received> all = inbox.accepted(topic);
        assertThat(all).hasSize(2);
        assertThat(eventTypes(all.subList(1, 2))).containsExactly("AssignmentReturned");
        assertThat(LocalTestSupport.JSON.readTree(all.get(1).field("Message")).get("Events").get(0).get("AssignmentId")
                .stringValue()).isEqualTo(b.assignmentId());
        assertThat(URI.create(all.get(1).field("UnsubscribeURL")).getPath()).isEqualTo("/local-mturk/sns/unsubscribe");
    }
}
