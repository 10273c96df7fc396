package org.pavilion.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

import org.pavilion.PavilionApplication;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionStore;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

/**
 * The server half of the handoff-latency benchmark (docs/benchmarks.md, "Handoff latency over the
 * real-time channel"): the real Pavilion application on a TCP port, with one live session whose
 * thresholds suit {@code workers} connected workers, for a load client in another process
 * (src/test/node/handoff-bench.js, driven by bench/handoff.sh).
 *
 * <p>The session: {@code minActive 1, minWaiting 0, maxActive workers/2,
 * maxWaiting workers - workers/2 + headroom}, so {@code workers} arrivals fill it (half active, half
 * waiting) and every submit of an active worker promotes the oldest waiting one. The session goes live
 * as an admin's would ({@link MarketplaceService#goLive}: its HIT is posted on the configured
 * marketplace, the embedded local one by default, and every hire is sent there); the HIT id is what
 * seed-style pages name in {@code connected}.
 *
 * <p>Prints one line {@code READY port=... hit=... session=... workers=... maxActive=... maxWaiting=... marketplace=... db=...}
 * and runs until its standard input closes (or it is killed). Not run by {@code mvn verify}.
 *
 * <pre>
 * mvn -q -B test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.pavilion.bench.HandoffBenchServer -Dexec.args="1000 file 0"
 * </pre>
 * Arguments: workers (default 100); database {@code file} (H2 file database in a new temporary
 * directory, the production default; removed at exit) or {@code mem} (in-memory H2); port (default 0:
 * any free port); headroom added to maxWaiting (default 0).
 */
public final class HandoffBenchServer {

    private HandoffBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        String db = args.length > 1 ? args[1] : "file";
        int port = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        int headroom = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        if (workers < 2) {
            throw new IllegalArgumentException("workers must be at least 2");
        }
        if (!db.equals("file") && !db.equals("mem")) {
            throw new IllegalArgumentException("database must be 'file' or 'mem' (was '" + db + "')");
        }
        Path dataDir = Files.createTempDirectory("pavilion-handoff-");

        // Command-line properties, because application.properties sets server.port and pavilion.data-dir
        // itself (default properties would lose to it).
        String[] properties = {
            "--server.port=" + port,
            "--server.address=127.0.0.1",
            "--pavilion.data-dir=" + dataDir,
            "--pavilion.database.embedded=" + db,
            "--spring.main.banner-mode=off",
            "--logging.level.root=WARN",
        };
        SpringApplication app = new SpringApplication(PavilionApplication.class);
        // This runs from the test class path: keep the tests' own @TestConfiguration classes (echo
        // namespace, fake MTurk endpoint, ...) out of component scanning, as @SpringBootTest would.
        app.addInitializers(ctx -> ctx.getBeanFactory().registerSingleton("handoffBenchTestExcludeFilter",
                new ExcludeTestConfigurations()));
        ConfigurableApplicationContext context = app.run(properties);

        int actualPort = Integer.parseInt(context.getEnvironment().getProperty("local.server.port",
                String.valueOf(port)));
        int maxActive = workers / 2;
        int maxWaiting = workers - maxActive + headroom;
        Thresholds thresholds = new Thresholds(1, 0, maxActive, maxWaiting);
        long project = context.getBean(ProjectRepository.class).create("Handoff bench", "", Instant.now()).id();
        long task = context.getBean(TaskRepository.class).create(project,
                TaskSettings.basic("Handoff bench", "handoff latency benchmark", "https://localhost/task", 10,
                        thresholds), Instant.now()).id();
        long session;
        String hit;
        String market;
        MarketplaceService marketplace = context.getBeanProvider(MarketplaceService.class).getIfAvailable();
        if (marketplace != null) {
            // As an admin would: open the session and post its HIT on the configured marketplace (the
            // embedded local one by default), so that every submit's hire is really sent there.
            MarketplaceService.Posted posted = marketplace.goLive(task, "handoff-bench");
            session = posted.sessionId();
            hit = posted.hitId();
            market = "posted";
        } else {
            session = context.getBean(LiveSessionService.class).open(task).sessionId();
            hit = "HIT-HANDOFF-" + session;
            context.getBean(SessionStore.class).addSessionHit(session, "TYPE-HANDOFF-" + session, hit);
            market = "none";
        }

        System.out.println("READY port=" + actualPort + " hit=" + hit + " session=" + session + " workers=" + workers
                + " maxActive=" + maxActive + " maxWaiting=" + maxWaiting + " marketplace=" + market + " db=" + db
                + (db.equals("file") ? ":" + dataDir : ""));
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
        deleteQuietly(dataDir);
        System.out.println("STOPPED");
        System.exit(0);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }

    /** Excludes classes annotated {@code @TestConfiguration} from component scanning. */
    private static final class ExcludeTestConfigurations extends TypeExcludeFilter {
        @Override
        public boolean match(MetadataReader reader, MetadataReaderFactory factory) {
            return reader.getAnnotationMetadata().hasAnnotation(TestConfiguration.class.getName());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ExcludeTestConfigurations;
        }

        @Override
        public int hashCode() {
            return ExcludeTestConfigurations.class.hashCode();
        }
    }
}
