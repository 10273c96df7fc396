package org.pavilion;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Decision;
import org.pavilion.queue.Message;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.RecordingListener;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** The whole application starts on an embedded database and runs a session end to end. */
@SpringBootTest(properties = "pavilion.database.embedded=mem")
class PavilionApplicationTest {

    @TestConfiguration
    static class Listeners {
        @Bean
        RecordingListener recordingListener() {
            return new RecordingListener();
        }
    }

    @Autowired
    LiveSessionService sessions;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    RecordingListener delivered;

    @Test
    void aSessionRunsThroughTheWiredServiceAndListenersHearOfIt() {
        long project = projects.create("Robot control", "", Instant.now()).id();
        long task = tasks.create(project, TaskSettings.basic("Steer a robot", "Steer it together",
                "https://localhost/task", 50, new Thresholds(2, 1, 3, 3)), Instant.now()).id();
        long s = sessions.open(task).sessionId();

        ConfirmedArrivals.arrive(sessions, s, "w1", "a1", "worker:w1");
        Outcome start = ConfirmedArrivals.arrive(sessions, s, "w2", "a2", "worker:w2");

        assertThat(start.toldWorker("w1")).containsExactly(new Message.StartYourTask());
        assertThat(sessions.snapshot(s).active()).containsExactly("w1", "w2");
        // Every outcome reaches the listeners, in order: confirmation, arrival, confirmation, arrival.
        assertThat(delivered.outcomes(s)).hasSize(4);
        assertThat(delivered.outcomes(s).get(3)).isEqualTo(start);
        assertThat(delivered.outcomes(s).get(0).facts()).containsExactly(
                new Decision.AssignmentConfirmed("a1", ConfirmedArrivals.HIT, "w1"));
    }
}
