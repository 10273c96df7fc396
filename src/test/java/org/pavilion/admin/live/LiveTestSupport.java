package org.pavilion.admin.live;

import java.time.Instant;
import java.util.UUID;

import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * What the live and ops tests share: one application context (same properties everywhere, so
 * Spring's test context cache keeps one), MockMvc through the real security filters, and tasks.
 */
public final class LiveTestSupport {

    /** The properties of every live/ops test context. */
    public static final String[] PROPERTIES = {"pavilion.database.embedded=mem",
            "pavilion.marketplace.hire-poll=200ms", "pavilion.marketplace.client.base-delay=5ms",
            "pavilion.marketplace.client.max-delay=20ms", "pavilion.marketplace.client.max-attempts=2"};

    public static final String ADMIN = "alice@lab.example";

    private LiveTestSupport() {
    }

    public static MockMvc mockMvc(WebApplicationContext context) {
        return MockMvcBuilders.webAppContextSetup(context).apply(SecurityMockMvcConfigurers.springSecurity()).build();
    }

    /** A task whose ExternalQuestion points at this server's waiting page. */
    public static long task(ProjectRepository projects, TaskRepository tasks, int port, Thresholds thresholds,
                            int waitingPayCentsPerHour) {
        long project = projects.create("Live " + UUID.randomUUID(), "", Instant.now()).id();
        TaskSettings basic = TaskSettings.basic("Steer a robot together", "A live task for several workers",
                "http://localhost:" + port + "/waiting_task", 50, thresholds);
        TaskSettings settings = new TaskSettings(basic.title(), basic.description(), basic.keywords(),
                basic.rewardCents(), basic.assignmentDurationSeconds(), basic.lifetimeSeconds(),
                basic.autoApprovalDelaySeconds(), null, null, null, basic.externalUrl(), basic.frameHeight(),
                thresholds, false, waitingPayCentsPerHour, basic.disconnectGraceSeconds());
        return tasks.create(project, settings, Instant.now()).id();
    }

    /** {@link #task} with its own hire budget (null: the default) and spending cap in cents (null: none). */
    public static long task(ProjectRepository projects, TaskRepository tasks, int port, Thresholds thresholds,
                            Integer hireBudget, Integer spendCapCents) {
        long id = task(projects, tasks, port, thresholds, 725);
        TaskSettings settings = tasks.find(id).orElseThrow().settings().withHireBudget(hireBudget, spendCapCents);
        return tasks.update(id, settings, Instant.now()).id();
    }
}
