package org.pavilion.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.pavilion.PavilionApplication;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.testing.ExcludeTestConfigurations;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The server half of the benchmark suite (bench/suite.sh, docs/benchmarks.md): the real Pavilion
 * application on a TCP port of 127.0.0.1 with {@code sessions} live sessions, each posted on the
 * local marketplace as an admin's go-live would (so every hire is really sent there), for a
 * load client in another process (src/test/node/pavilion-bench.js) that speaks only SPEC §5.
 *
 * <pre>
 * java -cp ... org.pavilion.bench.BenchServer --sessions 10 --active 50 --waiting 50 \
 *     [--min-active 1] [--min-waiting 0] [--db file|mem|pg] [--port 0] [--market-endpoint URL]
 * </pre>
 * {@code --market-endpoint} (the suite's default layout): the local marketplace runs in another process
 * ({@link BenchMarketplace}, whose Requester API is at that URL and whose SNS delivers to this server's
 * {@code --port}), as MTurk does in production, so the marketplace's own work (SigV4 checks, XML,
 * RSA-signed notifications) is not measured as this server's; this server's embedded local marketplace
 * is off ({@link #externalMarketplace}). Without it: the old layout, the embedded one in this JVM.
 * <p>
 * {@code file} is an H2 file database in a new temporary directory with the production URL (the
 * default); {@code mem} an in-memory H2; {@code pg} an embedded PostgreSQL (io.zonky) started here
 * with {@code fsync}, {@code synchronous_commit} and {@code full_page_writes} on, as a durable
 * production server has them. Prints one line
 * {@code READY port=... market=http://127.0.0.1:PORT/local-mturk/api hits=H1,H2,... sessions=1,2,...
 * active=... waiting=... db=... layout=process|inprocess pid=...} ({@code market}: the local marketplace's
 * worker API, the other process's or this one's, where the
 * load client's workers accept the HITs and submit their assignments, SPEC §4.1.0), then runs until its
 * standard input closes. Not run by {@code mvn verify}.
 */
public final class BenchServer {

    private BenchServer() {
    }

    /**
     * The load client opens thousands of connections from one address (loopback): the per-address
     * limits, which stop one client from holding or churning many, are off for the benchmark.
     */
    static final int BENCH_WAITING_CENTS_PER_HOUR = 36_000;
    static final String NO_ADDRESS_LIMITS = "pavilion.realtime.max-connections-per-address=0";
    static final String NO_HANDSHAKE_LIMITS = "pavilion.realtime.handshakes-per-second=0";

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int sessions = Integer.parseInt(options.getOrDefault("sessions", "1"));
        int active = Integer.parseInt(options.getOrDefault("active", "50"));
        int waiting = Integer.parseInt(options.getOrDefault("waiting", "50"));
        int minActive = Integer.parseInt(options.getOrDefault("min-active", "1"));
        int minWaiting = Integer.parseInt(options.getOrDefault("min-waiting", "0"));
        int port = Integer.parseInt(options.getOrDefault("port", "0"));
        String db = options.getOrDefault("db", "file");
        String marketEndpoint = options.get("market-endpoint");
        if (sessions < 1) {
            throw new IllegalArgumentException("--sessions must be at least 1");
        }
        Thresholds thresholds = new Thresholds(minActive, minWaiting, active, waiting); // validates SPEC §3

        Path dataDir = Files.createTempDirectory("pavilion-bench-");
        List<String> properties = new ArrayList<>(List.of(
                "--server.port=" + port,
                "--server.address=127.0.0.1",
                "--pavilion.data-dir=" + dataDir,
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN",
                "--" + NO_ADDRESS_LIMITS,
                "--" + NO_HANDSHAKE_LIMITS));
        if (marketEndpoint != null) {
            externalMarketplace(marketEndpoint).forEach(p -> properties.add("--" + p));
        }
        EmbeddedPostgres postgres = null;
        switch (db) {
            case "file", "mem" -> properties.add("--pavilion.database.embedded=" + db);
            case "pg" -> {
                // The embedded server's own defaults turn fsync off; a durable server has it on.
                postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on").setServerConfig("full_page_writes", "on")
                        .setServerConfig("max_connections", "100").start();
                properties.add("--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"));
                properties.add("--spring.datasource.username=postgres");
                properties.add("--spring.datasource.password=postgres");
            }
            default -> throw new IllegalArgumentException("--db must be file, mem or pg (was '" + db + "')");
        }

        SpringApplication app = new SpringApplication(PavilionApplication.class);
        // This runs from the test class path: keep the tests' own @TestConfiguration classes (echo
        // namespace, fake MTurk endpoint, ...) out of component scanning, as @SpringBootTest would.
        ExcludeTestConfigurations.applyTo(app);
        ConfigurableApplicationContext context = app.run(properties.toArray(String[]::new));
        int actualPort = Integer.parseInt(context.getEnvironment().getProperty("local.server.port",
                String.valueOf(port)));

        List<String> hits = new ArrayList<>();
        List<String> sessionIds = new ArrayList<>();
        for (MarketplaceService.Posted posted : goLive(context, sessions, thresholds)) {
            hits.add(posted.hitId());
            sessionIds.add(String.valueOf(posted.sessionId()));
        }

        String market = marketEndpoint != null ? slash(marketEndpoint) + "api"
                : "http://127.0.0.1:" + actualPort + "/local-mturk/api";
        System.out.println("READY port=" + actualPort + " market=" + market
                + " hits=" + String.join(",", hits)
                + " sessions=" + String.join(",", sessionIds) + " active=" + active + " waiting=" + waiting
                + " minActive=" + minActive + " minWaiting=" + minWaiting + " db=" + db
                + " layout=" + (marketEndpoint != null ? "process" : "inprocess")
                + " pid=" + ManagementFactory.getRuntimeMXBean().getPid());
        System.out.flush();

        InputStream in = System.in;
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // keep running until stdin closes
            }
        } catch (IOException closed) {
            // same as end of input
        }
        context.close();
        if (postgres != null) {
            postgres.close();
        }
        deleteQuietly(dataDir);
        System.out.println("STOPPED");
        System.exit(0);
    }

    /**
     * The properties of a server whose local marketplace is another process's, its Requester API at {@code
     * endpoint} ({@code http://127.0.0.1:PORT/local-mturk/}): the sessions go live there, and this server's
     * own local marketplace is neither served nor used ({@code pavilion.marketplace.local.enabled=false}).
     * Then this server no longer counts that marketplace's certificate and SubscribeURL as its own, so they
     * are trusted by configuration, as a server trusts any SNS topic it was not built with.
     */
    static List<String> externalMarketplace(String endpoint) {
        String base = slash(endpoint);
        java.net.URI uri = java.net.URI.create(base);
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null || !base.endsWith("/local-mturk/")) {
            throw new IllegalArgumentException("--market-endpoint must be a local marketplace's Requester API, "
                    + "http://HOST:PORT/local-mturk/ (was '" + endpoint + "')");
        }
        return List.of(
                "pavilion.marketplace.mode=local",
                "pavilion.marketplace.endpoint=" + base,
                "pavilion.marketplace.local.enabled=false",
                "pavilion.marketplace.sns.trusted-cert-urls=" + base + "sns/cert.pem",
                "pavilion.marketplace.sns.trusted-subscribe-urls=" + base + "sns/");
    }

    private static String slash(String url) {
        return url.endsWith("/") ? url : url + "/";
    }

    /** The hire budget of a benchmark session: a run makes one hire per handoff, thousands of them. */
    static final int HIRE_BUDGET = 1_000_000;

    /**
     * Creates {@code sessions} tasks with these thresholds and puts each live as an admin would: its
     * session opens and its HIT is posted on the configured marketplace (the embedded local one by
     * default), so every hire a confirmed submission causes is really sent there. Each task gets a
     * title of its own, so each session has its own HIT type (the HIT group in which the load client's
     * workers look for the session's hires); the marketplace would give tasks with the same settings one
     * type. The hire budget is raised to {@link #HIRE_BUDGET}, as an admin would for a long run (the
     * default, three turnovers of every place, would stop a run of thousands of handoffs).
     */
    static List<MarketplaceService.Posted> goLive(ApplicationContext context, int sessions, Thresholds thresholds) {
        MarketplaceService marketplace = context.getBean(MarketplaceService.class);
        LiveSessionService live = context.getBean(LiveSessionService.class);
        long project = context.getBean(ProjectRepository.class).create("Benchmark", "", Instant.now()).id();
        List<MarketplaceService.Posted> posted = new ArrayList<>();
        for (int i = 1; i <= sessions; i++) {
            String name = "Benchmark " + project + "." + i;
            TaskSettings basic = TaskSettings.basic(name, "benchmark session " + project + "." + i,
                    "https://localhost/task", 10, thresholds);
            // Waiting paid at $360 an hour (10 cents a second), so that every submission's payout carries a
            // bonus: the pay dispatcher sends a SendBonus and an ApproveAssignment per handoff, the most
            // marketplace work pay can add to the measured process.
            TaskSettings paid = new TaskSettings(basic.title(), basic.description(), basic.keywords(),
                    basic.rewardCents(), basic.assignmentDurationSeconds(), basic.lifetimeSeconds(),
                    basic.autoApprovalDelaySeconds(), null, null, null, basic.externalUrl(), basic.frameHeight(),
                    thresholds, false, BENCH_WAITING_CENTS_PER_HOUR, basic.disconnectGraceSeconds());
            long task = context.getBean(TaskRepository.class).create(project, paid, Instant.now()).id();
            MarketplaceService.Posted session = marketplace.goLive(task, "bench");
            live.apply(session.sessionId(), new QueueEvent.SetHireBudget(HIRE_BUDGET, "bench"), "bench");
            posted.add(session);
        }
        return posted;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
