package org.pavilion.storage;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import javax.sql.DataSource;

import org.json.JSONException;
import org.json.JSONObject;
import org.pavilion.tasklogic.InvalidTaskDataException;
import org.pavilion.tasklogic.TaskRecord;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The task data of live sessions (table {@code task_data}, issue 13 item 7): what task logic recorded
 * of its events, kept like the event log (committed before the event is answered) and exported with
 * the session.
 */
@Repository
public class TaskDataStore {

    private static final String COLUMNS = "id, session_id, at, worker_id, alias, kind, payload";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    @Autowired
    public TaskDataStore(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
        this.tx = new TransactionTemplate(transactions);
    }

    /** A store on its own JdbcTemplate and transaction manager (tools and tests). */
    public TaskDataStore(DataSource dataSource) {
        this(new JdbcTemplate(dataSource), new DataSourceTransactionManager(dataSource));
    }

    /**
     * Writes the records in one transaction, all or nothing, in their order; returns them with their ids.
     * Each is checked first ({@link TaskRecord#check}): one bad record writes nothing.
     */
    public List<TaskRecord> append(List<TaskRecord> records) {
        for (TaskRecord r : records) {
            if (r.payload() == null || r.payload().length() > TaskRecord.MAX_PAYLOAD) {
                throw new InvalidTaskDataException("the record's data must be a JSON object of at most "
                        + TaskRecord.MAX_PAYLOAD + " characters; nothing was stored");
            }
            JSONObject data;
            try {
                data = r.json();
            } catch (JSONException e) {
                throw new InvalidTaskDataException("the record's data must be a JSON object; nothing was stored");
            }
            TaskRecord.check(r.kind(), r.alias(), r.workerId(), data);
        }
        if (records.isEmpty()) {
            return List.of();
        }
        return tx.execute(status -> {
            List<TaskRecord> written = new ArrayList<>(records.size());
            for (TaskRecord r : records) {
                GeneratedKeyHolder keys = new GeneratedKeyHolder();
                jdbc.update(c -> {
                    PreparedStatement ps = c.prepareStatement("insert into task_data (session_id, at, worker_id, "
                            + "alias, kind, payload) values (?, ?, ?, ?, ?, ?)", new String[] {"id"});
                    ps.setLong(1, r.sessionId());
                    SqlSupport.set(ps, 2, r.at());
                    ps.setString(3, r.workerId());
                    ps.setString(4, r.alias());
                    ps.setString(5, r.kind());
                    ps.setString(6, r.payload());
                    return ps;
                }, keys);
                written.add(new TaskRecord(SqlSupport.generatedId(keys), r.sessionId(), r.at(), r.workerId(),
                        r.alias(), r.kind(), r.payload()));
            }
            return written;
        });
    }

    /** Every record of a session, oldest first. */
    public List<TaskRecord> forSession(long sessionId) {
        return jdbc.query("select " + COLUMNS + " from task_data where session_id = ? order by id",
                TaskDataStore::row, sessionId);
    }

    /** The session's latest {@code limit} records, newest first. */
    public List<TaskRecord> latest(long sessionId, int limit) {
        return jdbc.query("select " + COLUMNS + " from task_data where session_id = ? order by id desc limit ?",
                TaskDataStore::row, sessionId, limit);
    }

    /** How many records the session has. */
    public long count(long sessionId) {
        Long n = jdbc.queryForObject("select count(*) from task_data where session_id = ?", Long.class, sessionId);
        return n == null ? 0 : n;
    }

    private static TaskRecord row(ResultSet rs, int row) throws SQLException {
        return new TaskRecord(rs.getLong("id"), rs.getLong("session_id"), SqlSupport.get(rs, "at"),
                rs.getString("worker_id"), rs.getString("alias"), rs.getString("kind"), rs.getString("payload"));
    }
}
