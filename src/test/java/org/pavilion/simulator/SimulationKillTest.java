package org.pavilion.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short version of the simulated crowd killed with -9 ({@link SimulationKill}, issue 13), in
 * {@code mvn verify}: three seeds on an H2 file database (one server process killed once per seed) and one
 * on PostgreSQL. The server under test runs in a child JVM and is killed with SIGKILL at a seeded random
 * moment of a simulated crowd session, restarted on the same data, and the crowd runs to the end; the
 * server's event log, the marketplace's assignments and the simulator's record must then agree, with every
 * acknowledged event in the log once and nothing doubled. {@code -Dsimkill.runs=N} and
 * {@code -Dsimkill.seed=S} change the H2 series; the long version is {@code bench/suite.sh simkill}.
 *
 * <p>A known defect of H2 2.5.252 is reported, not failed on: once a database is older than H2's retention
 * time (45 s), H2 may write a commit's chunk into a free gap of the file without making the file header lead to
 * it, and its recovery after a kill then drops that chunk and every later one although they are complete on
 * disk ({@link H2Recovery}; docs/benchmarks.md). A run where that happened may lose what was promised after the
 * first dropped chunk, and only that; everything else must hold. The PostgreSQL run has no such exception.
 */
class SimulationKillTest {

    @TempDir
    Path tmp;

    @Test
    void crowdSessionsKilledWithMinus9OnH2AgreeWithTheMarketplaceAndTheSimulator() throws Exception {
        int runs = Integer.getInteger("simkill.runs", 3);
        long first = Long.getLong("simkill.seed", 1);
        List<SimulationKill.Config> configs = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            configs.add(SimulationKill.Config.quick("h2", first + i));
        }
        List<SimulationKill.Run> series = SimulationKill.series("h2", configs, tmp.resolve("h2"), System.out);
        series.forEach(SimulationKillTest::assertAgrees);
        assertThat(series.stream().mapToInt(r -> r.acksOk).sum()).as("acknowledged events checked").isPositive();
    }

    @Test
    void aCrowdSessionKilledWithMinus9OnPostgresAgreesWithTheMarketplaceAndTheSimulator() throws Exception {
        SimulationKill.Run run = SimulationKill.series("pg",
                List.of(SimulationKill.Config.quick("pg", Long.getLong("simkill.seed", 1) + 100)), tmp.resolve("pg"),
                System.out).get(0);
        assertAgrees(run);
        assertThat(run.problems).as(run.toString()).isEmpty();
    }

    private static void assertAgrees(SimulationKill.Run run) {
        System.out.println("[simkill] " + run);
        run.problems.forEach(p -> System.out.println("[simkill] " + p));
        if (!run.problems.isEmpty()) {
            run.notes.forEach(n -> System.out.println("[simkill]   note: " + n));
        }
        if (run.h2DroppedChunks()) {
            System.out.println("[simkill] KNOWN H2 DEFECT in seed " + run.seed + ": " + run.h2);
        }
        assertThat(run.doubled).as(run.toString()).isZero();
        assertThat(run.lost - run.lostInDroppedChunks).as("lost, not explained by H2's recovery: " + run.problems)
                .isZero();
        if (!run.h2DroppedChunks()) {
            assertThat(run.problems).as(run.toString()).isEmpty();
        }
        assertThat(run.agrees()).isTrue();
        // the run exercised what it checks: pages were admitted
        assertThat(run.admissionsChecked).isPositive();
    }
}
