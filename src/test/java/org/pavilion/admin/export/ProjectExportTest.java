package org.pavilion.admin.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.json.JSONArray;
import org.json.JSONObject;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.MutableClock;
import org.pavilion.session.SessionStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * Project-wide exports (issue 14 item 6): two sessions of a project (of two of its tasks) in one CSV and
 * one JSON, each row naming its session and task; another project's session is not in it; an unknown
 * project is a 404; the project page links every download.
 */
@SpringBootTest(properties = "pavilion.database.embedded=mem")
@WithMockUser(username = "ada@example.org", roles = "ADMIN")
class ProjectExportTest {

    static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");

    @Autowired
    WebApplicationContext context;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    SessionStore store;

    private MockMvc mvc;
    private MutableClock clock;
    private LiveSessionService service;
    private long project;
    private long taskA;
    private long taskB;
    private long sessionA;
    private long sessionB;
    private long elsewhere;

    @BeforeEach
    void setUp() throws Exception {
        mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
        clock = new MutableClock(T0);
        service = new LiveSessionService(store, List.of(), clock);
        project = projects.create("Project exports " + System.nanoTime(), "", T0).id();
        taskA = tasks.create(project, TaskSettings.basic("Task A", "A live task", "https://example.org/a", 50,
                new Thresholds(1, 0, 1, 2)), T0).id();
        taskB = tasks.create(project, TaskSettings.basic("Task B", "A live task", "https://example.org/b", 50,
                new Thresholds(1, 0, 1, 2)), T0).id();
        sessionA = service.open(taskA).sessionId();
        sessionB = service.open(taskB).sessionId();
        long other = projects.create("Another project " + System.nanoTime(), "", T0).id();
        long otherTask = tasks.create(other, TaskSettings.basic("Other", "A live task", "https://example.org/o", 50,
                new Thresholds(1, 0, 1, 2)), T0).id();
        elsewhere = service.open(otherTask).sessionId();

        arrive(sessionA, 0, "a1");
        arrive(sessionA, 10, "a2");
        arrive(sessionB, 20, "b1");
        arrive(elsewhere, 30, "x1");
    }

    @AfterEach
    void tearDown() {
        service.close();
    }

    private void arrive(long session, long seconds, String worker) throws Exception {
        clock.set(T0.plusSeconds(seconds));
        service.submit(session, new QueueEvent.Confirm("A-" + worker, "HIT-1", worker), "marketplace", null).get();
        service.submit(session, new QueueEvent.Arrive(worker, "A-" + worker), "worker:" + worker, null).get();
    }

    private MockHttpServletResponse download(String name) throws Exception {
        return mvc.perform(get("/api/admin/projects/" + project + "/export/" + name)).andExpect(status().isOk())
                .andReturn().getResponse();
    }

    /** CSV rows (header dropped) by their first two columns: session -> task. */
    private static Map<Long, Long> sessionsOf(String csv) {
        Map<Long, Long> seen = new TreeMap<>();
        csv.lines().skip(1).forEach(line -> {
            String[] cells = line.split(",");
            seen.put(Long.parseLong(cells[0]), Long.parseLong(cells[1]));
        });
        return seen;
    }

    @Test
    void theEventLogsOfEverySessionOfTheProjectInOneCsvAndOneJson() throws Exception {
        MockHttpServletResponse csv = download("events.csv");
        assertThat(csv.getHeader("Content-Disposition"))
                .isEqualTo("attachment; filename=\"pavilion-project-" + project + "-events.csv\"");
        String text = csv.getContentAsString(StandardCharsets.UTF_8);
        assertThat(text.lines().findFirst().orElseThrow())
                .isEqualTo("session,task," + String.join(",", SessionExportService.EVENT_COLUMNS));
        assertThat(sessionsOf(text)).isEqualTo(Map.of(sessionA, taskA, sessionB, taskB));
        // Each session's rows are exactly its own export's rows, led by its session and task.
        for (long[] st : new long[][] {{sessionA, taskA}, {sessionB, taskB}}) {
            List<String> own = mvc.perform(get("/api/admin/sessions/" + st[0] + "/export/events.csv"))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8)
                    .lines().skip(1).map(l -> st[0] + "," + st[1] + "," + l).toList();
            assertThat(own).hasSizeGreaterThanOrEqualTo(3);
            assertThat(text.lines().filter(l -> l.startsWith(st[0] + ",")).toList()).isEqualTo(own);
        }
        assertThat(text).contains("a1").contains("a2").contains("b1").doesNotContain("x1");
        long rowsA = text.lines().filter(l -> l.startsWith(sessionA + ",")).count();
        long rowsB = text.lines().filter(l -> l.startsWith(sessionB + ",")).count();

        JSONObject json = new JSONObject(download("events.json").getContentAsString(StandardCharsets.UTF_8));
        assertThat(json.getLong("project")).isEqualTo(project);
        JSONArray sessions = json.getJSONArray("sessions");
        assertThat(sessions.length()).isEqualTo(2);
        assertThat(sessions.getJSONObject(0).getLong("session")).isEqualTo(sessionA);
        assertThat(sessions.getJSONObject(0).getLong("task")).isEqualTo(taskA);
        assertThat(sessions.getJSONObject(0).getJSONArray("events").length()).isEqualTo(rowsA);
        assertThat(sessions.getJSONObject(1).getLong("session")).isEqualTo(sessionB);
        assertThat(sessions.getJSONObject(1).getJSONArray("events").length()).isEqualTo(rowsB);
    }

    @Test
    void thePerWorkerSummariesOfEverySessionInOneCsvAndOneJson() throws Exception {
        String text = download("workers.csv").getContentAsString(StandardCharsets.UTF_8);
        assertThat(text.lines().findFirst().orElseThrow())
                .isEqualTo("session,task," + String.join(",", SessionExportService.WORKER_COLUMNS));
        assertThat(text.lines().skip(1).map(l -> l.split(",")[0] + ":" + l.split(",")[2]).toList())
                .containsExactly(sessionA + ":a1", sessionA + ":a2", sessionB + ":b1");

        JSONObject json = new JSONObject(download("workers.json").getContentAsString(StandardCharsets.UTF_8));
        JSONArray sessions = json.getJSONArray("sessions");
        assertThat(sessions.length()).isEqualTo(2);
        assertThat(sessions.getJSONObject(0).getLong("session")).isEqualTo(sessionA);
        assertThat(sessions.getJSONObject(0).getJSONArray("workers").length()).isEqualTo(2);
        assertThat(sessions.getJSONObject(1).getLong("session")).isEqualTo(sessionB);
        assertThat(sessions.getJSONObject(1).getJSONArray("workers").getJSONObject(0).getString("worker"))
                .isEqualTo("b1");
    }

    @Test
    void anUnknownProjectIsA404AndTheProjectPageLinksTheDownloads() throws Exception {
        mvc.perform(get("/api/admin/projects/987654321/export/events.csv")).andExpect(status().isNotFound());
        mvc.perform(get("/api/admin/projects/987654321/export/workers.json")).andExpect(status().isNotFound());
        Document page = Jsoup.parse(mvc.perform(get("/admin/projects/" + project)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8));
        for (String name : List.of("events.csv", "events.json", "workers.csv", "workers.json", "payments.csv",
                "payments.json")) {
            assertThat(page.selectFirst("#project-export-" + name.replace('.', '-')).attr("href"))
                    .isEqualTo("/api/admin/projects/" + project + "/export/" + name);
        }
    }
}
