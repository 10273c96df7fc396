package org.pavilion.admin.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.realtime.ProtocolClient;
import org.pavilion.realtime.SignedTokens;
import org.pavilion.realtime.WorkerIdentity;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The live view's way into the real-time channel: the token from
 * {@code GET /api/admin/sessions/{id}/socket-token} binds a Socket.IO connection as that admin,
 * watching that session; a worker's page token does not.
 */
class SocketTokenTest extends SecurityTestBase {

    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    SessionStore store;
    @Autowired
    SignedTokens signedTokens;

    private final List<ProtocolClient> clients = new ArrayList<>();

    @AfterEach
    void close() {
        clients.forEach(ProtocolClient::close);
    }

    private long openSession(String hit) {
        long project = projects.create("Socket token", "", Instant.now()).id();
        long task = tasks.create(project, TaskSettings.basic("Live", "A live task", "https://localhost/task", 50,
                new Thresholds(2, 1, 3, 3)), Instant.now()).id();
        long session = sessions.open(task).sessionId();
        store.addSessionHit(session, "TYPE-" + session, hit);
        return session;
    }

    @Test
    void theSocketTokenBindsTheAdminsConnectionAndAWorkerTokenDoesNot() throws Exception {
        String hit = "HIT-SOCKET-TOKEN-" + System.nanoTime();
        long session = openSession(hit);
        String json = mvc.perform(get("/api/admin/sessions/" + session + "/socket-token").with(user(ADMIN).roles("ADMIN")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        JSONObject body = new JSONObject(json);
        assertThat(body.getLong("session")).isEqualTo(session);

        ProtocolClient admin = ProtocolClient.connect("admin", port, Map.of("adminToken", body.getString("token"),
                "session", String.valueOf(body.getLong("session"))), null, "websocket");
        clients.add(admin);
        ProtocolClient worker = ProtocolClient.connect("worker", port, null, null, "websocket");
        clients.add(worker);
        ConfirmedArrivals.confirm(sessions, session, "w1", "a1", hit); // the marketplace's AssignmentAccepted
        worker.emit("connected", new JSONObject().put("workerId", "w1").put("aid", "a1").put("hit_id", hit));
        admin.expect("update_worker_count", "{count:1,max_count:3}"); // w1 waits; maxWaiting 3

        // a worker's page token is no admin token
        String workerToken = signedTokens.workerToken(new WorkerIdentity(session, "w2", "a2", hit), Duration.ofHours(1));
        ProtocolClient pretender = ProtocolClient.connect("pretender", port,
                Map.of("adminToken", workerToken, "session", String.valueOf(session)), null, "websocket");
        clients.add(pretender);
        assertThat(pretender.expect("error").getString("code")).isEqualTo("invalid_token");
        // and a worker cannot ask for an admin token
        mvc.perform(get("/api/admin/sessions/" + session + "/socket-token")).andExpect(status().isUnauthorized());
    }
}
