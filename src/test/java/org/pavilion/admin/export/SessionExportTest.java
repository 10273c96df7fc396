package org.pavilion.admin.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import org.pavilion.session.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionStore;
import org.pavilion.storage.TaskDataStore;
import org.pavilion.tasklogic.TaskRecord;
import org.json.JSONObject;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

import com.jayway.jsonpath.JsonPath;

/**
 * Exports of a session run through the live session service with a clock moved by hand, so that
 * every timestamp, waiting time and pay is known exactly. The session is driven by its own
 * service on the application's store (the same database the exports read).
 */
@SpringBootTest(properties = "pavilion.database.embedded=mem")
@WithMockUser(username = "ada@example.org", roles = "ADMIN")
class SessionExportTest {

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
    private long session;

    @BeforeEach
    void setUp() {
        mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
        clock = new MutableClock(T0);
        service = new LiveSessionService(store, List.of(), clock);
        long project = projects.create("Exports", "", T0).id();
        // one active slot, two waiting; the default waiting pay of 7.25 USD an hour
        long task = tasks.create(project, TaskSettings.basic("Export me", "Exported", "https://example.org/t", 50,
                new Thresholds(1, 0, 1, 2)), T0).id();
        session = service.open(task).sessionId();
    }

    @AfterEach
    void tearDown() {
        service.close();
    }

    private void at(long seconds, QueueEvent event, String actor, String detail) throws Exception {
        clock.set(T0.plusSeconds(seconds));
        service.submit(session, event, actor, detail).get();
    }

    /** The marketplace confirms the worker's assignment, and its page arrives (SPEC 4.1.0). */
    private void arrive(long seconds, String worker, String assignment) throws Exception {
        at(seconds, new QueueEvent.Confirm(assignment, "HIT-1", worker), "marketplace", "AssignmentAccepted");
        at(seconds, new QueueEvent.Arrive(worker, assignment), "worker:" + worker, null);
    }

    /**
     * Each arrival is confirmed by the marketplace first. w1 arrives and starts the session; "w,2" and w"3 (hostile ids) wait; w1 is ready at 30 s and
     * submits at 60 s ("w,2" promoted, one hire); "w,2" ready at 75 s; w"3 returns at 90 s; w4 arrives
     * at 100 s; stop at 120 s; "w,2" submits at 150 s (no hire: stopped); expire at 180 s.
     */
    private void runUntilStop() throws Exception {
        arrive(0, "w1", "A1");
        arrive(10, "w,2", "A2");
        arrive(20, "w\"3", "A3");
        at(30, new QueueEvent.Ready("w1"), "worker:w1", "client says time_waited=999, reward=\"5.00\"\nsecond line");
        at(60, new QueueEvent.Leave("w1", "A1", Departure.SUBMIT), "marketplace", "AssignmentSubmitted");
        at(75, new QueueEvent.Ready("w,2"), "worker:w,2", null);
        at(90, new QueueEvent.Leave("w\"3", "A3", Departure.RETURN), "marketplace", "AssignmentReturned");
        arrive(100, "w4", "A4");
        at(120, new QueueEvent.Stop("ada@example.org"), "ada@example.org", null);
    }

    private void runToTheEnd() throws Exception {
        runUntilStop();
        at(150, QueueEvent.Leave.claimedByPage("w,2", "A2", Departure.SUBMIT), "worker:w,2", null);
        at(180, new QueueEvent.Expire("ada@example.org"), "ada@example.org", "expired from the console");
    }

    private MockHttpServletResponse download(String name) throws Exception {
        return mvc.perform(get("/api/admin/sessions/" + session + "/export/" + name)).andExpect(status().isOk())
                .andReturn().getResponse();
    }

    private static String t(long seconds) {
        return SessionExportService.time(T0.plusSeconds(seconds));
    }

    @Autowired
    TaskDataStore taskData;

    /** Task data (issue 13 item 7): exported as CSV (hostile text neutralised) and JSON, and shown escaped live. */
    @Test
    void taskDataIsExportedAndShownInTheLiveViewAsText() throws Exception {
        arrive(0, "w1", "A1");
        taskData.append(List.of(
                new TaskRecord(0, session, T0.plusSeconds(5), "w1", "Worker 1", "chat_message",
                        new JSONObject().put("text", "<script>alert(1)</script>").put("from", "Worker 1").toString()),
                new TaskRecord(0, session, T0.plusSeconds(6), "-w2", "=Worker 2", "move",
                        new JSONObject().put("x", 3).toString())));

        MockHttpServletResponse csv = download("taskdata.csv");
        assertThat(csv.getContentType()).isEqualTo("text/csv;charset=UTF-8");
        assertThat(csv.getHeader("Content-Disposition"))
                .isEqualTo("attachment; filename=\"pavilion-session-" + session + "-taskdata.csv\"");
        assertThat(csv.getContentAsString(StandardCharsets.UTF_8)).isEqualTo(String.join("\r\n",
                "seq,at,worker,alias,kind,payload",
                "1," + t(5) + ",w1,Worker 1,chat_message,\"{\"\"from\"\":\"\"Worker 1\"\",\"\"text\"\":\"\"<script>alert(1)<\\/script>\"\"}\"", // org.json writes </ as <\\/
                "2," + t(6) + ",\"'-w2\",\"'=Worker 2\",move,\"{\"\"x\"\":3}\"", ""));

        mvc.perform(get("/api/admin/sessions/" + session + "/export/taskdata.json")).andExpect(status().isOk())
                .andExpect(jsonPath("$.session").value(session))
                .andExpect(jsonPath("$.records.length()").value(2))
                .andExpect(jsonPath("$.records[0].seq").value(1))
                .andExpect(jsonPath("$.records[0].at").value(t(5)))
                .andExpect(jsonPath("$.records[0].worker").value("w1"))
                .andExpect(jsonPath("$.records[0].alias").value("Worker 1"))
                .andExpect(jsonPath("$.records[0].payload.text").value("<script>alert(1)</script>"))
                .andExpect(jsonPath("$.records[1].payload.x").value(3));
        mvc.perform(get("/api/admin/sessions/999999/export/taskdata.json")).andExpect(status().isNotFound());

        String page = mvc.perform(get("/admin/sessions/" + session)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(page).contains("id=\"taskdata\"").contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("<script>alert(1)").contains("Worker 1").contains("{&quot;x&quot;:3}");
        assertThat(page.indexOf("{&quot;x&quot;:3}")).as("newest first").isLessThan(page.indexOf("&lt;script&gt;"));
    }

    @Test
    void eventsCsvIsTheWholeLogInOrderWithHostileValuesQuoted() throws Exception {
        runToTheEnd();
        MockHttpServletResponse r = download("events.csv");
        assertThat(r.getContentType()).isEqualTo("text/csv;charset=UTF-8");
        assertThat(r.getHeader("Content-Disposition"))
                .isEqualTo("attachment; filename=\"pavilion-session-" + session + "-events.csv\"");
        String csv = r.getContentAsString(StandardCharsets.UTF_8);
        // ISO-8601 in the server's zone with its offset, to the second (no fraction, no nanoseconds)
        assertThat(t(0)).matches("2024-03-0[12]T\\d\\d:\\d\\d:00(Z|[+-]\\d\\d:\\d\\d)");
        assertThat(java.time.OffsetDateTime.parse(t(0)).toInstant()).isEqualTo(T0);
        String ready = "\"client says time_waited=999, reward=\"\"5.00\"\"\nsecond line\"";
        String accepted = ",marketplace,AssignmentAccepted,HIT-1,";
        assertThat(csv).isEqualTo(String.join("\r\n",
                "seq,at,kind,worker,assignment,from,to,cause,phase,hire_number,actor,detail,hit,budget,waited_ms,"
                        + "pay_cents",
                "1," + t(0) + ",confirm,w1,A1,,,,," + accepted + ",,",
                "2," + t(0) + ",status,w1,A1,,waiting,arrived,,,worker:w1,,,,,",
                "3," + t(0) + ",phase,,,,,,started,,worker:w1,,,,,",
                "4," + t(0) + ",status,w1,A1,waiting,active,promoted,,,worker:w1,,,,,",
                "5," + t(10) + ",confirm,\"w,2\",A2,,,,," + accepted + ",,",
                "6," + t(10) + ",status,\"w,2\",A2,,waiting,arrived,,,\"worker:w,2\",,,,,",
                "7," + t(20) + ",confirm,\"w\"\"3\",A3,,,,," + accepted + ",,",
                "8," + t(20) + ",status,\"w\"\"3\",A3,,waiting,arrived,,,\"worker:w\"\"3\",,,,,",
                "9," + t(30) + ",ready,w1,,,,,,,worker:w1," + ready + ",,,,",
                "10," + t(60) + ",status,w1,A1,active,submitted,submitted,,,marketplace,AssignmentSubmitted,,,,",
                "11," + t(60) + ",status,\"w,2\",A2,waiting,active,promoted,,,marketplace,AssignmentSubmitted,,,,",
                "12," + t(60) + ",subok,w1,A1,,,,,,marketplace,AssignmentSubmitted,,,,",
                // w1 was promoted on arrival: nothing earned by waiting
                "13," + t(60) + ",paydue,w1,A1,,,submitted,,,marketplace,AssignmentSubmitted,,,0,0",
                "14," + t(60) + ",hire,w1,,,,submitted,,1,marketplace,AssignmentSubmitted,,,,",
                "15," + t(75) + ",ready,\"w,2\",,,,,,,\"worker:w,2\",,,,,",
                "16," + t(90) + ",status,\"w\"\"3\",A3,waiting,returned,returned,,,marketplace,AssignmentReturned,,,,",
                // 70 s at $7.25 an hour: 14.1 cents, owed (a returned assignment cannot carry a bonus)
                "17," + t(90) + ",paydue,\"w\"\"3\",A3,,,returned,,,marketplace,AssignmentReturned,,,70000,14",
                "18," + t(100) + ",confirm,w4,A4,,,,," + accepted + ",,",
                "19," + t(100) + ",status,w4,A4,,waiting,arrived,,,worker:w4,,,,,",
                "20," + t(120) + ",phase,,,,,,stopped,,ada@example.org,,,,,",
                "21," + t(150) + ",status,\"w,2\",A2,active,submitted,submitted,,,\"worker:w,2\",,,,,",
                "22," + t(180) + ",phase,,,,,,expired,,ada@example.org,expired from the console,,,,",
                // open assignments are fixed at expiry: w,2 waited 10 s to 60 s, w4 from 100 s to 180 s
                "23," + t(180) + ",paydue,\"w,2\",A2,,,session_ended,,,ada@example.org,expired from the console,,,"
                        + "50000,10",
                "24," + t(180) + ",paydue,w4,A4,,,session_ended,,,ada@example.org,expired from the console,,,80000,16",
                ""));
    }

    @Test
    void eventsJsonHasTheSameValues() throws Exception {
        runToTheEnd();
        MockHttpServletResponse r = download("events.json");
        assertThat(r.getContentType()).startsWith("application/json");
        assertThat(r.getHeader("Content-Disposition"))
                .isEqualTo("attachment; filename=\"pavilion-session-" + session + "-events.json\"");
        String json = r.getContentAsString(StandardCharsets.UTF_8);
        assertThat((Object) JsonPath.read(json, "$.session")).isEqualTo((int) session);
        assertThat((String) JsonPath.read(json, "$.status")).isEqualTo("expired");
        assertThat((String) JsonPath.read(json, "$.as_of")).isEqualTo(t(180));
        assertThat((List<?>) JsonPath.read(json, "$.events")).hasSize(24);
        Map<String, Object> hire = JsonPath.read(json, "$.events[13]");
        assertThat(new ArrayList<>(hire.keySet())).isEqualTo(SessionExportService.EVENT_COLUMNS);
        assertThat(new ArrayList<>(hire.values())).containsExactly(14, t(60), "hire", "w1", null, null, null,
                "submitted", null, 1, "marketplace", "AssignmentSubmitted", null, null, null, null);
        Map<String, Object> owed = JsonPath.read(json, "$.events[16]");
        assertThat(owed).containsEntry("kind", "paydue").containsEntry("cause", "returned")
                .containsEntry("waited_ms", 70000).containsEntry("pay_cents", 14);
        Map<String, Object> confirm = JsonPath.read(json, "$.events[0]");
        assertThat(confirm).containsEntry("kind", "confirm").containsEntry("worker", "w1")
                .containsEntry("assignment", "A1").containsEntry("hit", "HIT-1").containsEntry("budget", null);
        Map<String, Object> returned = JsonPath.read(json, "$.events[15]");
        assertThat(returned).containsEntry("worker", "w\"3").containsEntry("from", "waiting")
                .containsEntry("to", "returned");
        assertThat((String) JsonPath.read(json, "$.events[8].detail"))
                .isEqualTo("client says time_waited=999, reward=\"5.00\"\nsecond line");
    }

    @Test
    void workersCsvSummarisesEachWorkerFromServerTimes() throws Exception {
        runToTheEnd();
        MockHttpServletResponse r = download("workers.csv");
        assertThat(r.getHeader("Content-Disposition"))
                .isEqualTo("attachment; filename=\"pavilion-session-" + session + "-workers.csv\"");
        // the paid wait ends at the promotion (SPEC 4.3): w1 was promoted on arrival (0 s); "w,2" waited from
        // 10 s to its promotion at 60 s (not to its IAmReady at 75 s).
        // waiting pay at 725 cents an hour: 50 s -> 10.07 -> 10; 70 s -> 14.10 -> 14; 80 s -> 16.11 -> 16
        assertThat(r.getContentAsString(StandardCharsets.UTF_8)).isEqualTo(String.join("\r\n",
                "worker,assignment,joined_at,promoted_at,promotion,ready_at,left_at,final_status,waiting_seconds,"
                        + "active_seconds,waiting_pay_cents",
                "w1,A1," + t(0) + "," + t(0) + ",promoted," + t(30) + "," + t(60) + ",submitted,0.000,60.000,0",
                "\"w,2\",A2," + t(10) + "," + t(60) + ",promoted," + t(75) + "," + t(150)
                        + ",submitted,50.000,90.000,10",
                "\"w\"\"3\",A3," + t(20) + ",,,," + t(90) + ",returned,70.000,0.000,14",
                "w4,A4," + t(100) + ",,,,,waiting,80.000,0.000,16",
                ""));
    }

    @Test
    void workersJsonHasTheSameValuesAndTheRate() throws Exception {
        runToTheEnd();
        String json = download("workers.json").getContentAsString(StandardCharsets.UTF_8);
        assertThat((Integer) JsonPath.read(json, "$.waiting_pay_cents_per_hour")).isEqualTo(725);
        assertThat((List<Object>) JsonPath.read(json, "$.workers[*].worker")).containsExactly("w1", "w,2", "w\"3", "w4");
        Map<String, Object> w2 = JsonPath.read(json, "$.workers[1]");
        assertThat(w2).containsExactly(Map.entry("worker", "w,2"), Map.entry("assignment", "A2"),
                Map.entry("joined_at", t(10)), Map.entry("promoted_at", t(60)), Map.entry("promotion", "promoted"),
                Map.entry("ready_at", t(75)), Map.entry("left_at", t(150)), Map.entry("final_status", "submitted"),
                Map.entry("waiting_seconds", 50.0), Map.entry("active_seconds", 90.0),
                Map.entry("waiting_pay_cents", 10));
        Map<String, Object> w4 = JsonPath.read(json, "$.workers[3]");
        assertThat(w4).containsEntry("left_at", null).containsEntry("final_status", "waiting")
                .containsEntry("waiting_pay_cents", 16);
    }

    @Test
    void aSessionNotEndedIsSummarisedUpToNow() throws Exception {
        runUntilStop();
        String json = download("workers.json").getContentAsString(StandardCharsets.UTF_8);
        assertThat((String) JsonPath.read(json, "$.status")).isEqualTo("stopped");
        Instant asOf = Instant.parse(JsonPath.read(json, "$.as_of"));
        assertThat(asOf).isAfter(T0.plus(Duration.ofDays(1))); // the application's clock: now
        // w1 and w"3 left: their figures are final
        assertThat((Double) JsonPath.read(json, "$.workers[0].waiting_seconds")).isEqualTo(0.0);
        assertThat((Double) JsonPath.read(json, "$.workers[2].waiting_seconds")).isEqualTo(70.0);
        // "w,2" is still active (promoted at 60 s, so its waiting is closed); w4 still waits, up to now
        assertThat((Double) JsonPath.read(json, "$.workers[1].waiting_seconds")).isEqualTo(50.0);
        assertThat((String) JsonPath.read(json, "$.workers[1].left_at")).isNull();
        double w4Waited = ((Number) JsonPath.read(json, "$.workers[3].waiting_seconds")).doubleValue();
        assertThat(w4Waited).isEqualTo(Duration.between(T0.plusSeconds(100), asOf).toMillis() / 1000.0);
    }

    @Test
    void releasesWithheldHiresAndBudgetChangesAreRowsOfTheirOwn() throws Exception {
        // A task whose sessions may make no hire at all, until the admin raises the budget.
        long task = tasks.create(projects.create("Budget", "", T0).id(), TaskSettings.basic("Budget", "No hires until raised",
                "https://example.org/t", 50, new Thresholds(1, 0, 1, 2)).withHireBudget(0, null), T0).id();
        session = service.open(task).sessionId();
        arrive(0, "w1", "A1");
        at(5, new QueueEvent.Confirm("A9", "HIT-1", "w9"), "marketplace", "AssignmentAccepted");
        at(6, new QueueEvent.Release("A9"), "marketplace", "AssignmentReturned");
        at(60, new QueueEvent.Leave("w1", "A1", Departure.SUBMIT), "marketplace", "AssignmentSubmitted");
        at(70, new QueueEvent.SetHireBudget(1, "ada@example.org"), "admin:ada@example.org", "hire budget 1");

        List<String> rows = List.of(download("events.csv").getContentAsString(StandardCharsets.UTF_8).split("\r\n"));
        assertThat(rows).contains(
                "6," + t(6) + ",release,,A9,,,,,,marketplace,AssignmentReturned,,,,",
                "8," + t(60) + ",subok,w1,A1,,,,,,marketplace,AssignmentSubmitted,,,,",
                "9," + t(60) + ",paydue,w1,A1,,,submitted,,,marketplace,AssignmentSubmitted,,,0,0",
                "10," + t(60) + ",withheld,w1,,,,,,,marketplace,AssignmentSubmitted,,0,,",
                "11," + t(70) + ",budget,,,,,,,,admin:ada@example.org,hire budget 1,,1,,",
                "12," + t(70) + ",hire,w1,,,,budget_raised,,1,admin:ada@example.org,hire budget 1,,,,");
        assertThat(rows).hasSize(13); // the header and 12 facts: none left out
        String json = download("events.json").getContentAsString(StandardCharsets.UTF_8);
        assertThat((List<Object>) JsonPath.read(json, "$.events[*].kind")).containsExactly("confirm", "status",
                "phase", "status", "confirm", "release", "status", "subok", "paydue", "withheld", "budget", "hire");
        assertThat((Integer) JsonPath.read(json, "$.events[10].budget")).isEqualTo(1);
        // The worker summary replays the same log.
        assertThat((String) JsonPath.read(download("workers.json").getContentAsString(StandardCharsets.UTF_8),
                "$.workers[0].final_status")).isEqualTo("submitted");
    }

    @Test
    void cellsThatASpreadsheetWouldRunAreNeutralisedInTheCsvExports() throws Exception {
        String hyperlink = "=HYPERLINK(\"http://x\",\"y\")";
        // Each assignment confirmed by the marketplace first (SPEC 4.1.0).
        for (String[] wa : new String[][] {{"w0", "A0"}, {hyperlink, "A1"}, {"+1", "@A2"}, {"@SUM(A1)", "A3"},
                {"\tx", "A4"}, {"w5", "A5"}}) {
            at(0, new QueueEvent.Confirm(wa[1], "HIT-1", wa[0]), "marketplace", "AssignmentAccepted");
        }
        at(0, new QueueEvent.Arrive("w0", "A0"), "worker:w0", null); // starts the session, active
        at(10, new QueueEvent.Arrive(hyperlink, "A1"), "worker:x", "-1 pay me");
        at(20, new QueueEvent.Arrive("+1", "@A2"), "worker:y", null);
        at(30, new QueueEvent.Leave(hyperlink, "A1", Departure.RETURN), "marketplace", "AssignmentReturned");
        at(40, new QueueEvent.Leave("+1", "@A2", Departure.RETURN), "marketplace", "AssignmentReturned");
        at(50, new QueueEvent.Arrive("@SUM(A1)", "A3"), "worker:z", null);
        at(60, new QueueEvent.Arrive("\tx", "A4"), "worker:t", null);
        at(70, new QueueEvent.Leave("@SUM(A1)", "A3", Departure.RETURN), "marketplace", "AssignmentReturned");
        at(80, new QueueEvent.Arrive("w5", "A5"), "worker:w5", null);
        at(90, new QueueEvent.Expire("ada@example.org"), "ada@example.org", null);

        String events = download("events.csv").getContentAsString(StandardCharsets.UTF_8);
        assertThat(events).contains("," + t(10) + ",status,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",A1,,waiting,"
                        + "arrived,,,worker:x,\"'-1 pay me\",,,,\r\n")
                .contains("," + t(20) + ",status,\"'+1\",\"'@A2\",,waiting,arrived,,,worker:y,,,,,\r\n")
                .contains("," + t(50) + ",status,\"'@SUM(A1)\",A3,,waiting,arrived,,,worker:z,,,,,\r\n")
                .contains("," + t(60) + ",status,\"'\tx\",A4,,waiting,arrived,,,worker:t,,,,,\r\n")
                .contains("," + t(80) + ",status,w5,A5,,waiting,arrived,,,worker:w5,,,,,\r\n");
        for (String line : events.split("\r\n")) {
            assertThat(line).as("no cell starts like a formula").doesNotContain(",=", ",+", ",-", ",@", ",\t");
        }

        String workers = download("workers.csv").getContentAsString(StandardCharsets.UTF_8);
        List<String> lines = List.of(workers.split("\r\n"));
        assertThat(lines).hasSize(7);
        assertThat(lines.get(1)).startsWith("w0,A0,");
        // the numeric columns stay plain numbers
        assertThat(lines.get(2)).isEqualTo("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",A1," + t(10) + ",,,,"
                + t(30) + ",returned,20.000,0.000,4");
        assertThat(lines.get(3)).isEqualTo("\"'+1\",\"'@A2\"," + t(20) + ",,,," + t(40) + ",returned,20.000,0.000,4");
        assertThat(lines.get(4)).isEqualTo("\"'@SUM(A1)\",A3," + t(50) + ",,,," + t(70) + ",returned,20.000,0.000,4");
        assertThat(lines.get(5)).startsWith("\"'\tx\",A4," + t(60) + ",");
        assertThat(lines.get(6)).startsWith("w5,A5," + t(80) + ",");

        // JSON keeps the values as they are: no spreadsheet reads it
        String json = download("workers.json").getContentAsString(StandardCharsets.UTF_8);
        assertThat((List<Object>) JsonPath.read(json, "$.workers[*].worker"))
                .containsExactly("w0", hyperlink, "+1", "@SUM(A1)", "\tx", "w5");
    }

    @Test
    void anEmptySessionHasOnlyHeaders() throws Exception {
        assertThat(download("events.csv").getContentAsString())
                .isEqualTo("seq,at,kind,worker,assignment,from,to,cause,phase,hire_number,actor,detail,hit,budget,"
                        + "waited_ms,pay_cents\r\n");
        assertThat(download("workers.csv").getContentAsString()).startsWith("worker,assignment,").endsWith("\r\n");
        mvc.perform(get("/api/admin/sessions/" + session + "/export/workers.json"))
                .andExpect(jsonPath("$.status").value("live"))
                .andExpect(jsonPath("$.workers").isEmpty());
    }

    @Test
    void anUnknownSessionIsA404Json() throws Exception {
        for (String name : List.of("events.csv", "events.json", "workers.csv", "workers.json")) {
            mvc.perform(get("/api/admin/sessions/987654/export/" + name))
                    .andExpect(status().isNotFound())
                    .andExpect(jsonPath("$.error").value("unknown_session"))
                    .andExpect(jsonPath("$.message").value("there is no session 987654"));
        }
    }
}
