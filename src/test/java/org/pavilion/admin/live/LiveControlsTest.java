package org.pavilion.admin.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;

import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.local.FaultInjector;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.web.context.WebApplicationContext;

/**
 * The live controls through the page forms and the REST API, on the local marketplace: going live
 * posts a HIT; stop, expire and migrate change the session and the event log names the admin;
 * migrate stays within maxActive unless forced; refusals are clear (404, 409, 400, 502).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=200ms",
        "pavilion.marketplace.client.base-delay=5ms", "pavilion.marketplace.client.max-delay=20ms",
        "pavilion.marketplace.client.max-attempts=2"})
@WithMockUser(username = LiveTestSupport.ADMIN, roles = "ADMIN")
class LiveControlsTest {

    private static final String ACTOR = "admin:" + LiveTestSupport.ADMIN;

    @LocalServerPort
    int port;
    @Autowired
    WebApplicationContext context;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    SessionQueries queries;
    @Autowired
    LocalMarketplace local;
    @Autowired
    FaultInjector faults;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;

    private MockMvc mvc;

    @BeforeEach
    void setUp() {
        mvc = LiveTestSupport.mockMvc(context);
    }

    @AfterEach
    void clearFaults() {
        faults.clear();
    }

    private long task(Thresholds thresholds) {
        return LiveTestSupport.task(projects, tasks, port, thresholds, 725);
    }

    private JSONObject json(MvcResult result) throws Exception {
        return new JSONObject(result.getResponse().getContentAsString());
    }

    private long goLiveByApi(long taskId) throws Exception {
        MvcResult r = mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).with(csrf()))
                .andExpect(status().isCreated()).andReturn();
        return json(r).getLong("sessionId");
    }

    /** Going live although the balance does not cover the first hour (the admin confirmed). */
    private long goLiveByApiConfirmingLowBalance(long taskId) throws Exception {
        MvcResult r = mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).param("confirmLowBalance", "true")
                .with(csrf())).andExpect(status().isCreated()).andReturn();
        return json(r).getLong("sessionId");
    }

    /** Each worker's assignment confirmed by the marketplace, then its page arrives (SPEC 4.1.0). */
    private void arrive(long session, String... workers) {
        for (String w : workers) {
            ConfirmedArrivals.arrive(sessions, session, w, "ASG-" + w, "worker:" + w);
        }
    }

    /** The actors of the log rows of a kind/phase or cause. */
    private List<String> actorsOf(long session, String what) {
        return queries.events(session).stream()
                .filter(e -> what.equalsIgnoreCase(e.phase()) || what.equalsIgnoreCase(e.cause()))
                .map(SessionQueries.EventRow::actor).toList();
    }

    // ---- go live ---------------------------------------------------------------------------------

    @Test
    void goLiveWithAChosenNameThresholdsAndMarketplaceOpensThatSessionAndLeavesTheTaskAsItWas() throws Exception {
        long taskId = task(new Thresholds(1, 0, 2, 3));
        MvcResult r = mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).param("name", "  pilot B ")
                .param("maxActive", "4").param("maxWaiting", "2").param("marketplace", "LOCAL").with(csrf()))
                .andExpect(status().isCreated()).andReturn();
        long session = json(r).getLong("sessionId");
        // the session's thresholds and its HIT's room are the chosen ones; the task keeps its own
        assertThat(sessions.config(session).thresholds()).isEqualTo(new Thresholds(1, 0, 4, 2));
        assertThat(local.getHit(json(r).getString("hitId")).maxAssignments()).isEqualTo(6);
        assertThat(tasks.find(taskId).orElseThrow().thresholds()).isEqualTo(new Thresholds(1, 0, 2, 3));
        // the default hire budget follows the session's thresholds: 3 × (4 + 2)
        assertThat(sessions.config(session).hireBudget()).isEqualTo(18);

        JSONObject view = json(mvc.perform(get("/api/admin/sessions/{id}", session)).andExpect(status().isOk())
                .andReturn());
        assertThat(view.getString("name")).isEqualTo("pilot B");
        assertThat(view.getJSONObject("marketplace").getString("mode")).isEqualTo("local");
        assertThat(view.getJSONObject("marketplace").getString("previewUrl")).isEqualTo("/local-mturk/board");
        String page = mvc.perform(get("/admin/sessions/{id}", session)).andExpect(status().isOk()).andReturn()
                .getResponse().getContentAsString();
        assertThat(page).contains("\u201cpilot B\u201d").contains("id=\"session-marketplace-mode\">the local marketplace (Pavilion")
                .contains("Marketplace: local");
    }

    @Test
    void goLiveChoicesThatAreNotAllowedAreRefusedNamingTheFieldAndOpenNothing() throws Exception {
        long taskId = task(new Thresholds(1, 0, 2, 3));
        int before = queries.sessions(taskId, 100).size();
        String[][] bad = {{"marketplace", "production", "marketplace"}, {"marketplace", "moon", "marketplace"},
                {"maxActive", "0", "maxActive"}, {"minWaiting", "5", "maxWaiting"}, {"maxActive", "two", "maxActive"},
                {"maxWaiting", "10001", "maxWaiting"}, {"name", "x".repeat(101), "name"}, {"name", "a\nb", "name"}};
        for (String[] b : bad) {
            MvcResult r = mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).param(b[0], b[1]).with(csrf()))
                    .andExpect(status().isBadRequest()).andReturn();
            assertThat(json(r).getString("error")).as(b[0] + "=" + b[1]).isEqualTo("invalid_configuration");
            assertThat(json(r).getString("field")).as(b[0] + "=" + b[1]).isEqualTo(b[2]);
        }
        // the page says it on the task page, next to the dialog
        mvc.perform(post("/admin/tasks/{id}/go-live", taskId).param("marketplace", "production").with(csrf()))
                .andExpect(redirectedUrl("/admin/tasks/" + taskId + "#go-live"))
                .andExpect(flash().attribute("problem", org.hamcrest.Matchers.containsString(
                        "production needs pavilion.marketplace.mode=production")));
        assertThat(queries.sessions(taskId, 100)).as("nothing was opened").hasSize(before);

        JSONArray offered = new JSONArray(mvc.perform(get("/api/admin/marketplaces")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString());
        assertThat(offered.getJSONObject(0).getString("key")).isEqualTo("local");
        assertThat(offered.getJSONObject(0).getBoolean("configured")).isTrue();
        for (int i = 0; i < offered.length(); i++) {
            assertThat(offered.getJSONObject(i).getString("key")).as("production is never offered on a local server")
                    .isNotEqualTo("production");
        }
    }

    @Test
    void goLiveThroughTheApiPostsTheHitAndOpensASession() throws Exception {
        long taskId = task(new Thresholds(1, 0, 2, 3));
        MvcResult r = mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).with(csrf()))
                .andExpect(status().isCreated()).andReturn();
        JSONObject body = json(r);
        long session = body.getLong("sessionId");
        assertThat(r.getResponse().getHeader("Location")).isEqualTo("/api/admin/sessions/" + session);
        assertThat(sessions.config(session).taskId()).isEqualTo(taskId);
        LocalMarketplace.HitView hit = local.getHit(body.getString("hitId"));
        assertThat(hit.maxAssignments()).isEqualTo(5);
        assertThat(hit.hitTypeId()).isEqualTo(body.getString("hitTypeId"));

        JSONObject view = json(mvc.perform(get("/api/admin/sessions/{id}", session)).andExpect(status().isOk())
                .andReturn());
        assertThat(view.getString("status")).isEqualTo("live");
        assertThat(view.getBoolean("started")).isFalse();
        assertThat(view.getString("hitId")).isEqualTo(hit.hitId());
        assertThat(view.getJSONObject("counters").getInt("capacity")).isEqualTo(5);

        JSONArray list = new JSONArray(mvc.perform(get("/api/admin/sessions")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString());
        JSONObject row = null;
        for (int i = 0; i < list.length(); i++) {
            if (list.getJSONObject(i).getLong("id") == session) {
                row = list.getJSONObject(i);
            }
        }
        assertThat(row).isNotNull();
        assertThat(row.getString("status")).isEqualTo("live");
        assertThat(row.getInt("waiting")).isZero();
        assertThat(row.getLong("taskId")).isEqualTo(taskId);
        assertThat(row.has("openedInstant")).isFalse();
        String page = mvc.perform(get("/admin/sessions")).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString();
        assertThat(page).contains("/admin/sessions/" + session + "\"").contains("Go live");
    }

    @Test
    void goLiveThroughThePageFormGoesToTheLiveView() throws Exception {
        long taskId = task(new Thresholds(1, 0, 1, 1));
        MvcResult r = mvc.perform(post("/admin/tasks/{id}/go-live", taskId).with(csrf()))
                .andExpect(status().is3xxRedirection()).andReturn();
        String location = r.getResponse().getRedirectedUrl();
        assertThat(location).matches("/admin/sessions/\\d+");
        long session = Long.parseLong(location.substring(location.lastIndexOf('/') + 1));
        assertThat(sessions.config(session).taskId()).isEqualTo(taskId);
        assertThat((String) r.getFlashMap().get("notice")).contains("is live").contains("session " + session);
        assertThat(local.hits().stream().anyMatch(h -> h.requesterAnnotation() != null
                && h.requesterAnnotation().contains("-s" + session + "-"))).isTrue();

        String page = mvc.perform(get(location)).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString();
        assertThat(page).contains("id=\"counter-waiting\"").contains("Stop the job").contains("Expire the HITs")
                .contains("aria-live=\"polite\"").contains("/admin-assets/live/live.js");
    }

    @Test
    void withTheDefaultBalanceTheTaskPageShowsItCoversTheFirstHourAndAsksNoMore() throws Exception {
        long taskId = task(new Thresholds(1, 0, 1, 1));
        String html = mvc.perform(get("/admin/tasks/{id}", taskId)).andExpect(status().isOk()).andReturn()
                .getResponse().getContentAsString();
        org.jsoup.nodes.Document doc = org.jsoup.Jsoup.parse(html);
        assertThat(doc.selectFirst("#go-live-balance").text()).isEqualTo("$10000.00");
        assertThat(doc.selectFirst("#go-live-first-hour").text()).startsWith("$11.10");
        assertThat(doc.selectFirst("#go-live-warning")).isNull();
        assertThat(doc.select("input[name=confirmLowBalance]:not([disabled])")).as("no confirmation asked").isEmpty();
        JSONObject estimate = json(mvc.perform(get("/api/admin/tasks/{id}/go-live-estimate", taskId))
                .andExpect(status().isOk()).andReturn());
        assertThat(estimate.getLong("balanceCents")).isEqualTo(1_000_000);
        assertThat(estimate.getBoolean("confirmationRequired")).isFalse();
    }

    @Test
    void aGoLiveWithoutCsrfTokenIsRefused() throws Exception {
        long taskId = task(new Thresholds(1, 0, 1, 1));
        int before = sessions.sessionIds().size();
        mvc.perform(post("/admin/tasks/{id}/go-live", taskId)).andExpect(status().isForbidden());
        assertThat(sessions.sessionIds()).hasSize(before);
    }

    @Test
    void aMarketplaceRefusalIsShownClearly() throws Exception {
        long taskId = task(new Thresholds(1, 0, 1, 1));
        faults.failNext("CreateHITWithHITType", 10, FaultInjector.Fault.HTTP_500);
        // the page: back to the task's Go live section with the refusal in plain words (issue 14 item 2)
        org.springframework.test.web.servlet.MvcResult back = mvc.perform(post("/admin/tasks/{id}/go-live", taskId)
                .with(csrf())).andExpect(status().is3xxRedirection())
                .andExpect(redirectedUrl("/admin/tasks/" + taskId + "#go-live")).andReturn();
        assertThat((String) back.getFlashMap().get("problem"))
                .startsWith("Not posted: the marketplace is busy or unavailable right now")
                .endsWith("go live again in a few minutes.").doesNotContain("InternalFailure", "HTTP");

        faults.clear();
        faults.failNext("CreateHITWithHITType", 10, FaultInjector.Fault.HTTP_500);
        JSONObject error = json(mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).with(csrf()))
                .andExpect(status().isBadGateway()).andReturn());
        assertThat(error.getString("error")).isEqualTo("marketplace_error");
        assertThat(error.getString("message")).startsWith("Not posted: the marketplace is busy or unavailable");
        assertThat(error.getBoolean("retryable")).isTrue();
    }

    /** Issue 13 item 1: a double submit of the go-live form (the same form, so the same nonce) goes live once. */
    @Test
    void aDoubleSubmitOfTheGoLiveFormOpensOneSessionAndPostsOneHit() throws Exception {
        long taskId = task(new Thresholds(1, 0, 1, 2));
        String form = mvc.perform(get("/admin/tasks/{id}", taskId)).andExpect(status().isOk()).andReturn()
                .getResponse().getContentAsString();
        String nonce = org.jsoup.Jsoup.parse(form).selectFirst("#go-live input[name=nonce]").val();
        assertThat(nonce).isNotBlank();
        int hitsBefore = local.hits().size();

        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<String>> clicks = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                clicks.add(pool.submit(() -> mvc.perform(post("/admin/tasks/{id}/go-live", taskId)
                        .param("nonce", nonce).with(csrf()).with(org.springframework.security.test.web.servlet.request
                                .SecurityMockMvcRequestPostProcessors.user(LiveTestSupport.ADMIN).roles("ADMIN")))
                        .andExpect(status().is3xxRedirection()).andReturn()
                        .getResponse().getRedirectedUrl()));
            }
            String first = clicks.get(0).get();
            assertThat(clicks.get(1).get()).as("both submits land on the same session").isEqualTo(first);
        } finally {
            pool.shutdownNow();
        }
        // and a third, later submit of the same form too
        mvc.perform(post("/admin/tasks/{id}/go-live", taskId).param("nonce", nonce).with(csrf()))
                .andExpect(status().is3xxRedirection());

        assertThat(queries.sessions(taskId, 100)).as("sessions of the task").hasSize(1);
        assertThat(local.hits().size() - hitsBefore).as("HITs posted").isEqualTo(1);

        // the API's Idempotency-Key does the same
        long other = task(new Thresholds(1, 0, 1, 2));
        JSONObject a = json(mvc.perform(post("/api/admin/tasks/{id}/go-live", other).header("Idempotency-Key", "k-1")
                .with(csrf())).andExpect(status().isCreated()).andReturn());
        JSONObject b = json(mvc.perform(post("/api/admin/tasks/{id}/go-live", other).header("Idempotency-Key", "k-1")
                .with(csrf())).andExpect(status().isCreated()).andReturn());
        assertThat(b.getLong("sessionId")).isEqualTo(a.getLong("sessionId"));
        assertThat(b.getString("hitId")).isEqualTo(a.getString("hitId"));
        assertThat(queries.sessions(other, 100)).hasSize(1);
    }

    @Test
    void goLiveOfAnUnknownTaskIs404() throws Exception {
        JSONObject error = json(mvc.perform(post("/api/admin/tasks/{id}/go-live", 987654321L).with(csrf()))
                .andExpect(status().isNotFound()).andReturn());
        assertThat(error.getString("error")).isEqualTo("unknown_task");
        mvc.perform(post("/admin/tasks/{id}/go-live", 987654321L).with(csrf())).andExpect(status().isNotFound());
    }

    // ---- stop, expire --------------------------------------------------------------------------

    @Test
    void stopThroughThePageFormIsRecordedWithTheAdmin() throws Exception {
        long session = goLiveByApi(task(new Thresholds(1, 0, 1, 2)));
        arrive(session, "W1", "W2");
        mvc.perform(post("/admin/sessions/{id}/stop", session).with(csrf()))
                .andExpect(redirectedUrl("/admin/sessions/" + session))
                .andExpect(flash().attribute("notice", org.hamcrest.Matchers.containsString("stopped")));
        assertThat(sessions.snapshot(session).stopped()).isTrue();
        assertThat(actorsOf(session, "STOPPED")).containsExactly(ACTOR);

        // Again: nothing to do, and said so.
        mvc.perform(post("/admin/sessions/{id}/stop", session).with(csrf()))
                .andExpect(flash().attribute("notice", org.hamcrest.Matchers.containsString("already stopped")));
        JSONObject view = json(mvc.perform(get("/api/admin/sessions/{id}", session)).andReturn());
        assertThat(view.getString("status")).isEqualTo("stopped");
        JSONObject stopped = findEvent(view, "phase", "stopped");
        assertThat(stopped.getString("actor")).isEqualTo(ACTOR);
        assertThat(stopped.getString("detail")).isEqualTo("stop");
    }

    @Test
    void stopAndExpireThroughTheApi() throws Exception {
        long session = goLiveByApi(task(new Thresholds(1, 0, 1, 2)));
        arrive(session, "W1");
        JSONObject stopped = json(mvc.perform(post("/api/admin/sessions/{id}/stop", session).with(csrf()))
                .andExpect(status().isOk()).andReturn());
        assertThat(stopped.getString("action")).isEqualTo("stop");
        assertThat(stopped.getBoolean("changed")).isTrue();
        assertThat(stopped.getJSONObject("session").getBoolean("stopped")).isTrue();

        JSONObject expired = json(mvc.perform(post("/api/admin/sessions/{id}/expire", session).with(csrf()))
                .andExpect(status().isOk()).andReturn());
        assertThat(expired.getJSONObject("session").getString("status")).isEqualTo("expired");
        assertThat(sessions.snapshot(session).expired()).isTrue();
        assertThat(actorsOf(session, "EXPIRED")).containsExactly(ACTOR);
        assertThat(actorsOf(session, "STOPPED")).containsExactly(ACTOR);

        // An ended session takes no more actions: 409 from the API, a clear error on the page.
        for (String action : List.of("stop", "expire")) {
            JSONObject error = json(mvc.perform(post("/api/admin/sessions/{id}/" + action, session).with(csrf()))
                    .andExpect(status().isConflict()).andReturn());
            assertThat(error.getString("error")).isEqualTo("session_ended");
            assertThat(error.getString("message")).contains("ended");
        }
        mvc.perform(post("/api/admin/sessions/{id}/migrate", session).with(csrf())
                .contentType(MediaType.APPLICATION_JSON).content("{\"count\": 1}")).andExpect(status().isConflict());
        mvc.perform(post("/admin/sessions/{id}/stop", session).with(csrf()))
                .andExpect(redirectedUrl("/admin/sessions/" + session))
                .andExpect(flash().attribute("problem", org.hamcrest.Matchers.containsString("has ended")));
        // Its view is still there, with the waiting pay of the worker who waited.
        JSONObject view = json(mvc.perform(get("/api/admin/sessions/{id}", session)).andExpect(status().isOk())
                .andReturn());
        assertThat(view.getBoolean("expired")).isTrue();
        assertThat(view.getJSONArray("workers").getJSONObject(0).getString("worker")).isEqualTo("W1");
        String page = mvc.perform(get("/admin/sessions/{id}", session)).andExpect(status().isOk()).andReturn()
                .getResponse().getContentAsString();
        assertThat(page).contains("This session has ended");
    }

    @Test
    void expireThroughThePageForm() throws Exception {
        long session = goLiveByApi(task(new Thresholds(1, 0, 1, 1)));
        mvc.perform(post("/admin/sessions/{id}/expire", session).with(csrf()))
                .andExpect(redirectedUrl("/admin/sessions/" + session))
                .andExpect(flash().attribute("notice", org.hamcrest.Matchers.containsString("ended")));
        assertThat(sessions.snapshot(session).expired()).isTrue();
        assertThat(actorsOf(session, "EXPIRED")).containsExactly(ACTOR);
    }

    // ---- migrate -------------------------------------------------------------------------------

    @Test
    void migrateStaysWithinMaxActiveUnlessForced() throws Exception {
        // minActive 1, minWaiting 3, maxActive 2: W1 starts, W2..W4 wait (the reserve keeps them).
        long session = goLiveByApi(task(new Thresholds(1, 3, 2, 5)));
        arrive(session, "W1", "W2", "W3", "W4");
        assertThat(sessions.snapshot(session).waiting()).containsExactly("W2", "W3", "W4");

        JSONObject capped = json(mvc.perform(post("/api/admin/sessions/{id}/migrate", session).with(csrf())
                .contentType(MediaType.APPLICATION_JSON).content("{\"count\": 3}"))
                .andExpect(status().isOk()).andReturn());
        assertThat(capped.getInt("migrated")).isEqualTo(1);
        QueueSnapshot after = sessions.snapshot(session);
        assertThat(after.active()).containsExactly("W1", "W2");
        assertThat(after.waiting()).containsExactly("W3", "W4");
        assertThat(capped.getJSONObject("session").getJSONArray("active").length()).isEqualTo(2);

        // At maxActive nothing moves without force...
        JSONObject none = json(mvc.perform(post("/api/admin/sessions/{id}/migrate", session).with(csrf())
                .contentType(MediaType.APPLICATION_JSON).content("{\"count\": 1, \"force\": false}"))
                .andExpect(status().isOk()).andReturn());
        assertThat(none.getInt("migrated")).isZero();
        assertThat(none.getString("message")).contains("No worker was moved", "at maxActive", "force past maxActive");
        // The page tells it as a problem, with the same hint (issue 14 item 5).
        mvc.perform(post("/admin/sessions/{id}/migrate", session).with(csrf()).param("count", "1"))
                .andExpect(redirectedUrl("/admin/sessions/" + session))
                .andExpect(flash().attribute("problem", org.hamcrest.Matchers.containsString("force past maxActive")))
                .andExpect(flash().attribute("notice", org.hamcrest.Matchers.nullValue()));

        // ...and with it, past maxActive, through the page form.
        mvc.perform(post("/admin/sessions/{id}/migrate", session).with(csrf()).param("count", "2")
                        .param("force", "true"))
                .andExpect(redirectedUrl("/admin/sessions/" + session))
                .andExpect(flash().attribute("notice", org.hamcrest.Matchers.containsString("2 workers moved")));
        QueueSnapshot forced = sessions.snapshot(session);
        assertThat(forced.active()).containsExactly("W1", "W2", "W3", "W4");
        assertThat(forced.waiting()).isEmpty();

        List<SessionQueries.EventRow> migrated = queries.events(session).stream()
                .filter(e -> "MIGRATED".equals(e.cause())).toList();
        assertThat(migrated).extracting(SessionQueries.EventRow::workerId).containsExactly("W2", "W3", "W4");
        assertThat(migrated).extracting(SessionQueries.EventRow::actor).containsOnly(ACTOR);
        assertThat(migrated.get(0).detail()).isEqualTo("migrate 3");
        assertThat(migrated.get(1).detail()).isEqualTo("migrate 2 (force past maxActive)");
    }

    @Test
    void migrateFromThePageFormWithoutForceStaysWithinMaxActive() throws Exception {
        long session = goLiveByApi(task(new Thresholds(2, 0, 2, 5)));
        arrive(session, "W1"); // not started: minActive 2
        mvc.perform(post("/admin/sessions/{id}/migrate", session).with(csrf()).param("count", "5"))
                .andExpect(flash().attribute("notice", org.hamcrest.Matchers.containsString("1 worker moved")));
        QueueSnapshot s = sessions.snapshot(session);
        assertThat(s.started()).isTrue();
        assertThat(s.active()).containsExactly("W1");
        assertThat(actorsOf(session, "STARTED")).containsExactly(ACTOR);
    }

    @Test
    void badCountsAreRefused() throws Exception {
        long session = goLiveByApi(task(new Thresholds(1, 0, 1, 2)));
        for (String body : List.of("{\"count\": 0}", "{\"count\": -2}", "{}", "{\"force\": true}")) {
            JSONObject error = json(mvc.perform(post("/api/admin/sessions/{id}/migrate", session).with(csrf())
                    .contentType(MediaType.APPLICATION_JSON).content(body)).andExpect(status().isBadRequest())
                    .andReturn());
            assertThat(error.getString("error")).isEqualTo("bad_count");
            assertThat(error.getString("message")).contains("at least 1");
        }
        mvc.perform(post("/api/admin/sessions/{id}/migrate", session).with(csrf())
                .contentType(MediaType.APPLICATION_JSON).content("{\"count\": \"many\"")).andExpect(status().isBadRequest());
        for (String count : List.of("0", "", "x", "-1")) {
            mvc.perform(post("/admin/sessions/{id}/migrate", session).with(csrf()).param("count", count))
                    .andExpect(redirectedUrl("/admin/sessions/" + session))
                    .andExpect(flash().attribute("problem", org.hamcrest.Matchers.containsString("at least 1")));
        }
        assertThat(sessions.snapshot(session).started()).isFalse(); // nothing happened
    }

    @Test
    void unknownSessionsAre404() throws Exception {
        long unknown = 987654321L;
        JSONObject error = json(mvc.perform(get("/api/admin/sessions/{id}", unknown))
                .andExpect(status().isNotFound()).andReturn());
        assertThat(error.getString("error")).isEqualTo("unknown_session");
        assertThat(error.getString("message")).contains(Long.toString(unknown));
        for (String action : List.of("stop", "expire")) {
            assertThat(json(mvc.perform(post("/api/admin/sessions/{id}/" + action, unknown).with(csrf()))
                    .andExpect(status().isNotFound()).andReturn()).getString("error")).isEqualTo("unknown_session");
        }
        mvc.perform(post("/api/admin/sessions/{id}/migrate", unknown).with(csrf())
                .contentType(MediaType.APPLICATION_JSON).content("{\"count\": 1}")).andExpect(status().isNotFound());
        mvc.perform(get("/admin/sessions/{id}", unknown)).andExpect(status().isNotFound());
        mvc.perform(post("/admin/sessions/{id}/stop", unknown).with(csrf())).andExpect(status().isNotFound());
    }

    // ---- the session's JSON ------------------------------------------------------------------------

    @Test
    void theSessionJsonHasTheQueuesAndServerComputedPay() throws Exception {
        // 3,600,000 cents an hour is one cent a millisecond: pay is easy to check to the cent.
        long taskId = LiveTestSupport.task(projects, tasks, port, new Thresholds(1, 1, 1, 3), 3_600_000);
        // Three workers waiting at that rate cost $108,000 an hour, more than the local $10,000.00: confirmed.
        long session = goLiveByApiConfirmingLowBalance(taskId);
        arrive(session, "W1", "W2", "W3");
        Thread.sleep(30);
        JSONObject view = json(mvc.perform(get("/api/admin/sessions/{id}", session)).andExpect(status().isOk())
                .andReturn());
        assertThat(view.getString("status")).isEqualTo("live");
        assertThat(view.getBoolean("started")).isTrue();
        JSONArray waiting = view.getJSONArray("waiting");
        assertThat(waiting.length()).isEqualTo(2);
        assertThat(waiting.getJSONObject(0).getString("worker")).isEqualTo("W2");
        assertThat(waiting.getJSONObject(1).getString("worker")).isEqualTo("W3");
        for (int i = 0; i < waiting.length(); i++) {
            JSONObject w = waiting.getJSONObject(i);
            long millis = w.getLong("waitedMillis");
            assertThat(millis).isGreaterThanOrEqualTo(30);
            assertThat(w.getLong("payCents")).isEqualTo(millis); // one cent a millisecond
            assertThat(w.getLong("waitedSeconds")).isEqualTo(millis / 1000);
            assertThat(w.getString("pay")).startsWith("$");
            assertThat(w.getString("waitingSince")).isNotBlank();
        }
        JSONArray active = view.getJSONArray("active");
        assertThat(active.length()).isEqualTo(1);
        assertThat(active.getJSONObject(0).getString("worker")).isEqualTo("W1");
        JSONObject counters = view.getJSONObject("counters");
        assertThat(counters.getInt("waiting")).isEqualTo(2);
        assertThat(counters.getInt("active")).isEqualTo(1);
        assertThat(counters.getInt("capacity")).isEqualTo(4);
        assertThat(view.getJSONObject("settings").getInt("waitingPayCentsPerHour")).isEqualTo(3_600_000);
        assertThat(view.getInt("eventCount")).isEqualTo(view.getJSONArray("events").length());
        // Newest first.
        JSONArray events = view.getJSONArray("events");
        assertThat(events.getJSONObject(0).getLong("seq")).isGreaterThan(events.getJSONObject(1).getLong("seq"));
        // The oldest: the marketplace's confirmation of W1's assignment, then W1's arrival.
        assertThat(events.getJSONObject(events.length() - 1).getString("actor")).isEqualTo("marketplace");
        assertThat(events.getJSONObject(events.length() - 1).getString("summary"))
                .isEqualTo("assignment ASG-W1 confirmed by the marketplace (worker W1)");
        assertThat(events.getJSONObject(events.length() - 2).getString("actor")).isEqualTo("worker:W1");
        assertThat(view.getJSONArray("series").length()).isGreaterThanOrEqualTo(2);
        JSONObject last = view.getJSONArray("series").getJSONObject(view.getJSONArray("series").length() - 1);
        assertThat(last.getInt("waiting")).isEqualTo(2);
        assertThat(last.getInt("active")).isEqualTo(1);

        // A submit hires: the hire request shows up with its state, attempts and (once sent) HIT.
        sessions.apply(session, new QueueEvent.Leave("W1", null, QueueEvent.Departure.SUBMIT), "worker:W1");
        org.awaitility.Awaitility.await().pollInSameThread().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            JSONObject v = json(mvc.perform(get("/api/admin/sessions/{id}", session)).andReturn());
            JSONArray hires = v.getJSONArray("hireRequests");
            assertThat(hires.length()).isEqualTo(1);
            JSONObject h = hires.getJSONObject(0);
            assertThat(h.getInt("number")).isEqualTo(1);
            assertThat(h.getString("state")).isEqualTo("DONE");
            assertThat(h.getInt("attempts")).isGreaterThanOrEqualTo(1);
            assertThat(h.getString("hitId")).isNotBlank();
            assertThat(h.getString("causeWorker")).isEqualTo("W1");
            assertThat(v.getJSONObject("counters").getInt("hiresDone")).isEqualTo(1);
            assertThat(v.getJSONObject("counters").getInt("hiresTotal")).isEqualTo(1);
        });
        JSONObject v = json(mvc.perform(get("/api/admin/sessions/{id}", session)).andReturn());
        assertThat(v.getJSONArray("active").getJSONObject(0).getString("worker")).isEqualTo("W2"); // promoted
        // W1 was promoted on arrival (minActive 1): no paid wait, and its active stage is not paid at the
        // waiting rate although its page never sent IAmReady (SPEC 4.3).
        JSONObject w1 = v.getJSONArray("workers").getJSONObject(0);
        assertThat(w1.getString("worker")).isEqualTo("W1");
        assertThat(w1.getString("status")).isEqualTo("submitted");
        assertThat(w1.getLong("waitedMillis")).isZero();
        assertThat(w1.getLong("payCents")).isZero();
        // W2 waited from its arrival to its promotion at W1's submit, and is paid for exactly that.
        JSONObject w2 = v.getJSONArray("workers").getJSONObject(1);
        assertThat(w2.getString("worker")).isEqualTo("W2");
        assertThat(w2.getLong("waitedMillis")).isGreaterThanOrEqualTo(30);
        assertThat(w2.getLong("payCents")).isEqualTo(w2.getLong("waitedMillis"));
    }

    @Test
    void theEndpointsAreInTheApiDocs() throws Exception {
        JSONObject paths = json(mvc.perform(get("/api/docs/openapi.json")).andExpect(status().isOk()).andReturn())
                .getJSONObject("paths");
        assertThat(paths.keySet()).contains("/api/admin/tasks/{taskId}/go-live",
                "/api/admin/tasks/{taskId}/go-live-estimate", "/api/admin/sessions",
                "/api/admin/sessions/{sessionId}", "/api/admin/sessions/{sessionId}/stop",
                "/api/admin/sessions/{sessionId}/expire", "/api/admin/sessions/{sessionId}/migrate");
    }

    private static JSONObject findEvent(JSONObject view, String kind, String phase) {
        JSONArray events = view.getJSONArray("events");
        for (int i = 0; i < events.length(); i++) {
            JSONObject e = events.getJSONObject(i);
            if (kind.equals(e.getString("kind")) && phase.equals(e.optString("phase"))) {
                return e;
            }
        }
        throw new AssertionError("no " + kind + " " + phase + " event in " + events);
    }
}
