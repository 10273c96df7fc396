package org.pavilion.session;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariDataSource;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.storage.TestDatabases;

/**
 * The process {@link KillStress} kills with SIGKILL at a random moment. It recovers the live sessions
 * and applies a random mix of every kind of event the server acknowledges (a page's arrival and the
 * marketplace's confirmation, IAmReady, a page's submit, the marketplace's submit/return/abandon found
 * by assignment, a disconnect, a released confirmation, admin migrate, hire budget, stop and expire, the
 * wait-cap check). For each event whose future completed (the server's acknowledgement) it writes one
 * line to standard output, with one unbuffered write:
 * {@code ACK <TAB> seq <TAB> sessionId <TAB> kind <TAB> end <TAB> count <TAB> facts}, where {@code end} is the number
 * of facts of the session's log up to and including this event's (counted on the commit thread, in
 * commit order, by an {@link OutcomeListener}) {@code count} and {@code facts} the event's facts, counted and printed.
 *
 * <p>Arguments: jdbcUrl user password seed window sessionId[,sessionId...]
 */
public final class KillStressDriver {

    private static final OutputStream OUT = new FileOutputStream(FileDescriptor.out);
    private static final AtomicLong SEQ = new AtomicLong();

    public static void main(String[] args) throws Exception {
        HikariDataSource dataSource = TestDatabases.pool(args[0], args[1], args[2]);
        Random random = new Random(Long.parseLong(args[3]));
        int window = Integer.parseInt(args[4]);
        List<Long> sessions = Arrays.stream(args[5].split(",")).map(Long::parseLong).toList();
        JdbcSessionStore store = new JdbcSessionStore(dataSource);

        // Where each delivered outcome ends in its session's log: the listener runs on the commit thread,
        // in commit order, before the event's future completes.
        Map<Long, Long> factsSoFar = new ConcurrentHashMap<>();
        for (long s : sessions) {
            factsSoFar.put(s, (long) store.loadSession(s).orElseThrow().facts().size());
        }
        Map<Outcome, Long> ends = Collections.synchronizedMap(new IdentityHashMap<>());
        OutcomeListener positions = (sessionId, outcome) ->
                ends.put(outcome, factsSoFar.merge(sessionId, (long) outcome.facts().size(), Long::sum));
        LiveSessionService service = new LiveSessionService(store, List.of(positions), Clock.systemUTC());
        service.recover();
        write("READY\n");

        Semaphore inFlight = new Semaphore(window);
        while (true) {
            long s = sessions.get(random.nextInt(sessions.size()));
            String w = "w" + random.nextInt(12);
            String a = "a" + random.nextInt(2) + "-" + w + "-s" + s; // unique per session: found by assignment
            int pick = random.nextInt(1000);
            if (pick < 300) {
                QueueEvent arrive = new QueueEvent.Arrive(w, a);
                QueueEvent confirm = new QueueEvent.Confirm(a, "HIT-kill", random.nextBoolean() ? w : null);
                boolean confirmFirst = random.nextInt(4) != 0;
                send(service, inFlight, ends, s, confirmFirst ? "confirm" : "arrive", confirmFirst ? confirm : arrive,
                        confirmFirst ? "marketplace" : "worker:" + w);
                send(service, inFlight, ends, s, confirmFirst ? "arrive" : "confirm", confirmFirst ? arrive : confirm,
                        confirmFirst ? "worker:" + w : "marketplace");
            } else if (pick < 450) {
                // Mostly an active worker that has not said it yet, as a real page would (read from the session).
                String target = random.nextInt(4) == 0 ? w : activeNotReady(service, s, random, w);
                send(service, inFlight, ends, s, "ready", new QueueEvent.Ready(target), "worker:" + target);
            } else if (pick < 600) {
                send(service, inFlight, ends, s, "page-submit",
                        QueueEvent.Leave.claimedByPage(w, random.nextBoolean() ? a : null, Departure.SUBMIT),
                        "worker:" + w);
            } else if (pick < 760) {
                Departure how = Departure.values()[random.nextInt(3)]; // SUBMIT, RETURN, ABANDON
                inFlight.acquire();
                CompletableFuture<Outcome> done;
                try {
                    done = service.submitForAssignment(a, w, how, "marketplace", null);
                } catch (RuntimeException unknown) { // not an assignment of ours (yet): refused at once
                    inFlight.release();
                    continue;
                }
                acked(done, inFlight, ends, s, "marketplace-" + how.name().toLowerCase());
            } else if (pick < 840) {
                send(service, inFlight, ends, s, "disconnect", new QueueEvent.Leave(w, null, Departure.DISCONNECT),
                        "grace-timer");
            } else if (pick < 870) {
                send(service, inFlight, ends, s, "release", new QueueEvent.Release(a), "marketplace");
            } else if (pick < 930) {
                send(service, inFlight, ends, s, "migrate", new QueueEvent.Migrate(1 + random.nextInt(2),
                        random.nextBoolean(), "admin"), "admin:admin");
            } else if (pick < 960) {
                send(service, inFlight, ends, s, "hire-budget", new QueueEvent.SetHireBudget(random.nextInt(50),
                        "admin"), "admin:admin");
            } else if (pick < 990) {
                send(service, inFlight, ends, s, "cap-waits", new QueueEvent.CapWaits(), "pay-timer");
            } else if (pick < 997) {
                send(service, inFlight, ends, s, "stop", new QueueEvent.Stop("admin"), "admin:admin");
            } else if (random.nextInt(4) == 0) { // about 1 event in 1,300 ends its session
                send(service, inFlight, ends, s, "expire", new QueueEvent.Expire("admin"), "admin:admin");
            }
        }
    }

    private static String activeNotReady(LiveSessionService service, long s, Random random, String otherwise) {
        try {
            List<String> candidates = service.read(s, engine -> engine.snapshot().workers().entrySet().stream()
                    .filter(e -> e.getValue().status() == org.pavilion.queue.WorkerStatus.ACTIVE
                            && !e.getValue().ready())
                    .map(Map.Entry::getKey).sorted().toList()).get(5, java.util.concurrent.TimeUnit.SECONDS);
            return candidates.isEmpty() ? otherwise : candidates.get(random.nextInt(candidates.size()));
        } catch (Exception ended) {
            return otherwise;
        }
    }

    private static void send(LiveSessionService service, Semaphore inFlight, Map<Outcome, Long> ends, long s,
                             String kind, QueueEvent event, String actor) throws InterruptedException {
        inFlight.acquire();
        CompletableFuture<Outcome> done;
        try {
            done = service.submit(s, event, actor, null);
        } catch (RuntimeException refused) { // e.g. the session has ended
            inFlight.release();
            return;
        }
        acked(done, inFlight, ends, s, kind);
    }

    private static void acked(CompletableFuture<Outcome> done, Semaphore inFlight, Map<Outcome, Long> ends, long s,
                              String kind) {
        done.whenComplete((outcome, failure) -> {
            inFlight.release();
            if (failure == null && outcome != null) {
                Long end = ends.remove(outcome);
                write("ACK\t" + SEQ.incrementAndGet() + "\t" + s + "\t" + kind + "\t" + end + "\t"
                        + outcome.facts().size() + "\t" + outcome.facts() + "\n");
            }
        });
    }

    private static synchronized void write(String line) {
        try {
            OUT.write(line.getBytes(StandardCharsets.UTF_8)); // one write(2): a line is all there or cut at the end
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
