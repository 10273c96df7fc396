package org.pavilion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRuleCases;
import org.pavilion.project.TaskRules;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.ThresholdRules;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.PaySettings.ApprovalPolicy;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The task table's CHECK constraints agree with the rules ({@link TaskRules}, {@link ThresholdRules}) rather
 * than being a third copy that drifts: every boundary value the rules accept is stored and read back the
 * same, and every value a constraint refuses is refused by the rules too. Run on H2 and PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TaskRulesDatabaseContract {

    private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");

    private HikariDataSource dataSource;
    private JdbcTemplate jdbc;
    private TaskRepository tasks;
    private long project;

    abstract HikariDataSource createDataSource() throws Exception;

    @BeforeAll
    void setUp() throws Exception {
        dataSource = createDataSource();
        TestDatabases.flyway(dataSource).migrate();
        jdbc = new JdbcTemplate(dataSource);
        tasks = new TaskRepository(dataSource);
        project = new ProjectRepository(dataSource).create("Rules", "the rules against the database", T0).id();
    }

    @AfterAll
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
    }

    private void storedAsIs(TaskSettings s) {
        long id = tasks.create(project, s, T0).id();
        assertThat(tasks.find(id).orElseThrow().settings()).isEqualTo(s);
    }

    @Test
    void everyBoundaryTheRulesAcceptIsStored() {
        for (TaskRules.Range r : TaskRuleCases.RANGES) {
            storedAsIs(TaskRuleCases.with(r.field(), (int) r.min()));
            storedAsIs(TaskRuleCases.with(r.field(), (int) r.max()));
        }
        TaskSettings v = TaskRuleCases.valid();
        storedAsIs(new TaskSettings("t".repeat(TaskRules.TITLE.max()), "d".repeat(TaskRules.DESCRIPTION.max()),
                "k".repeat(TaskRules.KEYWORDS.max()), 50, 3600, 86_400, 0, "DE", 0, 0, v.externalUrl(), 0,
                new Thresholds(1, 0, 1, 1), false, 0, 0, 0, 0, 1, ApprovalPolicy.MANUAL, true));
        int max = ThresholdRules.MAX;
        storedAsIs(new TaskSettings("t", "d", "", 50, 3600, 86_400, 0, null, 100, null, v.externalUrl(), 800,
                new Thresholds(max, max, max, max), true, 725, 30));
    }

    /** A column's value the table refuses, and the rules' verdict on the same value. */
    private record Refused(String column, Object value, Runnable byTheRules) {
    }

    @Test
    void whatTheTableRefusesTheRulesRefuse() {
        List<Refused> cases = List.of(
                new Refused("description", "", () -> TaskSettings.basic("t", "", "https://example.org/t", 50,
                        TaskRuleCases.T)),
                new Refused("description", "   ", () -> TaskSettings.basic("t", "   ", "https://example.org/t", 50,
                        TaskRuleCases.T)),
                new Refused("title", " ", () -> TaskSettings.basic(" ", "d", "https://example.org/t", 50,
                        TaskRuleCases.T)),
                new Refused("reward_cents", -1, () -> TaskRuleCases.with("rewardCents", -1)),
                new Refused("waiting_pay_cents_per_hour", -1, () -> TaskRuleCases.with("waitingPayCentsPerHour", -1)),
                new Refused("min_approval_percent", 101, () -> TaskRuleCases.with("minApprovalPercent", 101)),
                new Refused("min_approval_percent", -1, () -> TaskRuleCases.with("minApprovalPercent", -1)),
                new Refused("min_approved_hits", -1, () -> TaskRuleCases.with("minApprovedHits", -1)),
                new Refused("hire_budget", -1, () -> TaskRuleCases.with("hireBudget", -1)),
                new Refused("spend_cap_cents", -1, () -> TaskRuleCases.with("spendCapCents", -1)),
                new Refused("max_paid_wait_minutes", 0, () -> TaskRuleCases.with("maxPaidWaitMinutes", 0)),
                new Refused("max_paid_wait_minutes", 10_081, () -> TaskRuleCases.with("maxPaidWaitMinutes", 10_081)),
                new Refused("min_active", 0, () -> new Thresholds(0, 0, 1, 1)),
                new Refused("min_waiting", -1, () -> new Thresholds(1, -1, 1, 1)),
                new Refused("max_waiting", 0, () -> new Thresholds(1, 0, 1, 0)),
                new Refused("max_active", 0, () -> new Thresholds(1, 0, 0, 1)));
        long id = tasks.create(project, TaskRuleCases.valid(), T0).id();
        for (Refused c : cases) {
            assertThatThrownBy(() -> jdbc.update("update task set " + c.column() + " = ? where id = ?", c.value(), id))
                    .as("the table refuses %s = %s", c.column(), c.value())
                    .isInstanceOf(DataIntegrityViolationException.class);
            assertThatThrownBy(c.byTheRules()::run).as("the rules refuse %s = %s", c.column(), c.value())
                    .isInstanceOf(InvalidConfigurationException.class);
        }
        assertThatThrownBy(() -> jdbc.update("update task set approval_policy = 'SOMETIMES' where id = ?", id))
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThat(tasks.find(id).orElseThrow().settings()).isEqualTo(TaskRuleCases.valid());
    }

    @Test
    void aTaskStoredWithoutADescriptionBeforeV13GetsItsTitleAsDescription() throws Exception {
        try (HikariDataSource old = createDataSource()) {
            // the schema as it was just before V13 (whichever migration that is on this branch)
            String beforeV13 = java.util.Arrays.stream(TestDatabases.flyway(old).info().all())
                    .map(m -> m.getVersion()).filter(v -> v.compareTo(MigrationVersion.fromVersion("13")) < 0)
                    .max(Comparable::compareTo).orElseThrow().getVersion();
            Flyway.configure().dataSource(old).locations("classpath:db/migration").target(beforeV13).load().migrate();
            JdbcTemplate before = new JdbcTemplate(old);
            before.update("insert into project (name, description, created_at) values ('Old', '', ?)",
                    SqlSupport.toSql(T0));
            long p = before.queryForObject("select max(id) from project", Long.class);
            before.update("insert into task (project_id, title, description, keywords, reward_cents, "
                    + "assignment_duration_seconds, lifetime_seconds, auto_approval_delay_seconds, external_url, "
                    + "frame_height, min_active, min_waiting, max_active, max_waiting, created_at, updated_at) values "
                    + "(?, 'Chat with a bot', '', '', 50, 3600, 86400, 0, 'https://example.org/t', 0, 1, 0, 1, 1, ?, ?)",
                    p, SqlSupport.toSql(T0), SqlSupport.toSql(T0));
            long id = before.queryForObject("select max(id) from task", Long.class);

            TestDatabases.flyway(old).migrate();
            TaskSettings s = new TaskRepository(old).find(id).orElseThrow().settings();
            assertThat(s.description()).isEqualTo("Chat with a bot");
            assertThatThrownBy(() -> before.update("update task set description = ' ' where id = ?", id))
                    .isInstanceOf(DataIntegrityViolationException.class);
        }
    }
}
