package org.pavilion.admin.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.anonymous;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;

import org.json.JSONObject;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.local.FaultInjector;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.web.context.WebApplicationContext;

/**
 * The budget before go-live on a local marketplace that holds only $5.00: the estimate (REST and the task
 * page's Go live dialog), the refusal when the balance does not cover the first hour or cannot be read
 * (409, an error on the page; nothing posted), and going live anyway once the admin confirms.
 *
 * <p>The usual task (maxActive 1, maxWaiting 1, reward $0.50, $7.25 an hour of waiting, one-hour
 * assignments) costs $9.90 an hour at full queues and $11.10 in its first hour (see SessionCostEstimateTest).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=200ms",
        "pavilion.marketplace.client.base-delay=5ms", "pavilion.marketplace.client.max-delay=20ms",
        "pavilion.marketplace.client.max-attempts=2", "pavilion.marketplace.local.starting-balance=5.00"})
@WithMockUser(username = LiveTestSupport.ADMIN, roles = "ADMIN")
class GoLiveBudgetTest {

    @LocalServerPort
    int port;
    @Autowired
    WebApplicationContext context;
    @Autowired
    LiveSessionService sessions;
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

    /** $11.10 in the first hour: more than the $5.00 the account holds. */
    private long dearTask() {
        return LiveTestSupport.task(projects, tasks, port, new Thresholds(1, 0, 1, 1), 725);
    }

    /** $0.01 rewards, no waiting pay: $0.08 in the first hour. */
    private long cheapTask() {
        long id = LiveTestSupport.task(projects, tasks, port, new Thresholds(1, 0, 1, 1), 0);
        TaskSettings s = tasks.find(id).orElseThrow().settings();
        TaskSettings cheap = new TaskSettings(s.title(), s.description(), s.keywords(), 1, s.assignmentDurationSeconds(),
                s.lifetimeSeconds(), s.autoApprovalDelaySeconds(), null, null, null, s.externalUrl(), s.frameHeight(),
                s.thresholds(), false, 0, s.disconnectGraceSeconds());
        return tasks.update(id, cheap, Instant.now()).id();
    }

    private static JSONObject json(MvcResult result) throws Exception {
        return new JSONObject(result.getResponse().getContentAsString());
    }

    private JSONObject estimate(long taskId) throws Exception {
        return json(mvc.perform(get("/api/admin/tasks/{id}/go-live-estimate", taskId)).andExpect(status().isOk())
                .andReturn());
    }

    private Document taskPage(long taskId) throws Exception {
        return Jsoup.parse(mvc.perform(get("/admin/tasks/{id}", taskId)).andExpect(status().isOk()).andReturn()
                .getResponse().getContentAsString());
    }

    // ---- the estimate ----------------------------------------------------------------------------

    @Test
    void theEstimateShowsTheBalanceTheCostAndTheSpendingCap() throws Exception {
        long taskId = LiveTestSupport.task(projects, tasks, port, new Thresholds(1, 0, 1, 1), null, 300);
        JSONObject e = estimate(taskId);
        assertThat(e.getLong("taskId")).isEqualTo(taskId);
        assertThat(e.getString("marketplace")).isEqualTo("local");
        assertThat(e.getLong("balanceCents")).isEqualTo(500);
        assertThat(e.isNull("balanceProblem")).isTrue();
        assertThat(e.getInt("maxWaiting")).isEqualTo(1);
        assertThat(e.getLong("waitingPayCentsPerHour")).isEqualTo(725);
        assertThat(e.getLong("waitingPayFeeCentsPerHour")).isEqualTo(145);
        assertThat(e.getInt("hiresPerHour")).isEqualTo(2);
        assertThat(e.getString("hiresAssumption")).contains("once per assignment time limit");
        assertThat(e.getLong("hireRewardCentsPerHour")).isEqualTo(100);
        assertThat(e.getLong("hireFeeCentsPerHour")).isEqualTo(20);
        assertThat(e.getLong("costCentsPerHour")).isEqualTo(990);
        assertThat(e.getInt("initialAssignments")).isEqualTo(2);
        assertThat(e.getLong("initialRewardCents")).isEqualTo(100);
        assertThat(e.getLong("initialFeeCents")).isEqualTo(20);
        assertThat(e.getLong("firstHourCents")).isEqualTo(1110);
        assertThat(e.getInt("spendCapCents")).isEqualTo(300);
        assertThat(e.getInt("sessionHireBudget")).isEqualTo(5); // $3.00 pays 5 hires of $0.60
        assertThat(e.getBoolean("covered")).isFalse();
        assertThat(e.getBoolean("confirmationRequired")).isTrue();
        assertThat(e.getString("message")).contains("$5.00").contains("$11.10");
        assertThat(e.has("balanceText")).as("page sentences stay out of the JSON").isFalse();

        JSONObject cheap = estimate(cheapTask());
        assertThat(cheap.getLong("firstHourCents")).isEqualTo(8);
        assertThat(cheap.isNull("spendCapCents")).isTrue();
        assertThat(cheap.getBoolean("covered")).isTrue();
        assertThat(cheap.getBoolean("confirmationRequired")).isFalse();
    }

    @Test
    void theEstimateOfAnUnknownTaskIs404AndAnonymousCallersAre401() throws Exception {
        assertThat(json(mvc.perform(get("/api/admin/tasks/{id}/go-live-estimate", 987654321L))
                .andExpect(status().isNotFound()).andReturn()).getString("error")).isEqualTo("unknown_task");
        mvc.perform(get("/api/admin/tasks/{id}/go-live-estimate", dearTask()).with(anonymous()))
                .andExpect(status().isUnauthorized());
    }

    // ---- REST --------------------------------------------------------------------------------------

    @Test
    void goLiveIsRefusedWith409WhenTheBalanceDoesNotCoverTheFirstHour() throws Exception {
        long taskId = dearTask();
        int sessionsBefore = sessions.sessionIds().size();
        int hitsBefore = local.hits().size();
        JSONObject error = json(mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).with(csrf()))
                .andExpect(status().isConflict()).andReturn());
        assertThat(error.getString("error")).isEqualTo("low_balance");
        assertThat(error.getString("message")).contains("$5.00").contains("$11.10").contains("confirmLowBalance=true");
        assertThat(error.getJSONObject("estimate").getLong("firstHourCents")).isEqualTo(1110);
        JSONObject explicitNo = json(mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId)
                .param("confirmLowBalance", "false").with(csrf())).andExpect(status().isConflict()).andReturn());
        assertThat(explicitNo.getString("error")).isEqualTo("low_balance");
        assertThat(sessions.sessionIds()).hasSize(sessionsBefore);
        assertThat(local.hits()).hasSize(hitsBefore);
    }

    @Test
    void goLiveWithConfirmLowBalancePostsTheHit() throws Exception {
        long taskId = dearTask();
        JSONObject body = json(mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId)
                .param("confirmLowBalance", "true").with(csrf())).andExpect(status().isCreated()).andReturn());
        assertThat(sessions.config(body.getLong("sessionId")).taskId()).isEqualTo(taskId);
        assertThat(local.getHit(body.getString("hitId")).maxAssignments()).isEqualTo(2);
    }

    @Test
    void aTaskTheBalanceCoversGoesLiveWithoutConfirmation() throws Exception {
        long taskId = cheapTask();
        JSONObject body = json(mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).with(csrf()))
                .andExpect(status().isCreated()).andReturn());
        assertThat(sessions.config(body.getLong("sessionId")).taskId()).isEqualTo(taskId);
    }

    @Test
    void aConfirmationThatIsNotTrueOrFalseIs400AndPostsNothing() throws Exception {
        long taskId = dearTask();
        int sessionsBefore = sessions.sessionIds().size();
        JSONObject error = json(mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId)
                .param("confirmLowBalance", "sure").with(csrf())).andExpect(status().isBadRequest()).andReturn());
        assertThat(error.getString("error")).isEqualTo("bad_request");
        assertThat(error.getString("message")).contains("confirmLowBalance must be true or false");
        assertThat(sessions.sessionIds()).hasSize(sessionsBefore);
    }

    @Test
    void aBalanceThatCannotBeReadIsSaidAndNeedsTheSameConfirmation() throws Exception {
        long taskId = cheapTask(); // the balance would cover it: only the unreadable balance stands in the way
        int sessionsBefore = sessions.sessionIds().size();
        faults.failNext("GetAccountBalance", 100, FaultInjector.Fault.HTTP_500);

        JSONObject e = estimate(taskId);
        assertThat(e.isNull("balanceCents")).isTrue();
        assertThat(e.getString("balanceProblem")).isNotBlank();
        assertThat(e.getBoolean("covered")).isFalse();
        assertThat(e.getBoolean("confirmationRequired")).isTrue();
        assertThat(e.getString("message")).contains("could not be read");

        JSONObject error = json(mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).with(csrf()))
                .andExpect(status().isConflict()).andReturn());
        assertThat(error.getString("error")).isEqualTo("balance_unavailable");
        assertThat(error.getString("message")).contains("could not be read");
        assertThat(sessions.sessionIds()).hasSize(sessionsBefore);

        Document page = taskPage(taskId);
        assertThat(page.selectFirst("#go-live-balance").text()).startsWith("could not be read");
        assertThat(page.selectFirst("#go-live-warning")).isNotNull();
        assertThat(page.selectFirst("input#confirm-low-balance")).isNotNull();

        mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).param("confirmLowBalance", "true").with(csrf()))
                .andExpect(status().isCreated());
        assertThat(sessions.sessionIds()).hasSize(sessionsBefore + 1);
    }

    // ---- the task page's Go live dialog --------------------------------------------------------------

    @Test
    void theDialogsFiguresFollowTheChosenThresholdsAndSayWhatWouldBeRefused() throws Exception {
        long taskId = LiveTestSupport.task(projects, tasks, port, new Thresholds(1, 0, 1, 1), null, 300);
        Document more = Jsoup.parse(mvc.perform(get("/admin/tasks/{id}/go-live-estimate", taskId)
                .param("maxWaiting", "3").param("marketplace", "local")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString());
        assertThat(more.selectFirst("#go-live-per-hour").text()).contains("(3 workers × $7.25)");
        assertThat(more.selectFirst("#go-live-first-hour").text()).contains("4 assignments, rewards $2.00");
        assertThat(more.selectFirst("#go-live-figures").attr("data-confirmation-required")).isEqualTo("true");
        assertThat(more.selectFirst("#go-live-choice-problem")).isNull();

        Document bad = Jsoup.parse(mvc.perform(get("/admin/tasks/{id}/go-live-estimate", taskId)
                .param("minWaiting", "2")).andExpect(status().isBadRequest())
                .andReturn().getResponse().getContentAsString());
        assertThat(bad.selectFirst("#go-live-choice-problem").text()).startsWith("maxWaiting: must be at least minWaiting")
                .endsWith("Going live with this would be refused.");
        assertThat(bad.selectFirst("#go-live-per-hour").text()).as("the task's own figures")
                .contains("(1 worker × $7.25)");
        mvc.perform(get("/admin/tasks/{id}/go-live-estimate", taskId).param("marketplace", "production"))
                .andExpect(status().isBadRequest());
    }

    @Test
    void theTaskPageShowsTheBalanceTheCostAndAsksForConfirmation() throws Exception {
        long taskId = LiveTestSupport.task(projects, tasks, port, new Thresholds(1, 0, 1, 1), null, 300);
        Document doc = taskPage(taskId);
        assertThat(doc.selectFirst("#go-live-marketplace").text()).startsWith("the local marketplace");
        assertThat(doc.selectFirst("#go-live-balance").text()).isEqualTo("$5.00");
        assertThat(doc.selectFirst("#go-live-per-hour").text()).startsWith("$9.90")
                .contains("waiting pay $7.25 (1 worker × $7.25) + fees $1.45").contains("2 hires, rewards $1.00 + fees $0.20");
        assertThat(doc.selectFirst("#go-live-first-hour").text()).startsWith("$11.10")
                .contains("2 assignments, rewards $1.00 + fees $0.20");
        assertThat(doc.selectFirst("#go-live-spend-cap").text()).isEqualTo(
                "$3.00 per session: a session opened now may make 5 hires");
        assertThat(doc.selectFirst("#go-live-assumption").text()).contains("once per assignment time limit");
        assertThat(doc.selectFirst("#go-live-warning").text()).contains("does not cover").contains("$11.10");
        Element form = doc.selectFirst("form[action=/admin/tasks/" + taskId + "/go-live]");
        assertThat(form.attr("data-confirm")).contains("on the local marketplace (Pavilion's own").contains("$11.10")
                .contains("$9.90");
        assertThat(form.select("input[type=checkbox][name=confirmLowBalance][value=true][required]:not([disabled])"))
                .hasSize(1);
        assertThat(form.select("input[name=_csrf]")).hasSize(1);

        Document cheap = taskPage(cheapTask());
        assertThat(cheap.selectFirst("#go-live-warning")).isNull();
        assertThat(cheap.select("input[name=confirmLowBalance]:not([disabled])")).as("no confirmation asked").isEmpty();
        assertThat(cheap.selectFirst("#go-live-spend-cap").text()).startsWith("none");
    }

    @Test
    void thePageFormIsRefusedWithAnErrorUnlessTheAdminTicksGoLiveAnyway() throws Exception {
        long taskId = dearTask();
        int sessionsBefore = sessions.sessionIds().size();
        MvcResult refused = mvc.perform(post("/admin/tasks/{id}/go-live", taskId).with(csrf()))
                .andExpect(status().is3xxRedirection()).andReturn();
        assertThat(refused.getResponse().getRedirectedUrl()).isEqualTo("/admin/tasks/" + taskId + "#go-live");
        assertThat((String) refused.getFlashMap().get("problem")).startsWith("Not posted.").contains("$5.00")
                .contains("$11.10").contains("Go live anyway");
        assertThat(sessions.sessionIds()).hasSize(sessionsBefore);

        MvcResult posted = mvc.perform(post("/admin/tasks/{id}/go-live", taskId).param("confirmLowBalance", "true")
                .with(csrf())).andExpect(status().is3xxRedirection()).andReturn();
        assertThat(posted.getResponse().getRedirectedUrl()).matches("/admin/sessions/\\d+");
        assertThat((String) posted.getFlashMap().get("notice")).contains("is live");
        assertThat(sessions.sessionIds()).hasSize(sessionsBefore + 1);
    }
}
