package org.pavilion.eligibility;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.MarketplaceSettings.Mode;
import org.pavilion.marketplace.Marketplaces;
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
    private final ObjectProvider<Marketplaces> marketplaces;
    private final Clock clock;
    private final Duration poll;
    private volatile ScheduledExecutorService sweeper;

    public ParticipantQualifications(JdbcTemplate jdbc, ObjectProvider<Marketplaces> marketplaces, Clock clock,
                                     @Value("${pavilion.eligibility.grant-poll:5s}") Duration poll) {
        this.jdbc = jdbc;
        this.marketplaces = marketplaces;
        this.clock = clock;
        this.poll = poll;
    }

    /** The project's qualification type id on a marketplace, if it has one there already. */
    public Optional<String> typeOf(long projectId, Mode mode) {
        return jdbc.queryForList("select qualification_type_id from project_participant_qualification "
                + "where project_id = ? and marketplace_mode = ?", String.class, projectId, mode.name()).stream()
                .findFirst();
    }

    /**
     * The project's qualification type, made at the marketplace the first time. Its name is unique per
     * requester, so an earlier attempt whose answer was lost is found by name, not made twice.
     */
    public synchronized String ensure(long projectId, String installationId, Mode mode) {
        Optional<String> known = typeOf(projectId, mode);
        if (known.isPresent()) {
            return known.get();
        }
        String projectName = jdbc.queryForObject("select name from project where id = ?", String.class, projectId);
        String name = "Took part in " + SqlSupport.clip(projectName, 120) + " (Pavilion " + installationId
                + " project " + projectId + ")";
        Marketplace m = marketplaces.getObject().of(mode);
        String typeId = m.findQualificationType(name).orElseGet(() -> m.createQualificationType(name,
                "Given to workers who took part in a session of this project; its HITs take each worker once."));
        jdbc.update("insert into project_participant_qualification (project_id, marketplace_mode, "
                + "qualification_type_id, created_at) values (?, ?, ?, ?)", projectId, mode.name(), typeId,
                java.sql.Timestamp.from(clock.instant()));
        return typeId;
    }

    private record Pending(long projectId, Mode mode, String typeId, String workerId) {
    }

    /** Gives the qualification to every admitted worker of a project that has one and does not yet; returns how many. */
    public int grantPending() {
        // A worker is given the qualification on the marketplace of the session that admitted them (a session
        // older than the choice of marketplace is on the configured one).
        String configured = marketplaces.getObject().configured().name();
        List<Pending> pending = jdbc.query("select distinct t.project_id, q.marketplace_mode, q.qualification_type_id, "
                + "sw.worker_id from session_worker sw join live_session ls on ls.id = sw.session_id "
                + "join task t on t.id = ls.task_id "
                + "join project_participant_qualification q on q.project_id = t.project_id "
                + "and q.marketplace_mode = coalesce(ls.marketplace_mode, ?) "
                + "where not exists (select 1 from project_participant_grant g where g.project_id = t.project_id "
                + "and g.marketplace_mode = q.marketplace_mode and g.worker_id = sw.worker_id)",
                (rs, n) -> new Pending(rs.getLong(1), Mode.valueOf(rs.getString(2)), rs.getString(3),
                        rs.getString(4)), configured);
        int granted = 0;
        for (Pending p : pending) {
            try {
                marketplaces.getObject().of(p.mode()).associateQualification(p.typeId(), p.workerId(), 1);
            } catch (RuntimeException e) { // MarketplaceException, or the marketplace not configured
                log.warn("could not give worker {} the participant qualification of project {} yet: {}",
                        p.workerId(), p.projectId(), e.getMessage());
                continue; // the next sweep tries again
            }
            jdbc.update("insert into project_participant_grant (project_id, marketplace_mode, worker_id, granted_at) "
                    + "values (?, ?, ?, ?)", p.projectId(), p.mode().name(), p.workerId(),
                    java.sql.Timestamp.from(clock.instant()));
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
