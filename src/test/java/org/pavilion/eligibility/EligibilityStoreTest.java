package org.pavilion.eligibility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.project.UnknownProjectException;
import org.pavilion.queue.Thresholds;
import org.pavilion.storage.TestDatabases;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The V12 tables and the arrival check's SQL on H2 (PostgreSQL mode) and on a real PostgreSQL: who took part
 * (a session_worker row, written only for an admitted, marketplace-confirmed worker), per task and per project,
 * and the excluded list; the settings round-trip.
 */
class EligibilityStoreTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void decidesWhoMayJoinFromPastSessionsAndTheList(String database) {
        try (HikariDataSource ds = database.equals("h2") ? TestDatabases.h2File(dir)
                : TestDatabases.postgresDataSource()) {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            EligibilityStore store = new EligibilityStore(jdbc, new DataSourceTransactionManager(ds));
            ExcludedWorkers excluded = new ExcludedWorkers(store);
            ProjectRepository projects = new ProjectRepository(jdbc);
            TaskRepository tasks = new TaskRepository(jdbc);
            Instant now = Instant.now();
            long project = projects.create("P", "", now).id();
            long otherProject = projects.create("Q", "", now).id();
            long taskA = tasks.create(project, settings(false), now).id();
            long taskB = tasks.create(project, settings(true), now).id();
            long taskC = tasks.create(otherProject, settings(false), now).id();
            long a1 = session(jdbc, taskA, false);
            long a2 = session(jdbc, taskA, false);
            long b1 = session(jdbc, taskB, true);
            long c1 = session(jdbc, taskC, false);
            took(jdbc, a1, "AW1");

            // per task: AW1 of session a1 may not join a2; a newcomer may; AW1 may rejoin a1 (the engine decides)
            assertThat(store.refusalFor(a2, "AW1")).contains(NotEligibleReason.tookPartInTask());
            assertThat(store.refusalFor(a2, "AW2")).isEmpty();
            assertThat(store.refusalFor(a1, "AW1")).isEmpty();
            // task B allows repeat workers and does not exclude the project's: AW1 joins
            assertThat(store.refusalFor(b1, "AW1")).isEmpty();
            store.save(taskB, new Eligibility(true, false, List.of()), now);
            assertThat(store.refusalFor(b1, "AW1")).contains(NotEligibleReason.tookPartInProject());
            // another project's session knows nothing of this one's
            assertThat(store.refusalFor(c1, "AW1")).isEmpty();
            // an unknown session: nothing to say (the engine refuses it)
            assertThat(store.refusalFor(999_999, "AW1")).isEmpty();

            // the excluded list
            ExcludedWorkers.ImportReport r = excluded.importIds(project, "WorkerId,Note\nAX1,a\nAX1,b\nax2,c\n", now);
            assertThat(r.added()).containsExactly("AX1");
            assertThat(r.refused()).extracting(ExcludedWorkers.Refused::value).containsExactly("ax2");
            assertThat(store.refusalFor(a2, "AX1")).contains(NotEligibleReason.excluded());
            assertThat(store.refusalFor(c1, "AX1")).isEmpty();
            assertThat(excluded.remove(project, "AX1")).isTrue();
            assertThat(store.refusalFor(a2, "AX1")).isEmpty();
            assertThatThrownBy(() -> excluded.importIds(999_999, "AX1", now))
                    .isInstanceOf(UnknownProjectException.class);

            // settings round-trip, replaced as a whole
            Eligibility e = new Eligibility(false, true, List.of(
                    new CustomQualification("3ABC", "In", List.of(1, 2, 3), List.of()),
                    new CustomQualification("00000000000000000071", "NotIn", List.of(), List.of("US-NY", "DE"))));
            store.save(taskA, e, now);
            assertThat(store.find(taskA)).isEqualTo(e);
            store.save(taskA, Eligibility.DEFAULT, now);
            assertThat(store.find(taskA)).isEqualTo(Eligibility.DEFAULT);
            assertThat(store.find(taskC)).isEqualTo(Eligibility.DEFAULT);
        }
    }

    static TaskSettings settings(boolean allowRepeatWorkers) {
        TaskSettings b = TaskSettings.basic("T", "d", "https://example.org/t", 10, new Thresholds(1, 0, 2, 1));
        return new TaskSettings(b.title(), b.description(), b.keywords(), b.rewardCents(),
                b.assignmentDurationSeconds(), b.lifetimeSeconds(), b.autoApprovalDelaySeconds(), b.country(),
                b.minApprovalPercent(), b.minApprovedHits(), b.externalUrl(), b.frameHeight(), b.thresholds(),
                allowRepeatWorkers, b.waitingPayCentsPerHour(), 30);
    }

    static long session(JdbcTemplate jdbc, long task, boolean allowRepeat) {
        jdbc.update("insert into live_session (task_id, min_active, min_waiting, max_active, max_waiting, "
                + "allow_repeat_workers, waiting_pay_cents_per_hour, disconnect_grace_seconds, opened_at) "
                + "values (?, 1, 0, 2, 1, ?, 725, 30, ?)", task, allowRepeat, Timestamp.from(Instant.now()));
        return jdbc.queryForObject("select max(id) from live_session", Long.class);
    }

    /** What the session store writes when the engine admits a worker. */
    static void took(JdbcTemplate jdbc, long session, String worker) {
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("insert into worker (worker_id, first_seen_at) values (?, ?)", worker, now);
        jdbc.update("insert into session_worker (session_id, worker_id, assignment_id, status, queue_order, "
                + "updated_at) values (?, ?, 'A1', 'SUBMITTED', 1, ?)", session, worker, now);
    }
}
