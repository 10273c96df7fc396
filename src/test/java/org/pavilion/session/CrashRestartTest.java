package org.pavilion.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pavilion.queue.Decision;
import org.pavilion.queue.QueueEngine;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.storage.DatabaseEnvironmentPostProcessor;
import org.pavilion.storage.TestDatabases;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A separate JVM runs sessions under load and is killed with SIGKILL mid-run; a new service on
 * the same database then rebuilds the sessions. Every event the dead process acknowledged must be
 * in the log exactly once, the rebuilt queues must be what the log and the worker-status table
 * say, every hire request must still be pending, and the sessions must carry on.
 */
class CrashRestartTest {

    @TempDir
    Path tmp;

    @Test
    void killedMidRunOnH2FileNothingAcknowledgedIsLost() throws Exception {
        String url = DatabaseEnvironmentPostProcessor.h2FileUrl(tmp.resolve("data"));
        crashAndRecover(url, "sa", "");
    }

    @Test
    void killedMidRunOnPostgresNothingAcknowledgedIsLost() throws Exception {
        String db = TestDatabases.newPostgresDatabase();
        crashAndRecover(TestDatabases.postgres().getJdbcUrl("postgres", db), "postgres", "postgres");
    }

    private void crashAndRecover(String url, String user, String password) throws Exception {
        List<Long> sessions = new ArrayList<>();
        Thresholds t = new Thresholds(2, 1, 4, 3);
        try (HikariDataSource ds = TestDatabases.pool(url, user, password)) {
            JdbcServiceFixture fixture = new JdbcServiceFixture(ds);
            for (int i = 0; i < 3; i++) {
                sessions.add(fixture.store.openSession(fixture.newTask(t), java.time.Instant.now()).sessionId());
            }
        } // closed: an H2 file database has one owner at a time

        Path acks = tmp.resolve("acks.tsv");
        Process child = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                CrashDriver.class.getName(), url, user, password, acks.toString(),
                sessions.stream().map(String::valueOf).collect(Collectors.joining(",")))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        try {
            waitForAcks(acks, 1500, child);
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no goodbye
            child.waitFor();
        }

        try (HikariDataSource ds = TestDatabases.pool(url, user, password)) {
            JdbcServiceFixture fixture = new JdbcServiceFixture(ds); // migrate is a no-op now
            Map<Long, List<String>> acked = readAcks(acks);
            LiveSessionService service = new LiveSessionService(fixture.store, List.of(), Clock.systemUTC());
            try {
                assertThat(service.recover()).isEqualTo(sessions.size());
                for (long s : sessions) {
                    checkRecovered(s, t, fixture, service, new JdbcTemplate(ds), acked.getOrDefault(s, List.of()));
                }
            } finally {
                service.close();
            }
        }
    }

    private static void checkRecovered(long s, Thresholds t, JdbcServiceFixture fixture, LiveSessionService service,
                                       JdbcTemplate jdbc, List<String> ackLines) {
        SessionLog log = fixture.store.loadSession(s).orElseThrow();
        List<Decision.Fact> facts = log.facts().stream().map(f -> f.fact().fact()).toList();
        for (int i = 0; i < log.facts().size(); i++) {
            assertThat(log.facts().get(i).seq()).isEqualTo(i + 1L); // no gap, nothing doubled
        }
        // Every acknowledged event is in the log, in its place.
        for (String line : ackLines) {
            String[] cols = line.split("\t", 3);
            int end = Integer.parseInt(cols[1]);
            assertThat(facts.size()).isGreaterThanOrEqualTo(end);
            List<Decision.Fact> own = facts.subList(end - countFacts(cols[2]), end);
            assertThat(own.toString()).isEqualTo(cols[2]);
        }

        // The rebuilt queues are the log's, and the worker-status table agrees with them.
        QueueSnapshot rebuilt = service.snapshot(s);
        QueueSnapshot replayed = QueueEngine.replay(t, false, log.config().hireBudget(),
                log.facts().stream().map(LoggedFact::fact).toList())
                .snapshot();
        assertThat(rebuilt).isEqualTo(replayed);
        Map<String, String> table = new HashMap<>();
        jdbc.query("select worker_id, status from session_worker where session_id = ?",
                rs -> { table.put(rs.getString(1), rs.getString(2)); }, s);
        assertThat(table).isEqualTo(rebuilt.workers().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().status().name())));
        List<String> waitingByOrder = jdbc.queryForList("select worker_id from session_worker where session_id = ? "
                + "and status = 'WAITING' order by queue_order", String.class, s);
        assertThat(waitingByOrder).isEqualTo(rebuilt.waiting());
        List<String> activeByOrder = jdbc.queryForList("select worker_id from session_worker where session_id = ? "
                + "and status = 'ACTIVE' order by queue_order", String.class, s);
        assertThat(activeByOrder).isEqualTo(rebuilt.active());
        assertThat(rebuilt.active().size()).isLessThanOrEqualTo(t.maxActive());

        // Hires decided before the crash are all still pending, one per decision.
        long hireFacts = facts.stream().filter(Decision.Hire.class::isInstance).count();
        List<HireRequest> hires = fixture.store.hireRequests(s);
        assertThat(hires).hasSize((int) hireFacts);
        assertThat(hires).allMatch(h -> h.state() == HireRequest.State.REQUESTED);

        // And the session carries on from where the log stopped.
        service.apply(s, new QueueEvent.Stop("admin@lab"), "admin@lab");
        assertThat(fixture.store.loadSession(s).orElseThrow().facts()).hasSize(facts.size() + 1);
    }

    /** Facts print as records: count the top-level record names in "[A[..], B[..]]". */
    private static int countFacts(String printed) {
        if (printed.equals("[]")) {
            return 0;
        }
        int depth = 0;
        int count = 1;
        for (int i = 1; i < printed.length() - 1; i++) {
            char c = printed.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                count++;
            }
        }
        return count;
    }

    private static Map<Long, List<String>> readAcks(Path acks) throws Exception {
        Map<Long, List<String>> bySession = new HashMap<>();
        String all = Files.readString(acks, StandardCharsets.UTF_8);
        int complete = all.lastIndexOf('\n') + 1; // a line cut by the kill was never a promise
        for (String line : all.substring(0, complete).split("\n")) {
            if (!line.isEmpty()) {
                bySession.computeIfAbsent(Long.parseLong(line.substring(0, line.indexOf('\t'))),
                        k -> new ArrayList<>()).add(line);
            }
        }
        return bySession;
    }

    private static void waitForAcks(Path acks, int lines, Process child) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                throw new AssertionError("the driver died by itself: " + Files.readString(
                        acks.resolveSibling("child.log")));
            }
            if (Files.exists(acks) && Files.readAllLines(acks).size() >= lines) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the driver acknowledged fewer than " + lines + " events in 90 s");
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }
}
