package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.QueueSnapshot.WorkerView;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Crowd pages written for the Python Pavilion (npm socket.io-client 2.x, Engine.IO v3) and modern
 * pages (4.x, Engine.IO v4), unchanged, against the {@code /chat} namespace: src/test/node/seed-walk.js
 * walks a session with the seed's thresholds and checks who heard what after every step; this test
 * then checks the server's state matches the walk.
 * src/test/node is installed with {@code npm ci} into the build directory; the test is skipped when
 * node or npm is missing or the npm registry cannot be reached.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
class NodeSeedPagesTest extends RealtimeTestSupport {

    static final Thresholds SEED = new Thresholds(2, 1, 3, 3);

    @ParameterizedTest(name = "socket.io-client {0}.x over {1}")
    @CsvSource({"2, websocket", "2, polling", "4, websocket", "4, polling"})
    void seedPagesWalkASessionUnchanged(String version, String transport) throws Exception {
        assumeTrue(runs(List.of("node", "--version"), null, 30), "node is not installed");
        assumeTrue(runs(List.of("npm", "--version"), null, 30), "npm is not installed");
        Path work = prepare();

        String hitId = "HIT-NODE-V" + version + "-" + transport.toUpperCase();
        long s = openSession(SEED, 30, hitId);
        Path out = work.resolve("walk-v" + version + "-" + transport + ".log");
        Process walk = new ProcessBuilder("node", "seed-walk.js", "http://localhost:" + port, hitId, version, transport)
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean finished = walk.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            walk.destroyForcibly();
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(finished).as("node finished: " + output).isTrue();
        assertThat(walk.exitValue()).as(output).isZero();
        assertThat(output).contains("\"ok\":true");

        // The pages have closed; within the 30 s grace period every worker keeps its place (SPEC §4.7).
        QueueSnapshot snap = sessions.snapshot(s);
        assertThat(snap.started()).isTrue();
        assertThat(snap.stopped()).isFalse();
        assertThat(snap.active()).containsExactly("w2", "w3", "w4");
        assertThat(snap.waiting()).containsExactly("w5");
        Map<String, WorkerView> workers = snap.workers();
        assertThat(workers).containsOnlyKeys("w1", "w2", "w3", "w4", "w5");
        assertThat(workers.get("w1").status()).isEqualTo(WorkerStatus.SUBMITTED);
        for (String w : List.of("w2", "w3", "w4")) {
            assertThat(workers.get(w).status()).as(w).isEqualTo(WorkerStatus.ACTIVE);
        }
        assertThat(workers.get("w5").status()).isEqualTo(WorkerStatus.WAITING);
        for (String w : workers.keySet()) {
            assertThat(workers.get(w).assignmentId()).as(w).isEqualTo(hitId + "-" + w);
        }
        // Only w1 and w3 sent IAmReady; the refused submit_active naming w3 changed nothing.
        assertThat(workers.get("w1").ready()).isTrue();
        assertThat(workers.get("w3").ready()).isTrue();
        assertThat(workers.get("w2").ready()).isFalse();
        // One hire, for w1's submit while active (SPEC §4.2.2b); arrivals hire nobody.
        assertThat(store.hireRequests(s)).hasSize(1);
    }

    /** Copies src/test/node into the build directory and installs it there (once per lock file). */
    private static Path prepare() throws Exception {
        Path source = Paths.get(System.getProperty("basedir", "."), "src", "test", "node");
        Path testClasses = Paths.get(NodeSeedPagesTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path work = testClasses.getParent().resolve("node-seed-walk");
        Files.createDirectories(work);
        for (String file : List.of("package.json", "package-lock.json", "seed-walk.js")) {
            Files.copy(source.resolve(file), work.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        Path installedLock = work.resolve("node_modules").resolve(".package-lock.json");
        Path stamp = work.resolve("installed.lock");
        boolean upToDate = Files.exists(installedLock) && Files.exists(stamp)
                && Files.mismatch(stamp, work.resolve("package-lock.json")) == -1L;
        if (!upToDate) {
            boolean installed = runs(List.of("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"),
                    work, 300);
            assumeTrue(installed, "npm ci failed (is the npm registry reachable?), see " + work.resolve("npm.log"));
            Files.copy(work.resolve("package-lock.json"), stamp, StandardCopyOption.REPLACE_EXISTING);
        }
        return work;
    }

    private static boolean runs(List<String> command, Path dir, int timeoutSeconds) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (dir != null) {
                builder.directory(dir.toFile()).redirectOutput(dir.resolve("npm.log").toFile());
            } else {
                builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            Process process = builder.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
