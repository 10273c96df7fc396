package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.socket.client.Ack;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pavilion.PavilionApplication;
import org.pavilion.admin.security.AdminAccounts;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionStore;
import org.pavilion.storage.TaskDataStore;
import org.pavilion.tasklogic.TaskRecord;
import org.pavilion.testing.ConfirmedArrivals;
import org.pavilion.testing.ExcludeTestConfigurations;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 13 item 7: the sample chat's transcript is research data. Two real Socket.IO clients chat in a
 * session of Pavilion on an H2 file; every delivered message is stored (worker, alias, server time, text)
 * before it is acknowledged; a refused message stores nothing; Pavilion stops and starts again on the same
 * data directory and the transcript is still there, in the session's CSV and JSON export downloaded over
 * HTTP by an authenticated admin.
 */
class TaskDataRestartTest {

    @TempDir
    Path dataDir;

    @Test
    void chatMessagesAreStoredBeforeTheyAreAcknowledgedSurviveARestartAndAreExported() throws Exception {
        String hit = "HIT-TASK-DATA";
        long session;
        Instant before = Instant.now().minusSeconds(1);
        try (ConfigurableApplicationContext first = start()) {
            LiveSessionService sessions = first.getBean(LiveSessionService.class);
            SessionStore store = first.getBean(SessionStore.class);
            TaskDataStore taskData = first.getBean(TaskDataStore.class);
            long project = first.getBean(ProjectRepository.class).create("Task data", "", Instant.now()).id();
            long task = first.getBean(TaskRepository.class).create(project, TaskSettings.basic("Chat", "A group chat",
                    "https://localhost/task", 50, new Thresholds(1, 0, 2, 2)), Instant.now()).id();
            session = sessions.open(task).sessionId();
            store.addSessionHit(session, "TYPE-" + session, hit);
            int port = port(first);

            ProtocolClient w1 = ProtocolClient.connect("w1", port, null, null, "websocket");
            ProtocolClient w2 = ProtocolClient.connect("w2", port, null, null, "polling");
            try {
                ConfirmedArrivals.confirm(sessions, session, "w1", "A-w1", hit);
                w1.emit("connected", RealtimeTestSupport.joinPayload("w1", "A-w1", hit));
                w1.skipUntil("start_your_task", "{message:['w1']}");
                ConfirmedArrivals.confirm(sessions, session, "w2", "A-w2", hit);
                w2.emit("connected", RealtimeTestSupport.joinPayload("w2", "A-w2", hit));
                w2.skipUntil("start_your_task", "{message:['w2']}");

                // Acknowledged only once stored: what the store holds when the ack arrives is checked in the ack.
                long s = session;
                CompletableFuture<List<String>> storedAtAck = new CompletableFuture<>();
                w1.emitRaw("chat_message", new JSONObject().put("text", "  hello from w1 "), (Ack) args -> {
                    JSONObject answer = (JSONObject) args[0];
                    storedAtAck.complete(answer.optBoolean("ok") ? taskData.forSession(s).stream()
                            .map(r -> r.json().getString("text")).toList() : List.of("refused: " + answer));
                });
                assertThat(storedAtAck.get(10, TimeUnit.SECONDS)).containsExactly("hello from w1");
                w1.skipUntil("chat_message", "{from:'Worker 1',text:'hello from w1',mine:true}");
                w2.skipUntil("chat_message", "{from:'Worker 1',text:'hello from w1',mine:false}");

                w2.emit("chat_message", new JSONObject().put("text", "=1+1, \"quoted\"\nsecond line"));
                w1.skipUntil("chat_message", new JSONObject().put("from", "Worker 2")
                        .put("text", "=1+1, \"quoted\"\nsecond line").put("mine", false).toString());
                w2.skipUntil("chat_message", new JSONObject().put("from", "Worker 2")
                        .put("text", "=1+1, \"quoted\"\nsecond line").put("mine", true).toString());

                // Refused (too long): nobody hears it and nothing is stored; the ack says so.
                CompletableFuture<JSONObject> refused = new CompletableFuture<>();
                w1.emitRaw("chat_message", new JSONObject().put("text", "y".repeat(501)),
                        (Ack) args -> refused.complete((JSONObject) args[0]));
                assertThat(refused.get(10, TimeUnit.SECONDS).getBoolean("ok")).isFalse();

                await().atMost(Duration.ofSeconds(10)).until(() -> taskData.count(s) == 2);
                Thread.sleep(300);
                List<TaskRecord> stored = taskData.forSession(session);
                assertThat(stored).hasSize(2);
                assertThat(stored).extracting(TaskRecord::workerId).containsExactly("w1", "w2");
                assertThat(stored).extracting(TaskRecord::alias).containsExactly("Worker 1", "Worker 2");
                assertThat(stored).extracting(TaskRecord::kind).containsOnly("chat_message");
                assertThat(stored).allSatisfy(r -> assertThat(r.at()).isAfter(before).isBeforeOrEqualTo(Instant.now()));
                assertThat(stored.get(1).json().getInt("recipients")).isEqualTo(2);
            } finally {
                w1.close();
                w2.close();
            }
        }

        try (ConfigurableApplicationContext second = start()) {
            List<TaskRecord> kept = second.getBean(TaskDataStore.class).forSession(session);
            assertThat(kept).extracting(r -> r.json().getString("text"))
                    .containsExactly("hello from w1", "=1+1, \"quoted\"\nsecond line");

            AdminAccounts admins = second.getBean(AdminAccounts.class);
            long admin = admins.create("ada@example.org", "correct horse battery staple", null).id();
            String token = admins.createToken(admin, "export").secret();
            String base = "http://localhost:" + port(second) + "/api/admin/sessions/" + session + "/export/";

            assertThat(get(base + "taskdata.csv", null).statusCode()).isEqualTo(401);

            HttpResponse<String> csv = get(base + "taskdata.csv", token);
            assertThat(csv.statusCode()).isEqualTo(200);
            assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
            assertThat(csv.headers().firstValue("Content-Disposition").orElse(""))
                    .contains("pavilion-session-" + session + "-taskdata.csv");
            String[] lines = csv.body().split("\r\n");
            assertThat(lines[0]).isEqualTo("seq,at,worker,alias,kind,payload");
            assertThat(lines[1]).startsWith("1," + SessionTime.of(kept.get(0).at()) + ",w1,Worker 1,chat_message,")
                    .contains("hello from w1");
            assertThat(csv.body()).contains("2," + SessionTime.of(kept.get(1).at()) + ",w2,Worker 2,chat_message,\"{");

            HttpResponse<String> json = get(base + "taskdata.json", token);
            assertThat(json.statusCode()).isEqualTo(200);
            JSONObject body = new JSONObject(json.body());
            assertThat(body.getLong("session")).isEqualTo(session);
            JSONArray records = body.getJSONArray("records");
            assertThat(records.length()).isEqualTo(2);
            JSONObject r2 = records.getJSONObject(1);
            assertThat(r2.getInt("seq")).isEqualTo(2);
            assertThat(r2.getString("worker")).isEqualTo("w2");
            assertThat(r2.getString("alias")).isEqualTo("Worker 2");
            assertThat(r2.getString("at")).isEqualTo(SessionTime.of(kept.get(1).at()));
            assertThat(r2.getJSONObject("payload").getString("text")).isEqualTo("=1+1, \"quoted\"\nsecond line");
            assertThat(r2.getJSONObject("payload").getString("from")).isEqualTo("Worker 2");
        }
    }

    /** The export's time format. */
    private static final class SessionTime {
        static String of(Instant at) {
            return org.pavilion.admin.export.SessionExportService.time(at);
        }
    }

    private static HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private ConfigurableApplicationContext start() {
        SpringApplication app = new SpringApplication(PavilionApplication.class);
        ExcludeTestConfigurations.applyTo(app);
        return app.run("--server.port=0", "--pavilion.data-dir=" + dataDir, "--pavilion.database.embedded=file");
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
