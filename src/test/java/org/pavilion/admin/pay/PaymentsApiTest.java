package org.pavilion.admin.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.pay.BonusLedger;
import org.pavilion.pay.PayLedger;
import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.pay.PayoutState;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.session.SessionStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * The payments API and exports over the real Spring filter chain, on payout rows written the way the system
 * writes them (see {@link PaymentsTestSession}), and the admin's decisions with their refusals.
 */
// The dispatcher is off: these tests move ledger rows step by step themselves.
@SpringBootTest(properties = {"pavilion.database.embedded=mem", "pavilion.pay.dispatch=false"})
@WithMockUser(username = "ada@example.org", roles = "ADMIN")
class PaymentsApiTest {

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
    org.pavilion.pay.Compensations compensations;
    @Autowired
    BonusLedger bonuses;

    private MockMvc mvc;
    private PaymentsTestSession s;

    @BeforeEach
    void setUp() throws Exception {
        mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
        s = new PaymentsTestSession(store, projects, tasks, jdbc, "MANUAL").run(bonuses);
    }

    @AfterEach
    void tearDown() {
        s.close();
    }

    private String json(ResultActions r) throws Exception {
        return r.andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
    }

    private ResultActions postJson(String path, String body) throws Exception {
        return mvc.perform(post(path).with(csrf()).contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private String payments() {
        return "/api/admin/sessions/" + s.session + "/payments";
    }

    @Test
    void aSessionsPaymentsListEachPayoutWithItsAmountsFeesAndStatesInWords() throws Exception {
        String body = json(mvc.perform(get(payments())).andExpect(status().isOk()));
        assertThat((String) JsonPath.read(body, "$.scope")).isEqualTo("session");
        assertThat((String) JsonPath.read(body, "$.approval")).isEqualTo("manual");
        assertThat((List<String>) JsonPath.read(body, "$.rows[*].worker")).containsExactly("w1", "@w3", "w,2");

        Map<String, Object> w1 = JsonPath.read(body, "$.rows[0]");
        assertThat(w1).containsEntry("assignmentId", "A1").containsEntry("hitId", "HIT-1")
                .containsEntry("hitAssignments", 3).containsEntry("ending", "submitted").containsEntry("waited", "0:00")
                .containsEntry("bonusState", "pending").containsEntry("bonusStatus", "pending approval")
                .containsEntry("approvalState", "review").containsEntry("approvalStatus", "awaiting review")
                .containsEntry("canReview", true).containsEntry("canRetry", false);
        assertThat((String) JsonPath.read(body, "$.rows[0].reward.display")).isEqualTo("$0.50");
        // the reward's fee on the first HIT (3 assignments): 20 % of $0.50
        assertThat((String) JsonPath.read(body, "$.rows[0].rewardFee.display")).isEqualTo("$0.10");

        // "@w3" waited 70 s (14 cents at $7.25 an hour) and returned: owed, nothing to approve, no reward
        assertThat((Map<String, Object>) JsonPath.read(body, "$.rows[1]")).containsEntry("hitId", "HIT-2")
                .containsEntry("hitAssignments", 1).containsEntry("ending", "returned").containsEntry("waited", "1:10")
                .containsEntry("bonusState", "owed").containsEntry("approvalState", "none")
                .containsEntry("bonusStatus", "owed: to be paid by a compensation HIT")
                .containsEntry("canReview", false);
        assertThat((String) JsonPath.read(body, "$.rows[1].bonus.display")).isEqualTo("$0.14");
        assertThat((String) JsonPath.read(body, "$.rows[1].reward.display")).isEqualTo("$0.00");
        assertThat((String) JsonPath.read(body, "$.rows[1].fees.display")).isEqualTo("$0.03"); // 20 % of 14, rounded

        // "w,2": waited 50 s (10 cents) and a task bonus of 5 cents awarded, not yet fixed: $0.15 so far
        assertThat((Map<String, Object>) JsonPath.read(body, "$.rows[2]")).containsEntry("waited", "0:50")
                .containsEntry("bonusFixed", false).containsEntry("canReview", true);
        assertThat((String) JsonPath.read(body, "$.rows[2].waitingPay.display")).isEqualTo("$0.10");
        assertThat((String) JsonPath.read(body, "$.rows[2].taskBonuses.display")).isEqualTo("$0.05");
        assertThat((String) JsonPath.read(body, "$.rows[2].bonus.display")).isEqualTo("$0.15");
        assertThat((String) JsonPath.read(body, "$.rows[2].fees.display")).isEqualTo("$0.13"); // 3 + 10

        // due: two rewards and w,2's bonus; owed: @w3's 14 cents; fees 10 + 3 + 13
        assertThat((String) JsonPath.read(body, "$.totals.paid.display")).isEqualTo("$0.00");
        assertThat((String) JsonPath.read(body, "$.totals.due.display")).isEqualTo("$1.15");
        assertThat((String) JsonPath.read(body, "$.totals.owed.display")).isEqualTo("$0.14");
        assertThat((String) JsonPath.read(body, "$.totals.fees.display")).isEqualTo("$0.26");
        assertThat((String) JsonPath.read(body, "$.totals.grandTotal.display")).isEqualTo("$1.55");
        assertThat((Map<String, Object>) JsonPath.read(body, "$.counts")).containsEntry("payouts", 3)
                .containsEntry("review", 2).containsEntry("owed", 1).containsEntry("failed", 0);
    }

    @Test
    void aProjectsPaymentsCoverEverySessionOfItsTasks() throws Exception {
        String body = json(mvc.perform(get("/api/admin/projects/" + s.project + "/payments")).andExpect(status().isOk()));
        assertThat((String) JsonPath.read(body, "$.scope")).isEqualTo("project");
        assertThat((List<Integer>) JsonPath.read(body, "$.rows[*].sessionId")).containsOnly((int) s.session).hasSize(3);
        assertThat((String) JsonPath.read(body, "$.totals.grandTotal.display")).isEqualTo("$1.55");
    }

    @Test
    void unknownSessionsProjectsAndIdsAreClear404s() throws Exception {
        mvc.perform(get("/api/admin/sessions/987654/payments")).andExpect(status().isNotFound())
                .andExpect(jsonPath("$.error").value("unknown_session"));
        mvc.perform(get("/api/admin/projects/987654/payments")).andExpect(status().isNotFound())
                .andExpect(jsonPath("$.error").value("unknown_project"));
        mvc.perform(get("/api/admin/sessions/abc/payments")).andExpect(status().isNotFound())
                .andExpect(jsonPath("$.error").value("not_found"));
        postJson("/api/admin/sessions/987654/payments/approve", "{}").andExpect(status().isNotFound())
                .andExpect(jsonPath("$.error").value("unknown_session"));
        mvc.perform(get("/api/admin/sessions/987654/export/payments.csv")).andExpect(status().isNotFound())
                .andExpect(jsonPath("$.error").value("unknown_session"));
    }

    @Test
    void theCsvExportHasOneRowPerPayoutInCentsWithFormulaCellsNeutralised() throws Exception {
        MockHttpServletResponse r = mvc.perform(get("/api/admin/sessions/" + s.session + "/export/payments.csv"))
                .andExpect(status().isOk()).andReturn().getResponse();
        assertThat(r.getContentType()).isEqualTo("text/csv;charset=UTF-8");
        assertThat(r.getHeader("Content-Disposition"))
                .isEqualTo("attachment; filename=\"pavilion-session-" + s.session + "-payments.csv\"");
        String[] lines = r.getContentAsString(StandardCharsets.UTF_8).split("\r\n");
        assertThat(lines[0]).isEqualTo(String.join(",", PaymentsExportController.COLUMNS));
        assertThat(lines).hasSize(4);
        long w1 = s.payout(ledger, "w1").id();
        long w3 = s.payout(ledger, "@w3").id();
        long w2 = s.payout(ledger, "w,2").id();
        assertThat(lines[1]).startsWith(s.session + "," + w1 + ",w1,A1,HIT-1,3,submitted,0.000,0:00,0,0,0,false,50,0,10,10,"
                + "pending,review,,,0,");
        // a worker id a spreadsheet would run as a formula is written as text
        assertThat(lines[2]).startsWith(s.session + "," + w3 + ",\"'@w3\",A3,HIT-2,1,returned,70.000,1:10,14,0,14,true,0,3,0,3,"
                + "owed,none,");
        assertThat(lines[3]).startsWith(s.session + "," + w2 + ",\"w,2\",A2,HIT-1,3,submitted,50.000,0:50,10,5,15,false,50,3,10,13,"
                + "pending,review,");

        String json = json(mvc.perform(get("/api/admin/projects/" + s.project + "/export/payments.json"))
                .andExpect(status().isOk()));
        assertThat((Map<String, Object>) JsonPath.read(json, "$.totals")).containsEntry("due_cents", 115)
                .containsEntry("owed_cents", 14).containsEntry("fee_cents", 26).containsEntry("total_cents", 155);
        assertThat((Map<String, Object>) JsonPath.read(json, "$.payouts[1]")).containsEntry("worker", "@w3")
                .containsEntry("bonus_cents", 14).containsEntry("bonus_state", "owed");
    }

    @Test
    void approvingOneMovesItOutOfReviewAndASecondApproveChangesNothing() throws Exception {
        Payout w1 = s.payout(ledger, "w1");
        String first = json(postJson(payments() + "/approve", "{\"payoutId\": " + w1.id() + "}")
                .andExpect(status().isOk()));
        assertThat((Integer) JsonPath.read(first, "$.changed")).isEqualTo(1);
        Payout moved = ledger.find(w1.id()).orElseThrow();
        assertThat(moved.approvalState()).isNotEqualTo(PayoutState.Approval.REVIEW);
        assertThat(moved.bonusState()).isNotEqualTo(PayoutState.Bonus.PENDING);
        assertThat(s.payout(ledger, "w,2").approvalState()).isEqualTo(PayoutState.Approval.REVIEW); // the other waits

        String second = json(postJson(payments() + "/approve", "{\"payoutId\": \"" + w1.id()
                + "\", \"feedback\": \"second click\"}").andExpect(status().isOk()));
        assertThat((Integer) JsonPath.read(second, "$.changed")).isZero();
        assertThat((String) JsonPath.read(second, "$.message")).contains("is not awaiting review")
                .contains("nothing changed");
        Payout after = ledger.find(w1.id()).orElseThrow();
        assertThat(after.feedback()).isNull(); // the second decision wrote nothing
        assertThat(after.approvalState()).isNotEqualTo(PayoutState.Approval.REVIEW);
    }

    @Test
    void payingOwedWorkersOpensOneCompensationOfExactlyTheAmountOwedOnce() throws Exception {
        String body = json(postJson(payments() + "/pay-owed", "{}").andExpect(status().isOk()));
        assertThat((Integer) JsonPath.read(body, "$.changed")).isEqualTo(1);
        assertThat((String) JsonPath.read(body, "$.message")).contains("$0.14");
        assertThat(compensations.forSession(s.session)).singleElement().satisfies(c -> {
            assertThat(c.workerId()).isEqualTo("@w3");
            assertThat(c.amount().cents()).isEqualTo(14);
        });
        assertThat(s.payout(ledger, "@w3").bonusState()).isEqualTo(org.pavilion.pay.PayoutState.Bonus.COMPENSATING);
        String again = json(postJson(payments() + "/pay-owed", "{}").andExpect(status().isOk()));
        assertThat((Integer) JsonPath.read(again, "$.changed")).isZero();
        assertThat(compensations.forSession(s.session)).hasSize(1);
        mvc.perform(post("/api/admin/sessions/987654/payments/pay-owed").with(csrf()))
                .andExpect(status().isNotFound()).andExpect(jsonPath("$.error").value("unknown_session"));
    }

    @Test
    void approveAllMovesEverySubmissionUnderReview() throws Exception {
        String body = json(postJson(payments() + "/approve", "{\"feedback\": \"Thanks!\"}").andExpect(status().isOk()));
        assertThat((Integer) JsonPath.read(body, "$.changed")).isEqualTo(2);
        assertThat((Integer) JsonPath.read(body, "$.payments.counts.review")).isZero();
        assertThat(s.payout(ledger, "w,2").feedback()).isEqualTo("Thanks!");
        assertThat(s.payout(ledger, "@w3").bonusState()).isEqualTo(PayoutState.Bonus.OWED); // not under review: as it was
        assertThat((Integer) JsonPath.read(json(postJson(payments() + "/approve", "")
                .andExpect(status().isOk())), "$.changed")).isZero();
    }

    @Test
    void aRejectionNeedsFeedbackAndPaysNoBonus() throws Exception {
        long w2 = s.payout(ledger, "w,2").id();
        for (String body : List.of("{\"payoutId\": " + w2 + "}", "{\"payoutId\": " + w2 + ", \"feedback\": \"  \"}",
                "{\"payoutId\": " + w2 + ", \"feedback\": null}")) {
            postJson(payments() + "/reject", body).andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.error").value("feedback_required"))
                    .andExpect(jsonPath("$.fields.feedback").value(org.hamcrest.Matchers.containsString("needs feedback")));
        }
        assertThat(ledger.find(w2).orElseThrow().approvalState()).isEqualTo(PayoutState.Approval.REVIEW);

        String tooLong = "x".repeat(PayLedger.FEEDBACK_MAX + 1);
        postJson(payments() + "/reject", "{\"payoutId\": " + w2 + ", \"feedback\": \"" + tooLong + "\"}")
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.error").value("bad_feedback"))
                .andExpect(jsonPath("$.fields.feedback").exists());
        assertThat(ledger.find(w2).orElseThrow().approvalState()).isEqualTo(PayoutState.Approval.REVIEW);

        String body = json(postJson(payments() + "/reject", "{\"payoutId\": " + w2
                + ", \"feedback\": \"  No answer was given.  \"}").andExpect(status().isOk()));
        assertThat((Integer) JsonPath.read(body, "$.changed")).isEqualTo(1);
        Payout rejected = ledger.find(w2).orElseThrow();
        assertThat(rejected.bonusState()).isEqualTo(PayoutState.Bonus.CANCELLED);
        assertThat(rejected.feedback()).isEqualTo("No answer was given.");
        assertThat(rejected.bonus()).isNull(); // never fixed, never sent
        String view = json(mvc.perform(get(payments())));
        assertThat((String) JsonPath.read(view, "$.rows[2].bonusStatus")).isEqualTo("cancelled: submission rejected");
        assertThat((String) JsonPath.read(view, "$.rows[2].reward.display")).isEqualTo("$0.00");
        assertThat((String) JsonPath.read(view, "$.totals.due.display")).isEqualTo("$0.50"); // w1's reward only
    }

    @Test
    void anotherSessionsPayoutIsUnknownHereAndNothingChanges() throws Exception {
        try (PaymentsTestSession other = new PaymentsTestSession(store, projects, tasks, jdbc, "MANUAL")) {
            other.arrive(0, "v1", "B1", "HIT-9");
            other.submit(30, "v1", "B1");
            long foreign = other.payout(ledger, "v1").id();
            postJson(payments() + "/approve", "{\"payoutId\": " + foreign + "}").andExpect(status().isNotFound())
                    .andExpect(jsonPath("$.error").value("unknown_payout"));
            postJson(payments() + "/reject", "{\"payoutId\": " + foreign + ", \"feedback\": \"no\"}")
                    .andExpect(status().isNotFound()).andExpect(jsonPath("$.error").value("unknown_payout"));
            mvc.perform(post(payments() + "/" + foreign + "/retry").with(csrf())).andExpect(status().isNotFound())
                    .andExpect(jsonPath("$.error").value("unknown_payout"));
            assertThat(ledger.find(foreign).orElseThrow().approvalState()).isEqualTo(PayoutState.Approval.REVIEW);
        }
        postJson(payments() + "/approve", "{\"payoutId\": 987654321}").andExpect(status().isNotFound())
                .andExpect(jsonPath("$.error").value("unknown_payout"));
    }

    @Test
    void badBodiesAreClear400sAndChangeNothing() throws Exception {
        for (String body : List.of("{\"payoutId\": \"abc\"}", "{\"payoutId\": 0}", "{\"payoutId\": -3}",
                "{\"payoutId\": 2.5}", "{\"payoutId\": true}")) {
            postJson(payments() + "/approve", body).andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.error").value("bad_payout_id"))
                    .andExpect(jsonPath("$.fields.payoutId").exists());
        }
        postJson(payments() + "/approve", "[1, 2]").andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.error").value("malformed_request"));
        postJson(payments() + "/approve", "{not json").andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.error").value("malformed_request"));
        postJson(payments() + "/reject", "{\"feedback\": 42}").andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.error").value("bad_feedback"));
        assertThat(ledger.forSession(s.session)).extracting(Payout::approvalState)
                .containsExactly(PayoutState.Approval.REVIEW, PayoutState.Approval.NONE, PayoutState.Approval.REVIEW);
    }

    @Test
    void writesNeedTheCsrfTokenWithACookieSession() throws Exception {
        mvc.perform(post(payments() + "/approve").contentType(MediaType.APPLICATION_JSON).content("{}"))
                .andExpect(status().isForbidden());
        assertThat(s.payout(ledger, "w1").approvalState()).isEqualTo(PayoutState.Approval.REVIEW);
    }

    @Test
    void aFailedStepShowsItsReasonAndRetryMovesItOnce() throws Exception {
        long w2 = s.payout(ledger, "w,2").id();
        postJson(payments() + "/approve", "{\"payoutId\": " + w2 + "}").andExpect(status().isOk());
        // the dispatcher's steps when the marketplace refuses the bonus for good
        ledger.freeze(w2);
        ledger.bonusSending(w2, 1);
        ledger.bonusFailed(w2, 1, "RequestError: This Requester has insufficient funds in their account");
        assertThat(ledger.find(w2).orElseThrow().bonusState()).isEqualTo(PayoutState.Bonus.FAILED);

        String view = json(mvc.perform(get(payments())));
        assertThat((String) JsonPath.read(view, "$.rows[2].bonusStatus"))
                .isEqualTo("failed: RequestError: This Requester has insufficient funds in their account");
        assertThat((Boolean) JsonPath.read(view, "$.rows[2].canRetry")).isTrue();
        assertThat((Boolean) JsonPath.read(view, "$.rows[2].bonusFixed")).isTrue();
        assertThat((Integer) JsonPath.read(view, "$.counts.failed")).isEqualTo(1);

        String retried = json(mvc.perform(post(payments() + "/" + w2 + "/retry").with(csrf())).andExpect(status().isOk()));
        assertThat((Integer) JsonPath.read(retried, "$.changed")).isEqualTo(1);
        assertThat(ledger.find(w2).orElseThrow().bonusState()).isNotEqualTo(PayoutState.Bonus.FAILED);

        // nothing failed any more, and w1 never failed: a retry changes nothing
        long w1 = s.payout(ledger, "w1").id();
        for (long id : new long[] {w1, w2}) {
            Payout before = ledger.find(id).orElseThrow();
            String again = json(mvc.perform(post(payments() + "/" + id + "/retry").with(csrf()))
                    .andExpect(status().isOk()));
            assertThat((Integer) JsonPath.read(again, "$.changed")).isZero();
            assertThat((String) JsonPath.read(again, "$.message")).contains("no failed step");
            if (before.bonusState() == PayoutState.Bonus.PENDING) {
                assertThat(ledger.find(id).orElseThrow()).isEqualTo(before);
            }
        }
    }
}
