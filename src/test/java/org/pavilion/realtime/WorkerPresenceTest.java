package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;

import org.json.JSONObject;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.pavilion.admin.live.LiveTestSupport;
import org.pavilion.queue.Thresholds;
import org.pavilion.realtime.Connections.WorkerBinding;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;

/**
 * The per-worker view's connection state from the server's real connection registry and grace timers:
 * connected; after its last connection closed, "disconnected, inside the grace period until ..." (the
 * moment the timer will end); connected again once a connection is bound.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
@WithMockUser(username = LiveTestSupport.ADMIN, roles = "ADMIN")
class WorkerPresenceTest extends RealtimeTestSupport {

    @Autowired
    Connections connections;
    @Autowired
    DisconnectGrace grace;
    @Autowired
    WorkerPresence presence;
    @Autowired
    WebApplicationContext context;

    private JSONObject connection(MockMvc mvc, long s, String worker) throws Exception {
        return new JSONObject(mvc.perform(get("/api/admin/sessions/{id}/workers/{w}", s, worker))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString()).getJSONObject("connection");
    }

    @Test
    void connectedThenInsideTheGracePeriodUntilItsEndThenConnectedAgain() throws Exception {
        MockMvc mvc = LiveTestSupport.mockMvc(context);
        long s = openSession(new Thresholds(1, 0, 1, 2), 600, "HIT-PRESENCE-1");
        ConfirmedArrivals.arrive(sessions, s, "w1", "A-w1", "HIT-PRESENCE-1", "worker:w1");
        ConfirmedArrivals.arrive(sessions, s, "w2", "A-w2", "HIT-PRESENCE-1", "worker:w2");
        WorkerBinding w2 = new WorkerBinding(s, "w2", "A-w2", false);
        try {
            assertThat(presence.of(s, "w2")).isInstanceOf(WorkerPresence.NotConnected.class);
            assertThat(connections.bindWorker("presence-sock-1", null, w2)).isTrue();
            assertThat(connection(mvc, s, "w2").getString("state")).isEqualTo("connected");

            // The last connection closes: the grace period of 600 s starts.
            Instant before = Instant.now();
            assertThat(connections.unbind("presence-sock-1")).isEqualTo(w2);
            grace.connectionLost(w2);
            Instant after = Instant.now();

            JSONObject api = connection(mvc, s, "w2");
            assertThat(api.getString("state")).isEqualTo("grace");
            Instant until = Instant.parse(api.getString("graceUntil"));
            assertThat(until).isBetween(before.plusSeconds(595), after.plusSeconds(601));
            Document page = Jsoup.parse(mvc.perform(get("/admin/sessions/{id}/workers/{w}", s, "w2"))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
            assertThat(page.selectFirst("#worker-connection").attr("data-state")).isEqualTo("grace");
            assertThat(page.selectFirst("#worker-connection").text())
                    .matches("disconnected, inside the grace period until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC");
            assertThat(page.selectFirst("#worker-status").text()).isEqualTo("waiting");
            // The other worker never had a connection here: no grace period runs for it.
            assertThat(connection(mvc, s, "w1").getString("state")).isEqualTo("disconnected");

            // A new connection for w2: connected again.
            assertThat(connections.bindWorker("presence-sock-2", null, w2)).isTrue();
            assertThat(connection(mvc, s, "w2").getString("state")).isEqualTo("connected");
        } finally {
            connections.unbind("presence-sock-2");
            grace.forgetSession(s); // no timer of this test outlives it
        }
    }
}
