package org.pavilion.session;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

import com.zaxxer.hikari.HikariDataSource;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Arrive;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueEvent.Leave;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.storage.TestDatabases;

/**
 * The process that {@link CrashRestartTest} kills with SIGKILL. It recovers the live sessions,
 * then fires events at them without end; for each event acknowledged as durable it appends one
 * line to the ack file: {@code sessionId <TAB> facts so far <TAB> facts of this event}. The line is
 * written with one unbuffered write, so a line in the file is a promise that was made.
 *
 * <p>Arguments: jdbcUrl user password ackFile sessionId[,sessionId...]
 */
public final class CrashDriver {

    public static void main(String[] args) throws Exception {
        HikariDataSource dataSource = TestDatabases.pool(args[0], args[1], args[2]);
        List<Long> sessions = Arrays.stream(args[4].split(",")).map(Long::parseLong).toList();
        JdbcSessionStore store = new JdbcSessionStore(dataSource);
        LiveSessionService service = new LiveSessionService(store, List.of(), Clock.systemUTC());
        service.recover();
        Map<Long, Long> factsSoFar = new ConcurrentHashMap<>();
        for (long s : sessions) {
            factsSoFar.put(s, (long) store.loadSession(s).orElseThrow().facts().size());
        }
        try (OutputStream ack = new FileOutputStream(args[3], true)) {
            System.out.println("READY");
            System.out.flush();
            Random random = new Random(7);
            Semaphore inFlight = new Semaphore(64); // keep the pipeline full, as a live server's would be
            while (true) {
                long s = sessions.get(random.nextInt(sessions.size()));
                inFlight.acquire();
                QueueEvent event = randomEvent(random);
                if (event instanceof Arrive a) {
                    // The marketplace's confirmation first (SPEC 4.1.0); acknowledged like any other event.
                    QueueEvent confirm = new QueueEvent.Confirm(a.assignmentId(), "HIT-crash", a.workerId());
                    inFlight.acquire();
                    service.submit(s, confirm, "marketplace", null).whenComplete((outcome, failure) -> {
                        inFlight.release();
                        if (failure == null) {
                            long total = factsSoFar.merge(s, (long) outcome.facts().size(), Long::sum);
                            write(ack, s + "\t" + total + "\t" + outcome.facts() + "\n");
                        }
                    });
                }
                service.submit(s, event, "crash-driver", null).whenComplete((outcome, failure) -> {
                    inFlight.release();
                    if (failure == null) {
                        // Completions of one session arrive in commit order, on the commit thread.
                        long total = factsSoFar.merge(s, (long) outcome.facts().size(), Long::sum);
                        write(ack, s + "\t" + total + "\t" + outcome.facts() + "\n");
                    }
                });
            }
        }
    }

    private static synchronized void write(OutputStream out, String line) {
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static QueueEvent randomEvent(Random r) {
        String w = "w" + r.nextInt(30);
        String a = "a" + r.nextInt(2) + "-" + w;
        int pick = r.nextInt(100);
        if (pick < 50) {
            return new Arrive(w, a);
        } else if (pick < 62) {
            return new QueueEvent.Ready(w);
        } else if (pick < 99) {
            return new Leave(w, r.nextBoolean() ? null : a, Departure.values()[r.nextInt(4)]);
        }
        return new QueueEvent.Migrate(1, false, "admin");
    }
}
