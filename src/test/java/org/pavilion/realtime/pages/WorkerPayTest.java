package org.pavilion.realtime.pages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.pay.BonusLedger;
import org.pavilion.pay.PayLedger;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.Thresholds;
import org.pavilion.realtime.SignedTokens;
import org.pavilion.realtime.WorkerIdentity;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.MutableClock;
import org.pavilion.session.SessionStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * The worker's own pay (GET /worker_pay, the page /my_pay): open to anyone, but it answers only to a worker
 * page's signed token and shows only that token's assignment; "Bonus $0.15 pending approval", then "paid".
 */
// The dispatcher is off: these tests move ledger rows step by step themselves.
@SpringBootTest(properties = {"pavilion.database.embedded=mem", "pavilion.pay.dispatch=false"})
class WorkerPayTest {

    static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");

    @Autowired
    WebApplicationContext context;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    SessionStore store;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    PayLedger ledger;
    @Autowired
    BonusLedger bonuses;
    @Autowired
    SignedTokens tokens;

    private MockMvc mvc;
    private LiveSessionService service;
    private final MutableClock clock = new MutableClock(T0);
    private long session;

    @BeforeEach
    void setUp() throws Exception {
        mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
        service = new LiveSessionService(store, List.of(), clock);
        long project = projects.create("Worker pay", "", T0).id();
        long task = tasks.create(project, TaskSettings.basic("Pay me", "Paid for waiting", "https://example.org/t", 50,
                new Thresholds(1, 0, 1, 2)), T0).id();
        jdbc.update("update task set approval_policy = 'MANUAL' where id = ?", task);
        session = service.open(task).sessionId();
        arrive(0, "w1", "A1");
        arrive(10, "w2", "A2");
        bonuses.award(session, "w2", 5, "best answer");
        at(60, new QueueEvent.Leave("w1", "A1", Departure.SUBMIT));
        at(150, new QueueEvent.Leave("w2", "A2", Departure.SUBMIT));
    }

    @AfterEach
    void tearDown() {
        service.close();
    }

    private void at(long seconds, QueueEvent event) throws Exception {
        clock.set(T0.plusSeconds(seconds));
        service.submit(session, event, "marketplace", null).get();
    }

    private void arrive(long seconds, String worker, String assignment) throws Exception {
        at(seconds, new QueueEvent.Confirm(assignment, "HIT-1", worker));
        at(seconds, new QueueEvent.Arrive(worker, assignment));
    }

    private String token(String worker, String assignment) {
        return tokens.workerToken(new WorkerIdentity(session, worker, assignment, "HIT-1"), Duration.ofHours(1));
    }

    private String pay(String token) throws Exception {
        return mvc.perform(get("/worker_pay").header("Authorization", "Bearer " + token)).andExpect(status().isOk())
                .andExpect(header().string("Cache-Control", "no-store")).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
    }

    @Test
    void theWorkerSeesItsBonusPendingApprovalThenPaid() throws Exception {
        String body = pay(token("w2", "A2"));
        assertThat((String) JsonPath.read(body, "$.worker")).isEqualTo("w2");
        assertThat((List<String>) JsonPath.read(body, "$.payouts[*].bonusText"))
                .containsExactly("Bonus $0.15 pending approval"); // 10 cents of waiting, 5 of task bonus
        assertThat((String) JsonPath.read(body, "$.payouts[0].waited")).isEqualTo("0:50");
        assertThat((String) JsonPath.read(body, "$.payouts[0].approvalText"))
                .isEqualTo("Your submission awaits the researcher's review");
        assertThat(body).doesNotContain("lastError").doesNotContain("pav-");

        // the admin approves; the dispatcher fixes the bonus (with the task bonus), sends it, it is paid
        long id = ledger.forSession(session).stream().filter(p -> p.workerId().equals("w2")).findFirst().orElseThrow().id();
        ledger.approve(session, Optional.of(id), null);
        ledger.freeze(id);
        ledger.bonusSending(id, 1);
        ledger.bonusPaid(id);
        String paid = pay(token("w2", "A2"));
        assertThat((String) JsonPath.read(paid, "$.payouts[0].bonusText")).isEqualTo("Bonus $0.15 paid");
        assertThat((String) JsonPath.read(paid, "$.payouts[0].taskBonuses")).isEqualTo("$0.05");
        assertThat((String) JsonPath.read(paid, "$.payouts[0].bonusState")).isEqualTo("paid");
    }

    @Test
    void aTokenShowsOnlyItsOwnAssignment() throws Exception {
        String w1 = pay(token("w1", "A1"));
        assertThat((String) JsonPath.read(w1, "$.worker")).isEqualTo("w1");
        assertThat((List<String>) JsonPath.read(w1, "$.payouts[*].bonusText")).containsExactly("Bonus $0.00 pending approval");
        assertThat(w1).doesNotContain("w2");
        // the same worker with another assignment's token: nothing of A1
        String other = pay(token("w1", "A-other"));
        assertThat((List<?>) JsonPath.read(other, "$.payouts")).isEmpty();
        assertThat((String) JsonPath.read(other, "$.message")).contains("Nothing is settled yet");
    }

    @Test
    void noTokenAForgedOneOrAnExpiredOneIsRefused() throws Exception {
        mvc.perform(get("/worker_pay")).andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.error").value("missing_token"));
        mvc.perform(get("/worker_pay").param("workerId", "w2")).andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.error").value("missing_token"));
        String real = token("w2", "A2");
        String forged = real.substring(0, real.lastIndexOf('.') + 1) + "AAAA" + real.substring(real.lastIndexOf('.') + 5);
        mvc.perform(get("/worker_pay").header("Authorization", "Bearer " + forged)).andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.error").value("invalid_token"));
        String expired = tokens.workerToken(new WorkerIdentity(session, "w2", "A2", "HIT-1"), Duration.ofSeconds(-5));
        mvc.perform(get("/worker_pay").header("Authorization", "Bearer " + expired)).andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.error").value("invalid_token"));
        // an admin token is not a worker's
        mvc.perform(get("/worker_pay").header("Authorization", "Bearer " + tokens.adminToken("ada", Duration.ofHours(1))))
                .andExpect(status().isUnauthorized()).andExpect(jsonPath("$.error").value("invalid_token"));
    }

    @Test
    void thePayPageIsOpenAndCarriesTheWorkerPagesHeaders() throws Exception {
        String html = mvc.perform(get("/my_pay")).andExpect(status().isOk())
                .andExpect(header().string("Content-Security-Policy", WorkerPagesController.CSP))
                .andExpect(header().string("Cache-Control", "no-store")).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(html).contains("Your pay for this HIT").contains("/pages/pay.js").contains("data-api=\"/worker_pay\"");
        mvc.perform(get("/pages/pay.js")).andExpect(status().isOk());
    }
}
