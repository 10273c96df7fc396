package org.pavilion.simulator;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import org.pavilion.PavilionApplication;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.AssignmentStatus;
import org.pavilion.marketplace.local.LocalMarketplace.AssignmentView;
import org.pavilion.marketplace.local.LocalMarketplace.HitView;
import org.pavilion.marketplace.local.LocalSns;
import org.pavilion.queue.Decision;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.realtime.SignedTokens;
import org.pavilion.session.HireRequest;
import org.pavilion.session.LoggedFact;
import org.pavilion.simulator.CrowdSimulator.AckRecord;
import org.pavilion.simulator.CrowdSimulator.Outcome;
import org.pavilion.simulator.CrowdSimulator.WorkerResult;
import org.pavilion.storage.DatabaseEnvironmentPostProcessor;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.storage.TestDatabases;
import org.pavilion.testing.ExcludeTestConfigurations;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 13: a simulated crowd session whose server is killed with SIGKILL at a random moment, restarted on
 * the same data, and run to the end; then the server's event log, the marketplace's assignments and the
 * simulator's own record must agree, with nothing the server promised lost and nothing doubled.
 *
 * <p>Three parties in two processes. This JVM runs the local marketplace (a Pavilion in local mode, whose
 * {@code /local-mturk/} API and SNS notifications are real HTTP) and the {@link CrowdSimulator} (real
 * Socket.IO clients that accept, return, abandon and submit at that marketplace); a child JVM
 * ({@link SimKillServer}) runs the server under test on an H2 file database or an embedded PostgreSQL
 * database, with {@code pavilion.marketplace.endpoint} pointed at the marketplace here, so the marketplace
 * and the crowd outlive the kill as MTurk and the workers' browsers do. The notifications the marketplace
 * cannot deliver while the server is down are retried (as SNS retries an HTTP subscriber) until it is back.
 *
 * <p>One run: go live, start a seeded crowd, kill the server {@code killMin..killMax} ms (seeded) after
 * the crowd's start, restart it at once on the same database, let the crowd finish, wait until every
 * notification has been delivered and the server has settled every worker and sent every hire, stop it
 * cleanly, and read its database. Checked ({@link Run#problems}):
 * <ul>
 * <li><b>lost</b>: every acknowledgement {@code {ok: true}} a page got is in the log: an {@code IAmReady}
 * as the worker's {@code WaitingClosed} fact (during that assignment), a {@code submit_waiting} or
 * {@code submit_active} as the assignment's departure to {@code submitted}; and every worker the pages
 * heard admitted (a message only admitted pages hear) or promoted ({@code start_your_task}) arrived, or was
 * promoted, in the log;</li>
 * <li><b>doubled</b>: the log's {@code seq} runs 1..n without a gap, and no assignment arrived, was
 * confirmed, was marked ready, left for good or had its submission confirmed twice; hires are numbered
 * 1..h once each;</li>
 * <li><b>mismatch</b>: each simulated worker's outcome, its assignment's status at the marketplace and
 * its last status in the log agree (submitted / returned / abandoned; a silent drop is
 * {@code disconnected} in the log and still held at the marketplace); a submission the marketplace has is
 * confirmed in the log; no worker is left in a queue; no assignment at the marketplace belongs to no
 * simulated worker;</li>
 * <li><b>hires</b>: one HIT at the marketplace per hire token ({@code RequesterAnnotation}), exactly the
 * hires of the log, each sent; the server's record of the session's HITs is the marketplace's.</li>
 * </ul>
 * Problems are collected, not thrown, so that a long run reports all of them ({@link SimulationKillTest}
 * asserts there are none). Long run: {@link #main}; see docs/benchmarks.md.
 */
public final class SimulationKill {

    private static final String SECRET = "simkill-test-secret-0123456789-abcdefghij";

    /** How the crowd behaves and when the kill comes. */
    public record Config(String db, long seed, int workers, BehaviourModel model, Thresholds thresholds,
                         int graceSeconds, long killMinMs, long killMaxMs) {

        /** The short runs of {@code mvn verify}: 14 quick workers, killed 0.8 to 5 s into the crowd. */
        public static Config quick(String db, long seed) {
            return new Config(db, seed, 14, new BehaviourModel(300, 2_500, 1_500, 0.55, 0.15, 0.1, 0.2, 0.1),
                    new Thresholds(1, 0, 3, 4), 3, 800, 5_000);
        }
    }

    /** What one run found. */
    public static final class Run {
        public final long seed;
        public final String db;
        public long killAtMs;
        public long downMs;
        public long wallMs;
        public int acksOk;
        public int acksRefused;
        public final Map<String, Integer> acksByEvent = new TreeMap<>();
        public final Map<String, Integer> refusedByCode = new TreeMap<>();
        public int admissionsChecked;
        public int promotionsChecked;
        public int lost;
        /**
         * H2 only: the database file as the kill left it ({@link H2Recovery}); complete chunks on disk that H2's
         * recovery dropped make {@code lostInDroppedChunks} of the losses (promised after the first of them).
         */
        public H2Recovery h2;
        public int lostInDroppedChunks;
        /**
         * Submissions confirmed only after every notification had been delivered (by the reconciliation): the
         * server settled them late, which is allowed (SPEC 4.8: notifications may be lost), and counted.
         */
        public int confirmedAfterNotifications;
        public int doubled;
        public int mismatches;
        public int facts;
        public int hires;
        public final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        public final List<String> problems = new ArrayList<>();
        /** What else was seen (for a report): notifications the server refused, the settle time, ... */
        public final List<String> notes = new ArrayList<>();
        /** Acknowledgements that came within 1 s before the kill (the riskiest ones), checked like the rest. */
        public int acksJustBeforeKill;

        Run(long seed, String db) {
            this.seed = seed;
            this.db = db;
        }

        /** {@code promisedAt}: when the page heard the promise (an acknowledgement, an admission, a promotion). */
        void lost(String what, Instant promisedAt) {
            lost++;
            if (h2 != null && h2.dropped() > 0 && promisedAt != null
                    && !promisedAt.isBefore(h2.droppedFrom().minusMillis(100))) {
                lostInDroppedChunks++;
                problems.add("seed " + seed + " LOST (promised after " + h2.droppedFrom() + ", when H2's recovery "
                        + "dropped " + h2.dropped() + " complete chunk(s) written before the kill): " + what);
                return;
            }
            problems.add("seed " + seed + " LOST: " + what);
        }

        /** Lost, doubled or mismatched, beyond what H2's recovery dropping committed chunks explains. */
        public boolean agrees() {
            if (doubled > 0 || lost > lostInDroppedChunks) {
                return false;
            }
            // a run whose committed facts H2 dropped has mismatches that follow from them (reported, not counted)
            return mismatches == 0 || h2DroppedChunks();
        }

        public boolean h2DroppedChunks() {
            return h2 != null && h2.dropped() > 0;
        }

        void doubled(String what) {
            doubled++;
            problems.add("seed " + seed + " DOUBLED: " + what);
        }

        void mismatch(String what) {
            mismatches++;
            problems.add("seed " + seed + " MISMATCH: " + what);
        }

        @Override
        public String toString() {
            return "seed " + seed + " " + db + ": killed at " + killAtMs + " ms, down " + downMs + " ms; acks ok "
                    + acksOk + " " + acksByEvent + " (" + acksJustBeforeKill + " within 1 s before the kill), refused "
                    + acksRefused + " " + refusedByCode + "; admissions " + admissionsChecked + ", promotions "
                    + promotionsChecked + "; facts " + facts + ", hires " + hires + "; submissions confirmed only by "
                    + "the reconciliation " + confirmedAfterNotifications + "; outcomes " + outcomes
                    + "; lost " + lost + (lostInDroppedChunks > 0 ? " (" + lostInDroppedChunks + " in chunks H2 dropped)"
                    : "") + ", doubled " + doubled + ", mismatches " + mismatches
                    + (h2DroppedChunks() ? "; H2 RECOVERY DROPPED " + h2.dropped() + " COMPLETE CHUNK(S) WRITTEN "
                    + h2.droppedFrom() + " .. " + h2.droppedTo() + " (file header names chunk " + h2.headerChunk()
                    + ", recovered version " + h2.recoveredVersion() + ", newest on disk " + h2.newestOnDisk() + ")"
                    : "") + "; " + wallMs + " ms";
        }
    }

    private SimulationKill() {
    }

    /**
     * {@code main(h2|pg, runs, firstSeed, runsPerServer)}: that many runs with seeds firstSeed, firstSeed+1, ...,
     * in series of {@code runsPerServer} (default 10; each series a new database, server and marketplace); one
     * line per run, the problems, and a JSON summary line; exit status 1 if anything was lost, doubled or
     * mismatched.
     */
    public static void main(String[] args) throws Exception {
        exposeClassPath();
        String db = args.length > 0 ? args[0] : "h2";
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        long first = args.length > 2 ? Long.parseLong(args[2]) : 1;
        int perServer = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path dir = Files.createTempDirectory("simkill");
        long start = System.nanoTime();
        List<Run> all = new ArrayList<>();
        for (int from = 0; from < runs; from += perServer) {
            List<Config> configs = new ArrayList<>();
            for (int i = from; i < Math.min(runs, from + perServer); i++) {
                configs.add(Config.quick(db, first + i));
            }
            List<Run> series = series(db, configs, dir.resolve("series-" + from), System.out);
            for (Run r : series) {
                System.out.println(r);
                r.problems.forEach(System.out::println);
                if (!r.problems.isEmpty()) {
                    r.notes.forEach(n -> System.out.println("  note: " + n));
                }
            }
            System.out.flush();
            all.addAll(series);
        }
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        int acks = all.stream().mapToInt(r -> r.acksOk).sum();
        int near = all.stream().mapToInt(r -> r.acksJustBeforeKill).sum();
        int lost = all.stream().mapToInt(r -> r.lost).sum();
        int lostInDropped = all.stream().mapToInt(r -> r.lostInDroppedChunks).sum();
        int doubled = all.stream().mapToInt(r -> r.doubled).sum();
        int mismatches = all.stream().mapToInt(r -> r.mismatches).sum();
        int dropRuns = (int) all.stream().filter(Run::h2DroppedChunks).count();
        int droppedChunks = all.stream().filter(Run::h2DroppedChunks).mapToInt(r -> r.h2.dropped()).sum();
        int disagree = (int) all.stream().filter(r -> !r.agrees()).count();
        Map<String, Integer> byEvent = new TreeMap<>();
        all.forEach(r -> r.acksByEvent.forEach((k, v) -> byEvent.merge(k, v, Integer::sum)));
        Map<String, Integer> outcomes = new TreeMap<>();
        all.forEach(r -> r.outcomes.forEach((k, v) -> outcomes.merge(k.name().toLowerCase(), v, Integer::sum)));
        System.out.println(db + ": " + runs + " runs, " + acks + " acknowledged events checked (" + near
                + " within 1 s before a kill), admissions " + all.stream().mapToInt(r -> r.admissionsChecked).sum()
                + ", promotions " + all.stream().mapToInt(r -> r.promotionsChecked).sum() + "; lost " + lost + " ("
                + lostInDropped + " in chunks H2's recovery dropped, in " + dropRuns + " runs, " + droppedChunks
                + " chunks), doubled " + doubled + ", mismatches " + mismatches + "; runs not explained by H2 "
                + disagree + "; in " + seconds + " s");
        System.out.println("{\"type\":\"simkill-summary\",\"db\":\"" + db + "\",\"runs\":" + runs + ",\"first_seed\":"
                + first + ",\"runs_per_server\":" + perServer + ",\"acknowledged\":" + acks
                + ",\"acknowledged_within_1s_before_kill\":" + near + ",\"acknowledged_by_event\":" + json(byEvent)
                + ",\"admissions\":" + all.stream().mapToInt(r -> r.admissionsChecked).sum() + ",\"promotions\":"
                + all.stream().mapToInt(r -> r.promotionsChecked).sum() + ",\"facts\":"
                + all.stream().mapToInt(r -> r.facts).sum() + ",\"hires\":" + all.stream().mapToInt(r -> r.hires).sum()
                + ",\"outcomes\":" + json(outcomes) + ",\"lost\":" + lost + ",\"lost_in_h2_dropped_chunks\":"
                + lostInDropped + ",\"h2_runs_with_dropped_chunks\":" + dropRuns + ",\"h2_dropped_chunks\":"
                + droppedChunks + ",\"doubled\":" + doubled + ",\"mismatches\":" + mismatches
                + ",\"confirmed_by_reconciliation\":" + all.stream().mapToInt(r -> r.confirmedAfterNotifications).sum()
                + ",\"runs_not_explained_by_h2\":" + disagree + ",\"seconds\":" + seconds + "}");
        // Anything lost fails the run, H2's drops included: acknowledged means durable.
        System.exit(lost == 0 && doubled == 0 && mismatches == 0 ? 0 : 1);
    }

    /**
     * The server is started with {@code -cp $java.class.path}; under {@code mvn exec:java} that property names
     * Maven's launcher, not the project: rebuild it from the class loader exec:java gave us (as BenchMain).
     */
    private static void exposeClassPath() {
        if (!(SimulationKill.class.getClassLoader() instanceof URLClassLoader urls)) {
            return; // plain `java -cp ...`: java.class.path is right already
        }
        List<String> entries = new ArrayList<>();
        for (URL url : urls.getURLs()) {
            if ("file".equals(url.getProtocol())) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException e) {
                    entries.add(url.getPath());
                }
            }
        }
        if (!entries.isEmpty()) {
            System.setProperty("java.class.path", String.join(File.pathSeparator, entries));
        }
    }

    private static String json(Map<String, Integer> map) {
        return map.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    /** A run whose crowd is done, to be checked against the database once the server has stopped. */
    private record Done(Run run, long session, String prefix, Map<String, WorkerResult> results,
                        List<AckRecord> acks, Instant killedAt) {
    }

    /**
     * Runs one after another on one database, against one server process and one marketplace: each run puts
     * a new session live on the server (restarted by the previous run's kill, so it also recovers the earlier
     * sessions), starts its crowd and kills the server once. The database is checked when all are done.
     * {@code dir} is a new directory for the series.
     */
    public static List<Run> series(String db, List<Config> configs, Path dir, PrintStream progress) throws Exception {
        Files.createDirectories(dir);
        int serverPort = freePort();
        String jdbcUrl;
        String user;
        String password;
        if (db.equals("pg")) {
            jdbcUrl = TestDatabases.postgres().getJdbcUrl("postgres", TestDatabases.newPostgresDatabase());
            user = "postgres";
            password = "postgres";
        } else if (db.equals("h2")) {
            jdbcUrl = DatabaseEnvironmentPostProcessor.h2FileUrl(dir.resolve("data"));
            user = "sa";
            password = "";
        } else {
            throw new IllegalArgumentException("db must be h2 or pg, not " + db);
        }

        long seriesStart = System.nanoTime();
        ConfigurableApplicationContext market = startMarketplace(dir.resolve("market"), serverPort);
        progress.println("[simkill] " + db + ": marketplace up after " + ms(seriesStart) + " ms");
        List<Child> children = new ArrayList<>();
        List<Done> done = new ArrayList<>();
        try {
            LocalMarketplace local = market.getBean(LocalMarketplace.class);
            LocalSns sns = market.getBean(LocalSns.class);
            AtomicInteger notifications = countNotifications(local);
            String endpoint = "http://127.0.0.1:" + market.getEnvironment().getProperty("local.server.port")
                    + "/local-mturk/";
            List<String> serverArgs = new ArrayList<>(List.of("--port", String.valueOf(serverPort), "--data-dir",
                    dir.resolve("data").toString(), "--endpoint", endpoint, "--secret", SECRET));
            if (db.equals("pg")) {
                serverArgs.addAll(List.of("--jdbc-url", jdbcUrl, "--user", user, "--password", password));
            }
            Child server = Child.start(serverArgs, dir.resolve("server-1.log"));
            children.add(server);
            server.awaitReady(Duration.ofSeconds(300));
            progress.println("[simkill] " + db + ": server up after " + ms(seriesStart) + " ms");
            SignedTokens tokens = new SignedTokens(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());

            for (Config c : configs) {
                long runStart = System.nanoTime();
                Run run = new Run(c.seed(), db);
                SplittableRandom random = new SplittableRandom(c.seed() * 7_919L + 17);
                long killAt = c.killMinMs() + random.nextLong(c.killMaxMs() - c.killMinMs() + 1);
                run.killAtMs = killAt;
                Thresholds t = c.thresholds();
                Map<String, String> live = values(server.ask("GOLIVE " + t.minActive() + "," + t.minWaiting() + ","
                        + t.maxActive() + "," + t.maxWaiting() + " " + c.graceSeconds() + " Simulation kill (seed "
                        + c.seed() + ")", "LIVE", Duration.ofSeconds(60)));
                long session = Long.parseLong(live.get("session"));
                String post = local.getHit(live.get("hit")).requesterAnnotation();
                String prefix = post.substring(0, post.length() - "post".length()); // pav-<installation>-s<n>-

                List<WorkerPlan> plan = SimulationPlan.generate(c.model(), c.workers(), c.seed(),
                        "K" + c.seed() + "W");
                Map<String, WorkerResult> results;
                List<AckRecord> acks;
                Instant killedAt;
                try (CrowdSimulator sim = new CrowdSimulator(local, () -> sessionHits(local, prefix), null,
                        URI.create("http://127.0.0.1:" + serverPort), session, 6_000, 100,
                        page -> tokens.workerToken(page, Duration.ofHours(1)))) {
                    var crowd = sim.start(plan);
                    long sleep = killAt - sim.elapsedMs();
                    if (sleep > 0) {
                        Thread.sleep(sleep);
                    }
                    killedAt = Instant.now();
                    server.kill();
                    long killNanos = System.nanoTime();
                    if (db.equals("h2")) {
                        // The database file as the kill left it, before the restart opens (and writes) it, kept in
                        // the series' directory for a look with H2's tools when something is lost.
                        Files.copy(dir.resolve("data").resolve("pavilion.mv.db"), killedFile(dir, c));
                    }
                    server = Child.start(serverArgs, dir.resolve("server-" + (children.size() + 1) + ".log"));
                    children.add(server);
                    server.awaitReady(Duration.ofSeconds(300));
                    run.downMs = ms(killNanos);
                    crowd.get(300, TimeUnit.SECONDS);
                    if (db.equals("h2")) {
                        run.h2 = H2Recovery.of(killedFile(dir, c));
                    }
                    results = sim.results();
                    acks = sim.acks();
                }
                // Every notification the marketplace published reached the server (or was given up), ...
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (delivered(sns) < notifications.get() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                if (delivered(sns) < notifications.get()) {
                    run.mismatch("the marketplace still had " + (notifications.get() - delivered(sns))
                            + " notification(s) to deliver after 90 s");
                }
                // ... and the server settled every worker and sent every hire.
                sns.deliveries().stream().filter(d -> "Notification".equals(d.type()) && !d.delivered())
                        .forEach(d -> run.notes.add("notification not delivered: " + d));
                String settled = server.ask("SETTLE " + session + " 30000", "SETTLED", Duration.ofSeconds(60));
                run.notes.add("settled at " + Instant.now() + ": " + settled);
                run.confirmedAfterNotifications = settled.split("submission of ", -1).length - 1;
                if (!settled.startsWith("SETTLED true")) {
                    run.mismatch("the server did not settle: " + settled);
                }
                run.wallMs = ms(runStart);
                progress.println("[simkill] " + db + " seed " + c.seed() + ": session " + session + ", killed "
                        + killAt + " ms into the crowd, back after " + run.downMs + " ms, settled after " + run.wallMs
                        + " ms");
                done.add(new Done(run, session, prefix, results, acks, killedAt));
            }
            server.stop(Duration.ofSeconds(60));
            for (Child child : children) {
                if (child.lines().stream().anyMatch(l -> l.contains("were on the local marketplace"))) {
                    done.get(0).run().mismatch(child.log.getFileName() + " says the session's HITs are gone, but they "
                            + "are on the marketplace it was pointed at (pavilion.marketplace.endpoint)");
                }
            }

            try (HikariDataSource ds = TestDatabases.pool(jdbcUrl, user, password)) {
                JdbcSessionStore store = new JdbcSessionStore(ds);
                for (Done d : done) {
                    check(d.run(), store, d.session(), d.prefix(), local, d.results(), d.acks(), d.killedAt());
                    if (!d.run().problems.isEmpty()) {
                        d.run().notes.add("session " + d.session() + " hires and confirmed submissions in the log: "
                                + new JdbcTemplate(ds).queryForList("select seq, at, kind, worker_id, cause, actor, "
                                + "left(detail, 80) as detail from session_event where session_id = ? and kind in "
                                + "('hire', 'subok') order by seq", d.session()));
                    }
                }
            }
        } finally {
            for (Child child : children) {
                if (child.process.isAlive()) {
                    child.process.destroyForcibly();
                    child.process.waitFor();
                }
            }
            market.close();
        }
        return done.stream().map(Done::run).toList();
    }

    // ---- the checks --------------------------------------------------------------------------

    static void check(Run run, JdbcSessionStore store, long session, String prefix, LocalMarketplace market,
                      Map<String, WorkerResult> results, List<AckRecord> acks, Instant killedAt) {
        List<LoggedFact> log = store.loadSession(session).orElseThrow().facts();
        run.facts = log.size();
        results.values().forEach(r -> run.outcomes.merge(r.outcome(), 1, Integer::sum));

        // The log itself: seq 1..n, and nothing that happens once per assignment happened twice.
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).seq() != i + 1L) {
                run.doubled("seq " + log.get(i).seq() + " at position " + (i + 1) + " (a gap or a repeat)");
                break;
            }
        }
        Map<String, String> current = new HashMap<>(); // worker -> its assignment as the log goes
        Map<String, Integer> once = new TreeMap<>();
        Map<String, WorkerStatus> last = new HashMap<>();
        Set<String> arrivedAssignments = new HashSet<>(); // worker|assignment
        Set<String> promoted = new HashSet<>();
        Set<String> ready = new HashSet<>(); // worker|assignment
        Set<String> submitted = new HashSet<>(); // worker|assignment, left as submitted
        Set<String> submissionConfirmed = new HashSet<>(); // worker|assignment
        List<Integer> hireNumbers = new ArrayList<>();
        for (LoggedFact f : log) {
            Decision.Fact fact = f.fact().fact();
            if (fact instanceof Decision.StatusChange sc) {
                String key = sc.workerId() + "|" + sc.assignmentId();
                current.put(sc.workerId(), sc.assignmentId());
                last.put(sc.workerId(), sc.to());
                if (sc.from() == null || sc.cause() == Decision.Cause.ARRIVED) {
                    once.merge("arrival " + key, 1, Integer::sum);
                    arrivedAssignments.add(key);
                }
                if (sc.to() == WorkerStatus.ACTIVE) {
                    promoted.add(key);
                }
                if (!sc.to().inQueue() && sc.to() != WorkerStatus.DISCONNECTED) {
                    once.merge("departure " + key + " " + sc.to(), 1, Integer::sum);
                }
                if (sc.to() == WorkerStatus.SUBMITTED) {
                    submitted.add(key);
                }
            } else if (fact instanceof Decision.WaitingClosed wc) {
                String key = wc.workerId() + "|" + current.get(wc.workerId());
                once.merge("ready " + key, 1, Integer::sum);
                ready.add(key);
            } else if (fact instanceof Decision.SubmissionConfirmed s) {
                String key = s.workerId() + "|" + s.assignmentId();
                once.merge("submission confirmed " + key, 1, Integer::sum);
                submissionConfirmed.add(key);
            } else if (fact instanceof Decision.AssignmentConfirmed ac) {
                once.merge("confirmation " + ac.assignmentId(), 1, Integer::sum);
            } else if (fact instanceof Decision.Hire h) {
                hireNumbers.add(h.number());
            }
        }
        once.forEach((what, n) -> {
            if (n > 1) {
                run.doubled(what + " " + n + " times in the log");
            }
        });
        for (int i = 0; i < hireNumbers.size(); i++) {
            if (hireNumbers.get(i) != i + 1) {
                run.doubled("hire numbers in the log are " + hireNumbers);
                break;
            }
        }
        run.hires = hireNumbers.size();

        // Every acknowledged event is in the log.
        Map<String, WorkerResult> byWorker = results;
        for (AckRecord a : acks) {
            if (!a.ok()) {
                run.acksRefused++;
                run.refusedByCode.merge(a.event() + ":" + a.code(), 1, Integer::sum);
                continue;
            }
            run.acksOk++;
            run.acksByEvent.merge(a.event(), 1, Integer::sum);
            long beforeKill = Duration.between(a.at(), killedAt).toMillis();
            if (beforeKill >= 0 && beforeKill <= 1_000) {
                run.acksJustBeforeKill++;
            }
            String key = a.workerId() + "|" + a.assignmentId();
            String when = " (acknowledged " + (beforeKill >= 0 ? beforeKill + " ms before" : -beforeKill + " ms after")
                    + " the kill)";
            switch (a.event()) {
                case "IAmReady" -> {
                    if (!ready.contains(key)) {
                        run.lost("IAmReady of " + key + " answered {ok:true} but no WaitingClosed in the log" + when
                                + story(byWorker.get(a.workerId()), log, killedAt), a.at());
                    }
                }
                case "submit_waiting", "submit_active" -> {
                    if (!submitted.contains(key)) {
                        run.lost(a.event() + " of " + key + " answered {ok:true} but the log has no departure "
                                + "to submitted (last status " + last.get(a.workerId()) + ")" + when
                                + story(byWorker.get(a.workerId()), log, killedAt), a.at());
                    }
                }
                default -> run.mismatch("an acknowledgement of an unexpected event: " + a);
            }
        }

        // Each worker: what the simulator saw, what the marketplace has, what the log says.
        Set<String> simulatedAssignments = new HashSet<>();
        for (WorkerResult r : results.values()) {
            String w = r.workerId();
            if (r.assignmentId() == null) {
                if (last.containsKey(w)) {
                    run.mismatch(w + " never had an assignment but is in the log");
                }
                continue;
            }
            simulatedAssignments.add(r.assignmentId());
            String key = w + "|" + r.assignmentId();
            if (r.admitted()) {
                run.admissionsChecked++;
                if (!arrivedAssignments.contains(key)) {
                    run.lost(w + " was admitted (its page heard the session) but its arrival is not in the log"
                            + story(r, log, killedAt), r.admittedAt());
                }
            }
            if (r.promoted()) {
                run.promotionsChecked++;
                if (!promoted.contains(key)) {
                    run.lost(w + " was told start_your_task but its promotion is not in the log"
                            + story(r, log, killedAt), r.promotedAt());
                }
            }
            AssignmentStatus atMarket = market.assignment(r.assignmentId()).map(AssignmentView::status).orElse(null);
            Set<AssignmentStatus> expected = switch (r.outcome()) {
                case SUBMITTED -> Set.of(AssignmentStatus.SUBMITTED, AssignmentStatus.APPROVED);
                case RETURNED, JOB_FULL -> Set.of(AssignmentStatus.RETURNED);
                case ABANDONED -> Set.of(AssignmentStatus.ABANDONED);
                case DROPPED -> Set.of(AssignmentStatus.ACCEPTED); // held until its deadline, as on MTurk
                case NO_HIT -> Set.of();
            };
            if (!expected.contains(atMarket)) {
                run.mismatch(w + ": the simulator saw " + r.outcome() + ", the marketplace has " + atMarket);
            }
            WorkerStatus inLog = last.get(w);
            if (inLog == null) {
                continue; // its page never got in (nothing promised): checked above if it heard otherwise
            }
            if (!key.equals(w + "|" + current.get(w))) {
                run.mismatch(w + ": the log's last assignment is " + current.get(w) + ", the simulator's "
                        + r.assignmentId());
            }
            WorkerStatus want = switch (r.outcome()) {
                case SUBMITTED -> WorkerStatus.SUBMITTED;
                case RETURNED -> WorkerStatus.RETURNED;
                case ABANDONED -> WorkerStatus.ABANDONED;
                case DROPPED -> WorkerStatus.DISCONNECTED;
                default -> null;
            };
            if (inLog != want) {
                run.mismatch(w + ": the simulator saw " + r.outcome() + ", the marketplace has " + atMarket
                        + ", the log ends with " + inLog);
            }
            if (inLog.inQueue()) {
                run.mismatch(w + " is still " + inLog + " in the log: held forever");
            }
            if (r.outcome() == Outcome.SUBMITTED && !submissionConfirmed.contains(key)) {
                run.mismatch(w + ": the marketplace has its submission, the log never confirmed it");
            }
        }
        for (String hitId : sessionHits(market, prefix)) {
            for (AssignmentView a : market.assignmentsOfHit(hitId)) {
                if (!simulatedAssignments.contains(a.assignmentId())) {
                    run.mismatch("assignment " + a.assignmentId() + " of " + a.workerId() + " (" + a.status()
                            + ") at the marketplace is no simulated worker's");
                }
            }
        }

        // Hires: one HIT per token, exactly the log's, each sent; the server's HITs are the marketplace's.
        Map<String, Integer> byAnnotation = new TreeMap<>();
        for (HitView h : market.hits()) {
            if (h.requesterAnnotation() != null && h.requesterAnnotation().startsWith(prefix)) {
                byAnnotation.merge(h.requesterAnnotation(), 1, Integer::sum);
            }
        }
        byAnnotation.forEach((token, n) -> {
            if (n > 1) {
                run.doubled(n + " HITs at the marketplace with token " + token);
            }
        });
        Set<String> hireTokens = byAnnotation.keySet().stream().filter(t -> t.matches(".*-h\\d+")).collect(
                Collectors.toSet());
        Set<String> logTokens = hireNumbers.stream().map(n -> prefix + "h" + n).collect(Collectors.toSet());
        if (!hireTokens.equals(logTokens)) {
            run.mismatch("hire HITs at the marketplace " + new TreeMap<>(byAnnotation).keySet()
                    + " are not the log's hires " + hireNumbers);
        }
        List<HireRequest> requests = store.hireRequests(session);
        if (requests.size() != hireNumbers.size()) {
            run.mismatch(requests.size() + " hire requests for " + hireNumbers.size() + " hires in the log");
        }
        for (HireRequest h : requests) {
            if (h.state() != HireRequest.State.DONE) {
                run.mismatch("hire " + h.number() + " is " + h.state() + " (" + h.lastError() + ")");
            }
        }
        Set<String> serverHits = new HashSet<>(store.sessionHits(session));
        Set<String> marketHits = new HashSet<>(sessionHits(market, prefix));
        if (!serverHits.equals(marketHits)) {
            run.mismatch("the server records HITs " + serverHits + ", the marketplace has " + marketHits);
        }
    }

    /** For a problem's report: the kill, what the worker's pages saw, and the log's facts about it. */
    static String story(WorkerResult r, List<LoggedFact> log, Instant killedAt) {
        StringBuilder b = new StringBuilder("\n    killed at " + killedAt + "\n    pages:");
        r.trace().forEach(t -> b.append("\n      ").append(t));
        b.append("\n    log:");
        for (LoggedFact f : log) {
            String text = f.fact().fact().toString();
            if (text.contains(r.workerId()) || r.assignmentId() != null && text.contains(r.assignmentId())) {
                b.append("\n      #").append(f.seq()).append(" ").append(f.fact().at()).append(" ").append(text);
            }
        }
        if (!log.isEmpty()) {
            LoggedFact end = log.get(log.size() - 1);
            b.append("\n    last fact #").append(end.seq()).append(" at ").append(end.fact().at());
        }
        return b.toString();
    }

    // ---- the marketplace --------------------------------------------------------------------------

    /**
     * A Pavilion in local mode, serving the marketplace only: its notifications go to the server under test
     * (which is not up yet, and will be down for a while): retried 60 times, from 100 ms apart doubling to 10 s.
     */
    static ConfigurableApplicationContext startMarketplace(Path dir, int serverPort) {
        SpringApplication app = new SpringApplication(PavilionApplication.class);
        ExcludeTestConfigurations.applyTo(app);
        return app.run("--server.port=0", "--server.address=127.0.0.1", "--pavilion.data-dir=" + dir,
                "--pavilion.database.embedded=mem", "--pavilion.marketplace.mode=local",
                "--pavilion.marketplace.reconcile-interval=0", "--spring.main.banner-mode=off",
                "--pavilion.marketplace.local.notify-url=http://127.0.0.1:" + serverPort + "/api/from_mturk",
                "--pavilion.marketplace.local.delivery-attempts=60",
                "--pavilion.marketplace.local.delivery-backoff=100ms",
                "--pavilion.marketplace.local.delivery-timeout=5s");
    }

    /** Counts the marketplace's events that its SNS will deliver (settings active, SNS, that event type). */
    static AtomicInteger countNotifications(LocalMarketplace local) {
        AtomicInteger count = new AtomicInteger();
        local.addListener(e -> {
            if (e.testDestination() == null && e.hitTypeId() != null && local.notificationSettings(e.hitTypeId())
                    .filter(s -> s.active() && "SNS".equals(s.transport()) && s.delivers(e.eventType())).isPresent()) {
                count.incrementAndGet();
            }
        });
        return count;
    }

    /** Notifications delivered, or given up after every attempt. */
    static long delivered(LocalSns sns) {
        return sns.deliveries().stream().filter(d -> "Notification".equals(d.type())).count();
    }

    /** The session's HITs at the marketplace (annotated with the session's tokens), oldest first. */
    static List<String> sessionHits(LocalMarketplace market, String prefix) {
        return market.hits().stream()
                .filter(h -> h.requesterAnnotation() != null && h.requesterAnnotation().startsWith(prefix)
                        && !h.requesterAnnotation().matches(".*-c\\d+")) // compensation HITs are not the session's
                .sorted(Comparator.comparing(HitView::creationTime)).map(HitView::hitId).toList();
    }

    private static Path killedFile(Path dir, Config c) {
        return dir.resolve("killed-" + c.seed() + ".mv.db");
    }

    /** A line's key=value pairs. */
    static Map<String, String> values(String line) {
        Map<String, String> values = new HashMap<>();
        for (String part : line.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                values.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return values;
    }

    private static long ms(long sinceNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ---- the server's process ------------------------------------------------------------------------

    /** A {@link SimKillServer} JVM: its output goes to a file, its standard input takes commands. */
    static final class Child {
        final Process process;
        final Path log;
        final OutputStream in;

        private Child(Process process, Path log) {
            this.process = process;
            this.log = log;
            this.in = process.getOutputStream();
        }

        static Child start(List<String> args, Path log) throws IOException {
            List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx512m", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), SimKillServer.class.getName()));
            command.addAll(args);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new Child(p, log);
        }

        /** The READY line's key=value pairs. */
        Map<String, String> awaitReady(Duration timeout) throws Exception {
            return values(awaitLine("READY", timeout));
        }

        /** Sends a command line and returns the first line after it that starts with {@code answer}. */
        String ask(String command, String answer, Duration timeout) throws Exception {
            int seen = lines().size();
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            return awaitLine(answer, timeout, seen);
        }

        String awaitLine(String start, Duration timeout) throws Exception {
            return awaitLine(start, timeout, 0);
        }

        private String awaitLine(String start, Duration timeout, int from) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                List<String> lines = lines();
                for (int i = from; i < lines.size(); i++) {
                    if (lines.get(i).startsWith(start)) {
                        return lines.get(i);
                    }
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("the server exited (" + process.exitValue() + ") before '" + start
                            + "'; see " + log + ":\n" + tail());
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("no '" + start + "' from the server in " + timeout + "; see " + log
                    + ":\n" + tail());
        }

        private List<String> lines() throws IOException {
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.ISO_8859_1) : List.of();
        }

        String tail() throws IOException {
            List<String> lines = lines();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }

        /** SIGKILL: no shutdown hook, no flush, no goodbye. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        /** A clean stop (STOP on its input); killed if it does not exit in time. */
        void stop(Duration timeout) throws Exception {
            try {
                in.write("STOP\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                in.close();
            } catch (IOException gone) {
                // already exited
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                throw new IllegalStateException("the server did not stop in " + timeout + "; see " + log);
            }
        }
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }
}
