package org.pavilion.admin.projects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pavilion.project.Project;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.Task;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.PaySettings;
import org.pavilion.session.PaySettings.ApprovalPolicy;
import org.pavilion.session.SessionConfig;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * The project and task pages: create, edit, clone, delete; every invalid field comes back with its
 * message next to it and nothing saved; a posted task cannot be deleted.
 */
@SpringBootTest(properties = "pavilion.database.embedded=mem")
@WithMockUser(username = "ada@example.org", roles = "ADMIN")
class ProjectPagesTest {

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
        project = projects.create("Pages " + System.nanoTime(), "", Instant.now());
    }

    static Map<String, String> validForm() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("title", "Chat with a bot");
        f.put("description", "Talk with others & a bot, live.");
        f.put("keywords", "chat, live");
        f.put("reward", "0.50");
        f.put("timeLimitMinutes", "30");
        f.put("lifetimeHours", "24");
        f.put("autoApprovalDelayHours", "72");
        f.put("country", "US");
        f.put("minApprovalPercent", "95");
        f.put("minApprovedHits", "100");
        f.put("externalUrl", "https://example.org/waiting_task");
        f.put("frameHeight", "800");
        f.put("minActive", "2");
        f.put("minWaiting", "1");
        f.put("maxActive", "3");
        f.put("maxWaiting", "2");
        f.put("waitingPayRate", "7.25");
        f.put("allowRepeatWorkers", "true");
        f.put("disconnectGraceSeconds", "30");
        f.put("maxPaidWaitMinutes", "60");
        f.put("approvalPolicy", "auto");
        return f;
    }

    private static MockHttpServletRequestBuilder form(MockHttpServletRequestBuilder b, Map<String, String> fields) {
        fields.forEach(b::param);
        return b.with(csrf());
    }

    private Document page(String url) throws Exception {
        return Jsoup.parse(mvc.perform(get(url)).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString());
    }

    private static long idFrom(String url, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(url);
        assertThat(m.matches()).as(url).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** A task as stored (timestamps at the database's precision). */
    private Task storedTask(String title) {
        long id = tasks.create(project.id(), TaskSettings.basic(title, "d", "https://example.org/t", 50,
                new Thresholds(1, 0, 2, 1)), Instant.now()).id();
        return tasks.find(id).orElseThrow();
    }

    // ---- projects ------------------------------------------------------------------------------

    @Test
    void projectsPageListsProjectsAndItsFormCarriesACsrfToken() throws Exception {
        Document doc = page("/admin/projects");
        assertThat(doc.select("table a").eachText()).contains(project.name());
        Element form = doc.selectFirst("form[action=/admin/projects]");
        assertThat(form).isNotNull();
        assertThat(form.select("input[name=_csrf]")).hasSize(1);
        assertThat(doc.select("header form[action=/logout] input[name=_csrf]")).hasSize(1);
        assertThat(doc.select("header nav a").eachText()).containsExactly("Projects", "Sessions", "Admins", "API docs");
        assertThat(doc.select("header .who").text()).isEqualTo("ada@example.org");
    }

    @Test
    void createProject() throws Exception {
        MvcResult r = mvc.perform(form(post("/admin/projects"), Map.of("name", "  Robots  ", "description", "Live")))
                .andExpect(status().is3xxRedirection()).andReturn();
        long id = idFrom(r.getResponse().getRedirectedUrl(), "/admin/projects/(\\d+)");
        assertThat(projects.find(id)).hasValueSatisfying(p -> {
            assertThat(p.name()).isEqualTo("Robots");
            assertThat(p.description()).isEqualTo("Live");
        });
        Document doc = page("/admin/projects/" + id);
        assertThat(doc.select("h1").text()).isEqualTo("Robots");
    }

    @Test
    void aProjectWithoutNameIsRefusedWithItsMessageAndNotSaved() throws Exception {
        int before = projects.list().size();
        String html = mvc.perform(form(post("/admin/projects"), Map.of("name", " ", "description", "x")))
                .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString();
        Document doc = Jsoup.parse(html);
        assertThat(doc.select("#project-name-error").text()).isEqualTo("Name is required.");
        assertThat(doc.select("#project-name").attr("aria-invalid")).isEqualTo("true");
        assertThat(doc.select("#project-description").text()).isEqualTo("x");
        assertThat(projects.list()).hasSize(before);
    }

    @Test
    void postingWithoutCsrfTokenIsRefused() throws Exception {
        int before = projects.list().size();
        mvc.perform(post("/admin/projects").param("name", "No token")).andExpect(status().isForbidden());
        assertThat(projects.list()).hasSize(before);
    }

    // ---- tasks: create -------------------------------------------------------------------------

    @Test
    void theNewTaskFormHasEveryFieldAndTheDefaults() throws Exception {
        Document doc = page("/admin/projects/" + project.id() + "/tasks/new");
        Element form = doc.selectFirst("form[action=/admin/projects/" + project.id() + "/tasks]");
        assertThat(form).isNotNull();
        for (String field : TaskForm.FIELDS) {
            Element input = form.selectFirst("[name=" + field + "]");
            assertThat(input).as(field).isNotNull();
            assertThat(doc.select("label[for=" + input.id() + "]")).as("label of " + field).hasSize(1);
        }
        assertThat(form.select("input[name=_csrf]")).hasSize(1);
        assertThat(form.selectFirst("[name=waitingPayRate]").val()).isEqualTo("7.25");
        assertThat(form.selectFirst("[name=disconnectGraceSeconds]").val()).isEqualTo("30");
        assertThat(form.selectFirst("[name=timeLimitMinutes]").val()).isEqualTo("60");
        assertThat(form.select("select[name=country] option[value=DE]").text()).isEqualTo("Germany (DE)");
        // issue 14 item 2: this server's waiting room (MockMvc's request reaches http://localhost), and why
        assertThat(form.selectFirst("[name=externalUrl]").val()).isEqualTo("http://localhost/waiting_task");
        assertThat(doc.selectFirst("#task-externalUrl-hint").text()).contains("waiting room");
        assertThat(doc.selectFirst("#task-description-hint").text()).startsWith("Required");
        assertThat(form.selectFirst("[name=maxPaidWaitMinutes]").val()).isEqualTo("60");
        assertThat(doc.select("label[for=task-maxPaidWaitMinutes]").text()).isEqualTo("Longest paid wait (minutes)");
        assertThat(form.select("input[name=approvalPolicy]").eachAttr("value")).containsExactly("auto", "manual");
        assertThat(form.select("input[name=approvalPolicy][checked]").eachAttr("value")).containsExactly("auto");
        assertThat(doc.getElementById("task-approvalPolicy-hint").text())
                .isEqualTo("Approve every confirmed submission after paying its bonus.");
        assertThat(doc.getElementById("task-approvalPolicy-manual-hint").text())
                .isEqualTo("You review submissions in the payments view; a rejection pays no bonus.");
        assertThat(doc.select("label[for=task-autoCompensate]").text())
                .isEqualTo("Pay owed workers automatically at session end (compensation HIT)");
        assertThat(form.selectFirst("input[name=autoCompensate]").hasAttr("checked")).isFalse();
    }

    @Test
    void createTaskSavesEveryField() throws Exception {
        MvcResult r = mvc.perform(form(post("/admin/projects/" + project.id() + "/tasks"), validForm()))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("notice", "Task \u201cChat with a bot\u201d created."))
                .andReturn();
        long id = idFrom(r.getResponse().getRedirectedUrl(), "/admin/tasks/(\\d+)");
        TaskSettings s = tasks.find(id).orElseThrow().settings();
        assertThat(s).isEqualTo(new TaskSettings("Chat with a bot", "Talk with others & a bot, live.", "chat, live",
                50, 1800, 86_400, 259_200, "US", 95, 100, "https://example.org/waiting_task", 800,
                new Thresholds(2, 1, 3, 2), true, 725, 30));
        assertThat(tasks.find(id).orElseThrow().projectId()).isEqualTo(project.id());

        Document doc = page("/admin/tasks/" + id);
        assertThat(doc.select("h1").text()).isEqualTo("Chat with a bot");
        assertThat(doc.select("dl.settings").text()).contains("$0.50", "30 min", "US (United States)", "≥ 95 %",
                "$7.25 per hour", "allowed");
        assertThat(doc.select("form[action=/admin/tasks/" + id + "/go-live] input[name=_csrf]")).hasSize(1);
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', value = {
            "title|''|Title is required.",
            "reward|0.00|Reward must be at least 0.01 and at most 100000.00 USD (was 0.00).",
            "reward|ten|Reward must be an amount in USD such as 0.50 (was 'ten').",
            "timeLimitMinutes|0|Time limit must be between 0.5 minute and 525600 minutes (365 days) (was 0).",
            "country|ZZ|Country must be an ISO 3166-1 alpha-2 code such as US or DE, or empty for any country (was 'ZZ').",
            "minApprovalPercent|150|Minimum approval rate must be a percentage between 0 and 100, or empty for no requirement (was 150).",
            "minApprovedHits|-1|Minimum approved HITs must be a count of 0 or more, or empty for no requirement (was -1).",
            "externalUrl|http://example.org/task|Worker-facing URL must use https:// (http:// is allowed only on localhost or 127.0.0.1).",
            "minActive|0|minActive must be at least 1 (and at most 10000) (was 0).",
            "maxActive|1|maxActive must be at least minActive (2), was 1.",
            "minWaiting|-2|minWaiting must be at least 0 (and at most 10000) (was -2).",
            "maxWaiting|0|maxWaiting must be at least 1 (and at most 10000) (was 0).",
            "waitingPayRate|-1|Waiting pay rate must be at least 0 and at most 100000.00 USD per hour (was -1).",
            "disconnectGraceSeconds|-5|Disconnect grace must be between 0 and 86400 seconds (was -5).",
            "frameHeight|tall|Frame height must be a whole number (was 'tall').",
            "hireBudget|-3|Hire budget must be a number of hires between 0 and 1000000, or empty for the default of 3 × (maxActive + maxWaiting) (was -3).",
            "hireBudget|many|Hire budget must be a whole number (was 'many').",
            "hireBudget|5000000|Hire budget must be a number of hires between 0 and 1000000, or empty for the default of 3 × (maxActive + maxWaiting) (was 5000000).",
            "spendCapUsd|-10|Spending cap must be at least 0 and at most 1000000.00 USD, or empty for no cap (was -10).",
            "spendCapUsd|ten dollars|Spending cap must be an amount in USD such as 0.50 (was 'ten dollars').",
            "spendCapUsd|2000000|Spending cap must be at least 0 and at most 1000000.00 USD, or empty for no cap (was 2000000).",
            "maxPaidWaitMinutes|0|Longest paid wait must be between 1 and 10080 minutes (was 0).",
            "maxPaidWaitMinutes|20000|Longest paid wait must be between 1 and 10080 minutes (was 20000).",
            "maxPaidWaitMinutes|soon|Longest paid wait must be a whole number (was 'soon').",
            "approvalPolicy|always|Approval must be auto or manual (was 'always').",
    })
    void eachInvalidFieldComesBackWithItsMessageAndNothingIsSaved(String field, String value, String message)
            throws Exception {
        int before = tasks.list().size();
        Map<String, String> f = validForm();
        f.put(field, value);
        String html = mvc.perform(form(post("/admin/projects/" + project.id() + "/tasks"), f))
                .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString();
        Document doc = Jsoup.parse(html);
        Element error = doc.getElementById("task-" + field + "-error");
        assertThat(error).as("message next to " + field).isNotNull();
        assertThat(error.text()).isEqualTo(message);
        assertThat(doc.select("p.error")).hasSize(1);
        Element input = doc.getElementById("task-" + field);
        assertThat(input.attr("aria-invalid")).isEqualTo("true");
        assertThat(input.attr("aria-describedby")).contains("task-" + field + "-error");
        assertThat(doc.select(".error-summary li").eachText()).containsExactly(message);
        // what the researcher typed is kept
        assertThat(doc.getElementById("task-title").val()).isEqualTo(f.get("title"));
        assertThat(doc.getElementById("task-keywords").val()).isEqualTo("chat, live");
        assertThat(tasks.list()).hasSize(before);
    }

    @Test
    void theFormExplainsTheHireBudgetAndTheDefault() throws Exception {
        Document blank = page("/admin/projects/" + project.id() + "/tasks/new");
        assertThat(blank.getElementById("task-hireBudget").val()).isEmpty();
        assertThat(blank.getElementById("task-spendCapUsd").val()).isEmpty();
        assertThat(blank.getElementById("task-hireBudget-hint").text()).contains("hiring stops")
                .endsWith("Empty: the default, 3 × (maxActive + maxWaiting) hires.");
        assertThat(blank.getElementById("task-spendCapUsd-hint").text()).contains("MTurk's 20 % fee")
                .endsWith("Empty: no cap.");

        Task t = storedTask("Budget defaults"); // maxActive 2 + maxWaiting 1
        Document edit = page("/admin/tasks/" + t.id() + "/edit");
        assertThat(edit.getElementById("task-hireBudget-hint").text())
                .endsWith("= 9 hires for the current thresholds.");
        assertThat(page("/admin/tasks/" + t.id()).getElementById("task-hire-budget").text())
                .isEqualTo("default: 3 × (maxActive + maxWaiting) = 9 hires per session");
        assertThat(page("/admin/tasks/" + t.id()).getElementById("task-spend-cap").text()).isEqualTo("none");
    }

    @Test
    void aHireBudgetAndSpendingCapAreSavedShownAndGiveTheSessionItsBudget() throws Exception {
        Map<String, String> f = validForm(); // reward 0.50: a hire costs 0.60 with MTurk's fee
        f.put("hireBudget", "12");
        f.put("spendCapUsd", "5");
        MvcResult r = mvc.perform(form(post("/admin/projects/" + project.id() + "/tasks"), f))
                .andExpect(status().is3xxRedirection()).andReturn();
        long id = idFrom(r.getResponse().getRedirectedUrl(), "/admin/tasks/(\\d+)");
        TaskSettings s = tasks.find(id).orElseThrow().settings();
        assertThat(s.hireBudget()).isEqualTo(12);
        assertThat(s.spendCapCents()).isEqualTo(500);

        Document doc = page("/admin/tasks/" + id);
        assertThat(doc.getElementById("task-hire-budget").text()).isEqualTo("12 hires per session");
        assertThat(doc.getElementById("task-spend-cap").text())
                .isEqualTo("$5.00 per session: a session opened now may make 8 hires");
        Document edit = page("/admin/tasks/" + id + "/edit");
        assertThat(edit.getElementById("task-hireBudget").val()).isEqualTo("12");
        assertThat(edit.getElementById("task-spendCapUsd").val()).isEqualTo("5.00");
        assertThat(edit.getElementById("task-spendCapUsd-hint").text())
                .endsWith("With this cap: 8 hires at 0.60 USD each; a session's budget: 8 hires.");

        // A session opened now takes the lower of the two; clearing both brings back the default.
        assertThat(sessions.config(sessions.open(id).sessionId()).hireBudget()).isEqualTo(8);
        f.put("hireBudget", "");
        f.put("spendCapUsd", " ");
        mvc.perform(form(post("/admin/tasks/" + id), f)).andExpect(status().is3xxRedirection());
        s = tasks.find(id).orElseThrow().settings();
        assertThat(s.hireBudget()).isNull();
        assertThat(s.spendCapCents()).isNull();
        assertThat(sessions.config(sessions.open(id).sessionId()).hireBudget()).isEqualTo(15);
    }

    @Test
    void paySettingsAreSavedShownEditedAndCopiedIntoEachNewSession() throws Exception {
        Map<String, String> f = validForm();
        f.put("maxPaidWaitMinutes", "15");
        f.put("approvalPolicy", "manual");
        f.put("autoCompensate", "true");
        MvcResult r = mvc.perform(form(post("/admin/projects/" + project.id() + "/tasks"), f))
                .andExpect(status().is3xxRedirection()).andReturn();
        long id = idFrom(r.getResponse().getRedirectedUrl(), "/admin/tasks/(\\d+)");
        TaskSettings s = tasks.find(id).orElseThrow().settings();
        assertThat(s.maxPaidWaitMinutes()).isEqualTo(15);
        assertThat(s.approvalPolicy()).isEqualTo(ApprovalPolicy.MANUAL);
        assertThat(s.autoCompensate()).isTrue();

        Document doc = page("/admin/tasks/" + id);
        assertThat(doc.getElementById("task-max-paid-wait").text())
                .isEqualTo("15 min, then the worker is asked to submit");
        assertThat(doc.getElementById("task-approval").text())
                .isEqualTo("manual: you review submissions in the payments view; a rejection pays no bonus");
        assertThat(doc.getElementById("task-auto-compensate").text())
                .isEqualTo("paid automatically at session end (compensation HIT)");
        Document edit = page("/admin/tasks/" + id + "/edit");
        assertThat(edit.getElementById("task-maxPaidWaitMinutes").val()).isEqualTo("15");
        assertThat(edit.select("input[name=approvalPolicy][checked]").eachAttr("value")).containsExactly("manual");
        assertThat(edit.getElementById("task-autoCompensate").hasAttr("checked")).isTrue();

        // a session opened now carries them; the worker-facing pay rules take the longest paid wait
        SessionConfig opened = sessions.open(id);
        assertThat(opened.pay()).isEqualTo(new PaySettings(Duration.ofMinutes(15), ApprovalPolicy.MANUAL, true));
        assertThat(sessions.config(opened.sessionId()).pay()).isEqualTo(opened.pay());

        // back to the defaults: the unchecked box sends nothing; the running session keeps its copy
        f.put("maxPaidWaitMinutes", "60");
        f.put("approvalPolicy", "auto");
        f.remove("autoCompensate");
        mvc.perform(form(post("/admin/tasks/" + id), f)).andExpect(status().is3xxRedirection());
        assertThat(tasks.find(id).orElseThrow().settings().pay()).isEqualTo(PaySettings.DEFAULTS);
        doc = page("/admin/tasks/" + id);
        assertThat(doc.getElementById("task-max-paid-wait").text()).isEqualTo("1 h, then the worker is asked to submit");
        assertThat(doc.getElementById("task-approval").text())
                .isEqualTo("automatic: every confirmed submission is approved after its bonus is paid");
        assertThat(doc.getElementById("task-auto-compensate").text())
                .isEqualTo("listed as owed; you pay them (compensation HIT)");
        assertThat(sessions.config(opened.sessionId()).pay().approval()).isEqualTo(ApprovalPolicy.MANUAL);
        assertThat(sessions.open(id).pay()).isEqualTo(PaySettings.DEFAULTS);
    }

    @Test
    void aFormWithoutPaySettingsIsRefusedNotDefaulted() throws Exception {
        Task t = tasks.create(project.id(), TaskSettings.basic("Manual one", "d", "https://example.org/t", 50,
                new Thresholds(1, 0, 2, 1)).withPay(30, ApprovalPolicy.MANUAL, true), Instant.now());
        Map<String, String> f = validForm();
        f.remove("maxPaidWaitMinutes");
        f.remove("approvalPolicy");
        Document doc = Jsoup.parse(mvc.perform(form(post("/admin/tasks/" + t.id()), f))
                .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString());
        assertThat(doc.select(".error-summary li").eachText()).containsExactly("Longest paid wait is required.",
                "Approval is required: auto or manual.");
        assertThat(tasks.find(t.id()).orElseThrow().settings().pay())
                .isEqualTo(new PaySettings(Duration.ofMinutes(30), ApprovalPolicy.MANUAL, true));
    }

    @Test
    void severalInvalidFieldsAreAllReported() throws Exception {
        int before = tasks.list().size();
        Map<String, String> f = validForm();
        f.put("reward", "0");
        f.put("minActive", "5");
        f.put("externalUrl", "");
        Document doc = Jsoup.parse(mvc.perform(form(post("/admin/projects/" + project.id() + "/tasks"), f))
                .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString());
        // in page order, and the summary in the same order
        assertThat(doc.select("p.error").eachAttr("id")).containsExactly("task-externalUrl-error",
                "task-reward-error", "task-maxActive-error");
        assertThat(doc.select(".error-summary a").eachAttr("href")).containsExactly("#task-externalUrl",
                "#task-reward", "#task-maxActive");
        assertThat(tasks.list()).hasSize(before);
    }

    @Test
    void anUnknownProjectIsNotFound() throws Exception {
        mvc.perform(get("/admin/projects/999999")).andExpect(status().isNotFound());
        mvc.perform(get("/admin/tasks/999999/edit")).andExpect(status().isNotFound());
        int before = tasks.list().size();
        mvc.perform(form(post("/admin/projects/999999/tasks"), validForm())).andExpect(status().isNotFound());
        assertThat(tasks.list()).hasSize(before);
    }

    // ---- edit, clone, delete -------------------------------------------------------------------

    @Test
    void editShowsTheStoredValuesAndSavesChanges() throws Exception {
        Task t = storedTask("Before");
        Document doc = page("/admin/tasks/" + t.id() + "/edit");
        Element form = doc.selectFirst("form[action=/admin/tasks/" + t.id() + "]");
        assertThat(form.selectFirst("[name=title]").val()).isEqualTo("Before");
        assertThat(form.selectFirst("[name=reward]").val()).isEqualTo("0.50");
        assertThat(form.selectFirst("[name=maxActive]").val()).isEqualTo("2");

        Map<String, String> f = validForm();
        f.put("title", "After");
        f.remove("allowRepeatWorkers"); // an unchecked box sends nothing
        f.put("country", "");
        mvc.perform(form(post("/admin/tasks/" + t.id()), f))
                .andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/admin/tasks/" + t.id()));
        TaskSettings s = tasks.find(t.id()).orElseThrow().settings();
        assertThat(s.title()).isEqualTo("After");
        assertThat(s.country()).isNull();
        assertThat(s.allowRepeatWorkers()).isFalse();
        assertThat(s.thresholds()).isEqualTo(new Thresholds(2, 1, 3, 2));
    }

    @Test
    void anInvalidEditChangesNothing() throws Exception {
        Task t = storedTask("Unchanged");
        Map<String, String> f = validForm();
        f.put("title", "Changed");
        f.put("maxWaiting", "0");
        Document doc = Jsoup.parse(mvc.perform(form(post("/admin/tasks/" + t.id()), f))
                .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString());
        assertThat(doc.getElementById("task-maxWaiting-error").text())
                .isEqualTo("maxWaiting must be at least 1 (and at most 10000) (was 0).");
        assertThat(tasks.find(t.id()).orElseThrow()).isEqualTo(t);
    }

    @Test
    void cloneMakesACopyWithTheSameSettings() throws Exception {
        Task stored = storedTask("Original");
        Task t = tasks.update(stored.id(), stored.settings().withHireBudget(7, 900).withPay(20, ApprovalPolicy.MANUAL,
                true), Instant.now());
        MvcResult r = mvc.perform(post("/admin/tasks/" + t.id() + "/clone").with(csrf()))
                .andExpect(status().is3xxRedirection()).andReturn();
        long id = idFrom(r.getResponse().getRedirectedUrl(), "/admin/tasks/(\\d+)/edit");
        assertThat(id).isNotEqualTo(t.id());
        Task copy = tasks.find(id).orElseThrow();
        assertThat(copy.projectId()).isEqualTo(t.projectId());
        assertThat(copy.title()).isEqualTo("Copy of Original");
        TaskSettings a = t.settings();
        assertThat(copy.settings()).isEqualTo(new TaskSettings("Copy of Original", a.description(), a.keywords(),
                a.rewardCents(), a.assignmentDurationSeconds(), a.lifetimeSeconds(), a.autoApprovalDelaySeconds(),
                a.country(), a.minApprovalPercent(), a.minApprovedHits(), a.externalUrl(), a.frameHeight(),
                a.thresholds(), a.allowRepeatWorkers(), a.waitingPayCentsPerHour(), a.disconnectGraceSeconds(), 7,
                900, 20, ApprovalPolicy.MANUAL, true));
        assertThat(tasks.find(t.id())).hasValue(t);
    }

    @Test
    void deleteRemovesATaskNeverPosted() throws Exception {
        Task t = storedTask("Doomed");
        mvc.perform(post("/admin/tasks/" + t.id() + "/delete").with(csrf()))
                .andExpect(status().is3xxRedirection())
                .andExpect(redirectedUrl("/admin/projects/" + project.id()))
                .andExpect(flash().attribute("notice", "Task \u201cDoomed\u201d deleted."));
        assertThat(tasks.find(t.id())).isEmpty();
    }

    @Test
    void deleteOfAPostedTaskIsRefusedWithAClearMessage() throws Exception {
        Task t = storedTask("Posted");
        long session = sessions.open(t.id()).sessionId();
        MvcResult r = mvc.perform(post("/admin/tasks/" + t.id() + "/delete").with(csrf()))
                .andExpect(status().is3xxRedirection())
                .andExpect(redirectedUrl("/admin/tasks/" + t.id())).andReturn();
        String problem = (String) r.getFlashMap().get("problem");
        assertThat(problem).isEqualTo("Task " + t.id() + " (\u201cPosted\u201d) has been posted (1 session) and cannot "
                + "be deleted; its sessions and their event logs refer to it. Clone it to make changes.");
        assertThat(tasks.find(t.id())).hasValue(t);

        Document doc = page("/admin/tasks/" + t.id());
        assertThat(doc.select("form[action$=/delete]")).isEmpty();
        assertThat(doc.select("a[href=/admin/sessions/" + session + "]").text()).isEqualTo("Session " + session);
    }

    @Test
    void dashboardShowsProjectsTasksAndSessionStatuses() throws Exception {
        Task live = storedTask("Live one");
        Task stopped = storedTask("Stopped one");
        Task idle = storedTask("Never posted");
        long s1 = sessions.open(live.id()).sessionId();
        long s2 = sessions.open(stopped.id()).sessionId();
        sessions.apply(s2, new org.pavilion.queue.QueueEvent.Stop("ada"), "ada");
        long s3 = sessions.open(stopped.id()).sessionId();
        sessions.apply(s3, new org.pavilion.queue.QueueEvent.Expire("ada"), "ada");

        Document doc = page("/admin/dashboard");
        Element section = doc.selectFirst("section[aria-labelledby=project-" + project.id() + "]");
        assertThat(section).isNotNull();
        assertThat(section.select("h2").text()).isEqualTo(project.name());
        assertThat(section.select("tbody tr > td:first-child a").eachText())
                .containsExactly("Live one", "Stopped one", "Never posted");
        assertThat(section.select("a[href=/admin/sessions/" + s1 + "] + .status").text()).isEqualTo("live");
        assertThat(section.select("a[href=/admin/sessions/" + s2 + "] + .status").text()).isEqualTo("stopped");
        assertThat(section.select("a[href=/admin/sessions/" + s3 + "] + .status").text()).isEqualTo("expired");
        assertThat(section.select("a[href=/admin/tasks/" + idle.id() + "]")).hasSize(1);
        assertThat(List.of(doc.select("a.brand").attr("href"))).containsExactly("/admin/dashboard");
    }

    @Test
    void valuesAreEscaped() throws Exception {
        Task t = storedTask("<script>alert(1)</script>");
        String html = mvc.perform(get("/admin/tasks/" + t.id())).andReturn().getResponse().getContentAsString();
        assertThat(html).doesNotContain("<script>alert(1)</script>").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    }
}
