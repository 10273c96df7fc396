package org.pavilion.bench;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
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
 * What ended sessions cost in memory (issue 13 item 6): runs {@code sessions} sessions of {@code workers}
 * workers each through arrivals, promotions and submissions to their expiry, then measures the heap the
 * service holds (after full collections) while the ended sessions keep their engines, and again once they
 * have gone dormant.
 *
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.pavilion.bench.EndedSessionsMemoryBench -Dexec.args="200 200"
 * </pre>
 * Arguments: sessions, workers per session. The store is an H2 file database whose page cache is part of
 * the heap: the service's share is what the heap drops by when the service is closed.
 */
public final class EndedSessionsMemoryBench {

    private EndedSessionsMemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pavilion-ended-bench");
        try (HikariDataSource dataSource = TestDatabases.pool(DatabaseEnvironmentPostProcessor.h2FileUrl(dir), "sa", "")) {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            JdbcSessionStore store = new JdbcSessionStore(dataSource);
            long project = new ProjectRepository(dataSource).create("bench", "", Instant.now()).id();
            TaskRepository tasks = new TaskRepository(dataSource);
            Thresholds t = new Thresholds(2, 1, 10, 10);

            LiveSessionService service = new LiveSessionService(store, List.of(), Clock.systemUTC());
            long events = 0;
            for (int i = 0; i < sessions; i++) {
                long task = tasks.create(project, TaskSettings.basic("bench", "bench", "https://localhost/t", 10, t),
                        Instant.now()).id();
                long s = service.open(task).sessionId();
                for (int w = 0; w < workers; w++) {
                    String id = "w" + w;
                    service.apply(s, new QueueEvent.Confirm("a" + w, "HIT", id), "bench");
                    service.apply(s, new Arrive(id, "a" + w), "bench");
                    service.apply(s, new Leave(id, null, Departure.SUBMIT), "bench");
                    events += 3;
                }
                service.apply(s, new QueueEvent.Expire("bench"), "bench");
            }
            long engaged = usedHeap();
            int before = service.engagedSessions();

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (service.engagedSessions() > 0 && System.nanoTime() < deadline) {
                service.sleepEndedSessions(Duration.ZERO);
                Thread.sleep(10);
            }
            service.sleepEndedSessions(Duration.ZERO);
            long dormant = usedHeap();
            int after = service.engagedSessions();

            service.close();
            service = null; // unreachable from here: what remains is the database's and the JVM's
            long withoutService = usedHeap(); // what the database and the rest of the JVM hold
            System.out.printf("sessions=%d workers/session=%d events=%d%n", sessions, workers, events);
            System.out.printf("engines held: %d -> %d%n", before, after);
            System.out.printf("service heap while ended sessions keep their engines: %,d bytes per session%n",
                    (engaged - withoutService) / sessions);
            System.out.printf("service heap once they are dormant:                   %,d bytes per session%n",
                    (dormant - withoutService) / sessions);
        }
        System.exit(0);
    }

    private static long usedHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
