package org.pavilion.eligibility;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.pavilion.marketplace.Marketplace;
import org.pavilion.storage.SqlSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Past participants kept out at the marketplace too (issue 14 item 4.4): a project whose task excludes the
 * project's workers gets a qualification type of its own at the marketplace ("took part in …"), its HITs
 * require that the worker does not hold it, and every worker admitted to any of the project's sessions is
 * given it. Giving it is a sweep over {@code session_worker} (a row there is an admitted, confirmed worker)
 * against {@code project_participant_grant}, so a marketplace outage or a restart only delays it; until then
 * the arrival check refuses such a worker anyway.
 */
@Component
public class ParticipantQualifications implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ParticipantQualifications.class);

    private final JdbcTemplate jdbc;
    private final ObjectProvider<Marketplace> marketplace;
    private final Clock clock;
    private final Duration poll;
    private volatile ScheduledExecutorService sweeper;

    public ParticipantQualifications(JdbcTemplate jdbc, ObjectProvider<Marketplace> marketplace, Clock clock,
                                     @Value("${pavilion.eligibility.grant-poll:5s}") Duration poll) {
        this.jdbc = jdbc;
        this.marketplace = marketplace;
        this.clock = clock;
        this.poll = poll;
    }

    /** The project's qualification type id, if it has one already. */
    public Optional<String> typeOf(long projectId) {
        return jdbc.queryForList("select qualification_type_id from project_participant_qualification "
                + "where project_id = ?", String.class, projectId).stream().findFirst();
    }

    /**
     * The project's qualification type, made at the marketplace the first time. Its name is unique per
     * requester, so an earlier attempt whose answer was lost is found by name, not made twice.
     */
    public synchronized String ensure(long projectId, String installationId) {
        Optional<String> known = typeOf(projectId);
        if (known.isPresent()) {
            return known.get();
        }
        String projectName = jdbc.queryForObject("select name from project where id = ?", String.class, projectId);
        String name = "Took part in " + SqlSupport.clip(projectName, 120) + " (Pavilion " + installationId
                + " project " + projectId + ")";
        Marketplace m = marketplace.getObject();
        String typeId = m.findQualificationType(name).orElseGet(() -> m.createQualificationType(name,
                "Given to workers who took part in a session of this project; its HITs take each worker once."));
        jdbc.update("insert into project_participant_qualification (project_id, qualification_type_id, created_at) "
                + "values (?, ?, ?)", projectId, typeId, java.sql.Timestamp.from(clock.instant()));
        return typeId;
    }

    private record Pending(long projectId, String typeId, String workerId) {
    }

    /** Gives the qualification to every admitted worker of a project that has one and does not yet; returns how many. */
    public int grantPending() {
        List<Pending> pending = jdbc.query("select distinct t.project_id, q.qualification_type_id, sw.worker_id "
                + "from session_worker sw join live_session ls on ls.id = sw.session_id "
                + "join task t on t.id = ls.task_id "
                + "join project_participant_qualification q on q.project_id = t.project_id "
                + "where not exists (select 1 from project_participant_grant g "
                + "where g.project_id = t.project_id and g.worker_id = sw.worker_id)",
                (rs, n) -> new Pending(rs.getLong(1), rs.getString(2), rs.getString(3)));
        int granted = 0;
        for (Pending p : pending) {
            try {
                marketplace.getObject().associateQualification(p.typeId(), p.workerId(), 1);
            } catch (RuntimeException e) { // MarketplaceException, or the marketplace not configured
                log.warn("could not give worker {} the participant qualification of project {} yet: {}",
                        p.workerId(), p.projectId(), e.getMessage());
                continue; // the next sweep tries again
            }
            jdbc.update("insert into project_participant_grant (project_id, worker_id, granted_at) values (?, ?, ?)",
                    p.projectId(), p.workerId(), java.sql.Timestamp.from(clock.instant()));
            granted++;
        }
        return granted;
    }

    @Override
    public void start() {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pavilion-participants");
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(() -> {
            try {
                grantPending();
            } catch (RuntimeException e) {
                log.warn("participant qualification sweep failed; retrying", e);
            }
        }, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
        sweeper = s;
    }

    @Override
    public void stop() {
        ScheduledExecutorService s = sweeper;
        if (s != null) {
            s.shutdownNow();
        }
        sweeper = null;
    }

    @Override
    public boolean isRunning() {
        return sweeper != null;
    }
}
