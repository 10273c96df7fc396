package org.pavilion.marketplace.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Decision;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code POST /api/from_mturk} over real HTTP on a running Pavilion (in-memory H2): SNS
 * deliveries signed like SNS with a test key whose certificate a test {@link CertificateSource}
 * serves for an {@code sns.us-east-1.amazonaws.com} URL; subscription confirmations GET a
 * loopback test endpoint.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
class NotificationIntakeEndToEndTest {

    static final KeyPair KEYS = TestCertificates.rsaKeyPair();
    static final X509Certificate CERT = TestCertificates.selfSigned(KEYS, "sns.amazonaws.com",
            Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
    static final Map<String, X509Certificate> SERVED = new ConcurrentHashMap<>(Map.of(SnsSigner.CERT_URL, CERT));
    static final AtomicInteger CERT_FETCHES = new AtomicInteger();

    /** The stand-in for SNS's ConfirmSubscription endpoint: records each GET's query. */
    static final List<String> CONFIRMED = new CopyOnWriteArrayList<>();
    static final HttpServer CONFIRM_ENDPOINT = startConfirmEndpoint();

    static HttpServer startConfirmEndpoint() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/confirm/", exchange -> {
                CONFIRMED.add(exchange.getRequestURI().getRawQuery());
                byte[] body = "<ConfirmSubscriptionResponse/>".getBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String confirmBase() {
        return "http://127.0.0.1:" + CONFIRM_ENDPOINT.getAddress().getPort() + "/confirm/";
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("pavilion.marketplace.sns.trusted-subscribe-urls", NotificationIntakeEndToEndTest::confirmBase);
    }

    @AfterAll
    static void stopConfirmEndpoint() {
        CONFIRM_ENDPOINT.stop(0);
    }

    @TestConfiguration
    static class Certificates {
        @Bean
        @Primary
        CertificateSource testCertificateSource() {
            return url -> {
                CERT_FETCHES.incrementAndGet();
                X509Certificate c = SERVED.get(url.toString());
                if (c == null) {
                    throw new IOException("no such certificate");
                }
                return c;
            };
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    SessionStore store;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    NotificationLedger ledger;
    @Autowired
    NotificationIntake intake;
    @Autowired
    MeterRegistry registry;

    final HttpClient http = HttpClient.newHttpClient();
    final SnsSigner signer = new SnsSigner(KEYS.getPrivate());
    long session;
    String tag;

    @BeforeEach
    void openSession() {
        tag = UUID.randomUUID().toString().substring(0, 8);
        long project = projects.create("Notification tests", "", Instant.now()).id();
        long task = tasks.create(project, TaskSettings.basic("Live task", "A live task", "https://localhost/task", 50,
                new Thresholds(1, 0, 2, 4)), Instant.now()).id();
        session = sessions.open(task).sessionId();
        store.addSessionHit(session, "TYPE-" + tag, "HIT-" + tag);
    }

    // ---- helpers -----------------------------------------------------------------------------

    String worker(int n) {
        return "W" + n + "-" + tag;
    }

    String assignment(int n) {
        return "A" + n + "-" + tag;
    }

    void arrive(int... workers) {
        for (int n : workers) {
            ConfirmedArrivals.arrive(sessions, session, worker(n), assignment(n), "worker:" + worker(n));
        }
    }

    WorkerStatus status(int n) {
        return sessions.snapshot(session).workers().get(worker(n)).status();
    }

    int logSize() {
        return store.loadSession(session).orElseThrow().facts().size();
    }

    HttpResponse<String> post(String type, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + NotificationController.PATH))
                .header("Content-Type", "text/plain; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            r.header(NotificationController.TYPE_HEADER, type);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(Map<String, String> signed) throws Exception {
        return post(signed.get("Type"), SnsSigner.json(signed));
    }

    Map<String, String> notification(String messageId, String document) {
        return SnsSigner.notification(document, messageId, null, Instant.now(), SnsSigner.TOPIC);
    }

    Map<String, String> signed(String messageId, String document, String version) {
        return signer.sign(notification(messageId, document), version, SnsSigner.CERT_URL);
    }

    String doc(String... events) {
        String[][] parsed = new String[events.length][];
        for (int i = 0; i < events.length; i++) {
            parsed[i] = java.util.Arrays.copyOf(events[i].split(" ", -1), 4);
            parsed[i][3] = "HIT-" + tag; // the session's HIT
            for (int j = 0; j < parsed[i].length; j++) {
                if ("-".equals(parsed[i][j])) {
                    parsed[i][j] = null;
                }
            }
        }
        return SnsSigner.eventDocument("DOC-" + UUID.randomUUID(), parsed);
    }

    // ---- accepted ----------------------------------------------------------------------------

    @Test
    void validVersion1AndVersion2NotificationsApplyReturnsAndSubmits() throws Exception {
        arrive(1, 2);
        HttpResponse<String> v1 = post(signed(UUID.randomUUID().toString(),
                doc("AssignmentReturned " + assignment(1) + " " + worker(1)), "1"));
        assertThat(v1.statusCode()).as(v1.body()).isEqualTo(200);
        assertThat(new JSONObject(v1.body()).getJSONArray("events").getJSONObject(0).getString("result"))
                .isEqualTo("applied");
        assertThat(status(1)).isEqualTo(WorkerStatus.RETURNED);

        HttpResponse<String> v2 = post(signed(UUID.randomUUID().toString(),
                doc("AssignmentSubmitted " + assignment(2) + " -"), "2"));
        assertThat(v2.statusCode()).as(v2.body()).isEqualTo(200);
        assertThat(status(2)).isEqualTo(WorkerStatus.SUBMITTED);
    }

    /** The sum of the counts of {@code pavilion.notifications} with these tags (0 when absent). */
    double notificationCount(String... tags) {
        double sum = 0;
        for (Meter m : registry.find("pavilion.notifications").tags(tags).meters()) {
            for (Measurement measurement : m.measure()) {
                if (measurement.getStatistic() == Statistic.COUNT) {
                    sum += measurement.getValue();
                }
            }
        }
        return sum;
    }

    static void fullCollection() throws InterruptedException {
        java.lang.ref.WeakReference<Object> sentinel = new java.lang.ref.WeakReference<>(new Object());
        for (int i = 0; i < 20 && sentinel.get() != null; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(sentinel.get()).as("a full collection ran").isNull();
    }

    /**
     * {@code pavilion_notifications_total} counts every notification applied, before and after a
     * full garbage collection, read from the application's MeterRegistry.
     */
    @Test
    void theNotificationMetricCountsAppliedNotifications() throws Exception {
        arrive(1, 2, 3);
        double accepted = notificationCount("outcome", "accepted");
        double duplicate = notificationCount("outcome", "duplicate");
        Map<String, String> first = signed(UUID.randomUUID().toString(),
                doc("AssignmentReturned " + assignment(1) + " " + worker(1)), "2");
        assertThat(post(first).statusCode()).isEqualTo(200);
        assertThat(notificationCount("outcome", "accepted")).isEqualTo(accepted + 1);

        fullCollection();
        HttpResponse<String> second = post(signed(UUID.randomUUID().toString(),
                doc("AssignmentSubmitted " + assignment(2) + " -", "AssignmentAbandoned " + assignment(3) + " -"), "1"));
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(status(2)).isEqualTo(WorkerStatus.SUBMITTED);
        assertThat(notificationCount("outcome", "accepted")).isEqualTo(accepted + 2);
        assertThat(post(first).statusCode()).isEqualTo(200);
        assertThat(notificationCount("outcome", "duplicate")).isEqualTo(duplicate + 1);
    }

    @Test
    void anAcceptedAssignmentIsConfirmedAndThenAdmitsItsWorker() throws Exception {
        // Before the notification, a page claiming the assignment only waits.
        Outcome early = sessions.apply(session, new QueueEvent.Arrive(worker(5), assignment(5)), "worker");
        assertThat(early.decisions()).containsExactly(new Decision.AwaitConfirmation(worker(5), assignment(5)));

        HttpResponse<String> r = post(signed(UUID.randomUUID().toString(),
                doc("AssignmentAccepted " + assignment(5) + " -", "AssignmentAccepted " + assignment(6) + " -"), "2"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String docId = new JSONObject(r.body()).getString("eventDocId");
        assertThat(ledger.events(docId)).extracting(NotificationLedger.RecordedEvent::result)
                .containsExactly("applied", "applied");
        assertThat(sessions.read(session, e -> e.isConfirmedFor(worker(5), assignment(5), "HIT-" + tag)).join())
                .isTrue();
        Outcome admitted = sessions.apply(session, new QueueEvent.Arrive(worker(5), assignment(5)), "worker");
        assertThat(admitted.decisions()).contains(new Decision.Admit(worker(5), assignment(5)));
        assertThat(status(5).inQueue()).isTrue();

        // An acceptance on a HIT that is not Pavilion's confirms nothing anywhere.
        String foreign = SnsSigner.eventDocument("DOC-" + UUID.randomUUID(),
                new String[] {"AssignmentAccepted", assignment(7), worker(7), "HIT-NOT-OURS-" + tag});
        HttpResponse<String> other = post(signed(UUID.randomUUID().toString(), foreign, "2"));
        assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
        assertThat(ledger.events(new JSONObject(other.body()).getString("eventDocId")))
                .extracting(NotificationLedger.RecordedEvent::result).containsExactly("refused:unknown_hit");
        assertThat(sessions.read(session, e -> e.isConfirmed(assignment(7))).join()).isFalse();
    }

    @Test
    void aMessageWithThreeEventsAppliesAllThree() throws Exception {
        arrive(1, 2, 3, 4);
        String document = doc("AssignmentReturned " + assignment(1) + " -",
                "AssignmentAbandoned " + assignment(2) + " " + worker(2),
                "AssignmentSubmitted " + assignment(3) + " " + worker(3),
                "HITReviewable - -",
                "AssignmentReturned NEVER-OPENED-" + tag + " SOMEONE",
                "AssignmentAccepted " + assignment(4) + " " + worker(4));
        HttpResponse<String> r = post(signed(UUID.randomUUID().toString(), document, "2"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(status(1)).isEqualTo(WorkerStatus.RETURNED);
        assertThat(status(2)).isEqualTo(WorkerStatus.ABANDONED);
        assertThat(status(3)).isEqualTo(WorkerStatus.SUBMITTED);
        assertThat(status(4).inQueue()).isTrue();
        String docId = new JSONObject(r.body()).getString("eventDocId");
        assertThat(ledger.events(docId)).extracting(NotificationLedger.RecordedEvent::result)
                // the never-opened assignment had no confirmation to release; worker 4's was known already
                .containsExactly("applied", "applied", "applied", "recorded", "ignored", "ignored");
    }

    @Test
    void aDuplicateDeliveryIsAppliedOnce() throws Exception {
        arrive(1, 2, 3);
        Map<String, String> message = signed(UUID.randomUUID().toString(),
                doc("AssignmentReturned " + assignment(1) + " -"), "2");
        assertThat(post(message).statusCode()).isEqualTo(200);
        int afterFirst = logSize();
        QueueSnapshot snapshot = sessions.snapshot(session);
        // the assignment is handed to another worker meanwhile; a late duplicate must not return them
        ConfirmedArrivals.arrive(sessions, session, worker(9), assignment(1), "worker");
        int beforeDuplicate = logSize();
        HttpResponse<String> again = post(message);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(new JSONObject(again.body()).getString("status")).isEqualTo("duplicate");
        assertThat(logSize()).isEqualTo(beforeDuplicate).isGreaterThan(afterFirst);
        assertThat(status(9).inQueue()).isTrue();
        assertThat(snapshot.workers().get(worker(1)).status()).isEqualTo(WorkerStatus.RETURNED);
    }

    @Test
    void theSameEventDocumentInAnotherMessageIsAppliedOnce() throws Exception {
        arrive(1, 2);
        String document = doc("AssignmentReturned " + assignment(1) + " -");
        assertThat(post(signed(UUID.randomUUID().toString(), document, "1")).statusCode()).isEqualTo(200);
        ConfirmedArrivals.arrive(sessions, session, worker(9), assignment(1), "worker");
        int before = logSize();
        long messages = ledger.messageCount();
        HttpResponse<String> again = post(signed(UUID.randomUUID().toString(), document, "2"));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(new JSONObject(again.body()).getString("status")).isEqualTo("duplicate");
        assertThat(logSize()).isEqualTo(before);
        assertThat(status(9).inQueue()).isTrue();
        assertThat(ledger.messageCount()).isEqualTo(messages + 1); // the carrier is remembered too
    }

    @Test
    void concurrentDuplicatesAreAppliedOnce() throws Exception {
        arrive(1, 2);
        Map<String, String> message = signed(UUID.randomUUID().toString(),
                doc("AssignmentReturned " + assignment(1) + " -"), "2");
        List<Thread> threads = new ArrayList<>();
        List<String> statuses = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 6; i++) {
            Thread t = new Thread(() -> {
                try {
                    HttpResponse<String> r = post(message);
                    statuses.add(r.statusCode() + " " + new JSONObject(r.body()).getString("status"));
                } catch (Exception e) {
                    statuses.add(e.toString());
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertThat(statuses).hasSize(6).containsOnlyOnce("200 processed").allMatch(s -> s.startsWith("200 "));
        assertThat(status(1)).isEqualTo(WorkerStatus.RETURNED);
    }

    // ---- refused -----------------------------------------------------------------------------

    @Test
    void forgedDeliveriesAreRefusedAndChangeNothing() throws Exception {
        arrive(1, 2);
        String document = doc("AssignmentReturned " + assignment(1) + " " + worker(1),
                "AssignmentSubmitted " + assignment(2) + " -");
        String id = UUID.randomUUID().toString();
        Map<String, Map<String, String>> forged = new LinkedHashMap<>();

        Map<String, String> tampered = signed(id, doc("HITReviewable - -"), "2");
        tampered.put("Message", document);
        forged.put("tampered message", tampered);
        forged.put("wrong field order", signer.signInOrder(notification(id, document), "2", SnsSigner.CERT_URL,
                List.of("MessageId", "Message", "Timestamp", "TopicArn", "Type")));
        forged.put("http certificate URL", signer.sign(notification(id, document), "2",
                "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem"));
        forged.put("foreign-host certificate URL", signer.sign(notification(id, document), "2",
                "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-test.pem"));
        forged.put("not .pem", signer.sign(notification(id, document), "2",
                "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.cer"));
        forged.put("unknown topic", signer.sign(SnsSigner.notification(document, id, null, Instant.now(),
                "arn:aws:sns:us-east-1:123456789012:someone-else"), "2", SnsSigner.CERT_URL));
        forged.put("stale", signer.sign(SnsSigner.notification(document, id, null,
                Instant.now().minus(Duration.ofHours(2)), SnsSigner.TOPIC), "1", SnsSigner.CERT_URL));
        Map<String, String> unsigned = signed(id, document, "2");
        unsigned.remove("Signature");
        forged.put("missing signature", unsigned);
        Map<String, String> otherKey = new SnsSigner(TestCertificates.rsaKeyPair().getPrivate())
                .sign(notification(id, document), "2", SnsSigner.CERT_URL);
        forged.put("signed by another key", otherKey);
        Map<String, String> version3 = signed(id, document, "2");
        version3.put("SignatureVersion", "3");
        forged.put("unknown signature version", version3);

        QueueSnapshot before = sessions.snapshot(session);
        int logBefore = logSize();
        long messagesBefore = ledger.messageCount();
        long refusedBefore = intake.stats().refused();
        long refusalRowsBefore = ledger.refusals(10_000).size();
        for (Map.Entry<String, Map<String, String>> f : forged.entrySet()) {
            HttpResponse<String> r = post(f.getValue());
            assertThat(r.statusCode()).as(f.getKey() + ": " + r.body()).isEqualTo(403);
            assertThat(new JSONObject(r.body()).getString("status")).isEqualTo("refused");
            assertThat(r.body().length()).as("short reason").isLessThan(200);
        }
        assertThat(sessions.snapshot(session)).isEqualTo(before);
        assertThat(logSize()).isEqualTo(logBefore);
        assertThat(ledger.messageCount()).isEqualTo(messagesBefore);
        assertThat(intake.stats().refused()).isEqualTo(refusedBefore + forged.size());
        assertThat(ledger.refusals(10_000).size()).isEqualTo(refusalRowsBefore + forged.size());
        assertThat(ledger.refusals(1).get(0).status()).isEqualTo(403);

        // a certificate that cannot be fetched from an SNS host: 503 so SNS delivers again; nothing changes
        HttpResponse<String> unfetchable = post(signer.sign(notification(id, document), "2",
                "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-unreachable.pem"));
        assertThat(unfetchable.statusCode()).isEqualTo(503);
        assertThat(sessions.snapshot(session)).isEqualTo(before);
        assertThat(logSize()).isEqualTo(logBefore);

        // the genuine message with the same MessageId still goes through afterwards
        HttpResponse<String> genuine = post(signed(id, document, "2"));
        assertThat(genuine.statusCode()).as(genuine.body()).isEqualTo(200);
        assertThat(status(1)).isEqualTo(WorkerStatus.RETURNED);
        assertThat(status(2)).isEqualTo(WorkerStatus.SUBMITTED);
    }

    @Test
    void malformedBodiesAre400AndOtherMethods405() throws Exception {
        int logBefore = logSize();
        assertThat(post("Notification", "this is not json").statusCode()).isEqualTo(400);
        assertThat(post(null, "{\"Type\":\"Bogus\"}").statusCode()).isEqualTo(400);
        Map<String, String> valid = signed(UUID.randomUUID().toString(), doc("Ping - -"), "2");
        assertThat(post("SubscriptionConfirmation", SnsSigner.json(valid)).statusCode()).isEqualTo(400);
        // signed and trusted, but not an MTurk event document
        assertThat(post(signed(UUID.randomUUID().toString(), "hello from the SNS console", "2")).statusCode())
                .isEqualTo(400);
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + NotificationController.PATH)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(logSize()).isEqualTo(logBefore);
    }

    @Test
    void aPingIsRecordedAndTheCertificateIsFetchedOnce() throws Exception {
        int fetchesBefore = CERT_FETCHES.get();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = post(signed(UUID.randomUUID().toString(), doc("Ping - -"), i % 2 == 0 ? "1" : "2"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("recorded");
        }
        assertThat(CERT_FETCHES.get() - fetchesBefore).isLessThanOrEqualTo(1);
    }

    // ---- subscription ------------------------------------------------------------------------

    @Test
    void aValidSubscriptionConfirmationIsConfirmedAndAForgedOneIsNot() throws Exception {
        String token = "tok-" + tag;
        String subscribeUrl = confirmBase() + "?Action=ConfirmSubscription&TopicArn=x&Token=" + token;
        Map<String, String> fields = SnsSigner.confirmation("SubscriptionConfirmation", subscribeUrl, Instant.now(),
                SnsSigner.TOPIC);

        Map<String, String> forged = new SnsSigner(TestCertificates.rsaKeyPair().getPrivate())
                .sign(fields, "2", SnsSigner.CERT_URL);
        assertThat(post(forged).statusCode()).isEqualTo(403);
        Map<String, String> tampered = signer.sign(fields, "2", SnsSigner.CERT_URL);
        tampered.put("SubscribeURL", confirmBase() + "?Action=ConfirmSubscription&Token=evil-" + tag);
        assertThat(post(tampered).statusCode()).isEqualTo(403);
        Map<String, String> otherTopic = signer.sign(SnsSigner.confirmation("SubscriptionConfirmation", subscribeUrl,
                Instant.now(), "arn:aws:sns:us-east-1:1:other"), "2", SnsSigner.CERT_URL);
        assertThat(post(otherTopic).statusCode()).isEqualTo(403);
        Map<String, String> foreignUrl = signer.sign(SnsSigner.confirmation("SubscriptionConfirmation",
                "https://evil.example/?Action=ConfirmSubscription&Token=" + token, Instant.now(), SnsSigner.TOPIC),
                "2", SnsSigner.CERT_URL);
        assertThat(post(foreignUrl).statusCode()).isEqualTo(403);
        assertThat(CONFIRMED).noneMatch(q -> q.contains(tag));

        HttpResponse<String> valid = post(signer.sign(fields, "1", SnsSigner.CERT_URL));
        assertThat(valid.statusCode()).as(valid.body()).isEqualTo(200);
        assertThat(new JSONObject(valid.body()).getString("status")).isEqualTo("confirmed");
        assertThat(CONFIRMED).filteredOn(q -> q.contains(tag)).containsExactly(
                "Action=ConfirmSubscription&TopicArn=x&Token=" + token);
    }

    @Test
    void anUnsubscribeConfirmationIsVerifiedAndNotFollowed() throws Exception {
        String subscribeUrl = confirmBase() + "?Action=ConfirmSubscription&Token=unsub-" + tag;
        Map<String, String> fields = SnsSigner.confirmation("UnsubscribeConfirmation", subscribeUrl, Instant.now(),
                SnsSigner.TOPIC);
        Map<String, String> tampered = signer.sign(fields, "2", SnsSigner.CERT_URL);
        tampered.put("Token", "other");
        assertThat(post(tampered).statusCode()).isEqualTo(403);
        HttpResponse<String> r = post(signer.sign(fields, "2", SnsSigner.CERT_URL));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new JSONObject(r.body()).getString("status")).isEqualTo("unsubscribed");
        assertThat(CONFIRMED).noneMatch(q -> q.contains(tag));
    }

    @Test
    void inLocalModeTheLocalMarketplaceCertificateUrlIsTrusted() throws Exception {
        arrive(1, 2);
        String local = "http://localhost:" + port + "/local-mturk/sns/cert.pem";
        SERVED.put(local, CERT);
        SERVED.put("http://localhost:" + port + "/elsewhere/cert.pem", CERT);
        Map<String, String> elsewhere = signer.sign(notification(UUID.randomUUID().toString(),
                doc("AssignmentReturned " + assignment(1) + " -")), "1",
                "http://localhost:" + port + "/elsewhere/cert.pem");
        assertThat(post(elsewhere).statusCode()).isEqualTo(403);
        assertThat(status(1).inQueue()).isTrue();
        HttpResponse<String> r = post(signer.sign(notification(UUID.randomUUID().toString(),
                doc("AssignmentReturned " + assignment(1) + " -")), "1", local));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(status(1)).isEqualTo(WorkerStatus.RETURNED);
    }
}
