package org.pavilion.pay;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.AssignmentView;
import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.PaySettings.ApprovalPolicy;

/**
 * Drives a paid session through the local marketplace for the pay tests: real acceptances (whose
 * signed notifications confirm the assignments), arrivals through the session, submissions and returns
 * at the marketplace (whose notifications end the assignments).
 */
final class PayScenarios {

    /** 10 cents a second of waiting. */
    static final int CENTS_PER_HOUR = 36_000;
    static final int REWARD = 50;

    private final LocalMarketplace local;
    private final LiveSessionService sessions;
    private final MarketplaceService market;
    private final ProjectRepository projects;
    private final TaskRepository tasks;
    private final PayLedger ledger;
    private final int port;

    PayScenarios(LocalMarketplace local, LiveSessionService sessions, MarketplaceService market,
                 ProjectRepository projects, TaskRepository tasks, PayLedger ledger, int port) {
        this.local = local;
        this.sessions = sessions;
        this.market = market;
        this.projects = projects;
        this.tasks = tasks;
        this.ledger = ledger;
        this.port = port;
    }

    /** Goes live with a task of these thresholds and approval policy; returns what was posted. */
    MarketplaceService.Posted goLive(Thresholds thresholds, ApprovalPolicy approval) {
        return goLive(thresholds, approval, null);
    }

    /** {@link #goLive(Thresholds, ApprovalPolicy)} with a spending cap (cents, null for none). */
    MarketplaceService.Posted goLive(Thresholds thresholds, ApprovalPolicy approval, Integer spendCapCents) {
        return goLive(thresholds, approval, spendCapCents, false);
    }

    /** ... and whether owed workers are paid automatically at session end. */
    MarketplaceService.Posted goLive(Thresholds thresholds, ApprovalPolicy approval, Integer spendCapCents,
                                     boolean autoCompensate) {
        long project = projects.create("Pay", "", Instant.now()).id();
        TaskSettings b = TaskSettings.basic("Steer a robot together", "A live task for several workers",
                "http://localhost:" + port + "/waiting_task", REWARD, thresholds);
        TaskSettings paid = new TaskSettings(b.title(), b.description(), b.keywords(), b.rewardCents(),
                b.assignmentDurationSeconds(), b.lifetimeSeconds(), b.autoApprovalDelaySeconds(), b.country(),
                b.minApprovalPercent(), b.minApprovedHits(), b.externalUrl(), b.frameHeight(), b.thresholds(), false,
                CENTS_PER_HOUR, b.disconnectGraceSeconds()).withPay(60, approval, autoCompensate)
                .withHireBudget(null, spendCapCents);
        return market.goLive(tasks.create(project, paid, Instant.now()).id(), "admin@lab");
    }

    /** The worker accepts at the marketplace and, once the marketplace confirmed it, arrives. */
    AssignmentView join(long sessionId, String hitId, String worker) {
        AssignmentView a = local.accept(worker, hitId);
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.read(sessionId,
                e -> e.isConfirmedFor(worker, a.assignmentId(), hitId)).join());
        sessions.apply(sessionId, new QueueEvent.Arrive(worker, a.assignmentId()), "worker:" + worker);
        return a;
    }

    /** The worker submits at the marketplace; returns its payout once the notification settled it. */
    Payout submit(long sessionId, AssignmentView a) {
        local.submit(a.assignmentId(), Map.of("done", "yes"));
        return payoutOf(sessionId, a);
    }

    Payout payoutOf(long sessionId, AssignmentView a) {
        await().atMost(Duration.ofSeconds(10)).until(() -> find(sessionId, a) != null);
        return find(sessionId, a);
    }

    Payout find(long sessionId, AssignmentView a) {
        List<Payout> rows = ledger.forSession(sessionId).stream()
                .filter(p -> p.assignmentId().equals(a.assignmentId())).toList();
        return rows.isEmpty() ? null : rows.get(rows.size() - 1);
    }
}
