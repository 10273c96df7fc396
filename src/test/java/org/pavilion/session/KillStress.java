package org.pavilion.session;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import org.pavilion.queue.Decision;
import org.pavilion.queue.QueueEngine;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.storage.DatabaseEnvironmentPostProcessor;
import org.pavilion.storage.TestDatabases;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The kill -9 stress test of issue 13: round after round, a {@link KillStressDriver} JVM applies a random
 * mix of events to a few new sessions and is killed with SIGKILL at a random moment; then a new service
 * on the same database must find every event the dead process acknowledged in the stored log, in its
 * place, and the recovered sessions must be exactly what a replay of the log gives (and what the
 * worker-status table says). Losses and mismatches are counted, not thrown, so that a long run reports
 * all of them; {@link KillStressTest} asserts that they are 0.
 *
 * <p>Long run: {@code main(h2|pg, rounds, seed, maxDelayMs)}; see docs/benchmarks.md.
 */
public final class KillStress {

    static final Thresholds THRESHOLDS = new Thresholds(2, 1, 4, 3);

    /** What a run found. {@code problems} holds one line per lost event or mismatch. */
    public static final class Result {
        public int rounds;
        public long acknowledged;
        public long lost;
        public final Map<String, Long> acknowledgedByKind = new TreeMap<>();
        public final List<String> problems = new ArrayList<>();

        @Override
        public String toString() {
            return "rounds=" + rounds + " acknowledged=" + acknowledged + " lost=" + lost + " problems="
                    + problems.size() + " byKind=" + acknowledgedByKind;
        }
    }

    public static void main(String[] args) throws Exception {
        String db = args.length > 0 ? args[0] : "h2";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        int maxDelay = args.length > 3 ? Integer.parseInt(args[3]) : 800;
        Path dir = Files.createTempDirectory("kill-stress");
        long start = System.nanoTime();
        Result r = run(db, rounds, seed, maxDelay, dir, System.out);
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        r.problems.forEach(System.out::println);
        System.out.println(db + ": " + r + " in " + seconds + " s");
        // One JSON line for bench/suite.sh's summary.jsonl.
        System.out.println("{\"type\":\"kill-summary\",\"db\":\"" + db + "\",\"rounds\":" + r.rounds
                + ",\"seed\":" + seed + ",\"max_delay_ms\":" + maxDelay + ",\"acknowledged\":" + r.acknowledged
                + ",\"lost\":" + r.lost + ",\"problems\":" + r.problems.size() + ",\"seconds\":" + seconds
                + ",\"acknowledged_by_kind\":{" + r.acknowledgedByKind.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":" + e.getValue()).collect(Collectors.joining(",")) + "}}");
        System.exit(r.lost == 0 && r.problems.isEmpty() ? 0 : 1);
    }

    public static Result run(String db, int rounds, long seed, int maxDelayMs, Path dir,
                             java.io.PrintStream progress) throws Exception {
        Result result = new Result();
        Random random = new Random(seed);
        for (int round = 0; round < rounds; round++) {
            String url;
            String user;
            String password;
            if (db.equals("pg")) {
                String name = TestDatabases.newPostgresDatabase();
                url = TestDatabases.postgres().getJdbcUrl("postgres", name);
                user = "postgres";
                password = "postgres";
            } else {
                url = DatabaseEnvironmentPostProcessor.h2FileUrl(dir.resolve("round-" + round));
                user = "sa";
                password = "";
            }
            int window = new int[] {1, 1, 8, 64}[random.nextInt(4)];
            int delay = random.nextInt(maxDelayMs + 1);
            round(url, user, password, random.nextLong(), window, delay, dir.resolve("round-" + round + ".out"),
                    result);
            result.rounds++;
            if (progress != null && (round + 1) % 10 == 0) {
                progress.println(db + " after round " + (round + 1) + ": " + result);
            }
        }
        return result;
    }

    private static void round(String url, String user, String password, long seed, int window, int delayMs,
                              Path out, Result result) throws Exception {
        List<Long> sessions = new ArrayList<>();
        try (HikariDataSource ds = TestDatabases.pool(url, user, password)) {
            JdbcServiceFixture fixture = new JdbcServiceFixture(ds);
            for (int i = 0; i < 3; i++) {
                sessions.add(fixture.store.openSession(fixture.newTask(THRESHOLDS), Instant.now()).sessionId());
            }
        } // closed: an H2 file database has one owner at a time

        Process child = new ProcessBuilder(javaBinary(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                KillStressDriver.class.getName(), url, user, password, String.valueOf(seed), String.valueOf(window),
                sessions.stream().map(String::valueOf).collect(Collectors.joining(",")))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            waitForReady(out, child);
            Thread.sleep(delayMs); // the random kill moment
            if (!child.isAlive()) {
                throw new AssertionError("the driver died by itself: " + tail(out));
            }
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush, no goodbye
            child.waitFor();
        }

        Map<Long, List<String[]>> acked = readAcks(out);
        try (HikariDataSource ds = TestDatabases.pool(url, user, password)) {
            JdbcServiceFixture fixture = new JdbcServiceFixture(ds); // migrate is a no-op now
            LiveSessionService service = new LiveSessionService(fixture.store, List.of(), Clock.systemUTC());
            try {
                service.recover();
                for (long s : sessions) {
                    check(s, fixture, service, new JdbcTemplate(ds), acked.getOrDefault(s, List.of()), out, result);
                }
            } finally {
                service.close();
            }
        }
    }

    private static void check(long s, JdbcServiceFixture fixture, LiveSessionService service, JdbcTemplate jdbc,
                              List<String[]> acks, Path out, Result result) {
        SessionLog log = fixture.store.loadSession(s).orElseThrow();
        List<String> stored = log.facts().stream().map(f -> f.fact().fact().toString()).toList();
        for (int i = 0; i < log.facts().size(); i++) {
            if (log.facts().get(i).seq() != i + 1L) {
                result.problems.add(out + ": session " + s + ": fact " + (i + 1) + " has seq " + log.facts().get(i).seq());
            }
        }
        // Every acknowledged event is in the log, in its place.
        for (String[] ack : acks) { // ACK seq session kind end count facts
            result.acknowledged++;
            result.acknowledgedByKind.merge(ack[3], 1L, Long::sum);
            if (ack[4].equals("null")) {
                result.problems.add(out + ": ack " + ack[1] + " (" + ack[3] + ") completed without a commit position");
                continue;
            }
            int end = Integer.parseInt(ack[4]);
            int count = Integer.parseInt(ack[5]);
            boolean there = stored.size() >= end && end >= count
                    && stored.subList(end - count, end).toString().equals(ack[6]);
            if (!there) {
                result.lost++;
                result.problems.add(out + ": LOST ack " + ack[1] + " (" + ack[3] + ") of session " + s + ": facts "
                        + ack[6] + " ending at " + end + "; the log has " + stored.size() + " facts");
            }
        }
        // The recovered session is the replay of its log, and the worker-status table agrees.
        SessionConfig config = log.config();
        QueueSnapshot replayed = QueueEngine.replay(config.thresholds(), config.allowRepeatWorkers(), config.hireBudget(),
                config.payRules(), log.facts().stream().map(LoggedFact::fact).toList()).snapshot();
        QueueSnapshot rebuilt;
        try {
            rebuilt = service.read(s, QueueEngine::snapshot).join();
        } catch (org.pavilion.queue.PavilionException ended) {
            rebuilt = replayed; // expired before the kill: not recovered, nothing to compare
        }
        if (!rebuilt.equals(replayed)) {
            result.problems.add(out + ": session " + s + ": recovered " + rebuilt + " but the log replays to " + replayed);
        }
        Map<String, String> table = new HashMap<>();
        jdbc.query("select worker_id, status from session_worker where session_id = ?",
                rs -> { table.put(rs.getString(1), rs.getString(2)); }, s);
        Map<String, String> expected = replayed.workers().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().status().name()));
        if (!table.equals(expected)) {
            result.problems.add(out + ": session " + s + ": session_worker " + table + " but the log says " + expected);
        }
        long hireFacts = log.facts().stream().filter(f -> f.fact().fact() instanceof Decision.Hire).count();
        if (fixture.store.hireRequests(s).size() != hireFacts) {
            result.problems.add(out + ": session " + s + ": " + fixture.store.hireRequests(s).size()
                    + " hire requests for " + hireFacts + " hire facts");
        }
    }

    private static Map<Long, List<String[]>> readAcks(Path out) throws Exception {
        Map<Long, List<String[]>> bySession = new HashMap<>();
        String all = Files.readString(out, StandardCharsets.UTF_8);
        int complete = all.lastIndexOf('\n') + 1; // a line cut by the kill was never a promise
        for (String line : all.substring(0, complete).split("\n")) {
            if (line.startsWith("ACK\t")) {
                String[] cols = line.split("\t", 7);
                bySession.computeIfAbsent(Long.parseLong(cols[2]), k -> new ArrayList<>()).add(cols);
            }
        }
        return bySession;
    }

    private static void waitForReady(Path out, Process child) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(out) && Files.readString(out, StandardCharsets.UTF_8).contains("READY\n")) {
                return;
            }
            if (!child.isAlive()) {
                throw new AssertionError("the driver died before READY: " + tail(out));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the driver was not READY in 120 s: " + tail(out));
    }

    private static String tail(Path out) throws Exception {
        String s = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
        return s.substring(Math.max(0, s.length() - 4000));
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }
}
