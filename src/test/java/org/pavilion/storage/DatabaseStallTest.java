package org.pavilion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pavilion.PavilionApplication;
import org.pavilion.admin.live.LiveTestSupport;
import org.pavilion.admin.security.AdminAccounts;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.marketplace.MarketplaceSettings;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.AssignmentView;
import org.pavilion.marketplace.local.LocalSns;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.Decision;
import org.pavilion.queue.QueueEngine;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.LoggedFact;
import org.pavilion.session.SessionLog;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 13: a database stall. Pavilion runs on a real PostgreSQL with a live session on the local
 * marketplace and three workers connected over real Socket.IO; then another connection holds
 * {@code LOCK TABLE session_event IN ACCESS EXCLUSIVE MODE} (every write of the event log, and every read
 * of it, waits) for about 10 s. While it is held, each of these must answer within {@link #BOUND}:
 * a worker's event (told to try again, nothing done), the SNS intake (503: SNS delivers again), an admin's
 * pages, the health endpoint and the metrics. Once the lock goes, what was refused is sent again and
 * applied, and the session carries on, its memory and its log the same.
 */
@SpringBootTest(classes = PavilionApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
        "pavilion.marketplace.hire-poll=200ms", "pavilion.marketplace.client.base-delay=10ms",
        "pavilion.marketplace.client.max-delay=50ms"})
class DatabaseStallTest {

    static final Duration BOUND = Duration.ofSeconds(3);
    static final Duration STALL = Duration.ofSeconds(10);
    /** How long a check waits at most before it counts as hanging. */
    static final Duration WAIT = Duration.ofSeconds(6);
    static final String EMAIL = "stall-admin@lab.example";
    static final String PASSWORD = "correct horse battery staple";
    static final String DATABASE = TestDatabases.newPostgresDatabase();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", DatabaseStallTest::jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "postgres");
    }

    static String jdbcUrl() {
        return TestDatabases.postgres().getJdbcUrl("postgres", DATABASE);
    }

    @LocalServerPort
    int port;
    @Autowired
    MarketplaceService market;
    @Autowired
    LocalMarketplace local;
    @Autowired
    LocalSns sns;
    @Autowired
    MarketplaceSettings settings;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    JdbcSessionStore store;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    AdminAccounts admins;
    @Autowired
    TaskDataStore taskData;

    private final List<StallClient> pages = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    /** SNS's own client: no admin cookie. */
    private final HttpClient snsClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void closePages() {
        pages.forEach(StallClient::close);
    }

    @Test
    void whileTheEventLogIsLockedEverythingAnswersAndAfterwardsTheSessionCarriesOn() throws Exception {
        logIn();
        long taskId = LiveTestSupport.task(projects, tasks, port, new Thresholds(1, 0, 2, 2), 725);
        MarketplaceService.Posted posted = market.goLive(taskId, EMAIL);
        long s = posted.sessionId();
        String hit = posted.hitId();

        // W1 and W2 active, W3 waiting: each accepted at the marketplace, each page on a real socket.
        AssignmentView a1 = local.accept("W1", hit);
        AssignmentView a2 = local.accept("W2", hit);
        AssignmentView a3 = local.accept("W3", hit);
        StallClient w1 = join("W1", a1, hit);
        w1.await("start_your_task", Duration.ofSeconds(10));
        StallClient w2 = join("W2", a2, hit);
        w2.await("start_your_task", Duration.ofSeconds(10));
        StallClient w3 = join("W3", a3, hit);
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.snapshot(s).waiting().equals(List.of("W3")));
        // Every page checked below answers before the stall (and is warm: a first rendering is slow).
        for (String path : List.of("/admin/sessions/" + s, "/api/admin/sessions/" + s, "/admin/sessions", "/admin/dashboard",
                "/actuator/health", "/actuator/prometheus")) {
            assertThat(get(path, Duration.ofSeconds(60)).statusCode()).as(path).isEqualTo(200);
        }
        // MTurk's notification that W2 returned its HIT, as its SNS topic signs it.
        String returnedW2 = snsNotification("AssignmentReturned", hit, a2.assignmentId(), posted.hitTypeId());

        try (Connection locker = DriverManager.getConnection(jdbcUrl(), "postgres", "postgres")) {
            locker.setAutoCommit(false);
            try (Statement st = locker.createStatement()) {
                st.execute("lock table session_event in access exclusive mode");
            }
            Instant locked = Instant.now();

            // A chat message needs the session's queues (in memory) and stores task data (another table):
            // delivered and acknowledged as usual.
            Answer<JSONObject> chat = check("chat_message", () -> w2.emitWithAck("chat_message",
                    new JSONObject().put("text", "still here?")).get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            // A submit must be written to the event log: the page is told to try again, and nothing is done.
            Answer<JSONObject> submit = check("submit_active", () -> w1.emitWithAck("submit_active",
                    submitPayload("W1", a1, hit)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            // SNS: answered 503, so that SNS delivers the notification again; nothing is recorded.
            Answer<HttpResponse<String>> intake = check("sns", () -> postSns(returnedW2));
            // The admin: the session's page and API say the database is busy; the rest of the console (the
            // sessions list without the stuck session's counts), the health endpoint and the metrics answer.
            Answer<HttpResponse<String>> page = check("admin session page", () -> get("/admin/sessions/" + s));
            Answer<HttpResponse<String>> api = check("admin session API", () -> get("/api/admin/sessions/" + s));
            Answer<HttpResponse<String>> list = check("admin sessions list", () -> get("/admin/sessions"));
            Answer<HttpResponse<String>> dashboard = check("admin dashboard", () -> get("/admin/dashboard"));
            Answer<HttpResponse<String>> health = check("health", () -> get("/actuator/health"));
            Answer<HttpResponse<String>> metrics = check("prometheus", () -> get("/actuator/prometheus"));
            System.out.println("DatabaseStallTest, answers during the stall: " + answers);

            for (Answer<?> answer : answers) {
                assertThat(answer.failure()).as(answer.toString()).isNull();
                assertThat(answer.millis()).as(answer.toString()).isLessThanOrEqualTo(BOUND.toMillis());
            }
            assertThat(chat.value().getBoolean("ok")).as(chat.toString()).isTrue();
            assertThat(w1.await("chat_message", m -> m.getString("text").equals("still here?"), BOUND))
                    .satisfies(m -> assertThat(m.getBoolean("mine")).isFalse());
            assertThat(submit.value().getBoolean("ok")).as(submit.toString()).isFalse();
            assertThat(submit.value().getString("code")).as(submit.toString()).isEqualTo("try_again");
            assertThat(submit.value().getString("message")).as(submit.toString()).contains("try again");
            assertThat(w1.await("error", e -> "submit_active".equals(e.optString("event")), BOUND)
                    .getString("code")).isEqualTo("try_again");
            assertThat(intake.value().statusCode()).as(intake.toString()).isEqualTo(503);
            assertThat(page.value().statusCode()).as(page.toString()).isEqualTo(503);
            assertThat(page.value().body()).contains("The database is busy", "nothing was changed");
            assertThat(page.value().headers().firstValue("Retry-After")).contains("5");
            assertThat(api.value().statusCode()).as(api.toString()).isEqualTo(503);
            assertThat(new JSONObject(api.value().body()).getString("error")).isEqualTo("database_busy");
            assertThat(api.value().headers().firstValue("Retry-After")).contains("5");
            assertThat(list.value().statusCode()).as(list.toString()).isEqualTo(200);
            assertThat(dashboard.value().statusCode()).as(dashboard.toString()).isEqualTo(200);
            assertThat(health.value().statusCode()).as(health.toString()).isEqualTo(200);
            assertThat(new JSONObject(health.value().body()).getString("status")).isEqualTo("UP");
            assertThat(metrics.value().statusCode()).as(metrics.toString()).isEqualTo(200);

            // Every check ran while the lock was held (it goes only now), which is at least STALL.
            Duration left = STALL.minus(Duration.between(locked, Instant.now()));
            if (!left.isNegative()) {
                Thread.sleep(left.toMillis());
            }
            locker.rollback();
        }

        // The lock is gone. The session answers again within its reload backoff (at most 2 s)...
        QueueSnapshot before = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .ignoreException(org.pavilion.session.SessionStorageException.class)
                .until(() -> sessions.snapshot(s), java.util.Objects::nonNull);
        // ... and nothing refused was kept: W1 is still active, W2 has not left.
        assertThat(before.active()).containsExactly("W1", "W2");
        assertThat(before.waiting()).containsExactly("W3");
        // The page sends its submit again and SNS delivers its notification again: both applied.
        JSONObject again = w1.emitWithAck("submit_active", submitPayload("W1", a1, hit)).get(30, TimeUnit.SECONDS);
        assertThat(again.getBoolean("ok")).as(again.toString()).isTrue();
        HttpResponse<String> redelivered = postSns(returnedW2);
        assertThat(redelivered.statusCode()).as(redelivered.body()).isEqualTo(200);
        assertThat(new JSONObject(redelivered.body()).getJSONArray("events").getJSONObject(0).getString("result"))
                .isEqualTo("applied");
        // ... and the session carries on: W3 takes a place.
        w3.await("start_your_task", m -> m.getJSONArray("message").toList().contains("W3"), Duration.ofSeconds(10));
        QueueSnapshot now = sessions.snapshot(s);
        assertThat(now.workers().get("W1").status()).isEqualTo(WorkerStatus.SUBMITTED);
        assertThat(now.workers().get("W2").status()).isEqualTo(WorkerStatus.RETURNED);
        assertThat(now.active()).containsExactly("W3");
        assertThat(now.waiting()).isEmpty();

        // Memory and the log agree, each thing written once: one submit of W1, one return of W2, one chat record.
        SessionLog log = store.loadSession(s).orElseThrow();
        QueueSnapshot replayed = QueueEngine.replay(log.config().thresholds(), log.config().allowRepeatWorkers(),
                log.config().hireBudget(), log.facts().stream().map(LoggedFact::fact).toList()).snapshot();
        assertThat(replayed).isEqualTo(sessions.snapshot(s));
        assertThat(log.facts().stream().map(f -> f.fact().fact()).filter(f -> f instanceof Decision.StatusChange c
                && c.workerId().equals("W1") && c.to() == WorkerStatus.SUBMITTED)).hasSize(1);
        assertThat(log.facts().stream().map(f -> f.fact().fact()).filter(f -> f instanceof Decision.StatusChange c
                && c.workerId().equals("W2") && c.to() == WorkerStatus.RETURNED)).hasSize(1);
        assertThat(taskData.forSession(s)).singleElement().satisfies(r -> {
            assertThat(r.workerId()).isEqualTo("W2");
            assertThat(r.payload()).contains("still here?");
        });
        HttpResponse<String> after = get("/admin/sessions/" + s);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).contains("W3");
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** What one check got: its answer (null if none came within {@link #WAIT}) and how long it took. */
    record Answer<T>(String what, T value, long millis, String failure) {
        @Override
        public String toString() {
            Object shown = value instanceof HttpResponse<?> r ? r.statusCode() + " " + clip(String.valueOf(r.body()))
                    : value;
            return what + " " + millis + " ms: " + (failure != null ? failure : shown);
        }

        private static String clip(String body) {
            return body.length() > 200 ? body.substring(0, 200) + "…" : body;
        }
    }

    private final List<Answer<?>> answers = new ArrayList<>();

    private <T> Answer<T> check(String what, Callable<T> call) {
        long start = System.nanoTime();
        T value = null;
        String failure = null;
        try {
            value = call.call();
        } catch (Exception e) {
            failure = "no answer (" + e + ")";
        }
        Answer<T> answer = new Answer<>(what, value, (System.nanoTime() - start) / 1_000_000, failure);
        answers.add(answer);
        return answer;
    }

    private StallClient join(String worker, AssignmentView a, String hit) throws InterruptedException {
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.read(store.findSessionByHit(hit).orElseThrow(),
                e -> e.isConfirmedFor(worker, a.assignmentId(), hit)).join());
        StallClient page = StallClient.connect(worker, port);
        pages.add(page);
        page.emit("connected", new JSONObject().put("workerId", worker).put("aid", a.assignmentId()).put("hit_id", hit));
        return page;
    }

    private static JSONObject submitPayload(String worker, AssignmentView a, String hit) {
        return new JSONObject().put("worker", worker).put("aid", a.assignmentId()).put("hit_id", hit);
    }

    private void logIn() throws Exception {
        if (admins.findByEmail(EMAIL).isEmpty()) {
            admins.create(EMAIL, PASSWORD, null);
        }
        HttpResponse<String> form = get("/login", Duration.ofSeconds(60));
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(form.body());
        assertThat(csrf.find()).as("the login form's CSRF token").isTrue();
        String body = "username=" + enc(EMAIL) + "&password=" + enc(PASSWORD) + "&_csrf=" + enc(csrf.group(1));
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(url("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElse("")).doesNotContain("error");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return get(path, WAIT);
    }

    private HttpResponse<String> get(String path, Duration timeout) throws Exception {
        return http.send(HttpRequest.newBuilder(url(path)).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An MTurk event document in a Notification signed as the local marketplace's SNS signs them. */
    private String snsNotification(String type, String hitId, String assignmentId, String hitTypeId) {
        String topic = settings.notificationTopicArn();
        JSONObject doc = new JSONObject().put("EventDocId", UUID.randomUUID().toString())
                .put("SourceAccount", "000000000000").put("CustomerId", "A1PAVILIONLOCALREQ")
                .put("EventDocVersion", "2014-08-15")
                .put("Events", new JSONArray().put(new JSONObject().put("EventType", type)
                        .put("EventTimestamp", DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(
                                java.time.temporal.ChronoUnit.SECONDS)))
                        .put("HITId", hitId).put("AssignmentId", assignmentId).put("HITTypeId", hitTypeId)));
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Type", "Notification");
        m.put("MessageId", UUID.randomUUID().toString());
        m.put("TopicArn", topic);
        m.put("Subject", "Amazon Mechanical Turk event notification");
        m.put("Message", doc.toString());
        m.put("Timestamp", DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC)
                .format(Instant.now()));
        m.put("SignatureVersion", sns.signer().signatureVersion());
        m.put("Signature", sns.signer().sign(m));
        m.put("SigningCertURL", sns.signingCertUrl());
        m.put("UnsubscribeURL", "http://localhost:" + port + "/local-mturk/sns/unsubscribe");
        return new JSONObject(m).toString();
    }

    private HttpResponse<String> postSns(String body) throws Exception {
        return snsClient.send(HttpRequest.newBuilder(url("/api/from_mturk")).timeout(WAIT)
                .header("x-amz-sns-message-type", "Notification")
                .header("Content-Type", "text/plain; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI url(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
