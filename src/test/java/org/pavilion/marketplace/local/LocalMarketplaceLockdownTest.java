package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pavilion.marketplace.local.LocalTestSupport.externalQuestion;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigDecimal;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.admin.security.AdminAccounts;
import org.pavilion.admin.security.SecurityTestSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.web.context.WebApplicationContext;

import tools.jackson.databind.JsonNode;

/**
 * The local marketplace answers only this machine (loopback) and logged-in admins: requests go
 * through the real Spring Security filter chains with a chosen remote address.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        LocalTestSupport.P1, LocalTestSupport.P2, LocalTestSupport.P3, LocalTestSupport.P4, LocalTestSupport.P5})
@Import(LocalTestSupport.Receiver.class)
class LocalMarketplaceLockdownTest {

    static final String NETWORK = "203.0.113.7";
    static final String REFUSAL = "answers only requests from this machine (loopback) or from a logged-in admin";
    private static final String ADMIN = "lockdown.admin@example.org";
    private static final String ADMIN_PASSWORD = "lockdown admin password";

    @Autowired
    WebApplicationContext context;
    @Autowired
    LocalMarketplace marketplace;
    @Autowired
    FaultInjector faults;
    @Autowired
    AdminAccounts accounts;

    MockMvc mvc;

    @BeforeEach
    void setUp() {
        mvc = SecurityTestSupport.mockMvc(context);
        if (accounts.findByEmail(ADMIN).isEmpty()) {
            accounts.create(ADMIN, ADMIN_PASSWORD, null);
        }
    }

    static RequestPostProcessor from(String remoteAddress) {
        return request -> {
            request.setRemoteAddr(remoteAddress);
            return request;
        };
    }

    private MockHttpServletResponse perform(MockHttpServletRequestBuilder request) throws Exception {
        return mvc.perform(request).andReturn().getResponse();
    }

    private String openHit() {
        LocalMarketplace.HitType type = marketplace.createHitType(new LocalMarketplace.HitTypeSpec(
                "Lockdown " + UUID.randomUUID(), "A live task", "chat", new BigDecimal("0.40"), 600, 3600, null));
        return marketplace.createHit(type.hitTypeId(), 3600, 2, externalQuestion("https://task.example/waiting_task"),
                null, null).hitId();
    }

    private static MockHttpServletRequestBuilder accept(String hitId, String workerId) {
        return post("/local-mturk/api/accept").contentType(MediaType.APPLICATION_JSON)
                .content("{\"workerId\":\"" + workerId + "\",\"hitId\":\"" + hitId + "\"}");
    }

    private static MockHttpServletRequestBuilder planFault(String operation) {
        return post("/local-mturk/api/faults").contentType(MediaType.APPLICATION_JSON)
                .content("{\"operation\":\"" + operation + "\",\"times\":1,\"fault\":\"HTTP_500\"}");
    }

    private static MockHttpServletRequestBuilder requesterApi() {
        return post("/local-mturk/").contentType("application/x-amz-json-1.1")
                .header("X-Amz-Target", "MTurkRequesterServiceV20170117.GetAccountBalance").content("{}");
    }

    /** A 403 with the lockdown's JSON body. */
    private static void assertRefusedJson(MockHttpServletResponse r) throws Exception {
        assertThat(r.getStatus()).isEqualTo(403);
        assertThat(r.getContentType()).startsWith("application/json");
        JsonNode body = LocalTestSupport.JSON.readTree(r.getContentAsString());
        assertThat(body.get("error").stringValue()).isEqualTo("forbidden");
        assertThat(body.get("message").stringValue()).contains(REFUSAL);
    }

    /** A 403 with the lockdown's plain text. */
    private static void assertRefusedText(MockHttpServletResponse r) throws Exception {
        assertThat(r.getStatus()).isEqualTo(403);
        assertThat(r.getContentType()).startsWith("text/plain");
        assertThat(r.getContentAsString()).contains(REFUSAL);
    }

    @Test
    void requesterApiIsRefusedToTheNetworkAndReachedFromLoopback() throws Exception {
        MockHttpServletResponse network = perform(requesterApi().with(from(NETWORK)));
        assertRefusedJson(network);
        assertThat(network.getContentAsString()).doesNotContain("__type");
        // from loopback the request reaches the API, which refuses the unsigned call by its own rules
        MockHttpServletResponse loopback = perform(requesterApi());
        assertThat(loopback.getContentAsString()).contains("__type").doesNotContain(REFUSAL);
    }

    @Test
    void workerApiIsRefusedToTheNetworkAndChangesNothing() throws Exception {
        String hitId = openHit();
        assertRefusedJson(perform(get("/local-mturk/api/hits").with(from(NETWORK))));
        assertRefusedJson(perform(accept(hitId, "A1NETWORK").with(from(NETWORK))));
        assertThat(marketplace.assignmentsOfHit(hitId)).as("nothing accepted").isEmpty();

        assertThat(perform(get("/local-mturk/api/hits")).getStatus()).isEqualTo(200);
        MockHttpServletResponse accepted = perform(accept(hitId, "A1LOOPBACK"));
        assertThat(accepted.getStatus()).isEqualTo(200);
        String assignmentId = LocalTestSupport.JSON.readTree(accepted.getContentAsString()).get("assignmentId")
                .stringValue();

        for (String action : new String[] {"return", "submit", "abandon"}) {
            assertRefusedJson(perform(post("/local-mturk/api/" + action).contentType(MediaType.APPLICATION_JSON)
                    .content("{\"assignmentId\":\"" + assignmentId + "\"}").with(from(NETWORK))));
        }
        assertThat(marketplace.assignment(assignmentId).orElseThrow().status())
                .isEqualTo(LocalMarketplace.AssignmentStatus.ACCEPTED);
    }

    @Test
    void faultsAreRefusedToTheNetworkAndPlannedFromLoopback() throws Exception {
        String operation = "LockdownProbe" + UUID.randomUUID().toString().substring(0, 8);
        assertRefusedJson(perform(planFault(operation).with(from(NETWORK))));
        assertRefusedJson(perform(delete("/local-mturk/api/faults").with(from(NETWORK))));
        assertThat(faults.next(operation)).as("no fault planned").isEmpty();

        assertThat(perform(planFault(operation)).getStatus()).isEqualTo(200);
        assertThat(faults.next(operation)).contains(FaultInjector.Fault.HTTP_500);
    }

    @Test
    void boardAndItsFormsAndTheLocalSnsAreRefusedToTheNetworkAsText() throws Exception {
        assertRefusedText(perform(get("/local-mturk/board").with(from(NETWORK))));
        assertRefusedText(perform(get("/local-mturk/").with(from(NETWORK))));
        assertRefusedText(perform(get("/local-mturk").with(from(NETWORK))));
        assertRefusedText(perform(post("/local-mturk/mturk/externalSubmit").param("assignmentId", "X")
                .with(from(NETWORK))));
        assertRefusedText(perform(get("/local-mturk/sns/cert.pem").with(from(NETWORK))));

        MockHttpServletResponse board = perform(get("/local-mturk/board"));
        assertThat(board.getStatus()).isEqualTo(200);
        assertThat(board.getContentAsString()).doesNotContain(REFUSAL);
        assertThat(perform(get("/local-mturk/sns/cert.pem")).getContentAsString()).contains("BEGIN CERTIFICATE");
    }

    @Test
    void everyLoopbackFormIsServed() throws Exception {
        for (String address : new String[] {"127.0.0.1", "127.3.2.1", "0:0:0:0:0:0:0:1", "::1", "::ffff:127.0.0.1"}) {
            assertThat(perform(get("/local-mturk/board").with(from(address))).getStatus()).as(address)
                    .isEqualTo(200);
        }
        for (String address : new String[] {"10.0.0.1", "192.168.1.20", "::ffff:10.0.0.1", "2001:db8::1",
                "fe80::1", "128.0.0.1"}) {
            assertRefusedText(perform(get("/local-mturk/board").with(from(address))));
        }
    }

    @Test
    void forwardingHeadersAreNotBelieved() throws Exception {
        assertRefusedJson(perform(planFault("Forwarded1").header("X-Forwarded-For", "127.0.0.1").with(from(NETWORK))));
        assertRefusedJson(perform(get("/local-mturk/api/hits").header("Forwarded", "for=127.0.0.1")
                .header("X-Real-IP", "127.0.0.1").with(from(NETWORK))));
        assertRefusedText(perform(get("/local-mturk/board").header("X-Forwarded-For", "::1").with(from(NETWORK))));
        // a proxy on this machine forwarding someone else's request: not this machine's client
        assertRefusedJson(perform(get("/local-mturk/api/hits").header("X-Forwarded-For", NETWORK)));
        assertThat(faults.next("Forwarded1")).isEmpty();
    }

    @Test
    void aLoopbackRemoteAddressOverANetworkConnectionIsRefused() throws Exception {
        // What Tomcat's RemoteIpValve leaves behind after believing X-Forwarded-For: 127.0.0.1 from a
        // LAN peer: the remote address rewritten, the connection's local end still the LAN interface.
        assertRefusedText(perform(get("/local-mturk/board").with(request -> {
            request.setRemoteAddr("127.0.0.1");
            request.setLocalAddr("192.0.2.10");
            return request;
        })));
    }

    @Test
    void anAdminSessionFromTheNetworkIsServed() throws Exception {
        MvcResult login = mvc.perform(post("/login").param("username", ADMIN).param("password", ADMIN_PASSWORD)
                .with(csrf()).with(from(NETWORK))).andReturn();
        assertThat(login.getResponse().getRedirectedUrl()).doesNotContain("error");
        MockHttpSession session = (MockHttpSession) login.getRequest().getSession(false);
        assertThat(session).isNotNull();

        assertThat(perform(get("/local-mturk/board").session(session).with(from(NETWORK))).getStatus()).isEqualTo(200);
        String hitId = openHit();
        assertThat(perform(accept(hitId, "A1ADMIN").session(session).with(from(NETWORK))).getStatus()).isEqualTo(200);
        assertThat(marketplace.assignmentsOfHit(hitId)).hasSize(1);
        String operation = "AdminProbe" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(perform(planFault(operation).session(session).with(from(NETWORK))).getStatus()).isEqualTo(200);
        assertThat(faults.next(operation)).contains(FaultInjector.Fault.HTTP_500);

        // the same browser after logging out is refused again
        mvc.perform(post("/logout").session(session).with(from(NETWORK))
                .with(csrf()));
        assertRefusedText(perform(get("/local-mturk/board").session(session).with(from(NETWORK))));
    }

    @Test
    void anAdminApiTokenFromTheNetworkIsServedAndABadOneIsNot() throws Exception {
        long adminId = accounts.findByEmail(ADMIN).orElseThrow().id();
        String token = accounts.createToken(adminId, "lockdown " + UUID.randomUUID()).secret();
        assertThat(perform(get("/local-mturk/api/hits").header("Authorization", "Bearer " + token)
                .with(from(NETWORK))).getStatus()).isEqualTo(200);
        MockHttpServletResponse bad = perform(get("/local-mturk/api/hits").header("Authorization", "Bearer pav_nope")
                .with(from(NETWORK)));
        assertThat(bad.getStatus()).isEqualTo(401);
        assertThat(bad.getContentAsString()).contains("invalid_token");
    }
}
