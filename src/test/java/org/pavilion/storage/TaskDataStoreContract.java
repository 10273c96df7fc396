package org.pavilion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.tasklogic.InvalidTaskDataException;
import org.pavilion.tasklogic.TaskRecord;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The task-data store (issue 13 item 7) on every supported database: records are kept with their
 * session, worker, alias, time and payload, in order, survive reopening the database, and a bad or
 * oversized record is refused with nothing stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TaskDataStoreContract {

    static final Instant T0 = Instant.parse("2025-03-01T12:00:00.123456Z");

    HikariDataSource dataSource;
    TaskDataStore store;
    JdbcTemplate jdbc;

    /** A new, empty database (migrated by the contract). */
    abstract HikariDataSource createDataSource() throws Exception;

    /** Another pool on the same database, as a restarted Pavilion would open it (the first pool is closed). */
    abstract HikariDataSource reopen();

    @BeforeAll
    void setUp() throws Exception {
        dataSource = createDataSource();
        TestDatabases.flyway(dataSource).migrate();
        store = new TaskDataStore(dataSource);
        jdbc = new JdbcTemplate(dataSource);
    }

    @AfterAll
    void tearDown() {
        if (dataSource != null) {
            dataSource.close();
        }
    }

    long newSession() {
        long project = new ProjectRepository(dataSource).create("Task data", "", T0).id();
        long task = new TaskRepository(dataSource).create(project, TaskSettings.basic("Chat", "A group chat", "https://example.org/t",
                50, new Thresholds(1, 0, 2, 2)), T0).id();
        return new JdbcSessionStore(dataSource).openSession(task, T0).sessionId();
    }

    static TaskRecord chat(long session, long second, String worker, String alias, String text) {
        JSONObject data = new JSONObject().put("text", text).put("from", alias);
        return new TaskRecord(0, session, T0.plusSeconds(second), worker, alias, "chat_message", data.toString());
    }

    @Test
    void recordsAreKeptInOrderWithWorkerAliasTimeAndPayloadAndSurviveReopening() {
        long session = newSession();
        long other = newSession();
        List<TaskRecord> written = store.append(List.of(chat(session, 1, "W1", "Worker 1", "hello, \"all\""),
                chat(session, 2, "W2", "Worker 2", "héllo ✓ <b>")));
        store.append(List.of(chat(other, 1, "W9", "Worker 1", "elsewhere")));
        store.append(List.of(new TaskRecord(0, session, T0.plusSeconds(3), "W1", null, "move",
                new JSONObject().put("x", 3).toString())));
        assertThat(written).extracting(TaskRecord::id).doesNotContain(0L);
        assertThat(written.get(0).id()).isLessThan(written.get(1).id());

        dataSource.close(); // a restart: a new pool, a new store
        dataSource = reopen();
        store = new TaskDataStore(dataSource);
        jdbc = new JdbcTemplate(dataSource);

        List<TaskRecord> kept = store.forSession(session);
        assertThat(kept).hasSize(3);
        assertThat(kept.get(0)).isEqualTo(written.get(0));
        assertThat(kept.get(0).at()).isEqualTo(T0.plusSeconds(1));
        assertThat(kept.get(1).workerId()).isEqualTo("W2");
        assertThat(kept.get(1).alias()).isEqualTo("Worker 2");
        assertThat(kept.get(1).json().getString("text")).isEqualTo("héllo ✓ <b>");
        assertThat(kept.get(2).alias()).isNull();
        assertThat(kept.get(2).kind()).isEqualTo("move");
        assertThat(kept.get(2).json().getInt("x")).isEqualTo(3);
        assertThat(store.latest(session, 2)).extracting(TaskRecord::kind).containsExactly("move", "chat_message");
        assertThat(store.count(session)).isEqualTo(3);
        assertThat(store.forSession(other)).singleElement().satisfies(r -> assertThat(r.workerId()).isEqualTo("W9"));
    }

    @Test
    void aBadOrOversizedRecordIsRefusedAndNothingOfItsBatchIsStored() {
        long session = newSession();
        TaskRecord good = chat(session, 1, "W1", "Worker 1", "fine");
        String big = new JSONObject().put("text", "x".repeat(TaskRecord.MAX_PAYLOAD)).toString();
        List<TaskRecord> bad = List.of(
                new TaskRecord(0, session, T0, "W1", "Worker 1", "chat_message", big),
                new TaskRecord(0, session, T0, "W1", "Worker 1", "chat_message", "not json"),
                new TaskRecord(0, session, T0, "W1", "Worker 1", "chat_message", "[1,2]"),
                new TaskRecord(0, session, T0, "W1", "Worker 1", "bad kind!", "{}"),
                new TaskRecord(0, session, T0, "W1", "x".repeat(65), "chat_message", "{}"),
                new TaskRecord(0, session, T0, "W1", "line\nbreak", "chat_message", "{}"));
        for (TaskRecord r : bad) {
            assertThatThrownBy(() -> store.append(List.of(good, r))).as(r.toString())
                    .isInstanceOf(InvalidTaskDataException.class);
        }
        assertThat(store.count(session)).isZero();

        // The schema bounds the payload too, whoever writes.
        assertThatThrownBy(() -> jdbc.update("insert into task_data (session_id, at, worker_id, kind, payload) "
                + "values (?, ?, 'W1', 'raw', ?)", session, SqlSupport.toSql(T0), big))
                .isInstanceOf(org.springframework.dao.DataAccessException.class);
        assertThat(store.count(session)).isZero();
    }
}
