package org.pavilion.simulator;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.pavilion.pay.PayLedger;
import org.pavilion.pay.PayoutState;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.realtime.SignedTokens;
import org.pavilion.session.LiveSessionService;
import org.pavilion.storage.JdbcSessionStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Sets up what a simulation needs: a fresh project and task, gone live on the local
 * marketplace, and a {@link CrowdSimulator} for its session pointed at this server.
 */
@Component
public class SimulationService {

    /** A live session made for a simulation. */
    public record Live(long projectId, long taskId, long sessionId, String hitId) {
    }

    private final ObjectProvider<LocalMarketplace> local;
    private final MarketplaceService market;
    private final ProjectRepository projects;
    private final TaskRepository tasks;
    private final LiveSessionService sessions;
    private final JdbcSessionStore store;
    private final Environment environment;
    private final PayLedger ledger;
    private final SignedTokens tokens;

    public SimulationService(ObjectProvider<LocalMarketplace> local, MarketplaceService market,
                             ProjectRepository projects, TaskRepository tasks, LiveSessionService sessions,
                             JdbcSessionStore store, Environment environment, PayLedger ledger,
                             SignedTokens tokens) {
        this.tokens = tokens;
        this.ledger = ledger;
        this.local = local;
        this.market = market;
        this.projects = projects;
        this.tasks = tasks;
        this.sessions = sessions;
        this.store = store;
        this.environment = environment;
    }

    /** This server's base URL on the loopback interface. */
    public URI base() {
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        return URI.create("http://localhost:" + port);
    }

    /** Creates a project and a task and goes live with it on the local marketplace. */
    public Live goLive(String projectName, Thresholds thresholds, int graceSeconds, String admin) {
        return goLive(projectName, thresholds, graceSeconds, TaskSettings.DEFAULT_WAITING_PAY_CENTS_PER_HOUR, admin);
    }

    /** {@link #goLive(String, Thresholds, int, String)} with this waiting pay rate. */
    public Live goLive(String projectName, Thresholds thresholds, int graceSeconds, int centsPerHour, String admin) {
        requireLocal();
        long project = projects.create(projectName, "Made by Pavilion's crowd simulator", Instant.now()).id();
        TaskSettings basic = TaskSettings.basic("Simulated live task", "A live task rehearsed with simulated workers",
                base() + "/waiting_task", 50, thresholds);
        TaskSettings settings = new TaskSettings(basic.title(), basic.description(), basic.keywords(),
                basic.rewardCents(), basic.assignmentDurationSeconds(), basic.lifetimeSeconds(),
                basic.autoApprovalDelaySeconds(), null, null, null, basic.externalUrl(), basic.frameHeight(),
                thresholds, false, centsPerHour, graceSeconds);
        long task = tasks.create(project, settings, Instant.now()).id();
        MarketplaceService.Posted posted = market.goLive(task, admin);
        return new Live(project, task, posted.sessionId(), posted.hitId());
    }

    /** A simulator for a live session of this server. */
    public CrowdSimulator simulator(long sessionId, long noHitWaitMs, long reloadGapMs) {
        return new CrowdSimulator(requireLocal(), store, sessions, base(), sessionId, noHitWaitMs, reloadGapMs,
                page -> tokens.workerToken(page, Duration.ofHours(12)));
    }

    /**
     * Waits (at most {@code timeout}) until the server has settled every simulated worker that
     * joined: none of them is still in a queue. True when settled.
     */
    public boolean awaitSettled(CrowdSimulator sim, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            QueueSnapshot s = sessions.snapshot(sim.sessionId());
            boolean settled = sim.results().keySet().stream().map(id -> s.workers().get(id))
                    .allMatch(v -> v == null || !v.status().inQueue());
            if (settled) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return false;
    }

    /**
     * The report, once the pay dispatcher has sent what the settled workers were due (at most 15 s more),
     * so that the ledger's figures and the marketplace's agree.
     */
    public SimulationReport report(CrowdSimulator sim, int planned) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && ledger.forSession(sim.sessionId()).stream().anyMatch(p ->
                p.bonusState() == PayoutState.Bonus.DUE || p.bonusState() == PayoutState.Bonus.SENT
                        || p.approvalState() == PayoutState.Approval.DUE)) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return SimulationReport.of(sim, planned, sessions, store, ledger, requireLocal());
    }

    private LocalMarketplace requireLocal() {
        LocalMarketplace m = local.getIfAvailable();
        if (m == null) {
            throw new IllegalStateException("the simulator drives the local marketplace only "
                    + "(pavilion.marketplace.mode=local, the default)");
        }
        return m;
    }
}
