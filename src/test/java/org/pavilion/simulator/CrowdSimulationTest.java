package org.pavilion.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.pavilion.queue.Decision;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.LoggedFact;
import org.pavilion.storage.JdbcSessionStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A short simulation against the running app over real HTTP and real sockets; its report's
 * totals must agree with the session's event log on the server.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=100ms",
                      "pavilion.marketplace.client.base-delay=10ms", "pavilion.marketplace.client.max-delay=50ms"})
class CrowdSimulationTest {

    @Autowired
    SimulationService simulations;
    @Autowired
    JdbcSessionStore store;
    @Autowired
    LiveSessionService sessions;

    @Test
    void aShortSimulationsReportAgreesWithTheServersEventLog() throws Exception {
        BehaviourModel fast = new BehaviourModel(400, 1_200, 700, 0.5, 0.2, 0.15, 0.2, 0.1);
        int workers = 10;
        List<WorkerPlan> plan = SimulationPlan.generate(fast, workers, 7, "T7W");
        SimulationService.Live live = simulations.goLive("Simulation test", new Thresholds(1, 0, 2, 3), 1,
                36_000, "test"); // 10 cents a second, so that short waits are paid
        long s = live.sessionId();
        SimulationReport report;
        Map<String, CrowdSimulator.WorkerResult> results;
        try (CrowdSimulator sim = simulations.simulator(s, 4_000, 100)) {
            sim.start(plan).get(20, TimeUnit.SECONDS);
            assertThat(simulations.awaitSettled(sim, Duration.ofSeconds(8)))
                    .as(() -> "the server settled: " + sessions.snapshot(s).workers()).isTrue();
            report = simulations.report(sim, workers);
            results = sim.results();
        }
        System.out.print(report.text());
        assertThat(results).hasSize(workers);

        // The server's own log, per worker: arrivals, promotions and final status.
        List<LoggedFact> facts = store.loadSession(s).orElseThrow().facts();
        Map<String, Integer> arrivals = new HashMap<>();
        Map<String, WorkerStatus> last = new HashMap<>();
        Set<String> activated = new HashSet<>();
        for (LoggedFact f : facts) {
            if (f.fact().fact() instanceof Decision.StatusChange sc) {
                if (sc.from() == null) {
                    arrivals.merge(sc.workerId(), 1, Integer::sum);
                }
                if (sc.to() == WorkerStatus.ACTIVE) {
                    activated.add(sc.workerId());
                }
                last.put(sc.workerId(), sc.to());
            }
        }

        Map<WorkerStatus, Integer> logged = new EnumMap<>(WorkerStatus.class);
        int joined = 0;
        for (CrowdSimulator.WorkerResult r : results.values()) {
            WorkerStatus expected = switch (r.outcome()) {
                case SUBMITTED -> WorkerStatus.SUBMITTED;
                case RETURNED -> WorkerStatus.RETURNED;
                case ABANDONED -> WorkerStatus.ABANDONED;
                case DROPPED -> WorkerStatus.DISCONNECTED;
                default -> null;
            };
            if (expected == null) {
                assertThat(arrivals).as(r + " never joined").doesNotContainKey(r.workerId());
                continue;
            }
            joined++;
            assertThat(arrivals.get(r.workerId())).as("arrivals of " + r).isEqualTo(1);
            assertThat(last.get(r.workerId())).as("final status of " + r).isEqualTo(expected);
            logged.merge(expected, 1, Integer::sum);
            if (r.promoted()) {
                assertThat(activated).as(r + " was promoted in the log").contains(r.workerId());
            }
        }
        assertThat(joined).isPositive();
        assertThat(report.served()).isEqualTo(joined);
        assertThat(report.serverStatuses()).isEqualTo(logged);
        Map<CrowdSimulator.Outcome, Integer> o = report.outcomes();
        assertThat(o.get(CrowdSimulator.Outcome.SUBMITTED)).isEqualTo(logged.getOrDefault(WorkerStatus.SUBMITTED, 0));
        assertThat(o.get(CrowdSimulator.Outcome.RETURNED)).isEqualTo(logged.getOrDefault(WorkerStatus.RETURNED, 0));
        assertThat(o.get(CrowdSimulator.Outcome.ABANDONED)).isEqualTo(logged.getOrDefault(WorkerStatus.ABANDONED, 0));
        assertThat(o.get(CrowdSimulator.Outcome.DROPPED))
                .isEqualTo(logged.getOrDefault(WorkerStatus.DISCONNECTED, 0));
        assertThat(report.promoted()).isPositive().isLessThanOrEqualTo(activated.size());
        assertThat(report.waitMaxMs()).isGreaterThanOrEqualTo(report.waitP50Ms());
        assertThat(report.idleGapMs()).isGreaterThanOrEqualTo(report.longestIdleGapMs());
        assertThat(report.payOwedCents()).isNotNegative();
        // Pay: the marketplace paid exactly the bonuses the ledger records as paid, and the ledger settled
        // no more waiting pay than the server computed for these workers.
        SimulationReport.PayTotals pay = report.pay();
        assertThat(pay.marketplaceBonusCents()).isEqualTo(pay.bonusesPaidCents());
        assertThat(pay.bonusesDueCents()).as("everything due was sent").isZero();
        assertThat(pay.waitingPayCents()).isLessThanOrEqualTo(report.payOwedCents());
        assertThat(pay.payouts()).isPositive();
        assertThat(pay.bonusesPaidCents()).isPositive();
        // ...which is what the report's verdict checks, and says in words.
        assertThat(report.lost()).isZero();
        assertThat(report.longestStallMs()).isLessThanOrEqualTo(SimulationReport.STALL_LIMIT_MS);
        assertThat(report.healthy()).as(report.text()).isTrue();
        assertThat(report.text()).contains("Verdict: HEALTHY").contains("Healthy means:");
    }
}
