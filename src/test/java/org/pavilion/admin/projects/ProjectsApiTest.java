package org.pavilion.admin.projects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pavilion.project.Project;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.Task;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.PaySettings;
import org.pavilion.session.PaySettings.ApprovalPolicy;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

import com.jayway.jsonpath.JsonPath;

/** The projects/tasks REST API: the same rules as the pages, JSON errors with 400/404/409. */
@SpringBootTest(properties = "pavilion.database.embedded=mem")
@WithMockUser(username = "ada@example.org", roles = "ADMIN")
class ProjectsApiTest {

    static final String TASK = """
            {"title": "Chat with a bot", "description": "Live chat", "keywords": "chat",
             "reward": 0.5, "timeLimitMinutes": 30, "country": "us", "minApprovalPercent": 95,
             "minApprovedHits": "100", "externalUrl": "https://example.org/waiting_task",
             "minActive": 2, "minWaiting": 1, "maxActive": 3, "maxWaiting": 2,
             "waitingPayRate": "7.25", "allowRepeatWorkers": true, "disconnectGraceSeconds": 45}
            """;

    @Autowired
    WebApplicationContext context;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    LiveSessionService sessions;

    private MockMvc mvc;
    private Project project;

    @BeforeEach
    void setUp() {
        mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
        project = projects.create("Api " + System.nanoTime(), "for the API", Instant.now());
    }

    private ResultActions send(org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder b,
                               String json) throws Exception {
        return mvc.perform(b.with(csrf()).contentType(MediaType.APPLICATION_JSON).content(json));
    }

    /** A task as stored (timestamps at the database's precision). */
    private Task storedTask(String title) {
        long id = tasks.create(project.id(), TaskSettings.basic(title, "d", "https://example.org/t", 50,
                new Thresholds(1, 0, 2, 1)), Instant.now()).id();
        return tasks.find(id).orElseThrow();
    }

    private static long id(MvcResult r) throws Exception {
        return ((Number) JsonPath.read(r.getResponse().getContentAsString(), "$.id")).longValue();
    }

    // ---- projects ------------------------------------------------------------------------------

    @Test
    void createListAndReadProjects() throws Exception {
        MvcResult r = send(post("/api/admin/projects"), "{\"name\": \" Robots \", \"description\": \"Live\"}")
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.name").value("Robots"))
                .andExpect(jsonPath("$.description").value("Live"))
                .andExpect(jsonPath("$.taskCount").value(0))
                .andExpect(jsonPath("$.tasks", hasSize(0)))
                .andReturn();
        long id = id(r);
        assertThat(r.getResponse().getHeader("Location")).isEqualTo("/api/admin/projects/" + id);
        assertThat(projects.find(id)).isPresent();

        mvc.perform(get("/api/admin/projects")).andExpect(status().isOk())
                .andExpect(jsonPath("$[?(@.id == " + id + ")].name").value("Robots"));
        mvc.perform(get("/api/admin/projects/" + id)).andExpect(status().isOk())
                .andExpect(jsonPath("$.name").value("Robots"));
    }

    @Test
    void aProjectWithoutNameIsA400WithFieldMessagesAndNothingSaved() throws Exception {
        int before = projects.list().size();
        send(post("/api/admin/projects"), "{\"name\": \"\", \"colour\": \"red\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.error").value("validation_failed"))
                .andExpect(jsonPath("$.message").value("2 fields are invalid"))
                .andExpect(jsonPath("$.fields.name").value("Name is required."))
                .andExpect(jsonPath("$.fields.colour").value("'colour' is not a project field."));
        assertThat(projects.list()).hasSize(before);
    }

    @Test
    void malformedJsonIsA400() throws Exception {
        int before = projects.list().size();
        send(post("/api/admin/projects"), "{\"name\": ").andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.error").value("malformed_request"));
        send(post("/api/admin/projects"), "[1, 2]").andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.fields.body").value("The request body must be a JSON object."));
        assertThat(projects.list()).hasSize(before);
    }

    @Test
    void unknownProjectAndTaskAre404() throws Exception {
        mvc.perform(get("/api/admin/projects/999999")).andExpect(status().isNotFound())
                .andExpect(jsonPath("$.error").value("unknown_project"))
                .andExpect(jsonPath("$.message").value("there is no project 999999"))
                .andExpect(jsonPath("$.fields").isMap());
        mvc.perform(get("/api/admin/projects/999999/tasks")).andExpect(status().isNotFound());
        send(post("/api/admin/projects/999999/tasks"), TASK).andExpect(status().isNotFound());
        mvc.perform(get("/api/admin/tasks/999999")).andExpect(status().isNotFound())
                .andExpect(jsonPath("$.error").value("unknown_task"));
        send(put("/api/admin/tasks/999999"), TASK).andExpect(status().isNotFound());
        mvc.perform(delete("/api/admin/tasks/999999").with(csrf())).andExpect(status().isNotFound());
        mvc.perform(post("/api/admin/tasks/999999/clone").with(csrf())).andExpect(status().isNotFound());
    }

    // ---- tasks ---------------------------------------------------------------------------------

    @Test
    void createTaskFromJsonNumbersOrStrings() throws Exception {
        MvcResult r = send(post("/api/admin/projects/" + project.id() + "/tasks"), TASK)
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.projectId").value(project.id()))
                .andExpect(jsonPath("$.title").value("Chat with a bot"))
                .andExpect(jsonPath("$.reward").value(0.5))
                .andExpect(jsonPath("$.rewardCents").value(50))
                .andExpect(jsonPath("$.timeLimitMinutes").value(30))
                .andExpect(jsonPath("$.assignmentDurationSeconds").value(1800))
                .andExpect(jsonPath("$.lifetimeHours").value(24))
                .andExpect(jsonPath("$.country").value("US"))
                .andExpect(jsonPath("$.minApprovedHits").value(100))
                .andExpect(jsonPath("$.waitingPayRate").value(7.25))
                .andExpect(jsonPath("$.waitingPayCentsPerHour").value(725))
                .andExpect(jsonPath("$.allowRepeatWorkers").value(true))
                .andExpect(jsonPath("$.disconnectGraceSeconds").value(45))
                .andExpect(jsonPath("$.maxPaidWaitMinutes").value(60))
                .andExpect(jsonPath("$.approvalPolicy").value("auto"))
                .andExpect(jsonPath("$.autoCompensate").value(false))
                .andExpect(jsonPath("$.posted").value(false))
                .andExpect(jsonPath("$.sessions", hasSize(0)))
                .andReturn();
        long id = id(r);
        assertThat(r.getResponse().getHeader("Location")).isEqualTo("/api/admin/tasks/" + id);
        assertThat(tasks.find(id).orElseThrow().settings()).isEqualTo(new TaskSettings("Chat with a bot", "Live chat",
                "chat", 50, 1800, 86_400, 259_200, "US", 95, 100, "https://example.org/waiting_task", 800,
                new Thresholds(2, 1, 3, 2), true, 725, 45));

        mvc.perform(get("/api/admin/projects/" + project.id() + "/tasks")).andExpect(status().isOk())
                .andExpect(jsonPath("$", hasSize(1))).andExpect(jsonPath("$[0].id").value(id));
        mvc.perform(get("/api/admin/projects/" + project.id())).andExpect(status().isOk())
                .andExpect(jsonPath("$.taskCount").value(1))
                .andExpect(jsonPath("$.tasks[0].title").value("Chat with a bot"));
    }

    static Stream<Arguments> invalidFields() {
        return Stream.of(
                Arguments.of("title", "\"\"", "Title is required."),
                Arguments.of("description", "\"\"", "Description is required."),
                Arguments.of("description", "\"  \"", "Description is required."),
                Arguments.of("description", "null", "Description is required."),
                Arguments.of("reward", "0.001", "Reward must be in whole cents: at most two decimals (was 0.001)."),
                Arguments.of("reward", "0", "Reward must be at least 0.01 and at most 100000.00 USD (was 0)."),
                Arguments.of("country", "\"XX\"", "Country must be an ISO 3166-1 alpha-2 code such as US or DE, "
                        + "or empty for any country (was 'XX')."),
                Arguments.of("minApprovalPercent", "101", "Minimum approval rate must be a percentage between 0 and "
                        + "100, or empty for no requirement (was 101)."),
                Arguments.of("externalUrl", "\"http://example.org/\"", "Worker-facing URL must use https:// "
                        + "(http:// is allowed only on localhost or 127.0.0.1)."),
                Arguments.of("minActive", "0", "minActive must be at least 1 (and at most 10000) (was 0)."),
                Arguments.of("maxActive", "1", "maxActive must be at least minActive (2), was 1."),
                Arguments.of("maxWaiting", "0", "maxWaiting must be at least 1 (and at most 10000) (was 0)."),
                Arguments.of("allowRepeatWorkers", "\"yes\"", "allowRepeatWorkers must be true or false."),
                Arguments.of("minActive", "[1]", "minActive must be a string or a number."),
                Arguments.of("rewardCents_typo", "1", "'rewardCents_typo' is not a task field."),
                Arguments.of("hireBudget", "-1", "Hire budget must be a number of hires between 0 and 1000000, or "
                        + "empty for the default of 3 × (maxActive + maxWaiting) (was -1)."),
                Arguments.of("hireBudget", "2.5", "Hire budget must be a whole number (was '2.5')."),
                Arguments.of("hireBudget", "\"lots\"", "Hire budget must be a whole number (was 'lots')."),
                Arguments.of("hireBudget", "1e9", "Hire budget must be a number of hires between 0 and 1000000, or "
                        + "empty for the default of 3 × (maxActive + maxWaiting) (was 1000000000)."),
                Arguments.of("spendCapUsd", "-0.01", "Spending cap must be at least 0 and at most 1000000.00 USD, or "
                        + "empty for no cap (was -0.01)."),
                Arguments.of("spendCapUsd", "0.001", "Spending cap must be in whole cents: at most two decimals "
                        + "(was 0.001)."),
                Arguments.of("spendCapUsd", "{\"usd\": 5}", "spendCapUsd must be a string or a number."),
                Arguments.of("maxPaidWaitMinutes", "0", "Longest paid wait must be between 1 and 10080 minutes "
                        + "(was 0)."),
                Arguments.of("maxPaidWaitMinutes", "10081", "Longest paid wait must be between 1 and 10080 minutes "
                        + "(was 10081)."),
                Arguments.of("maxPaidWaitMinutes", "1.5", "Longest paid wait must be a whole number (was '1.5')."),
                Arguments.of("maxPaidWaitMinutes", "null", "Longest paid wait is required."),
                Arguments.of("approvalPolicy", "\"sometimes\"", "Approval must be auto or manual (was 'sometimes')."),
                Arguments.of("approvalPolicy", "\"\"", "Approval is required: auto or manual."),
                Arguments.of("approvalPolicy", "true", "approvalPolicy must be a string or a number."),
                Arguments.of("autoCompensate", "\"yes\"", "autoCompensate must be true or false."),
                Arguments.of("autoCompensate", "1", "autoCompensate must be true or false."));
    }

    /** Issue 14 item 2: a new task's worker-facing URL is this server's waiting room unless one is given. */
    @Test
    void aTaskCreatedWithoutAWorkerUrlGetsThisServersWaitingRoom() throws Exception {
        String body = TASK.replace("\"externalUrl\": \"https://example.org/waiting_task\",", "");
        assertThat(body).doesNotContain("externalUrl");
        String created = send(post("/api/admin/projects/" + project.id() + "/tasks"), body)
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        long id = ((Number) JsonPath.read(created, "$.id")).longValue();
        // MockMvc's request reaches http://localhost (port 80)
        assertThat(tasks.find(id).orElseThrow().settings().externalUrl()).isEqualTo("http://localhost/waiting_task");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("invalidFields")
    void eachInvalidFieldIsA400NamingItAndNothingIsSaved(String field, String json, String message) throws Exception {
        int before = tasks.list().size();
        String body = withField(TASK, field, json);
        send(post("/api/admin/projects/" + project.id() + "/tasks"), body)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.error").value("validation_failed"))
                .andExpect(jsonPath("$.fields.length()").value(1))
                .andExpect(jsonPath("$.fields['" + field + "']").value(message));
        assertThat(tasks.list()).hasSize(before);
    }

    /** TASK with {@code field} set to the raw JSON {@code value} (replacing its own value, if any). */
    private static String withField(String task, String field, String value) throws Exception {
        tools.jackson.databind.json.JsonMapper mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        tools.jackson.databind.node.ObjectNode node = (tools.jackson.databind.node.ObjectNode) mapper.readTree(task);
        node.set(field, mapper.readTree(value));
        return mapper.writeValueAsString(node);
    }

    @Test
    void aHireBudgetAndSpendingCapAreCreatedReadAndChanged() throws Exception {
        // reward 0.50: one hire costs 0.60 with MTurk's fee; 10.00 USD pays for 16; capacity 3 + 2 = 5
        String body = withField(withField(TASK, "hireBudget", "20"), "spendCapUsd", "\"10.00\"");
        MvcResult r = send(post("/api/admin/projects/" + project.id() + "/tasks"), body)
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.hireBudget").value(20))
                .andExpect(jsonPath("$.defaultHireBudget").value(15))
                .andExpect(jsonPath("$.spendCapUsd").value(10.0))
                .andExpect(jsonPath("$.spendCapCents").value(1000))
                .andExpect(jsonPath("$.sessionHireBudget").value(16))
                .andReturn();
        long id = id(r);
        TaskSettings s = tasks.find(id).orElseThrow().settings();
        assertThat(s.hireBudget()).isEqualTo(20);
        assertThat(s.spendCapCents()).isEqualTo(1000);

        // GET → PUT round-trips (the output-only fields are ignored), then null brings back the defaults.
        String json = mvc.perform(get("/api/admin/tasks/" + id)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        send(put("/api/admin/tasks/" + id), json).andExpect(status().isOk());
        assertThat(tasks.find(id).orElseThrow().settings()).isEqualTo(s);
        send(put("/api/admin/tasks/" + id), "{\"hireBudget\": \"4\"}").andExpect(status().isOk())
                .andExpect(jsonPath("$.hireBudget").value(4))
                .andExpect(jsonPath("$.sessionHireBudget").value(4));
        send(put("/api/admin/tasks/" + id), "{\"hireBudget\": null, \"spendCapUsd\": \"\"}").andExpect(status().isOk())
                .andExpect(jsonPath("$.hireBudget").value(nullValue()))
                .andExpect(jsonPath("$.spendCapUsd").value(nullValue()))
                .andExpect(jsonPath("$.spendCapCents").value(nullValue()))
                .andExpect(jsonPath("$.sessionHireBudget").value(15));
        assertThat(tasks.find(id).orElseThrow().settings().withHireBudget(20, 1000)).isEqualTo(s);

        // An invalid value changes nothing.
        send(put("/api/admin/tasks/" + id), "{\"hireBudget\": -2, \"spendCapUsd\": 3}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.fields.length()").value(1))
                .andExpect(jsonPath("$.fields.hireBudget").exists());
        assertThat(tasks.find(id).orElseThrow().settings().hireBudget()).isNull();
        assertThat(tasks.find(id).orElseThrow().settings().spendCapCents()).isNull();

        // A clone keeps them.
        send(put("/api/admin/tasks/" + id), "{\"hireBudget\": 6, \"spendCapUsd\": 2.4}").andExpect(status().isOk());
        mvc.perform(post("/api/admin/tasks/" + id + "/clone").with(csrf())).andExpect(status().isCreated())
                .andExpect(jsonPath("$.hireBudget").value(6))
                .andExpect(jsonPath("$.spendCapCents").value(240))
                .andExpect(jsonPath("$.sessionHireBudget").value(4));
    }

    @Test
    void paySettingsAreCreatedReadChangedAndCloned() throws Exception {
        String body = withField(withField(withField(TASK, "maxPaidWaitMinutes", "15"), "approvalPolicy", "\"MANUAL\""),
                "autoCompensate", "true");
        MvcResult r = send(post("/api/admin/projects/" + project.id() + "/tasks"), body)
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.maxPaidWaitMinutes").value(15))
                .andExpect(jsonPath("$.approvalPolicy").value("manual"))
                .andExpect(jsonPath("$.autoCompensate").value(true))
                .andReturn();
        long id = id(r);
        TaskSettings s = tasks.find(id).orElseThrow().settings();
        assertThat(s.pay()).isEqualTo(new PaySettings(Duration.ofMinutes(15), ApprovalPolicy.MANUAL, true));
        mvc.perform(get("/api/admin/tasks/" + id)).andExpect(status().isOk())
                .andExpect(jsonPath("$.maxPaidWaitMinutes").value(15))
                .andExpect(jsonPath("$.approvalPolicy").value("manual"))
                .andExpect(jsonPath("$.autoCompensate").value(true));

        // GET → PUT round-trips them
        String json = mvc.perform(get("/api/admin/tasks/" + id)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        send(put("/api/admin/tasks/" + id), json).andExpect(status().isOk());
        assertThat(tasks.find(id).orElseThrow().settings()).isEqualTo(s);

        // a clone keeps them, and a session opened from the clone carries them
        MvcResult c = mvc.perform(post("/api/admin/tasks/" + id + "/clone").with(csrf()))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.maxPaidWaitMinutes").value(15))
                .andExpect(jsonPath("$.approvalPolicy").value("manual"))
                .andExpect(jsonPath("$.autoCompensate").value(true))
                .andReturn();
        assertThat(sessions.open(id(c)).pay()).isEqualTo(s.pay());

        // PUT changes only what it names; an invalid value changes nothing
        send(put("/api/admin/tasks/" + id), "{\"approvalPolicy\": \"auto\", \"autoCompensate\": false}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.maxPaidWaitMinutes").value(15))
                .andExpect(jsonPath("$.approvalPolicy").value("auto"))
                .andExpect(jsonPath("$.autoCompensate").value(false));
        send(put("/api/admin/tasks/" + id), "{\"maxPaidWaitMinutes\": \"10080\"}").andExpect(status().isOk())
                .andExpect(jsonPath("$.maxPaidWaitMinutes").value(10080));
        send(put("/api/admin/tasks/" + id), "{\"maxPaidWaitMinutes\": 0, \"approvalPolicy\": \"manual\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.fields.length()").value(1))
                .andExpect(jsonPath("$.fields.maxPaidWaitMinutes")
                        .value("Longest paid wait must be between 1 and 10080 minutes (was 0)."));
        assertThat(tasks.find(id).orElseThrow().settings().pay())
                .isEqualTo(new PaySettings(Duration.ofMinutes(10_080), ApprovalPolicy.AUTO, false));
    }

    @Test
    void putChangesOnlyTheFieldsGivenAndKeepsTheRest() throws Exception {
        Task t = storedTask("Before");
        send(put("/api/admin/tasks/" + t.id()), "{\"title\": \"After\", \"maxWaiting\": 5, \"country\": null}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.title").value("After"))
                .andExpect(jsonPath("$.maxWaiting").value(5))
                .andExpect(jsonPath("$.country").value(nullValue()));
        TaskSettings s = tasks.find(t.id()).orElseThrow().settings();
        assertThat(s.title()).isEqualTo("After");
        assertThat(s.thresholds()).isEqualTo(new Thresholds(1, 0, 2, 5));
        assertThat(s.rewardCents()).isEqualTo(50);
        assertThat(s.externalUrl()).isEqualTo("https://example.org/t");
    }

    @Test
    void getThenPutRoundTrips() throws Exception {
        Task t = storedTask("Round trip");
        String json = mvc.perform(get("/api/admin/tasks/" + t.id())).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        send(put("/api/admin/tasks/" + t.id()), json).andExpect(status().isOk());
        assertThat(tasks.find(t.id()).orElseThrow().settings()).isEqualTo(t.settings());
    }

    @Test
    void anInvalidPutChangesNothing() throws Exception {
        Task t = storedTask("Unchanged");
        send(put("/api/admin/tasks/" + t.id()), "{\"title\": \"Changed\", \"minActive\": 3}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.fields.maxActive").value("maxActive must be at least minActive (3), was 2."));
        assertThat(tasks.find(t.id())).hasValue(t);
    }

    @Test
    void cloneAndDelete() throws Exception {
        Task t = storedTask("Original");
        MvcResult r = mvc.perform(post("/api/admin/tasks/" + t.id() + "/clone").with(csrf()))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.title").value("Copy of Original"))
                .andExpect(jsonPath("$.projectId").value(project.id()))
                .andReturn();
        long copy = id(r);
        assertThat(r.getResponse().getHeader("Location")).isEqualTo("/api/admin/tasks/" + copy);
        assertThat(tasks.find(copy).orElseThrow().settings().thresholds()).isEqualTo(t.thresholds());

        mvc.perform(delete("/api/admin/tasks/" + copy).with(csrf())).andExpect(status().isNoContent());
        assertThat(tasks.find(copy)).isEmpty();
        mvc.perform(get("/api/admin/tasks/" + copy)).andExpect(status().isNotFound());
    }

    @Test
    void deleteOfAPostedTaskIsA409AndTheTaskStays() throws Exception {
        Task t = storedTask("Posted");
        long session = sessions.open(t.id()).sessionId();
        mvc.perform(delete("/api/admin/tasks/" + t.id()).with(csrf()))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.error").value("task_posted"))
                .andExpect(jsonPath("$.message").value("Task " + t.id() + " (\u201cPosted\u201d) has been posted "
                        + "(1 session) and cannot be deleted; its sessions and their event logs refer to it. "
                        + "Clone it to make changes."));
        assertThat(tasks.find(t.id())).hasValue(t);
        mvc.perform(get("/api/admin/tasks/" + t.id())).andExpect(status().isOk())
                .andExpect(jsonPath("$.posted").value(true))
                .andExpect(jsonPath("$.sessions[0].id").value(session))
                .andExpect(jsonPath("$.sessions[0].status").value("live"));
    }

    // ---- the OpenAPI description ---------------------------------------------------------------

    @Test
    void theOpenApiDescriptionCoversTheAdminApi() throws Exception {
        String json = mvc.perform(get("/api/docs/openapi.json")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        java.util.Map<String, Object> paths = JsonPath.read(json, "$.paths");
        assertThat(paths).containsKeys("/api/admin/projects", "/api/admin/projects/{id}",
                "/api/admin/projects/{id}/tasks", "/api/admin/tasks/{id}", "/api/admin/tasks/{id}/clone",
                "/api/admin/sessions/{id}/export/events.csv", "/api/admin/sessions/{id}/export/workers.json");
        assertThat(paths.keySet()).allMatch(path -> path.startsWith("/api/admin/"));
        assertThat((String) JsonPath.read(json, "$.info.title")).isEqualTo("Pavilion admin API");
        assertThat((String) JsonPath.read(json, "$.components.securitySchemes.apiToken.scheme")).isEqualTo("bearer");
        assertThat((Object) JsonPath.read(json, "$.components.schemas.TaskInput.properties.reward")).isNotNull();
        assertThat((Object) JsonPath.read(json, "$.components.schemas.TaskInput.properties.hireBudget")).isNotNull();
        assertThat((Object) JsonPath.read(json, "$.components.schemas.TaskInput.properties.spendCapUsd")).isNotNull();
        assertThat((Object) JsonPath.read(json, "$.components.schemas.TaskInput.properties.maxPaidWaitMinutes"))
                .isNotNull();
        assertThat((java.util.List<String>) JsonPath.read(json,
                "$.components.schemas.TaskInput.properties.approvalPolicy.enum")).containsExactly("auto", "manual");
        assertThat((Object) JsonPath.read(json, "$.components.schemas.TaskInput.properties.autoCompensate"))
                .isNotNull();
        mvc.perform(get("/api/docs")).andExpect(status().is3xxRedirection());
    }

    @Test
    @org.springframework.security.test.context.support.WithAnonymousUser
    void theApiAndItsDescriptionNeedAnAdmin() throws Exception {
        mvc.perform(get("/api/docs/openapi.json")).andExpect(status().isUnauthorized());
        mvc.perform(get("/api/admin/projects")).andExpect(status().isUnauthorized());
        int before = projects.list().size();
        send(post("/api/admin/projects"), "{\"name\": \"anonymous\"}").andExpect(status().isUnauthorized());
        assertThat(projects.list()).hasSize(before);
    }
}
