package org.pavilion.project;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.pavilion.queue.Thresholds;
import org.pavilion.session.PaySettings.ApprovalPolicy;
import org.pavilion.storage.SqlSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;

/** Tasks, in the {@code task} table. Sessions copy a task's settings when they open, so edits never reach them. */
@Repository
public class TaskRepository {

    private static final String SETTINGS_COLUMNS = "title, description, keywords, reward_cents, "
            + "assignment_duration_seconds, lifetime_seconds, auto_approval_delay_seconds, country, "
            + "min_approval_percent, min_approved_hits, external_url, frame_height, min_active, min_waiting, "
            + "max_active, max_waiting, allow_repeat_workers, waiting_pay_cents_per_hour, disconnect_grace_seconds, "
            + "hire_budget, spend_cap_cents, max_paid_wait_minutes, approval_policy, auto_compensate";
    private static final String COLUMNS = "id, project_id, " + SETTINGS_COLUMNS + ", created_at, updated_at";

    private final JdbcTemplate jdbc;

    @Autowired
    public TaskRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public TaskRepository(DataSource dataSource) {
        this(new JdbcTemplate(dataSource));
    }

    /** Creates a task in a project; an unknown project is refused with {@link UnknownProjectException}. */
    public Task create(long projectId, TaskSettings settings, Instant at) {
        requireProject(projectId);
        KeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement("insert into task (project_id, " + SETTINGS_COLUMNS
                    + ", created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    + "?, ?, ?)",
                    new String[] {"id"});
            ps.setLong(1, projectId);
            int i = bindSettings(ps, 2, settings);
            SqlSupport.set(ps, i, at);
            SqlSupport.set(ps, i + 1, at);
            return ps;
        }, keys);
        return new Task(SqlSupport.generatedId(keys), projectId, settings, at, at);
    }

    /** Replaces a task's settings; live sessions keep the copies they took. */
    public Task update(long taskId, TaskSettings settings, Instant at) {
        int updated = jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement("update task set title = ?, description = ?, keywords = ?, "
                    + "reward_cents = ?, assignment_duration_seconds = ?, lifetime_seconds = ?, "
                    + "auto_approval_delay_seconds = ?, country = ?, min_approval_percent = ?, min_approved_hits = ?, "
                    + "external_url = ?, frame_height = ?, min_active = ?, min_waiting = ?, max_active = ?, "
                    + "max_waiting = ?, allow_repeat_workers = ?, waiting_pay_cents_per_hour = ?, "
                    + "disconnect_grace_seconds = ?, hire_budget = ?, spend_cap_cents = ?, max_paid_wait_minutes = ?, "
                    + "approval_policy = ?, auto_compensate = ?, updated_at = ? where id = ?");
            int i = bindSettings(ps, 1, settings);
            SqlSupport.set(ps, i, at);
            ps.setLong(i + 1, taskId);
            return ps;
        });
        if (updated == 0) {
            throw new UnknownTaskException(taskId);
        }
        return find(taskId).orElseThrow(() -> new UnknownTaskException(taskId));
    }

    public Optional<Task> find(long taskId) {
        return jdbc.query("select " + COLUMNS + " from task where id = ?", TaskRepository::map, taskId)
                .stream().findFirst();
    }

    /** The project's tasks, oldest first. */
    public List<Task> listByProject(long projectId) {
        return jdbc.query("select " + COLUMNS + " from task where project_id = ? order by id", TaskRepository::map,
                projectId);
    }

    /** Every task, oldest first. */
    public List<Task> list() {
        return jdbc.query("select " + COLUMNS + " from task order by id", TaskRepository::map);
    }

    private void requireProject(long projectId) {
        Integer n = jdbc.queryForObject("select count(*) from project where id = ?", Integer.class, projectId);
        if (n == null || n == 0) {
            throw new UnknownProjectException(projectId);
        }
    }

    private static int bindSettings(PreparedStatement ps, int start, TaskSettings s) throws SQLException {
        int i = start;
        ps.setString(i++, s.title());
        ps.setString(i++, s.description());
        ps.setString(i++, s.keywords());
        ps.setInt(i++, s.rewardCents());
        ps.setInt(i++, s.assignmentDurationSeconds());
        ps.setInt(i++, s.lifetimeSeconds());
        ps.setInt(i++, s.autoApprovalDelaySeconds());
        ps.setString(i++, s.country());
        setInteger(ps, i++, s.minApprovalPercent());
        setInteger(ps, i++, s.minApprovedHits());
        ps.setString(i++, s.externalUrl());
        ps.setInt(i++, s.frameHeight());
        Thresholds t = s.thresholds();
        ps.setInt(i++, t.minActive());
        ps.setInt(i++, t.minWaiting());
        ps.setInt(i++, t.maxActive());
        ps.setInt(i++, t.maxWaiting());
        ps.setBoolean(i++, s.allowRepeatWorkers());
        ps.setInt(i++, s.waitingPayCentsPerHour());
        ps.setInt(i++, s.disconnectGraceSeconds());
        setInteger(ps, i++, s.hireBudget());
        setInteger(ps, i++, s.spendCapCents());
        ps.setInt(i++, s.maxPaidWaitMinutes());
        ps.setString(i++, s.approvalPolicy().name());
        ps.setBoolean(i++, s.autoCompensate());
        return i;
    }

    private static void setInteger(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }

    private static Integer getInteger(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static Task map(ResultSet rs, int row) throws SQLException {
        TaskSettings settings = new TaskSettings(rs.getString("title"), rs.getString("description"),
                rs.getString("keywords"), rs.getInt("reward_cents"), rs.getInt("assignment_duration_seconds"),
                rs.getInt("lifetime_seconds"), rs.getInt("auto_approval_delay_seconds"), rs.getString("country"),
                getInteger(rs, "min_approval_percent"), getInteger(rs, "min_approved_hits"),
                rs.getString("external_url"), rs.getInt("frame_height"),
                new Thresholds(rs.getInt("min_active"), rs.getInt("min_waiting"), rs.getInt("max_active"),
                        rs.getInt("max_waiting")),
                rs.getBoolean("allow_repeat_workers"), rs.getInt("waiting_pay_cents_per_hour"),
                rs.getInt("disconnect_grace_seconds"), getInteger(rs, "hire_budget"), getInteger(rs, "spend_cap_cents"),
                rs.getInt("max_paid_wait_minutes"), ApprovalPolicy.valueOf(rs.getString("approval_policy")),
                rs.getBoolean("auto_compensate"));
        return new Task(rs.getLong("id"), rs.getLong("project_id"), settings, SqlSupport.get(rs, "created_at"),
                SqlSupport.get(rs, "updated_at"));
    }
}
