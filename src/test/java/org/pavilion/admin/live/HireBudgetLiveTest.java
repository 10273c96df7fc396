package org.pavilion.admin.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;

import org.json.JSONArray;
import org.json.JSONObject;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.HireRequest;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.web.context.WebApplicationContext;

/**
 * The hire budget in the live view (SPEC 4.2): a session whose budget is used up shows why hiring
 * paused; the admin raises the budget from the page or the REST API and the withheld hire is made;
 * a budget below the hires already made, or not a count, is refused and changes nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=200ms",
        "pavilion.marketplace.client.base-delay=5ms", "pavilion.marketplace.client.max-delay=20ms",
        "pavilion.marketplace.client.max-attempts=2"})
@WithMockUser(username = LiveTestSupport.ADMIN, roles = "ADMIN")
class HireBudgetLiveTest {

    private static final String ACTOR = "admin:" + LiveTestSupport.ADMIN;

    @LocalServerPort
    int port;
    @Autowired
    WebApplicationContext context;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    SessionStore store;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;

    private MockMvc mvc;

    @BeforeEach
    void setUp() {
        mvc = LiveTestSupport.mockMvc(context);
    }

    private static JSONObject json(MvcResult result) throws Exception {
        return new JSONObject(result.getResponse().getContentAsString());
    }

    /**
     * A live session with a budget of one hire, used up: W1 starts, W2 waits; W1 submits (W2 is
     * promoted, hire #1); W2 submits: the hire it calls for is withheld.
     */
    private long sessionWithAWithheldHire() throws Exception {
        long taskId = LiveTestSupport.task(projects, tasks, port, new Thresholds(1, 0, 1, 1), 1, null);
        long session = json(mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).with(csrf()))
                .andExpect(status().isCreated()).andReturn()).getLong("sessionId");
        assertThat(sessions.config(session).hireBudget()).isEqualTo(1);
        for (String w : List.of("W1", "W2")) {
            ConfirmedArrivals.arrive(sessions, session, w, "ASG-" + w, "worker:" + w);
        }
        sessions.apply(session, new QueueEvent.Leave("W1", "ASG-W1", Departure.SUBMIT), "marketplace");
        sessions.apply(session, new QueueEvent.Leave("W2", "ASG-W2", Departure.SUBMIT), "marketplace");
        QueueSnapshot s = sessions.snapshot(session);
        assertThat(s.hires()).isEqualTo(1);
        assertThat(s.withheldHires()).isEqualTo(1);
        assertThat(store.hireRequests(session)).hasSize(1);
        return session;
    }

    private List<String> timeline(long session) throws Exception {
        JSONArray events = json(mvc.perform(get("/api/admin/sessions/{id}", session)).andReturn())
                .getJSONArray("events");
        List<String> words = new java.util.ArrayList<>();
        for (int i = 0; i < events.length(); i++) {
            words.add(events.getJSONObject(i).getString("summary") + " | " + events.getJSONObject(i).optString("actor"));
        }
        return words;
    }

    @Test
    void aUsedUpBudgetShowsThePausedNoticeAndRaisingItThroughThePageMakesTheWithheldHire() throws Exception {
        long session = sessionWithAWithheldHire();

        Document page = Jsoup.parse(mvc.perform(get("/admin/sessions/{id}", session)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString());
        Element notice = page.getElementById("hiring-paused");
        assertThat(notice.hasAttr("hidden")).isFalse();
        assertThat(notice.attr("role")).isEqualTo("alert");
        assertThat(page.getElementById("hiring-paused-text").text())
                .isEqualTo("Hiring paused: the hire budget of 1 is used up (1 hire withheld)");
        assertThat(page.getElementById("hire-budget-summary").text()).isEqualTo("hires made 1 of budget 1");
        Element form = page.getElementById("raise-budget-form");
        assertThat(form.attr("action")).isEqualTo("/admin/sessions/" + session + "/hire-budget");
        assertThat(form.select("input[name=_csrf]")).hasSize(1);
        assertThat(page.getElementById("raise-budget-value").val()).isEqualTo("2"); // enough for the withheld hire

        JSONObject hiring = json(mvc.perform(get("/api/admin/sessions/{id}", session)).andReturn())
                .getJSONObject("hiring");
        assertThat(hiring.getBoolean("paused")).isTrue();
        assertThat(hiring.getInt("withheld")).isEqualTo(1);
        assertThat(hiring.getInt("budget")).isEqualTo(1);
        assertThat(hiring.getInt("hiresMade")).isEqualTo(1);
        assertThat(timeline(session)).contains("hire withheld: budget 1 used up (would replace W2) | marketplace");

        // Without the CSRF token: refused, nothing changes.
        mvc.perform(post("/admin/sessions/{id}/hire-budget", session).param("budget", "2"))
                .andExpect(status().isForbidden());
        // Below the hires already made, or not a count: a clear message, nothing changes.
        mvc.perform(post("/admin/sessions/{id}/hire-budget", session).with(csrf()).param("budget", "0"))
                .andExpect(redirectedUrl("/admin/sessions/" + session))
                .andExpect(flash().attribute("problem",
                        "Hire budget: the hire budget cannot be lower than the 1 hire already made (asked 0)."));
        for (String bad : List.of("", "many", "2.5", "-1", "99999999999")) {
            mvc.perform(post("/admin/sessions/{id}/hire-budget", session).with(csrf()).param("budget", bad))
                    .andExpect(redirectedUrl("/admin/sessions/" + session))
                    .andExpect(flash().attribute("problem", containsString("whole number of hires from 0 to")));
        }
        assertThat(sessions.snapshot(session).hireBudget()).isEqualTo(1);
        assertThat(store.hireRequests(session)).hasSize(1);

        mvc.perform(post("/admin/sessions/{id}/hire-budget", session).with(csrf()).param("budget", " 3 "))
                .andExpect(redirectedUrl("/admin/sessions/" + session))
                .andExpect(flash().attribute("notice", "Hire budget set to 3: 1 withheld hire made now."));
        List<HireRequest> hires = store.hireRequests(session);
        assertThat(hires).extracting(HireRequest::number).containsExactly(1, 2);
        assertThat(hires.get(1).causeWorkerId()).isEqualTo("W2");
        QueueSnapshot after = sessions.snapshot(session);
        assertThat(after.hireBudget()).isEqualTo(3);
        assertThat(after.withheldHires()).isZero();
        assertThat(timeline(session)).contains("hire budget set to 3 | " + ACTOR,
                "hire #2 requested (budget raised; replaces W2) | " + ACTOR);

        Document later = Jsoup.parse(mvc.perform(get("/admin/sessions/{id}", session)).andReturn().getResponse()
                .getContentAsString());
        assertThat(later.getElementById("hiring-paused").hasAttr("hidden")).isTrue();
        assertThat(later.getElementById("hire-budget-summary").text()).isEqualTo("hires made 2 of budget 3");
    }

    private ResultActions setBudget(long session, String body) throws Exception {
        return mvc.perform(post("/api/admin/sessions/{id}/hire-budget", session).with(csrf())
                .contentType(MediaType.APPLICATION_JSON).content(body));
    }

    @Test
    void raisingTheBudgetThroughTheApiMakesTheWithheldHireAndBadBudgetsAreRefused() throws Exception {
        long session = sessionWithAWithheldHire();

        JSONObject lower = json(setBudget(session, "{\"budget\": 0}").andExpect(status().isBadRequest()).andReturn());
        assertThat(lower.getString("error")).isEqualTo("bad_budget");
        assertThat(lower.getString("message"))
                .isEqualTo("the hire budget cannot be lower than the 1 hire already made (asked 0)");
        for (String body : List.of("{}", "{\"budget\": null}", "{\"budget\": 2.5}", "{\"budget\": \"x\"}",
                "{\"budget\": true}", "{\"budget\": -1}", "{\"budget\": 1000001}", "{\"budget\": 99999999999}", "[2]")) {
            JSONObject error = json(setBudget(session, body).andExpect(status().isBadRequest()).andReturn());
            assertThat(error.getString("error")).as(body).isEqualTo("bad_budget");
            assertThat(error.getString("message")).as(body).contains("whole number of hires from 0 to 1000000");
        }
        JSONObject unreadable = json(setBudget(session, "{\"budget\": ").andExpect(status().isBadRequest())
                .andReturn());
        assertThat(unreadable.getString("error")).isEqualTo("bad_request");
        assertThat(unreadable.getString("message")).contains("{\"budget\": 20}");
        mvc.perform(post("/api/admin/sessions/{id}/hire-budget", session).contentType(MediaType.APPLICATION_JSON)
                .content("{\"budget\": 2}")).andExpect(status().isForbidden()); // no CSRF token, no API token
        assertThat(sessions.snapshot(session).hireBudget()).isEqualTo(1);
        assertThat(store.hireRequests(session)).hasSize(1);

        JSONObject raised = json(setBudget(session, "{\"budget\": 2}").andExpect(status().isOk()).andReturn());
        assertThat(raised.getString("action")).isEqualTo("hire-budget");
        assertThat(raised.getBoolean("changed")).isTrue();
        assertThat(raised.getString("message")).isEqualTo("Hire budget set to 2: 1 withheld hire made now.");
        JSONObject hiring = raised.getJSONObject("session").getJSONObject("hiring");
        assertThat(hiring.getInt("budget")).isEqualTo(2);
        assertThat(hiring.getInt("hiresMade")).isEqualTo(2);
        assertThat(hiring.getBoolean("paused")).isFalse();
        assertThat(store.hireRequests(session)).extracting(HireRequest::causeWorkerId).containsExactly("W1", "W2");

        JSONObject same = json(setBudget(session, "{\"budget\": \"2\"}").andExpect(status().isOk()).andReturn());
        assertThat(same.getBoolean("changed")).isFalse();
        assertThat(same.getString("message")).isEqualTo("The hire budget was already 2.");
        assertThat(store.hireRequests(session)).hasSize(2);

        json(setBudget(987654321L, "{\"budget\": 2}").andExpect(status().isNotFound()).andReturn());
        mvc.perform(post("/api/admin/sessions/{id}/expire", session).with(csrf())).andExpect(status().isOk());
        JSONObject ended = json(setBudget(session, "{\"budget\": 5}").andExpect(status().isConflict()).andReturn());
        assertThat(ended.getString("error")).isEqualTo("session_ended");
        mvc.perform(post("/admin/sessions/{id}/hire-budget", session).with(csrf()).param("budget", "5"))
                .andExpect(flash().attribute("problem", containsString("has ended")));
    }

    @Test
    void theEndpointIsInTheApiDocs() throws Exception {
        JSONObject paths = json(mvc.perform(get("/api/docs/openapi.json")).andExpect(status().isOk()).andReturn())
                .getJSONObject("paths");
        assertThat(paths.keySet()).contains("/api/admin/sessions/{sessionId}/hire-budget");
    }
}
