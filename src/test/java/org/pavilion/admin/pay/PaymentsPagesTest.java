package org.pavilion.admin.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.pay.BonusLedger;
import org.pavilion.pay.PayLedger;
import org.pavilion.pay.PayoutState;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.session.SessionStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/** The payments pages and their forms (CSRF, field errors, where they come back to), read as HTML. */
// The dispatcher is off: these tests move ledger rows step by step themselves.
@SpringBootTest(properties = {"pavilion.database.embedded=mem", "pavilion.pay.dispatch=false"})
@WithMockUser(username = "ada@example.org", roles = "ADMIN")
class PaymentsPagesTest {

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

    private Document page(String path, Map<String, ?> flash) throws Exception {
        var request = get(path);
        if (flash != null) {
            request.flashAttrs(Map.copyOf(flash));
        }
        String html = mvc.perform(request).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        return Jsoup.parse(html);
    }

    private String paymentsPage() {
        return "/admin/sessions/" + s.session + "/payments";
    }

    @Test
    void theSessionsPageListsPayoutsTotalsAndReviewButtonsAndIsLinkedFromTheSessionAndProject() throws Exception {
        Document d = page(paymentsPage(), null);
        long w1 = s.payout(ledger, "w1").id();
        long w3 = s.payout(ledger, "@w3").id();
        assertThat(d.select("#payment-rows tr")).hasSize(3);
        Element row1 = d.getElementById("payout-" + w1);
        assertThat(row1.text()).contains("w1").contains("A1").contains("submitted").contains("$0.50")
                .contains("pending approval").contains("awaiting review");
        assertThat(row1.getElementById("approve-" + w1)).isNotNull();
        Element reject = row1.getElementById("reject-" + w1);
        assertThat(reject.attr("formaction")).isEqualTo("/admin/sessions/" + s.session + "/payments/reject");
        assertThat(row1.select("input[name=_csrf]")).hasSize(1);
        Element row3 = d.getElementById("payout-" + w3);
        assertThat(row3.text()).contains("@w3").contains("returned").contains("1:10").contains("$0.14").contains("owed");
        assertThat(row3.select("button")).isEmpty();
        assertThat(d.getElementById("total-due").text()).isEqualTo("$1.15");
        assertThat(d.getElementById("total-owed").text()).isEqualTo("$0.14");
        assertThat(d.getElementById("total-fees").text()).isEqualTo("$0.26");
        assertThat(d.getElementById("total-grand").text()).isEqualTo("$1.55");
        assertThat(d.getElementById("review-all").hasAttr("hidden")).isFalse();
        assertThat(d.getElementById("export-payments-csv").attr("href"))
                .isEqualTo("/api/admin/sessions/" + s.session + "/export/payments.csv");
        assertThat(d.getElementById("payments-view").attr("data-api")).isEqualTo("/api/admin/sessions/" + s.session
                + "/payments");

        assertThat(page("/admin/sessions/" + s.session, null).getElementById("payments-link").attr("href"))
                .isEqualTo(paymentsPage());
        assertThat(page("/admin/projects/" + s.project, null).getElementById("payments-link").attr("href"))
                .isEqualTo("/admin/projects/" + s.project + "/payments");
        Document project = page("/admin/projects/" + s.project + "/payments", null);
        assertThat(project.select("#payment-rows tr")).hasSize(3);
        assertThat(project.select("#payment-rows a[href='" + paymentsPage() + "']")).hasSize(3);
        assertThat(project.select("input[name=from][value=project]")).isNotEmpty();
    }

    @Test
    void aRejectFormWithoutFeedbackComesBackWithTheErrorAtItsField() throws Exception {
        long w2 = s.payout(ledger, "w,2").id();
        MvcResult r = mvc.perform(post(paymentsPage() + "/reject").with(csrf()).param("payoutId", String.valueOf(w2))
                .param("feedback", " ")).andExpect(redirectedUrl(paymentsPage())).andReturn();
        assertThat((String) r.getFlashMap().get("problem")).contains("A rejection needs feedback");
        assertThat(ledger.find(w2).orElseThrow().approvalState()).isEqualTo(PayoutState.Approval.REVIEW);

        Document d = page(paymentsPage(), r.getFlashMap());
        Element field = d.getElementById("feedback-" + w2);
        assertThat(field.attr("aria-invalid")).isEqualTo("true");
        assertThat(field.attr("aria-describedby")).isEqualTo("feedback-" + w2 + "-error");
        assertThat(d.getElementById("feedback-" + w2 + "-error").text()).contains("needs feedback");
        assertThat(d.getElementById("feedback-" + s.payout(ledger, "w1").id()).hasAttr("aria-invalid")).isFalse();

        // all at once, without feedback: the error is at the shared field
        MvcResult all = mvc.perform(post(paymentsPage() + "/reject").with(csrf())).andReturn();
        assertThat(page(paymentsPage(), all.getFlashMap()).getElementById("feedback-all-error").text())
                .contains("needs feedback");

        MvcResult done = mvc.perform(post(paymentsPage() + "/reject").with(csrf()).param("payoutId", String.valueOf(w2))
                .param("feedback", "No answer was given.")).andExpect(redirectedUrl(paymentsPage())).andReturn();
        assertThat((String) done.getFlashMap().get("notice")).contains("Rejected 1 submission");
        assertThat(ledger.find(w2).orElseThrow().bonusState()).isEqualTo(PayoutState.Bonus.CANCELLED);
    }

    @Test
    void approveFromTheProjectPageComesBackThereAndBadIdsChangeNothing() throws Exception {
        long w1 = s.payout(ledger, "w1").id();
        MvcResult r = mvc.perform(post(paymentsPage() + "/approve").with(csrf()).param("payoutId", String.valueOf(w1))
                .param("from", "project")).andExpect(redirectedUrl("/admin/projects/" + s.project + "/payments"))
                .andReturn();
        assertThat((String) r.getFlashMap().get("notice")).contains("Approved 1 submission");
        assertThat(ledger.find(w1).orElseThrow().approvalState()).isNotEqualTo(PayoutState.Approval.REVIEW);

        MvcResult again = mvc.perform(post(paymentsPage() + "/approve").with(csrf()).param("payoutId", String.valueOf(w1)))
                .andExpect(redirectedUrl(paymentsPage())).andReturn();
        assertThat((String) again.getFlashMap().get("problem")).contains("not awaiting review");

        MvcResult bad = mvc.perform(post(paymentsPage() + "/approve").with(csrf()).param("payoutId", "1 or 1=1"))
                .andExpect(redirectedUrl(paymentsPage())).andReturn();
        assertThat((String) bad.getFlashMap().get("problem")).contains("not valid");
        assertThat(s.payout(ledger, "w,2").approvalState()).isEqualTo(PayoutState.Approval.REVIEW);

        mvc.perform(post(paymentsPage() + "/approve").with(csrf()).param("payoutId", "987654321"))
                .andExpect(status().isNotFound());
        mvc.perform(post(paymentsPage() + "/approve").param("payoutId", String.valueOf(s.payout(ledger, "w,2").id())))
                .andExpect(status().isForbidden()); // no CSRF token
        assertThat(s.payout(ledger, "w,2").approvalState()).isEqualTo(PayoutState.Approval.REVIEW);
        mvc.perform(get("/admin/sessions/987654/payments")).andExpect(status().isNotFound());
        mvc.perform(get("/admin/projects/987654/payments")).andExpect(status().isNotFound());
    }
}
