package org.pavilion.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short version of the kill -9 stress test ({@link KillStress}): a few rounds on each database in
 * {@code mvn verify}. {@code -Dkill.rounds=N} (H2) and {@code -Dkill.pgRounds=N} run it longer.
 * No timing is asserted: only that nothing acknowledged was lost and the recovered state is the log's.
 */
class KillStressTest {

    @TempDir
    Path tmp;

    @Test
    void h2FileLosesNothingAcknowledgedAtRandomKills() throws Exception {
        KillStress.Result r = KillStress.run("h2", Integer.getInteger("kill.rounds", 10),
                Long.getLong("kill.seed", 13), Integer.getInteger("kill.maxDelayMs", 800), tmp, System.out);
        System.out.println("kill -9 stress, H2 file: " + r);
        assertThat(r.problems).isEmpty();
        assertThat(r.lost).isZero();
    }

    @Test
    void postgresLosesNothingAcknowledgedAtRandomKills() throws Exception {
        KillStress.Result r = KillStress.run("pg", Integer.getInteger("kill.pgRounds", 4),
                Long.getLong("kill.seed", 13), Integer.getInteger("kill.maxDelayMs", 800), tmp, System.out);
        System.out.println("kill -9 stress, PostgreSQL: " + r);
        assertThat(r.problems).isEmpty();
        assertThat(r.lost).isZero();
    }
}
