package org.pavilion.eligibility;

import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.pavilion.project.UnknownProjectException;
import org.pavilion.project.UnknownTaskException;
import org.pavilion.storage.SqlSupport;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Who may work, stored (V12): each task's {@link Eligibility}, each project's excluded workers, and the
 * question asked on every arrival, {@link #refusalFor}.
 *
 * <p>"Took part" means: has a row in {@code session_worker} of that session. The engine writes one only
 * when it admits a worker, which it does only for the worker the marketplace confirmed as the
 * assignment's (SPEC §4.1.0); so a page's made-up claim never makes anyone a past participant.
 */
@Repository
public class EligibilityStore {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public EligibilityStore(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
    }

    /** The task's settings; {@link Eligibility#DEFAULT} if it has none of its own. */
    public Eligibility find(long taskId) {
        List<Eligibility> rows = jdbc.query("select exclude_project_workers, masters from task_eligibility "
                + "where task_id = ?", (rs, n) -> new Eligibility(rs.getBoolean(1), rs.getBoolean(2),
                qualifications(taskId)), taskId);
        return rows.isEmpty() ? new Eligibility(false, false, qualifications(taskId)) : rows.get(0);
    }

    private List<CustomQualification> qualifications(long taskId) {
        return jdbc.query("select qualification_type_id, comparator, integer_values, locale_values "
                + "from task_qualification_requirement where task_id = ? order by position", (rs, n) ->
                new CustomQualification(rs.getString(1), rs.getString(2),
                        split(rs.getString(3)).stream().map(Integer::valueOf).toList(), split(rs.getString(4))),
                taskId);
    }

    private static List<String> split(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : Arrays.asList(joined.split(","));
    }

    /** Replaces the task's settings, all at once. */
    public void save(long taskId, Eligibility e, Instant at) {
        tx.executeWithoutResult(status -> {
            Integer tasks = jdbc.queryForObject("select count(*) from task where id = ?", Integer.class, taskId);
            if (tasks == null || tasks == 0) {
                throw new UnknownTaskException(taskId);
            }
            jdbc.update("delete from task_eligibility where task_id = ?", taskId);
            jdbc.update(con -> {
                PreparedStatement ps = con.prepareStatement("insert into task_eligibility (task_id, "
                        + "exclude_project_workers, masters, updated_at) values (?, ?, ?, ?)");
                ps.setLong(1, taskId);
                ps.setBoolean(2, e.excludeProjectWorkers());
                ps.setBoolean(3, e.masters());
                SqlSupport.set(ps, 4, at);
                return ps;
            });
            jdbc.update("delete from task_qualification_requirement where task_id = ?", taskId);
            int position = 0;
            for (CustomQualification q : e.qualifications()) {
                jdbc.update("insert into task_qualification_requirement (task_id, position, qualification_type_id, "
                        + "comparator, integer_values, locale_values) values (?, ?, ?, ?, ?, ?)", taskId, position++,
                        q.qualificationTypeId(), q.comparator(),
                        String.join(",", q.integerValues().stream().map(String::valueOf).toList()),
                        String.join(",", q.localeValues()));
            }
        });
    }

    // ---- a project's excluded workers ---------------------------------------------------------------

    /** The project's excluded workers, by id. */
    public List<String> excludedWorkers(long projectId) {
        requireProject(projectId);
        return jdbc.queryForList("select worker_id from project_excluded_worker where project_id = ? "
                + "order by worker_id", String.class, projectId);
    }

    /** Adds valid, distinct ids in one transaction; returns those that were not on the list yet. */
    List<String> addExcluded(long projectId, Collection<String> workerIds, Instant at) {
        return tx.execute(status -> {
            requireProject(projectId);
            List<String> added = new ArrayList<>();
            for (String id : workerIds) {
                Integer present = jdbc.queryForObject("select count(*) from project_excluded_worker "
                        + "where project_id = ? and worker_id = ?", Integer.class, projectId, id);
                if (present != null && present == 0) {
                    jdbc.update(con -> {
                        PreparedStatement ps = con.prepareStatement("insert into project_excluded_worker "
                                + "(project_id, worker_id, added_at) values (?, ?, ?)");
                        ps.setLong(1, projectId);
                        ps.setString(2, id);
                        SqlSupport.set(ps, 3, at);
                        return ps;
                    });
                    added.add(id);
                }
            }
            return added;
        });
    }

    /** Removes one id; false if it was not on the list. */
    public boolean removeExcluded(long projectId, String workerId) {
        requireProject(projectId);
        return jdbc.update("delete from project_excluded_worker where project_id = ? and worker_id = ?",
                projectId, workerId) > 0;
    }

    private void requireProject(long projectId) {
        Integer n = jdbc.queryForObject("select count(*) from project where id = ?", Integer.class, projectId);
        if (n == null || n == 0) {
            throw new UnknownProjectException(projectId);
        }
    }

    // ---- the arrival check --------------------------------------------------------------------------

    /** What decides an arrival, read in one query: the session's rules and where the worker took part. */
    private record Arrival(boolean allowRepeatWorkers, boolean excludeProject, boolean alreadyHere, boolean excluded,
                           boolean inProject, boolean inTask) {
    }

    /**
     * Why {@code workerId} may not join session {@code sessionId}, or empty if it may. A worker already
     * in this session is not asked again (a reload, a rejoin: the engine's rules decide those, SPEC §4.1),
     * nor is anyone for an unknown session (the engine refuses it). The session's own copy of
     * allowRepeatWorkers counts; the task's exclusion settings and the project's list count as they are
     * now, so an exclusion added during a session applies to the next arrival. One round trip.
     */
    public Optional<NotEligibleReason> refusalFor(long sessionId, String workerId) {
        List<Arrival> found = jdbc.query("select ls.allow_repeat_workers, te.exclude_project_workers, "
                + "exists (select 1 from session_worker h where h.session_id = ls.id and h.worker_id = ?), "
                + "exists (select 1 from project_excluded_worker x where x.project_id = t.project_id "
                + "and x.worker_id = ?), "
                + "exists (select 1 from session_worker p join live_session pl on pl.id = p.session_id "
                + "join task pt on pt.id = pl.task_id where p.worker_id = ? and pt.project_id = t.project_id "
                + "and p.session_id <> ls.id), "
                + "exists (select 1 from session_worker k join live_session kl on kl.id = k.session_id "
                + "where k.worker_id = ? and kl.task_id = ls.task_id and k.session_id <> ls.id) "
                + "from live_session ls join task t on t.id = ls.task_id "
                + "left join task_eligibility te on te.task_id = t.id where ls.id = ?", (rs, n) ->
                new Arrival(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4), rs.getBoolean(5),
                        rs.getBoolean(6)), workerId, workerId, workerId, workerId, sessionId);
        if (found.isEmpty() || found.get(0).alreadyHere()) {
            return Optional.empty();
        }
        Arrival a = found.get(0);
        if (a.excluded()) {
            return Optional.of(NotEligibleReason.excluded());
        }
        if (a.excludeProject() && a.inProject()) {
            return Optional.of(NotEligibleReason.tookPartInProject());
        }
        if (!a.allowRepeatWorkers() && a.inTask()) {
            return Optional.of(NotEligibleReason.tookPartInTask());
        }
        return Optional.empty();
    }
}
