package org.pavilion.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class SimulationPlanTest {

    private static final BehaviourModel MODEL = new BehaviourModel(60, 30_000, 20_000, 0.6, 0.2, 0.1, 0.2, 0.1);

    @Test
    void theSameSeedPlansTheSameEventSequence() {
        List<WorkerPlan> a = SimulationPlan.generate(MODEL, 50, 42, "W");
        List<WorkerPlan> b = SimulationPlan.generate(MODEL, 50, 42, "W");
        assertThat(a).hasSize(50).isEqualTo(b);
        // arrivals are in order and every worker is planned completely
        for (int i = 1; i < a.size(); i++) {
            assertThat(a.get(i).arriveAtMs()).isGreaterThanOrEqualTo(a.get(i - 1).arriveAtMs());
        }
        assertThat(a).allSatisfy(w -> {
            assertThat(w.patienceMs()).isPositive();
            assertThat(w.workMs()).isPositive();
            assertThat(w.leaving()).isNotNull();
        });
    }

    @Test
    void aDifferentSeedPlansADifferentSequence() {
        assertThat(SimulationPlan.generate(MODEL, 50, 42, "W")).isNotEqualTo(SimulationPlan.generate(MODEL, 50, 43, "W"));
    }

    @Test
    void aPrefixOfTheCrowdDoesNotDependOnItsSize() {
        assertThat(SimulationPlan.generate(MODEL, 60, 5, "W").subList(0, 20))
                .isEqualTo(SimulationPlan.generate(MODEL, 20, 5, "W"));
    }

    @Test
    void theModelFollowsItsRatesOverALargeCrowd() {
        List<WorkerPlan> plan = SimulationPlan.generate(MODEL, 5000, 1, "W");
        // 60 a minute: about 5000 s for 5000 workers
        assertThat(plan.get(plan.size() - 1).arriveAtMs()).isBetween(4_500_000L, 5_500_000L);
        double meanPatience = plan.stream().mapToLong(WorkerPlan::patienceMs).average().orElseThrow();
        assertThat(meanPatience).isBetween(27_000.0, 33_000.0);
        long drops = plan.stream().filter(w -> w.leaving() == WorkerPlan.Leaving.DROP).count();
        long submits = plan.stream().filter(w -> w.leaving() == WorkerPlan.Leaving.SUBMIT).count();
        assertThat(drops / 5000.0).isBetween(0.16, 0.22); // 0.1, and the 0.1 of the rest that neither submits, returns nor abandons
        assertThat(submits / 5000.0).isBetween(0.50, 0.58); // 0.9 * 0.6
        long reloads = plan.stream().filter(w -> w.reloadAfterMs() >= 0).count();
        assertThat(reloads / 5000.0).isBetween(0.17, 0.23);
    }

    @Test
    void anInvalidModelIsRefused() {
        assertThatThrownBy(() -> new BehaviourModel(0, 1, 1, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BehaviourModel(1, 1, 1, 0.6, 0.5, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
