package org.pavilion.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Arrive;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueEvent.Leave;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.storage.DatabaseEnvironmentPostProcessor;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.storage.TestDatabases;

/**
 * Durable transitions per second through the live session service: each event is decided by the
 * engine, written in a group commit, and counted only once acknowledged (durable).
 *
 * <p>Each session is a full 50 + 50 session in steady turnover: the oldest active worker submits
 * (the oldest waiting one is promoted and a hire is recorded), then a new worker arrives. One
 * client thread per session keeps up to {@code window} events in flight, as many workers'
 * connections would.
 *
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.pavilion.bench.DurableBench -Dexec.args="h2 1 20000"
 * </pre>
 * Arguments: database (h2 | pg), sessions, events per session [, window (default 256)].
 */
public final class DurableBench {

    private DurableBench() {
    }

    public static void main(String[] args) throws Exception {
        String db = args.length > 0 ? args[0] : "h2";
        int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int events = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        int window = args.length > 3 ? Integer.parseInt(args[3]) : 256;

        HikariDataSource dataSource;
        EmbeddedPostgres postgres = null;
        if (db.equals("pg")) {
            // The embedded server's defaults turn fsync off; a benchmark of durability must turn it on.
            postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on").setServerConfig("full_page_writes", "on").start();
            dataSource = TestDatabases.pool(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
        } else {
            Path dir = Files.createTempDirectory("pavilion-bench-h2");
            dataSource = TestDatabases.pool(DatabaseEnvironmentPostProcessor.h2FileUrl(dir), "sa", "");
        }
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        JdbcSessionStore store = new JdbcSessionStore(dataSource);
        long project = new ProjectRepository(dataSource).create("bench", "", Instant.now()).id();
        TaskRepository tasks = new TaskRepository(dataSource);
        Thresholds t = new Thresholds(1, 0, 50, 50);

        LiveSessionService service = new LiveSessionService(store, List.of(), Clock.systemUTC());
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            long task = tasks.create(project, TaskSettings.basic("bench", "bench", "https://localhost/t", 10, t),
                    Instant.now()).id();
            long s = service.open(task).sessionId();
            ids.add(s);
            for (int w = 0; w < 100; w++) { // fill: w0..w49 active, w50..w99 waiting
                service.apply(s, new QueueEvent.Confirm("a" + w, "HIT", "w" + w), "bench");
                service.apply(s, new Arrive("w" + w, "a" + w), "bench");
            }
        }

        // Warm up, then measure.
        run(service, ids, Math.min(events / 4, 4000), window, null);
        long[] latencies = new long[events * sessions];
        long start = System.nanoTime();
        long facts = run(service, ids, events, window, latencies);
        double seconds = (System.nanoTime() - start) / 1e9;
        service.close();
        dataSource.close();
        if (postgres != null) {
            postgres.close();
        }

        Arrays.sort(latencies);
        long total = (long) events * sessions;
        System.out.printf("db=%s sessions=%d events=%d window=%d: %.2f s, %.0f events/s, %.0f facts/s, "
                        + "ack latency p50=%.2f ms p99=%.2f ms max=%.2f ms%n",
                db, sessions, total, window, seconds, total / seconds, facts / seconds,
                percentile(latencies, 0.50), percentile(latencies, 0.99), latencies[latencies.length - 1] / 1e6);
        System.exit(0);
    }

    /** Drives every session from its own thread; returns the number of facts made durable. */
    private static long run(LiveSessionService service, List<Long> ids, int events, int window, long[] latencies) {
        AtomicLong facts = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < ids.size(); k++) {
            long s = ids.get(k);
            int slot = k;
            Thread thread = new Thread(() -> drive(service, s, slot, events, window, latencies, facts));
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return facts.get();
    }

    private static final int[] NEXT = new int[64]; // per session: index of the next cycle

    private static void drive(LiveSessionService service, long s, int slot, int events, int window,
                              long[] latencies, AtomicLong facts) {
        Semaphore inFlight = new Semaphore(window);
        List<CompletableFuture<Outcome>> all = new ArrayList<>(events);
        for (int e = 0; e < events; e++) {
            int cycle = NEXT[slot];
            QueueEvent event;
            if (e % 2 == 0) {
                // Active is w{cycle}..w{cycle+49}, waiting w{cycle+50}..w{cycle+99}: w{cycle} is the oldest.
                event = new Leave("w" + cycle, null, Departure.SUBMIT);
            } else {
                // The marketplace's confirmation goes first on the same session's writer (not measured).
                service.submit(s, new QueueEvent.Confirm("a" + (cycle + 100), "HIT", "w" + (cycle + 100)), "bench",
                        null);
                event = new Arrive("w" + (cycle + 100), "a" + (cycle + 100));
                NEXT[slot] = cycle + 1;
            }
            inFlight.acquireUninterruptibly();
            long sent = System.nanoTime();
            int index = slot * events + e;
            all.add(service.submit(s, event, "bench", null).whenComplete((o, failure) -> {
                inFlight.release();
                if (failure != null) {
                    System.err.println("benchmark event refused: " + event + ": " + failure);
                    System.exit(1); // the turnover model is broken: no figure is worth printing
                }
                facts.addAndGet(o.facts().size());
                if (latencies != null) {
                    latencies[index] = System.nanoTime() - sent;
                }
            }));
        }
        for (CompletableFuture<Outcome> f : all) {
            f.join();
        }
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))] / 1e6;
    }
}
