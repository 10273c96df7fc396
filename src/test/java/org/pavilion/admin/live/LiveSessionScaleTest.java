package org.pavilion.admin.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.json.JSONArray;
import org.json.JSONObject;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
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
 * The live view at scale (issue 14 items 5 and 6) through the pages and the REST API, on the local
 * marketplace: the timeline a page at a time with filters, pages that stay put while events arrive,
 * clear 400s; the per-worker view and its 404; the session view's downloads and wording; bulk stop and
 * expire with a result per session, refused without a CSRF token.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=200ms",
        "pavilion.marketplace.client.base-delay=5ms", "pavilion.marketplace.client.max-delay=20ms",
        "pavilion.marketplace.client.max-attempts=2"})
@WithMockUser(username = LiveTestSupport.ADMIN, roles = "ADMIN")
class LiveSessionScaleTest {

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
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;

    private MockMvc mvc;

    @BeforeEach
    void setUp() {
        mvc = LiveTestSupport.mockMvc(context);
    }

    private long goLive(Thresholds thresholds) throws Exception {
        long taskId = LiveTestSupport.task(projects, tasks, port, thresholds, 725);
        MvcResult r = mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).with(csrf()))
                .andExpect(status().isCreated()).andReturn();
        return json(r).getLong("sessionId");
    }

    private static JSONObject json(MvcResult r) throws Exception {
        return new JSONObject(r.getResponse().getContentAsString());
    }

    private JSONObject events(long session, String query) throws Exception {
        return json(mvc.perform(get("/api/admin/sessions/" + session + "/events" + query))
                .andExpect(status().isOk()).andReturn());
    }

    private static List<Long> seqs(JSONObject page) {
        JSONArray events = page.getJSONArray("events");
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < events.length(); i++) {
            seqs.add(events.getJSONObject(i).getLong("seq"));
        }
        return seqs;
    }

    private void arrive(long session, int from, int to) {
        for (int i = from; i <= to; i++) {
            ConfirmedArrivals.arrive(sessions, session, "W" + i, "ASG-W" + i, "worker:W" + i);
        }
    }

    // ---- the timeline ----------------------------------------------------------------------------

    @Test
    void theTimelinePagesNewestFirstAndAnOlderPageStaysPutWhileEventsArrive() throws Exception {
        long session = goLive(new Thresholds(1, 0, 1, 80));
        arrive(session, 1, 60); // a confirmation and an arrival each, and the session's start
        long total = queries.countEvents(session, null, null, null, null);
        assertThat(total).isGreaterThan(120);

        JSONObject first = events(session, "");
        assertThat(first.getBoolean("newest")).isTrue();
        assertThat(first.getLong("total")).isEqualTo(total);
        assertThat(seqs(first)).hasSize(Timeline.DEFAULT_SIZE).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(first.isNull("newerAfter")).isTrue();
        long newestSeq = queries.events(session).get((int) total - 1).seq();
        assertThat(seqs(first).get(0)).isEqualTo(newestSeq);

        // Walk every page: no event twice, none left out, each page's boundary where the last one ended.
        List<Long> all = new ArrayList<>(seqs(first));
        JSONObject page = first;
        JSONObject second = null;
        while (!page.isNull("olderBefore")) {
            long before = page.getLong("olderBefore");
            assertThat(before).isEqualTo(seqs(page).get(seqs(page).size() - 1));
            page = events(session, "?before=" + before);
            second = second == null ? page : second;
            assertThat(seqs(page)).allMatch(s -> s < before);
            assertThat(page.getBoolean("newest")).isFalse();
            assertThat(page.getLong("newerAfter")).isEqualTo(seqs(page).get(0));
            all.addAll(seqs(page));
        }
        assertThat(all).hasSize((int) total).doesNotHaveDuplicates()
                .isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(seqs(page).get(seqs(page).size() - 1)).isEqualTo(queries.events(session).get(0).seq());

        // New events arrive: the second page still shows what it showed; the newest page moves on.
        List<Long> secondBefore = seqs(second);
        long secondCursor = first.getLong("olderBefore");
        arrive(session, 61, 65);
        assertThat(seqs(events(session, "?before=" + secondCursor))).isEqualTo(secondBefore);
        assertThat(seqs(events(session, "")).get(0)).isGreaterThan(newestSeq);

        // "Newer" from the third page is the second page, exactly.
        JSONObject third = events(session, "?before=" + secondBefore.get(secondBefore.size() - 1));
        JSONObject back = events(session, "?after=" + third.getLong("newerAfter"));
        assertThat(seqs(back)).isEqualTo(secondBefore);

        // The page with its own size.
        assertThat(seqs(events(session, "?size=7"))).hasSize(7);
    }

    @Test
    void theTimelineFiltersByWorkerAndByKind() throws Exception {
        long session = goLive(new Thresholds(1, 0, 1, 10));
        arrive(session, 1, 4);

        JSONObject w3 = events(session, "?worker=W3");
        assertThat(seqs(w3)).isNotEmpty();
        JSONArray rows = w3.getJSONArray("events");
        for (int i = 0; i < rows.length(); i++) {
            assertThat(rows.getJSONObject(i).getString("worker")).isEqualTo("W3");
        }
        assertThat(w3.getLong("matching")).isEqualTo(rows.length());
        assertThat(w3.getJSONArray("workers").toList()).contains("W1", "W2", "W3", "W4");

        JSONObject phases = events(session, "?kind=phase");
        assertThat(phases.getJSONArray("events").length()).isEqualTo(1);
        assertThat(phases.getJSONArray("events").getJSONObject(0).getString("summary")).isEqualTo("session started");

        JSONObject both = events(session, "?worker=W2&kind=confirm");
        assertThat(both.getJSONArray("events").length()).isEqualTo(1);

        // A filter that matches nothing: an empty page, not an error.
        JSONObject nobody = events(session, "?worker=nobody");
        assertThat(nobody.getJSONArray("events").length()).isZero();
        assertThat(nobody.getLong("matching")).isZero();
        assertThat(nobody.isNull("olderBefore")).isTrue();
        String html = mvc.perform(get("/admin/sessions/{id}", session).param("worker", "nobody"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(Jsoup.parse(html).selectFirst("#timeline-rows").text()).isEqualTo("No event matches the filter.");

        // The page filtered by worker: only W3's rows, each naming W3 with a link to its view.
        Document page = Jsoup.parse(mvc.perform(get("/admin/sessions/{id}", session).param("worker", "W3"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
        assertThat(page.select("#timeline-rows tr")).hasSize(rows.length());
        assertThat(page.select("#timeline-rows a").eachAttr("href"))
                .allMatch(h -> h.equals("/admin/sessions/" + session + "/workers/W3"));
        assertThat(page.selectFirst("#timeline-worker option[selected]").text()).isEqualTo("W3");
    }

    @Test
    void badPagesAndFiltersAreAClear400() throws Exception {
        long session = goLive(new Thresholds(1, 0, 1, 1));
        for (String q : List.of("?before=abc", "?before=0", "?after=-3", "?size=0", "?size=500", "?kind=bogus",
                "?before=5&after=2")) {
            JSONObject body = json(mvc.perform(get("/api/admin/sessions/" + session + "/events" + q))
                    .andExpect(status().isBadRequest()).andReturn());
            assertThat(body.getString("error")).as(q).isEqualTo("bad_timeline_query");
            assertThat(body.getString("message")).as(q).isNotBlank();
        }
        JSONObject kind = json(mvc.perform(get("/api/admin/sessions/" + session + "/events?kind=bogus"))
                .andReturn());
        assertThat(kind.getString("message")).contains("status, phase").contains("bogus");

        String html = mvc.perform(get("/admin/sessions/{id}", session).param("before", "abc"))
                .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString();
        Document doc = Jsoup.parse(html);
        assertThat(doc.selectFirst("h1").text()).isEqualTo("This page of the timeline cannot be shown");
        assertThat(doc.selectFirst("#error-message").text()).contains("before must be an event number");

        mvc.perform(get("/api/admin/sessions/987654321/events")).andExpect(status().isNotFound());
    }

    // ---- the session view's wording and downloads --------------------------------------------------

    @Test
    void theSessionViewLinksEveryDownloadAndSaysWhatItsFiguresCount() throws Exception {
        long session = goLive(new Thresholds(1, 0, 1, 3));
        arrive(session, 1, 2);
        Document doc = Jsoup.parse(mvc.perform(get("/admin/sessions/{id}", session)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString());
        String base = "/api/admin/sessions/" + session + "/export/";
        for (String name : List.of("events.csv", "events.json", "workers.csv", "workers.json", "taskdata.csv",
                "taskdata.json", "payments.csv", "payments.json")) {
            String id = "#export-" + name.replace('.', '-');
            assertThat(doc.selectFirst(id)).as(id).isNotNull();
            assertThat(doc.selectFirst(id).attr("href")).isEqualTo(base + name);
        }
        for (String name : List.of("events.csv", "workers.json", "taskdata.csv", "payments.json")) {
            mvc.perform(get(base + name)).andExpect(status().isOk());
        }
        assertThat(doc.selectFirst("#waiting-pay-rate").text()).isEqualTo("$7.25 per hour");
        assertThat(doc.text()).doesNotContain("¢/hour");
        assertThat(doc.selectFirst("#hires-so-far").text()).startsWith("Hires so far: ")
                .contains("requested").contains("sent to the marketplace").contains("done").contains("failed");
        assertThat(doc.selectFirst("#counter-in-queues").text()).isEqualTo("2");
        assertThat(doc.selectFirst("#counter-capacity").text()).isEqualTo("4");
        // The queues name each worker with a link to its view.
        assertThat(doc.select("#active-rows a").eachAttr("href"))
                .containsExactly("/admin/sessions/" + session + "/workers/W1");
        assertThat(doc.selectFirst("#chart-legend").text()).contains("waiting").contains("active")
                .contains("maxActive");
    }

    // ---- a worker's view ---------------------------------------------------------------------------

    @Test
    void aWorkersViewShowsItsStatusPayConnectionAndOwnEvents() throws Exception {
        long session = goLive(new Thresholds(1, 0, 1, 3));
        arrive(session, 1, 2);
        Document doc = Jsoup.parse(mvc.perform(get("/admin/sessions/{id}/workers/{w}", session, "W2"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
        assertThat(doc.selectFirst("#worker-id").text()).isEqualTo("W2");
        assertThat(doc.selectFirst("#worker-status").text()).isEqualTo("waiting");
        assertThat(doc.selectFirst("#worker-assignment").text()).isEqualTo("ASG-W2");
        assertThat(doc.selectFirst("#worker-pay-so-far").text()).matches("\\$\\d+\\.\\d\\d");
        assertThat(doc.selectFirst("#worker-pay-settled").text()).isEqualTo("$0.00");
        // No page of the worker's is connected in this test: no connection, no grace period.
        assertThat(doc.selectFirst("#worker-connection").attr("data-state")).isEqualTo("disconnected");
        assertThat(doc.select("#timeline-rows tr")).hasSize(2); // the confirmation and the arrival
        assertThat(doc.selectFirst("#timeline-rows").text()).contains("W2 arrived").doesNotContain("W1 arrived");
        assertThat(doc.selectFirst("#timeline-worker")).isNull();

        JSONObject api = json(mvc.perform(get("/api/admin/sessions/{id}/workers/{w}", session, "W2"))
                .andExpect(status().isOk()).andReturn());
        assertThat(api.getString("workerId")).isEqualTo("W2");
        assertThat(api.getJSONObject("worker").getString("status")).isEqualTo("waiting");
        assertThat(api.getJSONObject("connection").getString("state")).isEqualTo("disconnected");
        assertThat(api.getJSONObject("events").getJSONArray("events").length()).isEqualTo(2);
    }

    @Test
    void anUnknownWorkerIsA404InTheConsolesErrorStyle() throws Exception {
        long session = goLive(new Thresholds(1, 0, 1, 3));
        arrive(session, 1, 1);
        String html = mvc.perform(get("/admin/sessions/{id}/workers/{w}", session, "NOBODY"))
                .andExpect(status().isNotFound()).andReturn().getResponse().getContentAsString();
        Document doc = Jsoup.parse(html);
        assertThat(doc.selectFirst("h1").text()).isEqualTo("No such worker");
        assertThat(doc.selectFirst("#error-message").text()).contains("has no worker NOBODY");
        JSONObject body = json(mvc.perform(get("/api/admin/sessions/{id}/workers/{w}", session, "NOBODY"))
                .andExpect(status().isNotFound()).andReturn());
        assertThat(body.getString("error")).isEqualTo("unknown_worker");
        mvc.perform(get("/admin/sessions/987654321/workers/W1")).andExpect(status().isNotFound());
    }

    // ---- bulk stop and expire ----------------------------------------------------------------------

    @Test
    void bulkStopReportsEachSessionAndChangesNothingElse() throws Exception {
        long live = goLive(new Thresholds(1, 0, 1, 1));
        long ended = goLive(new Thresholds(1, 0, 1, 1));
        long other = goLive(new Thresholds(1, 0, 1, 1));
        mvc.perform(post("/api/admin/sessions/{id}/expire", ended).with(csrf())).andExpect(status().isOk());
        long endedEvents = queries.countEvents(ended, null, null, null, null);

        MvcResult r = mvc.perform(post("/admin/sessions/bulk").param("action", "stop")
                        .param("session", String.valueOf(live), String.valueOf(ended)).with(csrf()))
                .andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/admin/sessions")).andReturn();
        @SuppressWarnings("unchecked")
        List<BulkActions.Result> results = (List<BulkActions.Result>) r.getFlashMap().get("bulkResults");
        assertThat(results).extracting(BulkActions.Result::sessionId).containsExactly(live, ended);
        assertThat(results).extracting(BulkActions.Result::outcome)
                .containsExactly(BulkActions.Outcome.DONE, BulkActions.Outcome.ENDED);
        assertThat(results.get(1).message()).contains("already ended");
        assertThat(sessions.snapshot(live).stopped()).isTrue();
        assertThat(sessions.snapshot(other).stopped()).isFalse();
        assertThat(queries.countEvents(ended, null, null, null, null)).isEqualTo(endedEvents);

        // The list shows each result.
        Document page = Jsoup.parse(mvc.perform(get("/admin/sessions").flashAttr("bulkResults", results))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
        assertThat(page.select("#bulk-results li")).hasSize(2);
        assertThat(page.selectFirst("#bulk-results li[data-session-id=" + ended + "]").attr("data-outcome"))
                .isEqualTo("ended");
        // Ended sessions have no checkbox; live ones do.
        assertThat(page.selectFirst("#select-" + ended)).isNull();
        assertThat(page.selectFirst("#select-" + other)).isNotNull();
        assertThat(page.selectFirst("#bulk-form").attr("data-confirm")).isNotBlank();

        // The API: expire both; the ended one is reported as such.
        JSONObject api = json(mvc.perform(post("/api/admin/sessions/bulk").with(csrf())
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"action\": \"expire\", \"sessionIds\": [" + live + ", " + ended + ", 987654321]}"))
                .andExpect(status().isOk()).andReturn());
        JSONArray outcomes = api.getJSONArray("results");
        assertThat(outcomes.getJSONObject(0).getString("outcome")).isEqualTo("DONE");
        assertThat(outcomes.getJSONObject(1).getString("outcome")).isEqualTo("ENDED");
        assertThat(outcomes.getJSONObject(2).getString("outcome")).isEqualTo("UNKNOWN");
        assertThat(sessions.snapshot(other).expired()).isFalse();
    }

    @Test
    void bulkWithoutCsrfTokenOrWithABadRequestChangesNothing() throws Exception {
        long live = goLive(new Thresholds(1, 0, 1, 1));
        mvc.perform(post("/admin/sessions/bulk").param("action", "stop").param("session", String.valueOf(live)))
                .andExpect(status().isForbidden());
        mvc.perform(post("/api/admin/sessions/bulk").contentType(MediaType.APPLICATION_JSON)
                .content("{\"action\": \"stop\", \"sessionIds\": [" + live + "]}")).andExpect(status().isForbidden());
        assertThat(sessions.snapshot(live).stopped()).isFalse();

        MvcResult none = mvc.perform(post("/admin/sessions/bulk").param("action", "stop").with(csrf()))
                .andExpect(status().is3xxRedirection()).andReturn();
        assertThat((String) none.getFlashMap().get("problem")).contains("select at least one session");
        MvcResult bad = mvc.perform(post("/admin/sessions/bulk").param("action", "delete")
                .param("session", String.valueOf(live)).with(csrf())).andExpect(status().is3xxRedirection()).andReturn();
        assertThat((String) bad.getFlashMap().get("problem")).contains("action must be stop or expire");
        JSONObject api = json(mvc.perform(post("/api/admin/sessions/bulk").with(csrf())
                        .contentType(MediaType.APPLICATION_JSON).content("{\"action\": \"stop\", \"sessionIds\": []}"))
                .andExpect(status().isBadRequest()).andReturn());
        assertThat(api.getString("error")).isEqualTo("bad_bulk_request");
        assertThat(sessions.snapshot(live).stopped()).isFalse();
        Set<Long> ids = new HashSet<>(sessions.sessionIds());
        assertThat(ids).contains(live);
    }
}
