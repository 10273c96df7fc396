package org.pavilion.admin.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.json.JSONObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.admin.live.LiveTestSupport;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.test.context.support.WithAnonymousUser;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;

/**
 * Health is open and UP; Prometheus metrics are for admins only and show each live session's
 * queues, hires by state, handoff latency and notifications.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=200ms",
        "pavilion.marketplace.client.base-delay=5ms", "pavilion.marketplace.client.max-delay=20ms",
        "pavilion.marketplace.client.max-attempts=2"})
class OpsEndpointsTest {

    @LocalServerPort
    int port;
    @Autowired
    WebApplicationContext context;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;

    private MockMvc mvc;

    @BeforeEach
    void setUp() {
        mvc = LiveTestSupport.mockMvc(context);
    }

    private String scrape() throws Exception {
        return mvc.perform(get("/actuator/prometheus")).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString();
    }

    /** The value of one sample, or null when the series is absent. */
    private static Double sample(String scrape, String name, String tag, String value) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*" + Pattern.quote(tag + "=\"" + value + "\"")
                + "[^}]*\\} (\\S+)").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : null;
    }

    @Test
    @WithAnonymousUser
    void healthIsUpForAnyone() throws Exception {
        JSONObject health = new JSONObject(mvc.perform(get("/actuator/health")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString());
        assertThat(health.getString("status")).isEqualTo("UP");
    }

    @Test
    @WithAnonymousUser
    void metricsAreRefusedToAnonymousRequests() throws Exception {
        int status = mvc.perform(get("/actuator/prometheus")).andReturn().getResponse().getStatus();
        assertThat(status).isEqualTo(401);
    }

    @Test
    @WithMockUser(username = "ops@lab.example", roles = "WORKER")
    void metricsAreRefusedToNonAdmins() throws Exception {
        mvc.perform(get("/actuator/prometheus")).andExpect(status().isForbidden());
    }

    /**
     * A FunctionCounter holds its object weakly: once collected, it stays at its last value. The
     * notification counters must go on counting after a full garbage collection.
     */
    @Test
    @WithMockUser(username = LiveTestSupport.ADMIN, roles = "ADMIN")
    void notificationCountersStillCountAfterGarbageCollection() throws Exception {
        Double before = sample(scrape(), "pavilion_notifications_total", "outcome", "malformed");
        assertThat(before).isNotNull();
        java.lang.ref.WeakReference<Object> sentinel = new java.lang.ref.WeakReference<>(new Object());
        for (int i = 0; i < 20 && sentinel.get() != null; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(sentinel.get()).as("a full collection ran").isNull();
        mvc.perform(post("/api/from_mturk").header("x-amz-sns-message-type", "Notification")
                .contentType(org.springframework.http.MediaType.TEXT_PLAIN).content("not json"))
                .andExpect(status().isBadRequest());
        assertThat(sample(scrape(), "pavilion_notifications_total", "outcome", "malformed")).isEqualTo(before + 1);
    }

    @Test
    @WithMockUser(username = LiveTestSupport.ADMIN, roles = "ADMIN")
    void prometheusShowsQueuesHiresHandoffsAndNotifications() throws Exception {
        long taskId = LiveTestSupport.task(projects, tasks, port, new Thresholds(1, 0, 1, 2), 725);
        long session = new JSONObject(mvc.perform(post("/api/admin/tasks/{id}/go-live", taskId).with(csrf()))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString()).getLong("sessionId");
        String id = Long.toString(session);

        // Watched from the moment it went live.
        String first = scrape();
        assertThat(sample(first, "pavilion_queue_waiting", "session", id)).isEqualTo(0.0);
        assertThat(sample(first, "pavilion_queue_active", "session", id)).isEqualTo(0.0);
        assertThat(sample(first, "pavilion_queue_capacity", "session", id)).isEqualTo(3.0);
        for (String state : new String[] {"pending", "sent", "done", "failed"}) {
            assertThat(sample(first, "pavilion_hires", "state", state)).as(state).isNotNull();
        }
        for (String outcome : new String[] {"accepted", "refused", "duplicate", "malformed"}) {
            assertThat(sample(first, "pavilion_notifications_total", "outcome", outcome)).as(outcome).isNotNull();
        }
        for (String reason : new String[] {"event_rate", "event_flood", "second_chat_socket", "address_connections",
            "handshake_rate", "slow_polling_client", "chat_rate"}) {
            assertThat(sample(first, "pavilion_realtime_refused_total", "reason", reason)).as(reason).isNotNull();
        }
        assertThat(first).containsPattern("(?m)^pavilion_realtime_connections[ {]")
                .containsPattern("(?m)^pavilion_realtime_addresses[ {]");
        Double handoffsBefore = sample(first, "pavilion_handoff_latency_seconds_count", "cause", "promoted");
        assertThat(handoffsBefore).isNotNull();
        assertThat(first).contains("pavilion_handoff_latency_seconds_bucket");

        // W1 starts, W2 waits; W1 returns its HIT, W2 is promoted: one handoff.
        ConfirmedArrivals.arrive(sessions, session, "W1", "ASG-W1", "worker:W1");
        ConfirmedArrivals.arrive(sessions, session, "W2", "ASG-W2", "worker:W2");
        await().pollInSameThread().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String s = scrape();
            assertThat(sample(s, "pavilion_queue_waiting", "session", id)).isEqualTo(1.0);
            assertThat(sample(s, "pavilion_queue_active", "session", id)).isEqualTo(1.0);
        });
        sessions.apply(session, new QueueEvent.Leave("W1", null, QueueEvent.Departure.SUBMIT), "worker:W1");
        await().pollInSameThread().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String s = scrape();
            assertThat(sample(s, "pavilion_handoff_latency_seconds_count", "cause", "promoted"))
                    .isEqualTo(handoffsBefore + 1);
            assertThat(sample(s, "pavilion_queue_waiting", "session", id)).isEqualTo(0.0);
            assertThat(sample(s, "pavilion_queue_active", "session", id)).isEqualTo(1.0);
            assertThat(sample(s, "pavilion_hires", "state", "done")).isGreaterThanOrEqualTo(1.0);
        });
        Double sum = sample(scrape(), "pavilion_handoff_latency_seconds_sum", "cause", "promoted");
        assertThat(sum).isGreaterThanOrEqualTo(0.0).isLessThan(10.0);

        // An admin's migrate is a handoff too, counted apart.
        Double migratedBefore = sample(scrape(), "pavilion_handoff_latency_seconds_count", "cause", "migrated");
        ConfirmedArrivals.arrive(sessions, session, "W3", "ASG-W3", "worker:W3");
        mvc.perform(post("/api/admin/sessions/{id}/migrate", session).with(csrf())
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON).content("{\"count\":1,\"force\":true}"))
                .andExpect(status().isOk());
        await().pollInSameThread().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String s = scrape();
            assertThat(sample(s, "pavilion_handoff_latency_seconds_count", "cause", "migrated"))
                    .isEqualTo(migratedBefore + 1);
            assertThat(sample(s, "pavilion_queue_active", "session", id)).isEqualTo(2.0);
        });

        // An ended session's gauges go.
        mvc.perform(post("/api/admin/sessions/{id}/expire", session).with(csrf())).andExpect(status().isOk());
        await().pollInSameThread().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(sample(scrape(), "pavilion_queue_waiting", "session", id)).isNull());
    }
}
