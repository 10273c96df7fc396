package org.pavilion.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pavilion.queue.Decision;
import org.pavilion.queue.QueueEngine.TimedFact;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.LoggedFact;

/** The report's verdict: what makes a run healthy, and the words that say why one is not. */
class SimulationReportTest {

    static final Thresholds T = new Thresholds(1, 0, 1, 2);
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static SimulationReport report(int finished, int lost, long dueCents, long marketCents, long stallMs) {
        Map<CrowdSimulator.Outcome, Integer> outcomes = new EnumMap<>(CrowdSimulator.Outcome.class);
        for (CrowdSimulator.Outcome o : CrowdSimulator.Outcome.values()) {
            outcomes.put(o, 0);
        }
        outcomes.put(CrowdSimulator.Outcome.SUBMITTED, finished - 3);
        outcomes.put(CrowdSimulator.Outcome.NO_HIT, 3);
        Map<WorkerStatus, Integer> statuses = new EnumMap<>(WorkerStatus.class);
        statuses.put(WorkerStatus.SUBMITTED, finished - 3);
        return new SimulationReport(10, outcomes, finished - 3, finished - 3, 0, 2_000, 1_500, 4_000, 53_000, 8,
                12_000, 70, statuses, 30_000, new SimulationReport.PayTotals(7, 70, 120, dueCents, 0, 7, marketCents),
                lost, stallMs, T);
    }

    @Test
    void aRunWithNothingLostEveryonePaidAndNoStallIsHealthyAndSaysWhatThatMeans() {
        SimulationReport r = report(10, 0, 0, 120, 0);
        assertThat(r.healthy()).isTrue();
        assertThat(r.problems()).isEmpty();
        String text = r.text();
        assertThat(text).contains("Verdict: HEALTHY").contains("Healthy means:")
                .contains("3 found no open HIT: they came while every place was taken. This is expected")
                .contains("maxActive 1 + maxWaiting 2 = 3")
                .contains("with a worker waiting who could have filled the place: longest 0.0 s")
                .contains("the crowd's supply, not the server")
                .contains("final statuses of the admitted workers: 7 submitted")
                .doesNotContain("UNHEALTHY");
    }

    @Test
    void eachProblemMakesTheRunUnhealthyAndIsNamed() {
        assertThat(report(9, 0, 0, 120, 0).problems()).containsExactly("only 9 of 10 simulated workers finished");
        assertThat(report(10, 2, 0, 120, 0).problems()).singleElement().asString().contains("2 worker(s)")
                .contains("lost");
        assertThat(report(10, 0, 25, 120, 0).problems()).containsExactly("$0.25 of bonuses is still due or failed (not paid)");
        assertThat(report(10, 0, 0, 100, 0).problems()).singleElement().asString().contains("marketplace lists $1.00");
        SimulationReport stalled = report(10, 0, 0, 120, 4_200);
        assertThat(stalled.healthy()).isFalse();
        assertThat(stalled.text()).contains("Verdict: UNHEALTHY: a free place on the task stayed empty for 4.2 s "
                + "while a worker waited (healthy: at most 1.0 s).");
    }

    @Test
    void aStallIsAMovePossibleAndNotMadeAndAMoveInTheSameEventIsNone() {
        List<LoggedFact> facts = new ArrayList<>();
        // w1 starts the session at 0 s; w2 waits from 1 s.
        add(facts, 0, new Decision.StatusChange("w1", "a1", null, WorkerStatus.WAITING, Decision.Cause.ARRIVED, 1));
        add(facts, 0, new Decision.PhaseChange(Decision.Phase.STARTED));
        add(facts, 0, new Decision.StatusChange("w1", "a1", WorkerStatus.WAITING, WorkerStatus.ACTIVE,
                Decision.Cause.PROMOTED, 1));
        add(facts, 1, new Decision.StatusChange("w2", "a2", null, WorkerStatus.WAITING, Decision.Cause.ARRIVED, 2));
        // w1 leaves at 5 s and w2 is moved up in the same event: no stall.
        add(facts, 5, new Decision.StatusChange("w1", "a1", WorkerStatus.ACTIVE, WorkerStatus.SUBMITTED,
                Decision.Cause.SUBMITTED, 1));
        add(facts, 5, new Decision.StatusChange("w2", "a2", WorkerStatus.WAITING, WorkerStatus.ACTIVE,
                Decision.Cause.PROMOTED, 2));
        assertThat(SimulationReport.longestStall(facts, T, T0.plusSeconds(20))).isZero();
        // w3 waits from 6 s; w2 leaves at 8 s and w3 is moved only at 11 s: a 3 s stall.
        add(facts, 6, new Decision.StatusChange("w3", "a3", null, WorkerStatus.WAITING, Decision.Cause.ARRIVED, 3));
        add(facts, 8, new Decision.StatusChange("w2", "a2", WorkerStatus.ACTIVE, WorkerStatus.RETURNED,
                Decision.Cause.RETURNED, 2));
        add(facts, 11, new Decision.StatusChange("w3", "a3", WorkerStatus.WAITING, WorkerStatus.ACTIVE,
                Decision.Cause.PROMOTED, 3));
        assertThat(SimulationReport.longestStall(facts, T, T0.plusSeconds(20))).isEqualTo(3_000);
    }

    private static void add(List<LoggedFact> facts, long seconds, Decision.Fact fact) {
        facts.add(new LoggedFact(facts.size() + 1, new TimedFact(fact, T0.plusSeconds(seconds))));
    }
}
