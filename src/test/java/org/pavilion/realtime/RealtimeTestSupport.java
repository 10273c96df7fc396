package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionLog;
import org.pavilion.session.SessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A running Pavilion (random port, in-memory H2) and real Socket.IO clients connected to it. */
abstract class RealtimeTestSupport {

    static final Duration QUIET = Duration.ofMillis(250);

    @LocalServerPort
    int port;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    SessionStore store;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    SignedTokens tokens;

    private final List<ProtocolClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(ProtocolClient::close);
        clients.clear();
    }

    /** A live session of a new task, with one HIT recorded for it. */
    long openSession(Thresholds thresholds, int graceSeconds, String hitId) {
        long project = projects.create("Protocol tests", "", Instant.now()).id();
        TaskSettings basic = TaskSettings.basic("Live task", "A live task", "https://localhost/task", 50, thresholds);
        TaskSettings settings = new TaskSettings(basic.title(), basic.description(), basic.keywords(),
                basic.rewardCents(), basic.assignmentDurationSeconds(), basic.lifetimeSeconds(),
                basic.autoApprovalDelaySeconds(), basic.country(), basic.minApprovalPercent(),
                basic.minApprovedHits(), basic.externalUrl(), basic.frameHeight(), thresholds,
                basic.allowRepeatWorkers(), basic.waitingPayCentsPerHour(), graceSeconds);
        long task = tasks.create(project, settings, Instant.now()).id();
        long session = sessions.open(task).sessionId();
        store.addSessionHit(session, "TYPE-" + session, hitId);
        return session;
    }

    /** A connection from a page written for the seed: no token, identity claimed on first join. */
    ProtocolClient seedPage(String name, String transport) throws InterruptedException {
        return track(ProtocolClient.connect(name, port, null, null, transport));
    }

    /** A connection from a page Pavilion served: it presents the page's signed token. */
    ProtocolClient signedPage(String name, WorkerIdentity identity, String transport) throws InterruptedException {
        String token = tokens.workerToken(identity, Duration.ofHours(1));
        return track(ProtocolClient.connect(name, port, Map.of("token", token), null, transport));
    }

    /** An admin's connection watching a session. */
    ProtocolClient admin(long sessionId) throws InterruptedException {
        String token = tokens.adminToken("admin@lab", Duration.ofHours(1));
        ProtocolClient admin = track(ProtocolClient.connect("admin", port, Map.of("adminToken", token,
                "session", String.valueOf(sessionId)), null, "websocket"));
        // Socket.IO tells a client it is connected before the server's connection handler binds it to the
        // session; an answer to one event means the handler has run, so no broadcast after this can miss it.
        admin.emit("pay_status", new JSONObject());
        assertThat(admin.expect("error").getString("code")).isEqualTo("not_joined");
        return admin;
    }

    ProtocolClient track(ProtocolClient client) {
        clients.add(client);
        return client;
    }

    /**
     * The join of a worker who accepted the assignment: the marketplace's confirmation (its
     * AssignmentAccepted notification, applied as the notification intake applies it) lands first.
     */
    JSONObject acceptedJoin(String workerId, String aid, String hitId) {
        confirm(workerId, aid, hitId);
        return joinPayload(workerId, aid, hitId);
    }

    /** The marketplace confirms that {@code workerId} accepted assignment {@code aid} of {@code hitId}. */
    void confirm(String workerId, String aid, String hitId) {
        long session = store.findSessionByHit(hitId).orElseThrow();
        ConfirmedArrivals.confirm(sessions, session, workerId, aid, hitId);
    }

    /** A page's claim, as sent: no confirmation behind it. */
    static JSONObject joinPayload(String workerId, String aid, String hitId) {
        return new JSONObject().put("workerId", workerId).put("aid", aid).put("hit_id", hitId);
    }

    static JSONObject workerPayload(String workerId, String aid, String hitId) {
        return new JSONObject().put("worker", workerId).put("aid", aid).put("hit_id", hitId);
    }

    /** After a quiet period, none of the clients has received anything more. */
    static void quiet(List<ProtocolClient> clients) throws InterruptedException {
        Thread.sleep(QUIET.toMillis());
        for (ProtocolClient c : clients) {
            c.expectNothing(Duration.ZERO);
        }
    }

    int logSize(long sessionId) {
        SessionLog log = store.loadSession(sessionId).orElseThrow();
        return log.facts().size();
    }
}
