package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pavilion.PavilionApplication;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.pavilion.testing.ExcludeTestConfigurations;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 13 item 2 (SPEC §4.7): grace periods live in memory, so a restart must start them again. Pavilion
 * runs on an H2 file database; three workers are in the queues with their pages open; Pavilion stops and
 * starts again on the same data directory (a new port, so no page can come back by itself). Only one worker
 * reconnects: the two others leave as {@code disconnected} one grace period after the restart, and the
 * one who came back keeps its place. (A kill -9 loses the timers the same way; that the queues themselves
 * survive a kill is CrashRestartTest's subject.)
 */
class GraceAfterRestartTest {

    @TempDir
    Path dataDir;

    @Test
    void everyWorkerInAQueueMustReconnectWithinTheGracePeriodAfterARestart() throws Exception {
        long session;
        String hit = "HIT-RESTART-GRACE";
        List<ProtocolClient> pages = new ArrayList<>();
        try (ConfigurableApplicationContext first = start()) {
            LiveSessionService sessions = first.getBean(LiveSessionService.class);
            SessionStore store = first.getBean(SessionStore.class);
            long project = first.getBean(ProjectRepository.class).create("Restart", "", Instant.now()).id();
            TaskSettings basic = TaskSettings.basic("Live task", "A live task", "https://localhost/task", 50,
                    new Thresholds(1, 0, 2, 2));
            long task = first.getBean(TaskRepository.class).create(project, new TaskSettings(basic.title(),
                    basic.description(), basic.keywords(), basic.rewardCents(), basic.assignmentDurationSeconds(),
                    basic.lifetimeSeconds(), basic.autoApprovalDelaySeconds(), basic.country(),
                    basic.minApprovalPercent(), basic.minApprovedHits(), basic.externalUrl(), basic.frameHeight(),
                    basic.thresholds(), false, basic.waitingPayCentsPerHour(), 2), Instant.now()).id(); // grace 2 s
            session = sessions.open(task).sessionId();
            store.addSessionHit(session, "TYPE-" + session, hit);
            int port = port(first);
            for (String w : List.of("w1", "w2", "w3")) {
                ConfirmedArrivals.confirm(sessions, session, w, "A-" + w, hit);
                ProtocolClient page = ProtocolClient.connect(w, port, null, null, "websocket");
                pages.add(page);
                page.emit("connected", new JSONObject().put("workerId", w).put("aid", "A-" + w).put("hit_id", hit));
                long s = session;
                await().atMost(Duration.ofSeconds(10)).until(() -> sessions.snapshot(s).workers().containsKey(w));
            }
            QueueSnapshot before = sessions.snapshot(session);
            assertThat(before.active()).containsExactly("w1", "w2");
            assertThat(before.waiting()).containsExactly("w3");
        }
        pages.forEach(ProtocolClient::close);

        try (ConfigurableApplicationContext second = start()) {
            LiveSessionService sessions = second.getBean(LiveSessionService.class);
            QueueSnapshot recovered = sessions.snapshot(session);
            assertThat(recovered.active()).containsExactly("w1", "w2");
            assertThat(recovered.waiting()).containsExactly("w3");

            ProtocolClient back = ProtocolClient.connect("w2-back", port(second), null, null, "websocket");
            try {
                back.emit("connected", new JSONObject().put("workerId", "w2").put("aid", "A-w2").put("hit_id", hit));
                back.skipUntil("start_your_task", "{message:['w2']}"); // after the counts
                long s = session;
                await().atMost(Duration.ofSeconds(15)).until(() -> {
                    var workers = sessions.snapshot(s).workers();
                    return workers.get("w1").status() == WorkerStatus.DISCONNECTED
                            && workers.get("w3").status() == WorkerStatus.DISCONNECTED;
                });
                QueueSnapshot after = sessions.snapshot(session);
                assertThat(after.workers().get("w2").status()).isEqualTo(WorkerStatus.ACTIVE);
                assertThat(after.active()).containsExactly("w2");
            } finally {
                back.close();
            }
        }
    }

    private ConfigurableApplicationContext start() {
        SpringApplication app = new SpringApplication(PavilionApplication.class);
        ExcludeTestConfigurations.applyTo(app);
        return app.run("--server.port=0", "--pavilion.data-dir=" + dataDir,
                "--pavilion.database.embedded=file");
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
