package org.pavilion.admin.projects;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pavilion.eligibility.EligibilityStore;
import org.pavilion.project.Project;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.Task;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.project.UnknownProjectException;
import org.pavilion.project.UnknownTaskException;
import org.pavilion.storage.SqlSupport;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the admin pages and the REST API do with projects and tasks. Every write validates the
 * whole form first and saves nothing when a field is bad ({@link ValidationFailedException}).
 */
@Service
public class ProjectAdminService {

    private final ProjectRepository projects;
    private final TaskRepository tasks;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final EligibilityStore eligibility;

    public ProjectAdminService(ProjectRepository projects, TaskRepository tasks, JdbcTemplate jdbc,
                               PlatformTransactionManager transactions, Clock clock, EligibilityStore eligibility) {
        this.eligibility = eligibility;
        this.projects = projects;
        this.tasks = tasks;
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        this.clock = clock;
    }

    /** Now, at the store's precision (microseconds), so what is returned equals what is read back. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    // ---- projects ------------------------------------------------------------------------------

    public List<Project> projects() {
        return projects.list();
    }

    public Project project(long id) {
        return projects.find(id).orElseThrow(() -> new UnknownProjectException(id));
    }

    public Project createProject(ProjectForm form) {
        Map<String, String> errors = form.validate();
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
        return projects.create(form.getName(), form.getDescription(), now());
    }

    // ---- tasks ---------------------------------------------------------------------------------

    public List<Task> tasks(long projectId) {
        project(projectId);
        return tasks.listByProject(projectId);
    }

    public List<Task> allTasks() {
        return tasks.list();
    }

    public Task task(long id) {
        return tasks.find(id).orElseThrow(() -> new UnknownTaskException(id));
    }

    public Task createTask(long projectId, TaskForm form) {
        project(projectId);
        return tasks.create(projectId, valid(form), now());
    }

    public Task updateTask(long taskId, TaskForm form) {
        task(taskId);
        return tasks.update(taskId, valid(form), now());
    }

    /** A new task in the same project with the same settings, titled "Copy of …". */
    public Task cloneTask(long taskId) {
        Task original = task(taskId);
        TaskSettings s = original.settings();
        TaskSettings copy = s.withTitle(TaskForm.copyTitle(s.title()));
        // Who may work goes with the copy: a clone re-posted must not let in whom the original kept out.
        return tx.execute(status -> {
            Task created = tasks.create(original.projectId(), copy, now());
            eligibility.save(created.id(), eligibility.find(taskId), now());
            return created;
        });
    }

    /**
     * Deletes a task that was never posted. A task with sessions is refused with
     * {@link TaskPostedException}: its sessions and their logs refer to it.
     */
    public void deleteTask(long taskId) {
        Task task = task(taskId);
        Integer deleted;
        try {
            deleted = tx.execute(status -> jdbc.update("delete from task where id = ? and not exists "
                    + "(select 1 from live_session where task_id = ?)", taskId, taskId));
        } catch (DataIntegrityViolationException e) {
            // a session opened between the check and the delete
            deleted = 0;
        }
        if (deleted == null || deleted == 0) {
            int sessions = sessionCount(taskId);
            if (sessions > 0) {
                throw new TaskPostedException(taskId, task.title(), sessions);
            }
            throw new UnknownTaskException(taskId);
        }
    }

    /** Whether the task has ever been posted (has a session). */
    public boolean posted(long taskId) {
        return sessionCount(taskId) > 0;
    }

    private int sessionCount(long taskId) {
        Integer n = jdbc.queryForObject("select count(*) from live_session where task_id = ?", Integer.class, taskId);
        return n == null ? 0 : n;
    }

    private static TaskSettings valid(TaskForm form) {
        TaskForm.Validation v = form.validate();
        if (!v.valid()) {
            throw new ValidationFailedException(v.errors());
        }
        return v.settings();
    }

    // ---- sessions ------------------------------------------------------------------------------

    /** Every session, oldest first. */
    public List<SessionSummary> sessions() {
        return sessionsWhere("", new Object[0]);
    }

    /** The task's sessions, oldest first. */
    public List<SessionSummary> sessionsOfTask(long taskId) {
        return sessionsWhere(" where task_id = ?", new Object[] {taskId});
    }

    /** Sessions grouped by task id. */
    public Map<Long, List<SessionSummary>> sessionsByTask() {
        Map<Long, List<SessionSummary>> byTask = new HashMap<>();
        for (SessionSummary s : sessions()) {
            byTask.computeIfAbsent(s.taskId(), k -> new ArrayList<>()).add(s);
        }
        return byTask;
    }

    private List<SessionSummary> sessionsWhere(String where, Object[] args) {
        Map<Long, int[]> counts = new HashMap<>();
        jdbc.query("select session_id, status, count(*) as n from session_worker where status in ('WAITING', 'ACTIVE') "
                + "group by session_id, status", rs -> {
                    int[] c = counts.computeIfAbsent(rs.getLong("session_id"), k -> new int[2]);
                    c["WAITING".equals(rs.getString("status")) ? 0 : 1] = rs.getInt("n");
                });
        return jdbc.query("select id, task_id, started, stopped, expired, opened_at, started_at, stopped_at, ended_at, "
                + "hit_id, name, marketplace_mode from live_session" + where + " order by id", (rs, row) -> {
                    long id = rs.getLong("id");
                    String status = rs.getBoolean("expired") ? "expired" : rs.getBoolean("stopped") ? "stopped" : "live";
                    int[] c = counts.getOrDefault(id, new int[2]);
                    return new SessionSummary(id, rs.getLong("task_id"), status, rs.getBoolean("started"),
                            SqlSupport.get(rs, "opened_at"), SqlSupport.get(rs, "started_at"),
                            SqlSupport.get(rs, "stopped_at"), SqlSupport.get(rs, "ended_at"), rs.getString("hit_id"),
                            c[0], c[1], rs.getString("name"), rs.getString("marketplace_mode"));
                }, args);
    }
}
