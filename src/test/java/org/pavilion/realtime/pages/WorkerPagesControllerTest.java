package org.pavilion.realtime.pages;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.realtime.SignedTokens;
import org.pavilion.realtime.WorkerIdentity;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/** The worker pages over real HTTP: preview, refusals, the signed token, escaping, redirects. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
@Import(ExternalSubmitEndpoint.class)
class WorkerPagesControllerTest {

    private static final Pattern TOKEN = Pattern.compile("data-token=\"([^\"]+)\"");

    @LocalServerPort
    int port;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    SessionStore store;
    @Autowired
    SignedTokens tokens;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private long session;
    private String hit;

    @BeforeEach
    void openSession() {
        long project = projects.create("Pages", "", Instant.now()).id();
        long task = tasks.create(project, TaskSettings.basic("Chat <b>with</b> a bot",
                "Talk with other workers & a bot, live.", "https://localhost/waiting_task", 50,
                new Thresholds(2, 1, 3, 3)), Instant.now()).id();
        session = sessions.open(task).sessionId();
        hit = "HIT" + UUID.randomUUID().toString().replace("-", "");
        store.addSessionHit(session, "HT" + session, hit);
    }

    private String base() {
        return "http://localhost:" + port;
    }

    private HttpResponse<String> get(String path, Map<String, String> query) throws IOException, InterruptedException {
        String q = query.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(URI.create(base() + path + (q.isEmpty() ? "" : "?" + q))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, String> mturk(String assignmentId, String hitId, String workerId) {
        Map<String, String> q = new LinkedHashMap<>();
        if (assignmentId != null) {
            q.put("assignmentId", assignmentId);
        }
        if (hitId != null) {
            q.put("hitId", hitId);
        }
        if (workerId != null) {
            q.put("workerId", workerId);
        }
        q.put("turkSubmitTo", base());
        return q;
    }

    private static String token(String html) {
        Matcher m = TOKEN.matcher(html);
        assertThat(m.find()).as("the page carries a token").isTrue();
        return m.group(1);
    }

    @Test
    void previewShowsTheTaskAndDoesNotJoin() throws Exception {
        for (String path : new String[] {"/waiting_task", "/main_task"}) {
            HttpResponse<String> r = get(path, mturk("ASSIGNMENT_ID_NOT_AVAILABLE", hit, null));
            assertThat(r.statusCode()).isEqualTo(200);
            String html = r.body();
            assertThat(html).contains("Chat &lt;b&gt;with&lt;/b&gt; a bot")
                    .contains("Talk with other workers &amp; a bot, live.")
                    .contains("Accept the HIT to join")
                    .contains("$7.25")
                    .doesNotContain("data-token").doesNotContain("socket.io").doesNotContain("pavilion.js")
                    .doesNotContain("<script");
        }
        assertThat(sessions.snapshot(session).workers()).isEmpty();
    }

    @Test
    void previewWithoutParametersIsAGenericPreview() throws Exception {
        HttpResponse<String> r = get("/waiting_task", Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("A live crowd task").contains("Accept the HIT to join").doesNotContain("<script");
    }

    @Test
    void anUnknownHitIsRefusedWithAClearMessage() throws Exception {
        HttpResponse<String> r = get("/waiting_task", mturk("A1", "NO_SUCH_HIT", "W1"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("Unknown HIT").contains("NO_SUCH_HIT").contains("return the HIT")
                .doesNotContain("Exception").doesNotContain("at org.").doesNotContain("data-token");
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    }

    @Test
    void missingOrBadParametersAreRefused() throws Exception {
        HttpResponse<String> noWorker = get("/waiting_task", mturk("A1", hit, null));
        assertThat(noWorker.statusCode()).isEqualTo(400);
        assertThat(noWorker.body()).contains("Missing workerId").doesNotContain("data-token");

        HttpResponse<String> noHit = get("/main_task", mturk("A1", null, "W1"));
        assertThat(noHit.statusCode()).isEqualTo(400);
        assertThat(noHit.body()).contains("Missing hitId");

        Map<String, String> q = mturk("A1", hit, "W1");
        q.put("turkSubmitTo", "javascript:alert(1)");
        HttpResponse<String> badSubmit = get("/waiting_task", q);
        assertThat(badSubmit.statusCode()).isEqualTo(400);
        assertThat(badSubmit.body()).contains("Invalid turkSubmitTo").doesNotContain("javascript:alert");

        q.remove("turkSubmitTo");
        assertThat(get("/waiting_task", q).statusCode()).isEqualTo(400);

        HttpResponse<String> spaced = get("/waiting_task", mturk("A1", hit, "W 1"));
        assertThat(spaced.statusCode()).isEqualTo(400);
        assertThat(spaced.body()).contains("Invalid workerId");
    }

    @Test
    void aLinkWithMadeUpIdsGetsNoToken() throws Exception {
        // HIT ids are public: anyone can put a real one in a link with any worker and assignment ids.
        HttpResponse<String> r = get("/waiting_task", mturk("ANY-ASSIGNMENT", hit, "VICTIM"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("data-worker-id=\"VICTIM\"").doesNotContain("data-token=\"ey");
        assertThat(TOKEN.matcher(r.body()).find()).isFalse();
        assertThat(r.body()).doesNotContain("my-pay-link");
        // Confirmed for another worker: still no token for the victim.
        ConfirmedArrivals.confirm(sessions, session, "ATTACKER", "ANY-ASSIGNMENT", hit);
        assertThat(TOKEN.matcher(get("/waiting_task", mturk("ANY-ASSIGNMENT", hit, "VICTIM")).body()).find())
                .isFalse();
        // Confirmed for another HIT: no token for this one.
        ConfirmedArrivals.confirm(sessions, session, "W7", "A7", "OTHER-HIT");
        assertThat(TOKEN.matcher(get("/waiting_task", mturk("A7", hit, "W7")).body()).find()).isFalse();
    }

    @Test
    void theWaitingPageCarriesATokenForItsWorker() throws Exception {
        ConfirmedArrivals.confirm(sessions, session, "WORKER1", "ASG1", hit); // MTurk's AssignmentAccepted
        HttpResponse<String> r = get("/waiting_task", mturk("ASG1", hit, "WORKER1"));
        assertThat(r.statusCode()).isEqualTo(200);
        String html = r.body();
        assertThat(tokens.verifyWorker(token(html)))
                .contains(new WorkerIdentity(session, "WORKER1", "ASG1", hit));
        // the worker's own pay page, with the token in the fragment (never sent in a URL)
        assertThat(html).contains("id=\"my-pay-link\" href=\"/my_pay#" + token(html) + "\"");
        assertThat(html).contains("data-worker-id=\"WORKER1\"").contains("data-assignment-id=\"ASG1\"")
                .contains("data-hit-id=\"" + hit + "\"")
                .contains("data-submit-url=\"" + base() + "/mturk/externalSubmit\"")
                .contains("data-max-waiting=\"3\"").contains("<span id=\"max-waiting\">3</span>") // maxWaiting
                .contains("data-cents-per-hour=\"725\"")
                .contains("src=\"/vendor/socket.io.min.js\"").contains("src=\"/pavilion.js\"")
                .contains("src=\"/pages/waiting.js\"")
                .doesNotContain("Accept the HIT to join");
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(r.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));
        // Rendering the page does not join: the socket connection does.
        assertThat(sessions.snapshot(session).workers()).isEmpty();
    }

    @Test
    void hostileQueryValuesAreEscaped() throws Exception {
        String hostile = "\"><script>alert(1)</script>";
        String hostileAid = "a'onmouseover='alert(2)";
        ConfirmedArrivals.confirm(sessions, session, hostile, hostileAid, hit);
        HttpResponse<String> r = get("/waiting_task", mturk(hostileAid, hit, hostile));
        assertThat(r.statusCode()).isEqualTo(200);
        String html = r.body();
        assertThat(html).doesNotContain("<script>alert(1)").doesNotContain("'onmouseover='")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;").contains("&quot;&gt;");
        // The token still names exactly the values given.
        assertThat(tokens.verifyWorker(token(html))).contains(new WorkerIdentity(session, hostile, hostileAid, hit));

        HttpResponse<String> unknown = get("/waiting_task", mturk("A1", "<img/src=x/onerror=alert(3)>", "W1"));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).doesNotContain("<img/src").contains("&lt;img/src=x/onerror=alert(3)&gt;");
    }

    @Test
    void pagesFollowTheWorkersPlaceInTheSession() throws Exception {
        // Not joined yet: the main task page sends the worker to the waiting room.
        HttpResponse<String> early = get("/main_task", mturk("A1", hit, "W1"));
        assertThat(early.statusCode()).isEqualTo(302);
        assertThat(early.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l)
                .contains("/waiting_task?assignmentId=A1&hitId=" + hit + "&workerId=W1&turkSubmitTo="));

        ConfirmedArrivals.arrive(sessions, session, "W1", "A1", hit, "test");
        assertThat(get("/main_task", mturk("A1", hit, "W1")).statusCode()).isEqualTo(302);
        ConfirmedArrivals.arrive(sessions, session, "W2", "A2", hit, "test"); // minActive 2: both start

        HttpResponse<String> main = get("/main_task", mturk("A1", hit, "W1"));
        assertThat(main.statusCode()).isEqualTo(200);
        assertThat(main.body()).contains("Group chat").contains("maxlength=\"500\"").contains("data-ready=\"false\"")
                .contains("src=\"/pages/main-task.js\"");
        assertThat(tokens.verifyWorker(token(main.body()))).contains(new WorkerIdentity(session, "W1", "A1", hit));

        HttpResponse<String> back = get("/waiting_task", mturk("A2", hit, "W2"));
        assertThat(back.statusCode()).isEqualTo(302);
        assertThat(back.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l)
                .contains("/main_task?assignmentId=A2&hitId=" + hit + "&workerId=W2"));

        sessions.apply(session, new QueueEvent.Ready("W2"), "test");
        assertThat(get("/main_task", mturk("A2", hit, "W2")).body()).contains("data-ready=\"true\"");
    }

    @Test
    void anEndedSessionSaysSo() throws Exception {
        sessions.apply(session, new QueueEvent.Expire("admin"), "admin:test");
        HttpResponse<String> r = get("/waiting_task", mturk("A1", hit, "W1"));
        assertThat(r.statusCode()).isEqualTo(410);
        assertThat(r.body()).contains("This task has ended").doesNotContain("data-token");
    }

    @Test
    void theHelperScriptIsServed() throws Exception {
        HttpResponse<String> r = get("/pavilion.js", Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(r.body()).contains("global.Pavilion").contains("submitToMTurk").contains("/mturk/externalSubmit");
        assertThat(get("/pavilion.css", Map.of()).statusCode()).isEqualTo(200);
        assertThat(get("/pages/waiting.js", Map.of()).statusCode()).isEqualTo(200);
        assertThat(get("/pages/main-task.js", Map.of()).statusCode()).isEqualTo(200);
    }
}
