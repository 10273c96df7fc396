package org.pavilion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pavilion.project.Project;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.Task;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.project.UnknownProjectException;
import org.pavilion.project.UnknownTaskException;
import org.pavilion.queue.Decision;
import org.pavilion.queue.Decision.Cause;
import org.pavilion.queue.Decision.Fact;
import org.pavilion.queue.Decision.Phase;
import org.pavilion.queue.Decision.PhaseChange;
import org.pavilion.queue.Decision.StatusChange;
import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.QueueEngine;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.storage.JdbcSessionStore.SessionHit;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.AssignmentRef;
import org.pavilion.session.CommitItem;
import org.pavilion.session.HireRequest;
import org.pavilion.session.LoggedFact;
import org.pavilion.session.PaySettings;
import org.pavilion.session.PaySettings.ApprovalPolicy;
import org.pavilion.session.SessionConfig;
import org.pavilion.session.RequestTokens;
import org.pavilion.session.HitExpiryRequest;
import org.pavilion.session.GoLiveIntent;
import org.pavilion.session.SessionLog;
import org.pavilion.session.UnknownSessionException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The storage contract, run unchanged against every supported database (H2 in PostgreSQL mode and
 * real PostgreSQL). The facts committed are produced by a real {@link QueueEngine}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SessionStoreContract {

    static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    static final List<String> TABLES = List.of("pavilion_instance", "project", "task", "live_session", "worker",
            "assignment", "session_worker", "session_event", "hire_request", "session_hit", "bonus", "sns_message_seen", "mturk_event_doc_seen", "mturk_event", "sns_refusal", "go_live", "hit_expiry");

    HikariDataSource dataSource;
    MigrateResult migration;
    JdbcTemplate jdbc;
    JdbcSessionStore store;
    ProjectRepository projects;
    TaskRepository tasks;
    Project project;

    /** A new, empty database. */
    abstract HikariDataSource createDataSource() throws Exception;

    /** The commit throughput this database must reach in {@link #groupCommitsAreFast(int)}. */

    @BeforeAll
    void setUp() throws Exception {
        dataSource = createDataSource();
        migration = TestDatabases.flyway(dataSource).migrate();
        jdbc = new JdbcTemplate(dataSource);
        store = new JdbcSessionStore(dataSource);
        projects = new ProjectRepository(dataSource);
        tasks = new TaskRepository(dataSource);
        project = projects.create("Storage tests", "made by " + getClass().getSimpleName(), T0);
    }

    @AfterAll
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
    }

    Task newTask(Thresholds thresholds, boolean allowRepeatWorkers) {
        TaskSettings s = new TaskSettings("Drive the robot", "Steer a robot with others", "robot,live", 50, 1800,
                7200, 86_400, "US", 95, 100, "https://example.org/crowd?x=1&y=2", 700, thresholds,
                allowRepeatWorkers, 900, 45);
        return tasks.create(project.id(), s, T0);
    }

    SessionConfig newSession(Thresholds thresholds, boolean allowRepeatWorkers) {
        return store.openSession(newTask(thresholds, allowRepeatWorkers).id(), T0);
    }

    // ---- schema --------------------------------------------------------------------------------

    @Test
    void migrationsApplyAndAreUpToDate() {
        assertThat(migration.success).isTrue();
        Flyway flyway = TestDatabases.flyway(dataSource);
        assertThat(migration.migrationsExecuted).isPositive().isEqualTo(flyway.info().applied().length);
        assertThat(flyway.info().pending()).isEmpty();
        assertThat(flyway.migrate().migrationsExecuted).isZero();
        for (String table : TABLES) {
            Integer n = jdbc.queryForObject("select count(*) from information_schema.tables where table_name = ?",
                    Integer.class, table);
            assertThat(n).as(table).isEqualTo(1);
        }
    }

    @Test
    void instanceIdIsMadeOnceAndKept() {
        String id = store.instanceId();
        assertThat(id).matches("[0-9a-f]{16}");
        assertThat(new JdbcSessionStore(dataSource).instanceId()).isEqualTo(id);
        assertThat(jdbc.queryForObject("select count(*) from pavilion_instance", Integer.class)).isEqualTo(1);
        assertThatThrownBy(() -> jdbc.update("insert into pavilion_instance (id) values ('0123456789abcdef')"))
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    // ---- projects and tasks --------------------------------------------------------------------

    @Test
    void projectsAndTasksAreStoredAndEdited() {
        Project p = projects.create("  Robot  ", null, T0);
        assertThat(p.name()).isEqualTo("Robot");
        assertThat(projects.find(p.id())).contains(p);
        assertThat(projects.list()).contains(p);
        assertThat(projects.find(-1)).isEmpty();
        assertThatThrownBy(() -> projects.create(" ", "", T0)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("name");

        TaskSettings bare = TaskSettings.basic("Chat", "A group chat", "http://localhost:8080/crowd", 10, new Thresholds(1, 0, 1, 1));
        Task t = tasks.create(p.id(), bare, T0);
        assertThat(tasks.find(t.id())).contains(t);
        assertThat(t.settings().country()).isNull();
        assertThat(t.settings().minApprovalPercent()).isNull();

        TaskSettings full = new TaskSettings("Chat 2", "d", "a,b", 75, 600, 3600, 0, "de", 97, 1000,
                "https://example.org/c", 0, new Thresholds(2, 1, 3, 4), true, 1000, 10, 12, 800, 15,
                ApprovalPolicy.MANUAL, true);
        Instant later = T0.plusSeconds(60);
        Task edited = tasks.update(t.id(), full, later);
        assertThat(edited.settings()).isEqualTo(full);
        assertThat(edited.settings().country()).isEqualTo("DE");
        assertThat(edited.settings().pay()).isEqualTo(new PaySettings(Duration.ofMinutes(15), ApprovalPolicy.MANUAL,
                true));
        assertThat(edited.createdAt()).isEqualTo(T0);
        assertThat(edited.updatedAt()).isEqualTo(later);
        assertThat(tasks.listByProject(p.id())).containsExactly(edited);
        assertThat(tasks.list()).contains(edited);

        assertThatThrownBy(() -> tasks.create(-5, bare, T0)).isInstanceOf(UnknownProjectException.class)
                .hasMessageContaining("-5");
        assertThatThrownBy(() -> tasks.update(-6, bare, T0)).isInstanceOf(UnknownTaskException.class)
                .hasMessageContaining("-6");
        assertThat(tasks.find(-7)).isEmpty();
    }

    @Test
    void aTaskRowWrittenWithoutPaySettingsReadsWithTheirDefaults() {
        // as rows made before the pay settings existed: the columns' defaults stand in
        jdbc.update("insert into task (project_id, title, description, keywords, reward_cents, "
                + "assignment_duration_seconds, lifetime_seconds, auto_approval_delay_seconds, external_url, "
                + "frame_height, min_active, min_waiting, max_active, max_waiting, allow_repeat_workers, "
                + "waiting_pay_cents_per_hour, disconnect_grace_seconds, created_at, updated_at) values "
                + "(?, 'Old', 'An old task', '', 10, 600, 3600, 0, 'https://example.org/old', 0, 1, 0, 1, 1, false, 725, 30, ?, ?)",
                project.id(), SqlSupport.toSql(T0), SqlSupport.toSql(T0));
        long id = jdbc.queryForObject("select max(id) from task where title = 'Old'", Long.class);
        TaskSettings old = tasks.find(id).orElseThrow().settings();
        assertThat(old.maxPaidWaitMinutes()).isEqualTo(60);
        assertThat(old.approvalPolicy()).isEqualTo(ApprovalPolicy.AUTO);
        assertThat(old.autoCompensate()).isFalse();
        assertThat(store.openSession(id, T0).pay()).isEqualTo(PaySettings.DEFAULTS);
    }

    // ---- opening sessions ----------------------------------------------------------------------

    @Test
    void openSessionCopiesTheTaskSettings() {
        Task task = newTask(new Thresholds(2, 1, 3, 4), true);
        Instant at = T0.plusMillis(1234);
        SessionConfig config = store.openSession(task.id(), at);
        assertThat(config.taskId()).isEqualTo(task.id());
        assertThat(config.thresholds()).isEqualTo(new Thresholds(2, 1, 3, 4));
        assertThat(config.allowRepeatWorkers()).isTrue();
        assertThat(config.disconnectGrace()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.waitingPayCentsPerHour()).isEqualTo(900);
        assertThat(config.pay()).isEqualTo(PaySettings.DEFAULTS);

        Map<String, Object> row = jdbc.queryForMap("select started, stopped, expired, hit_type_id, hit_id, "
                + "started_at, stopped_at, ended_at from live_session where id = ?", config.sessionId());
        assertThat(row.get("started")).isEqualTo(false);
        assertThat(row.get("stopped")).isEqualTo(false);
        assertThat(row.get("expired")).isEqualTo(false);
        assertThat(row.get("hit_id")).isNull();
        assertThat(row.get("started_at")).isNull();
        assertThat(openedAt(config.sessionId())).isEqualTo(at);

        // editing the task later never changes the running session
        tasks.update(task.id(), TaskSettings.basic("Other", "Another", "https://example.org/o", 1, new Thresholds(1, 0, 1, 1)),
                T0.plusSeconds(5));
        SessionLog log = store.loadSession(config.sessionId()).orElseThrow();
        assertThat(log.config()).isEqualTo(config);
        assertThat(log.expired()).isFalse();
        assertThat(log.facts()).isEmpty();
        assertThat(log.nextSeq()).isEqualTo(1);

        SessionConfig second = store.openSession(task.id(), at);
        assertThat(second.sessionId()).isNotEqualTo(config.sessionId());
        assertThat(second.thresholds()).isEqualTo(new Thresholds(1, 0, 1, 1));
    }

    private Instant openedAt(long sessionId) {
        return jdbc.queryForObject("select opened_at from live_session where id = ?",
                (rs, i) -> SqlSupport.get(rs, "opened_at"), sessionId);
    }

    @Test
    void openSessionCopiesThePaySettingsAndKeepsThemThroughTaskEdits() {
        Task task = newTask(new Thresholds(1, 0, 1, 1), false);
        tasks.update(task.id(), task.settings().withPay(15, ApprovalPolicy.MANUAL, true), T0);
        SessionConfig config = store.openSession(task.id(), T0);
        PaySettings expected = new PaySettings(Duration.ofMinutes(15), ApprovalPolicy.MANUAL, true);
        assertThat(config.pay()).isEqualTo(expected);
        tasks.update(task.id(), task.settings(), T0.plusSeconds(1));
        assertThat(store.loadSession(config.sessionId()).orElseThrow().config().pay()).isEqualTo(expected);
        assertThat(store.openSession(task.id(), T0).pay()).isEqualTo(PaySettings.DEFAULTS);
    }

    @Test
    void openSessionOfAnUnknownTaskIsRefused() {
        assertThatThrownBy(() -> store.openSession(987_654_321L, T0)).isInstanceOf(UnknownTaskException.class)
                .hasMessage("there is no task 987654321");
        assertThat(store.loadSession(987_654_321L)).isEmpty();
    }

    @Test
    void marketplaceIdsOfASessionAreRecorded() {
        SessionConfig c = newSession(new Thresholds(1, 0, 1, 1), false);
        assertThat(store.recordSessionHit(c.sessionId(), "HT1", "HIT1")).isTrue();
        assertThat(jdbc.queryForMap("select hit_type_id, hit_id from live_session where id = ?", c.sessionId()))
                .containsEntry("hit_type_id", "HT1").containsEntry("hit_id", "HIT1");
        assertThat(store.recordSessionHit(-1, "HT", "H")).isFalse();
    }

    // ---- the event log -------------------------------------------------------------------------

    @ParameterizedTest(name = "thresholds {0}/{1}/{2}/{3}, repeat workers {4}, seed {5}")
    @CsvSource({
        "2, 1, 3, 3, false, 1",
        "2, 1, 3, 3, true, 2",
        "1, 0, 1, 1, false, 3",
        "3, 2, 5, 6, true, 4",
        "4, 0, 8, 2, false, 5"})
    void committedFactsReplayToTheLiveEngineState(int minActive, int minWaiting, int maxActive, int maxWaiting,
                                                  boolean repeat, long seed) {
        SessionConfig config = newSession(new Thresholds(minActive, minWaiting, maxActive, maxWaiting), repeat);
        EngineScenario scenario = new EngineScenario(config, seed, T0).run(400);
        assertThat(scenario.factCount()).isGreaterThan(100);
        for (List<CommitItem> group : EngineScenario.groups(scenario.items, 25, new Random(seed))) {
            store.commit(group);
        }
        verifyStored(config, scenario);
    }

    @Test
    void everyKindOfFactIsLoggedAndReadBack() {
        SessionConfig config = newSession(new Thresholds(1, 0, 1, 1), true);
        EngineScenario s = new EngineScenario(config, 7, T0);
        s.apply(new QueueEvent.Arrive("A", "a1"), "worker:A", null); // STARTED + promote
        s.apply(new QueueEvent.Arrive("B", "b1"), "worker:B", null);
        s.apply(new QueueEvent.Ready("A"), "worker:A", "{\"time_waited\":3}");
        s.apply(new QueueEvent.Leave("B", null, QueueEvent.Departure.DISCONNECT), "system", null); // hire 1 replaces B
        s.apply(new QueueEvent.Arrive("B", "b1"), "worker:B", null); // REJOINED
        s.apply(new QueueEvent.Leave("A", "a1", QueueEvent.Departure.SUBMIT), "marketplace", null); // promote B + hire 2
        s.apply(new QueueEvent.Arrive("A", "a2"), "worker:A", null); // repeat worker, new assignment
        s.apply(new QueueEvent.SetHireBudget(2, "admin"), "admin", null); // budget used up by the hires above
        s.apply(QueueEvent.Leave.claimedByPage("A", "a2", QueueEvent.Departure.SUBMIT), "worker:A", null);
        s.apply(new QueueEvent.Leave("A", "a2", QueueEvent.Departure.SUBMIT), "marketplace", null); // withheld
        s.apply(new QueueEvent.Confirm("c1", "HIT-C", null), "marketplace", null);
        s.apply(new QueueEvent.Release("c1"), "marketplace", null);
        s.apply(new QueueEvent.Stop("admin"), "admin", "stop pressed");
        s.apply(new QueueEvent.Leave("B", "b1", QueueEvent.Departure.SUBMIT), "marketplace", null); // no hire: stopped
        s.apply(new QueueEvent.Expire("admin"), "admin", null);
        store.commit(s.items);

        Set<Class<?>> kinds = new HashSet<>();
        Set<Cause> causes = new HashSet<>();
        for (LoggedFact f : s.expected) {
            kinds.add(f.fact().fact().getClass());
            if (f.fact().fact() instanceof StatusChange c) {
                causes.add(c.cause());
            }
        }
        assertThat(kinds).contains(StatusChange.class, PhaseChange.class, Decision.WaitingClosed.class,
                Decision.Hire.class, Decision.AssignmentConfirmed.class, Decision.AssignmentReleased.class,
                Decision.SubmissionConfirmed.class, Decision.HireWithheld.class, Decision.HireBudgetChanged.class);
        assertThat(causes).contains(Cause.ARRIVED, Cause.REJOINED, Cause.PROMOTED, Cause.SUBMITTED,
                Cause.DISCONNECTED);
        verifyStored(config, s);
        assertThat(jdbc.queryForObject("select count(*) from assignment where worker_id = 'A' and session_id = ?",
                Integer.class, config.sessionId())).isEqualTo(2);
        assertThat(store.loadSession(config.sessionId()).orElseThrow().expired()).isTrue();
    }

    /** Everything the store holds about the session agrees with the live engine. */
    void verifyStored(SessionConfig config, EngineScenario scenario) {
        long id = config.sessionId();
        SessionLog log = store.loadSession(id).orElseThrow();
        assertThat(log.config()).isEqualTo(config);
        assertThat(log.facts()).containsExactlyElementsOf(scenario.expected);
        assertThat(log.nextSeq()).isEqualTo(scenario.nextSeq());
        QueueSnapshot live = scenario.snapshot();
        assertThat(log.expired()).isEqualTo(live.expired());

        QueueEngine replayed = QueueEngine.replay(config.thresholds(), config.allowRepeatWorkers(), config.hireBudget(),
                log.facts().stream().map(LoggedFact::fact).toList());
        assertThat(replayed.snapshot()).isEqualTo(live);

        // session_worker: each worker's current status, assignment and queue position
        Map<String, List<Object>> rows = new HashMap<>();
        jdbc.query("select worker_id, status, assignment_id, queue_order from session_worker where session_id = ?",
                rs -> {
                    rows.put(rs.getString("worker_id"), List.of(rs.getString("status"), rs.getString("assignment_id"),
                            rs.getLong("queue_order")));
                }, id);
        Map<String, List<Object>> expectedRows = new HashMap<>();
        live.workers().forEach((w, v) -> expectedRows.put(w, List.of(v.status().name(), v.assignmentId(), v.order())));
        assertThat(rows).isEqualTo(expectedRows);

        // assignments: every (assignment, worker) that joined
        Set<List<String>> assignments = new HashSet<>();
        jdbc.query("select assignment_id, worker_id from assignment where session_id = ?",
                rs -> {
                    assignments.add(List.of(rs.getString(1), rs.getString(2)));
                }, id);
        Set<List<String>> expectedAssignments = new HashSet<>();
        Map<Integer, Instant> hireTimes = new LinkedHashMap<>();
        Instant startedAt = null;
        Instant stoppedAt = null;
        Instant endedAt = null;
        for (LoggedFact f : scenario.expected) {
            Fact fact = f.fact().fact();
            if (fact instanceof StatusChange c && (c.from() == null || c.cause() == Cause.ARRIVED
                    || c.cause() == Cause.REJOINED)) {
                expectedAssignments.add(List.of(c.assignmentId(), c.workerId()));
            } else if (fact instanceof Decision.Hire h) {
                hireTimes.put(h.number(), f.fact().at());
            } else if (fact instanceof PhaseChange p) {
                if (p.phase() == Phase.STARTED && startedAt == null) {
                    startedAt = f.fact().at();
                } else if (p.phase() == Phase.STOPPED && stoppedAt == null) {
                    stoppedAt = f.fact().at();
                } else if (p.phase() == Phase.EXPIRED && endedAt == null) {
                    endedAt = f.fact().at();
                }
            }
        }
        assertThat(assignments).isEqualTo(expectedAssignments);
        Integer knownWorkers = jdbc.queryForObject("select count(*) from worker w join session_worker s "
                + "on s.worker_id = w.worker_id where s.session_id = ?", Integer.class, id);
        assertThat(knownWorkers).isEqualTo(live.workers().size());

        // the session row's flags and times
        Map<String, Object> session = jdbc.queryForMap("select started, stopped, expired from live_session where id = ?",
                id);
        assertThat(session.get("started")).isEqualTo(live.started());
        assertThat(session.get("stopped")).isEqualTo(live.stopped());
        assertThat(session.get("expired")).isEqualTo(live.expired());
        List<Instant> times = jdbc.queryForObject("select started_at, stopped_at, ended_at from live_session where id = ?",
                (rs, i) -> java.util.Arrays.asList(SqlSupport.get(rs, "started_at"), SqlSupport.get(rs, "stopped_at"),
                        SqlSupport.get(rs, "ended_at")), id);
        assertThat(times).containsExactly(startedAt, stoppedAt, endedAt);

        // the hiring outbox
        List<HireRequest> hires = store.hireRequests(id);
        assertThat(hires).hasSize(scenario.hires.size());
        assertThat(live.hires()).isEqualTo(scenario.hires.size());
        for (int i = 0; i < hires.size(); i++) {
            HireRequest r = hires.get(i);
            Decision.Hire h = scenario.hires.get(i);
            assertThat(r.sessionId()).isEqualTo(id);
            assertThat(r.number()).isEqualTo(h.number()).isEqualTo(i + 1);
            assertThat(r.token()).isEqualTo(HireRequest.tokenFor(store.instanceId(), id, h.number()));
            assertThat(r.token().length()).isLessThanOrEqualTo(64);
            assertThat(r.state()).isEqualTo(HireRequest.State.REQUESTED);
            assertThat(r.causeWorkerId()).isEqualTo(h.workerId());
            assertThat(r.attempts()).isZero();
            assertThat(r.lastError()).isNull();
            assertThat(r.requestedAt()).isEqualTo(hireTimes.get(h.number()));
            assertThat(r.updatedAt()).isEqualTo(r.requestedAt());
        }

        // actor and detail are kept on every row of an item
        for (CommitItem item : scenario.items) {
            List<List<String>> meta = jdbc.query("select actor, detail from session_event where session_id = ? "
                    + "and seq >= ? and seq < ? order by seq", (rs, i) -> java.util.Arrays.asList(rs.getString(1),
                    rs.getString(2)), id, item.firstSeq(), item.firstSeq() + item.facts().size());
            assertThat(meta).hasSize(item.facts().size())
                    .allSatisfy(m -> assertThat(m).containsExactly(item.actor(), item.detail()));
        }
    }

    // ---- atomicity -----------------------------------------------------------------------------

    private Map<String, Object> everything(long sessionId) {
        Map<String, Object> state = new LinkedHashMap<>();
        for (String table : TABLES) {
            state.put(table, jdbc.queryForObject("select count(*) from " + table, Long.class));
        }
        state.put("session", jdbc.queryForMap("select * from live_session where id = ?", sessionId).toString());
        state.put("workers", jdbc.queryForList("select * from session_worker where session_id = ? order by worker_id",
                sessionId).toString());
        state.put("log", store.loadSession(sessionId).orElseThrow());
        state.put("hires", store.hireRequests(sessionId));
        return state;
    }

    @Test
    void aCommitThatFailsMidwayLeavesNothingBehind() {
        SessionConfig config = newSession(new Thresholds(2, 1, 3, 3), false);
        EngineScenario s = new EngineScenario(config, 11, T0).run(120, false);
        store.commit(s.items);
        assertThat(s.hires).isNotEmpty();
        Map<String, Object> before = everything(config.sessionId());
        int committed = s.items.size();

        // more events: new workers, promotions, hires ...
        s.run(60, false);
        List<CommitItem> fresh = new ArrayList<>(s.items.subList(committed, s.items.size()));
        assertThat(fresh).hasSizeGreaterThan(10);
        List<Fact> freshFacts = fresh.stream().flatMap(i -> i.facts().stream()).toList();
        assertThat(freshFacts).anyMatch(f -> f instanceof StatusChange c && c.from() == null)
                .anyMatch(f -> f instanceof StatusChange c && c.from() != null)
                .anyMatch(f -> f instanceof Decision.Hire);
        long firstFresh = fresh.get(0).firstSeq();

        // 1. a duplicate sequence number: fails in the event batch, after workers and statuses were written
        List<CommitItem> duplicateSeq = new ArrayList<>(fresh);
        duplicateSeq.add(new CommitItem(config.sessionId(), firstFresh, T0, "admin", null,
                List.of(new PhaseChange(Phase.STOPPED))));
        assertThatThrownBy(() -> store.commit(duplicateSeq)).isInstanceOf(DataIntegrityViolationException.class);
        assertThat(everything(config.sessionId())).isEqualTo(before);

        // 2. a hire number already used: fails in the last batch, after the events were written
        List<CommitItem> duplicateHire = new ArrayList<>(fresh);
        duplicateHire.add(new CommitItem(config.sessionId(), s.nextSeq(), T0, "marketplace", null,
                List.of(new Decision.Hire(1, "W1", Cause.SUBMITTED))));
        assertThatThrownBy(() -> store.commit(duplicateHire)).isInstanceOf(DataIntegrityViolationException.class);
        assertThat(everything(config.sessionId())).isEqualTo(before);

        // 3. a status change of a worker who never joined
        List<CommitItem> ghost = new ArrayList<>(fresh);
        ghost.add(new CommitItem(config.sessionId(), s.nextSeq(), T0, "marketplace", null,
                List.of(new StatusChange("ghost", "g1", WorkerStatus.WAITING, WorkerStatus.RETURNED, Cause.RETURNED, 0))));
        assertThatThrownBy(() -> store.commit(ghost)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ghost");
        assertThat(everything(config.sessionId())).isEqualTo(before);

        // the real commit still goes through afterwards
        store.commit(fresh);
        verifyStored(config, s);
    }

    @Test
    void aCommitForAnUnknownSessionIsRefused() {
        CommitItem item = new CommitItem(999_999_999L, 1, T0, "system", null,
                List.of(new StatusChange("W", "A", null, WorkerStatus.WAITING, Cause.ARRIVED, 1)));
        long workers = jdbc.queryForObject("select count(*) from worker", Long.class);
        assertThatThrownBy(() -> store.commit(List.of(item))).isInstanceOf(UnknownSessionException.class)
                .hasMessage("there is no session 999999999");
        assertThat(jdbc.queryForObject("select count(*) from worker", Long.class)).isEqualTo(workers);
        store.commit(List.of()); // nothing to do
    }

    // ---- recovery ------------------------------------------------------------------------------

    @Test
    void loadLiveSessionsReturnsEverySessionNotExpired() {
        Thresholds t = new Thresholds(2, 1, 2, 3);
        List<EngineScenario> scenarios = new ArrayList<>();
        List<SessionConfig> configs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            SessionConfig c = newSession(t, i % 2 == 0);
            configs.add(c);
            scenarios.add(new EngineScenario(c, 100 + i, T0).run(80));
        }
        EngineScenario expiring = scenarios.get(1);
        expiring.apply(new QueueEvent.Expire("admin"), "admin", null);
        SessionConfig empty = newSession(t, false); // opened, nothing happened yet

        List<CommitItem> all = new ArrayList<>();
        int most = scenarios.stream().mapToInt(s -> s.items.size()).max().orElse(0);
        for (int i = 0; i < most; i++) { // interleaved across sessions, as a group committer would
            for (EngineScenario s : scenarios) {
                if (i < s.items.size()) {
                    all.add(s.items.get(i));
                }
            }
        }
        for (List<CommitItem> group : EngineScenario.groups(all, 40, new Random(5))) {
            store.commit(group);
        }

        Map<Long, SessionLog> live = new HashMap<>();
        for (SessionLog log : store.loadLiveSessions()) {
            live.put(log.config().sessionId(), log);
        }
        assertThat(live).doesNotContainKey(configs.get(1).sessionId());
        assertThat(live.values()).noneMatch(SessionLog::expired);
        for (int i : new int[] {0, 2, 3}) {
            SessionLog log = live.get(configs.get(i).sessionId());
            assertThat(log).isNotNull();
            assertThat(log.config()).isEqualTo(configs.get(i));
            assertThat(log.facts()).containsExactlyElementsOf(scenarios.get(i).expected);
        }
        assertThat(live.get(empty.sessionId()).facts()).isEmpty();
        SessionLog expired = store.loadSession(configs.get(1).sessionId()).orElseThrow();
        assertThat(expired.expired()).isTrue();
        assertThat(expired.facts()).containsExactlyElementsOf(expiring.expected);
        verifyStored(configs.get(1), expiring);
    }

    // ---- marketplace support -------------------------------------------------------------------

    /**
     * Issue 13 item 1: the expiry of a session puts every HIT it has in the expiry outbox, in the expiry's
     * transaction; a HIT recorded after the expiry (a hire that was in flight) is put there as it is recorded.
     */
    @Test
    void everyHitOfAnExpiredSessionIsInTheExpiryOutboxEvenOneRecordedAfterTheExpiry() {
        SessionConfig c = newSession(new Thresholds(1, 0, 1, 2), false);
        long s = c.sessionId();
        store.recordSessionHit(s, "TYPE-X", "HIT-X1");
        store.addSessionHit(s, "TYPE-X", "HIT-X2");
        assertThat(store.hitExpiries(s)).as("a live session's HITs are not expired").isEmpty();

        EngineScenario scenario = new EngineScenario(c, 7, T0);
        scenario.apply(new QueueEvent.Expire("admin"), "admin", null);
        store.commit(scenario.items);
        assertThat(store.sessionExpired(s)).isTrue();
        assertThat(store.pendingHitExpiries()).extracting(HitExpiryRequest::hitId).contains("HIT-X1", "HIT-X2");

        store.addSessionHit(s, "TYPE-X", "HIT-X3"); // a hire that lands after the expiry
        assertThat(store.hitExpiries(s)).extracting(HitExpiryRequest::hitId)
                .containsExactlyInAnyOrder("HIT-X1", "HIT-X2", "HIT-X3");
        store.addSessionHit(s, "TYPE-X", "HIT-X3"); // recorded twice: still one expiry
        assertThat(store.hitExpiries(s)).hasSize(3);

        store.updateHitExpiry("HIT-X1", false, 1, "ServiceUnavailable: try later");
        store.updateHitExpiry("HIT-X2", true, 1, null);
        List<HitExpiryRequest> after = store.hitExpiries(s);
        assertThat(after).filteredOn(HitExpiryRequest::done).extracting(HitExpiryRequest::hitId)
                .containsExactly("HIT-X2");
        assertThat(after).filteredOn(e -> e.hitId().equals("HIT-X1")).first()
                .satisfies(e -> assertThat(e.lastError()).isEqualTo("ServiceUnavailable: try later"));
        assertThat(store.pendingHitExpiries()).extracting(HitExpiryRequest::hitId).doesNotContain("HIT-X2");
    }

    /** Issue 13 item 1: a go-live's intent is recorded once per task and click, with the session it opens. */
    @Test
    void aGoLiveIntentIsRecordedOncePerTaskAndClick() {
        Task task = newTask(new Thresholds(1, 0, 1, 2), false);
        GoLiveIntent first = store.recordGoLive(task.id(), "click-A", "TYPE-G", "admin@lab", T0);
        assertThat(first.state()).isEqualTo(GoLiveIntent.State.POSTING);
        assertThat(first.token()).isEqualTo(RequestTokens.post(store.instanceId(), first.sessionId()));
        assertThat(store.hitTypeOf(first.sessionId())).contains("TYPE-G");
        GoLiveIntent again = store.recordGoLive(task.id(), "click-A", "TYPE-G", "admin@lab", T0);
        assertThat(again.sessionId()).isEqualTo(first.sessionId());
        assertThat(jdbc.queryForObject("select count(*) from live_session where task_id = ?", Integer.class,
                task.id())).isEqualTo(1);
        assertThat(store.pendingGoLives()).extracting(GoLiveIntent::sessionId).contains(first.sessionId());

        store.completeGoLive(first.sessionId(), 1, "TYPE-G", "HIT-G");
        assertThat(store.goLive(task.id(), "click-A").orElseThrow().state()).isEqualTo(GoLiveIntent.State.DONE);
        assertThat(store.sessionHits(first.sessionId())).containsExactly("HIT-G");
        assertThat(store.pendingGoLives()).extracting(GoLiveIntent::sessionId).doesNotContain(first.sessionId());

        GoLiveIntent other = store.recordGoLive(task.id(), "click-B", "TYPE-G", "admin@lab", T0);
        assertThat(other.sessionId()).isNotEqualTo(first.sessionId());
    }


    @Test
    void assignmentsAreFoundByAssignmentIdAndWorker() {
        Thresholds t = new Thresholds(1, 0, 1, 2);
        SessionConfig a = newSession(t, false);
        SessionConfig b = newSession(t, false);
        EngineScenario sa = new EngineScenario(a, 1, T0);
        sa.apply(new QueueEvent.Arrive("X", "REUSED"), "worker:X", null);
        sa.apply(new QueueEvent.Leave("X", "REUSED", QueueEvent.Departure.RETURN), "marketplace", null);
        store.commit(sa.items);
        EngineScenario sb = new EngineScenario(b, 2, T0.plusSeconds(3600));
        sb.apply(new QueueEvent.Arrive("Y", "REUSED"), "worker:Y", null); // MTurk reuses a returned AssignmentId
        store.commit(sb.items);

        assertThat(store.findSessionByAssignment("REUSED", "X")).contains(new AssignmentRef(a.sessionId(), "X"));
        assertThat(store.findSessionByAssignment("REUSED", "Y")).contains(new AssignmentRef(b.sessionId(), "Y"));
        assertThat(store.findSessionByAssignment("REUSED", null)).contains(new AssignmentRef(b.sessionId(), "Y"));
        assertThat(store.findSessionByAssignment("REUSED", "Z")).isEmpty();
        assertThat(store.findSessionByAssignment("never-seen", null)).isEmpty();
    }

    @Test
    void hireRequestsMoveThroughTheirStates() {
        SessionConfig c = newSession(new Thresholds(1, 0, 1, 1), false);
        EngineScenario s = new EngineScenario(c, 3, T0);
        s.apply(new QueueEvent.Arrive("P", "p1"), "worker:P", null);
        s.apply(new QueueEvent.Arrive("Q", "q1"), "worker:Q", null);
        s.apply(new QueueEvent.Leave("P", "p1", QueueEvent.Departure.SUBMIT), "marketplace", null);
        s.apply(new QueueEvent.Leave("Q", "q1", QueueEvent.Departure.SUBMIT), "marketplace", null);
        store.commit(s.items);
        assertThat(s.hires).hasSize(2);

        List<HireRequest> pending = store.pendingHireRequests().stream().filter(r -> r.sessionId() == c.sessionId())
                .toList();
        assertThat(pending).extracting(HireRequest::number).containsExactly(1, 2);

        assertThat(store.updateHireRequest(c.sessionId(), 1, HireRequest.State.SENT, 1, "ThrottlingException", null))
                .isTrue();
        assertThat(store.updateHireRequest(c.sessionId(), 2, HireRequest.State.DONE, 1, null, "HIT-2")).isTrue();
        assertThat(store.updateHireRequest(c.sessionId(), 3, HireRequest.State.DONE, 1, null, "HIT-3")).isFalse();
        List<HireRequest> now = store.hireRequests(c.sessionId());
        assertThat(now.get(0).state()).isEqualTo(HireRequest.State.SENT);
        assertThat(now.get(0).attempts()).isEqualTo(1);
        assertThat(now.get(0).lastError()).isEqualTo("ThrottlingException");
        assertThat(now.get(0).updatedAt()).isAfter(now.get(0).requestedAt());
        assertThat(now.get(1).state()).isEqualTo(HireRequest.State.DONE);
        assertThat(store.hireRequestHitId(c.sessionId(), 2)).contains("HIT-2");
        assertThat(store.hireRequestHitId(c.sessionId(), 1)).isEmpty();
        assertThat(store.pendingHireRequests()).extracting(r -> List.of(r.sessionId(), r.number()))
                .contains(List.of(c.sessionId(), 1)).doesNotContain(List.of(c.sessionId(), 2));

        store.updateHireRequest(c.sessionId(), 1, HireRequest.State.FAILED, 5, "RequestError: " + "x".repeat(5000),
                null);
        HireRequest failed = store.hireRequests(c.sessionId()).get(0);
        assertThat(failed.state()).isEqualTo(HireRequest.State.FAILED);
        assertThat(failed.lastError()).hasSizeLessThanOrEqualTo(4000).startsWith("RequestError: ");
        assertThat(store.pendingHireRequests()).noneMatch(r -> r.sessionId() == c.sessionId());
        // a null hit id keeps the one recorded
        store.updateHireRequest(c.sessionId(), 2, HireRequest.State.DONE, 2, null, null);
        assertThat(store.hireRequestHitId(c.sessionId(), 2)).contains("HIT-2");
    }

    /** Sessions' hires decided by workers who arrive and submit, {@code n} of them, committed. */
    private SessionConfig sessionWithHires(int n, long seqBase) {
        SessionConfig c = newSession(new Thresholds(1, 0, 1, 1), false);
        EngineScenario s = new EngineScenario(c, seqBase, T0);
        for (int i = 0; i < n; i++) {
            s.apply(new QueueEvent.Arrive("W" + i, "a" + i), "worker:W" + i, null);
            s.apply(new QueueEvent.Leave("W" + i, "a" + i, QueueEvent.Departure.SUBMIT), "marketplace", null);
        }
        store.commit(s.items);
        assertThat(s.hires).hasSize(n);
        return c;
    }

    @Test
    void dueHireRequestsComeInTurnsAcrossSessionsBoundedByTheLimit() {
        long a = sessionWithHires(3, 10).sessionId();
        long b = sessionWithHires(1, 20).sessionId();
        long c = sessionWithHires(2, 30).sessionId();
        Set<Long> ours = Set.of(a, b, c);
        // Whole milliseconds: a database rounds the stored next attempt to its precision, and a time rounded up
        // by a microsecond would not be due at the very instant it names.
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        java.util.function.Function<List<HireRequest>, List<String>> mine = list -> list.stream()
                .filter(h -> ours.contains(h.sessionId())).map(h -> h.sessionId() + "/" + h.number()).toList();

        // every session's oldest before any session's second; within a turn, from the session after the one given
        assertThat(mine.apply(store.dueHireRequests(now, 1000, 0))).containsExactly(
                a + "/1", b + "/1", c + "/1", a + "/2", c + "/2", a + "/3");
        assertThat(mine.apply(store.dueHireRequests(now, 1000, a))).startsWith(b + "/1", c + "/1", a + "/1");
        assertThat(mine.apply(store.dueHireRequests(now, 1000, c))).startsWith(a + "/1", b + "/1", c + "/1");
        assertThat(store.dueHireRequests(now, 2, 0)).hasSize(2);

        // a request waiting for its next attempt is not due until then; a settled one never again
        Instant later = now.plusSeconds(60);
        assertThat(store.updateHireRequest(a, 1, HireRequest.State.SENT, 1, "throttled", null, later)).isTrue();
        assertThat(store.updateHireRequest(b, 1, HireRequest.State.DONE, 1, null, "HIT-B1")).isTrue();
        assertThat(mine.apply(store.dueHireRequests(now, 1000, 0))).containsExactly(
                a + "/2", c + "/1", a + "/3", c + "/2");
        assertThat(mine.apply(store.dueHireRequests(later, 1000, 0))).containsExactly(
                a + "/1", c + "/1", a + "/2", c + "/2", a + "/3");
        assertThat(store.dueHireRequest(a, 1, now)).isEmpty();
        assertThat(store.dueHireRequest(a, 1, later)).hasValueSatisfying(h -> assertThat(h.attempts()).isEqualTo(1));
        assertThat(store.dueHireRequest(b, 1, later)).isEmpty();
        // any update without a next attempt makes it due at once
        store.updateHireRequest(a, 1, HireRequest.State.SENT, 2, null, null);
        assertThat(store.dueHireRequest(a, 1, now)).isPresent();
    }

    @Test
    void liveSessionHitsAreWalkedInSlicesAfterACursor() {
        long a = newSession(new Thresholds(1, 0, 1, 1), false).sessionId();
        long b = newSession(new Thresholds(1, 0, 1, 1), false).sessionId();
        store.addSessionHit(b, "TYPE", "HIT-b1");
        store.addSessionHit(a, "TYPE", "HIT-a2");
        store.addSessionHit(a, "TYPE", "HIT-a1");
        List<SessionHit> all = store.liveSessionHitsAfter(null, 100_000).stream()
                .filter(h -> h.sessionId() == a || h.sessionId() == b).toList();
        assertThat(all).containsExactly(new SessionHit(a, "HIT-a1"), new SessionHit(a, "HIT-a2"),
                new SessionHit(b, "HIT-b1"));
        assertThat(store.liveSessionHitsAfter(new SessionHit(a, "HIT-a1"), 1)).containsExactly(
                new SessionHit(a, "HIT-a2"));
        assertThat(store.liveSessionHitsAfter(new SessionHit(a, "HIT-a2"), 1)).containsExactly(
                new SessionHit(b, "HIT-b1"));
        assertThat(store.liveSessionHitsAfter(null, 2)).hasSize(2);
    }

    @Test
    void longFreeTextIsClippedNotRefused() {
        SessionConfig c = newSession(new Thresholds(1, 0, 1, 1), false);
        EngineScenario s = new EngineScenario(c, 3, T0);
        s.apply(new QueueEvent.Arrive("P", "p9"), "worker:" + "p".repeat(500), "d".repeat(10_000));
        store.commit(s.items);
        Map<String, Object> row = jdbc.queryForMap("select actor, detail from session_event where session_id = ? "
                + "and kind = 'status' and to_status = 'WAITING'", c.sessionId());
        assertThat((String) row.get("actor")).hasSize(200).startsWith("worker:ppp");
        assertThat((String) row.get("detail")).hasSize(4000).startsWith("ddd");
    }

    // ---- many sessions in large groups (speed is measured by the benchmark, not here) ----------

    @ParameterizedTest(name = "group commits of {0} items")
    @ValueSource(ints = {20, 100})
    void largeGroupCommitsOfInterleavedSessionsKeepEveryEvent(int groupSize) {
        Thresholds t = new Thresholds(3, 2, 5, 6);
        List<CommitItem> items = interleaved(t, 8, 300, 2000);
        long facts = items.stream().mapToLong(i -> i.facts().size()).sum();
        long before = jdbc.queryForObject("select count(*) from session_event", Long.class);
        for (List<CommitItem> group : fixedGroups(items, groupSize)) {
            store.commit(group);
        }
        long after = jdbc.queryForObject("select count(*) from session_event", Long.class);
        assertThat(after - before).isEqualTo(facts);
        for (long sessionId : items.stream().map(CommitItem::sessionId).distinct().toList()) {
            long expected = items.stream().filter(i -> i.sessionId() == sessionId)
                    .mapToLong(i -> i.facts().size()).sum();
            assertThat(store.loadSession(sessionId).orElseThrow().facts()).hasSize((int) expected);
        }
    }

    private List<CommitItem> interleaved(Thresholds t, int sessions, int events, long seed) {
        List<EngineScenario> scenarios = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            scenarios.add(new EngineScenario(newSession(t, i % 3 == 0), seed + i, T0).run(events));
        }
        List<CommitItem> all = new ArrayList<>();
        int most = scenarios.stream().mapToInt(s -> s.items.size()).max().orElse(0);
        for (int i = 0; i < most; i++) {
            for (EngineScenario s : scenarios) {
                if (i < s.items.size()) {
                    all.add(s.items.get(i));
                }
            }
        }
        return all;
    }

    private static List<List<CommitItem>> fixedGroups(List<CommitItem> items, int size) {
        List<List<CommitItem>> groups = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) {
            groups.add(items.subList(i, Math.min(items.size(), i + size)));
        }
        return groups;
    }

    @Test
    void aSessionIsFoundByAnyOfItsHits() {
        SessionConfig a = newSession(new Thresholds(1, 0, 2, 2), false);
        SessionConfig b = newSession(new Thresholds(1, 0, 2, 2), false);
        assertThat(store.recordSessionHit(a.sessionId(), "TYPE-1", "HIT-A1")).isTrue();
        store.addSessionHit(a.sessionId(), "TYPE-1", "HIT-A2");
        store.addSessionHit(b.sessionId(), "TYPE-2", "HIT-B1");
        store.addSessionHit(b.sessionId(), "TYPE-2", "HIT-A1"); // already A's: left as it is

        assertThat(store.findSessionByHit("HIT-A1")).contains(a.sessionId());
        assertThat(store.findSessionByHit("HIT-A2")).contains(a.sessionId());
        assertThat(store.findSessionByHit("HIT-B1")).contains(b.sessionId());
        assertThat(store.findSessionByHit("HIT-UNKNOWN")).isEmpty();
    }
}
