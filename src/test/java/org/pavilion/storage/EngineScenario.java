package org.pavilion.storage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.pavilion.queue.Decision;
import org.pavilion.queue.Decision.Fact;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.PavilionException;
import org.pavilion.queue.QueueEngine;
import org.pavilion.queue.QueueEngine.TimedFact;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.CommitItem;
import org.pavilion.session.LoggedFact;
import org.pavilion.session.SessionConfig;

/**
 * Drives a real {@link QueueEngine} for one session with a seeded random mix of events (arrivals,
 * reloads, repeat and re-joining workers, IAmReady, submits, returns, abandons, disconnects,
 * migrations, stop) and turns every outcome that changes state into a {@link CommitItem}, as the
 * live session service would. Keeps the expected log to compare with what the store reads back.
 */
final class EngineScenario {

    final long sessionId;
    final QueueEngine engine;
    private final Random random;
    private Instant clock;
    private long nextSeq = 1;
    private int workers;
    private int assignments;
    final List<CommitItem> items = new ArrayList<>();
    final List<LoggedFact> expected = new ArrayList<>();
    final List<Decision.Hire> hires = new ArrayList<>();

    EngineScenario(SessionConfig config, long seed, Instant start) {
        this.sessionId = config.sessionId();
        this.engine = new QueueEngine(config.thresholds(), config.allowRepeatWorkers());
        this.random = new Random(seed);
        this.clock = start;
    }

    /** Applies {@code events} random events (refused ones are skipped, as the service would answer them). */
    EngineScenario run(int events) {
        return run(events, true);
    }

    /** As {@link #run(int)}; with {@code mayStop} false the admin never stops the job. */
    EngineScenario run(int events, boolean mayStop) {
        for (int i = 0; i < events; i++) {
            step(i, events, mayStop);
        }
        return this;
    }

    private void step(int i, int total, boolean mayStop) {
        int dice = random.nextInt(100);
        QueueEvent event;
        String actor;
        String detail = null;
        if (mayStop && i == total - 10 && random.nextBoolean()) {
            event = new QueueEvent.Stop("admin");
            actor = "admin";
        } else if (dice < 35 || workers == 0) {
            workers++;
            String w = "W" + workers;
            String aid = nextAssignment(w);
            confirm(w, aid);
            event = new QueueEvent.Arrive(w, aid);
            actor = "worker:" + w;
        } else if (dice < 45) {
            // a known worker comes back: a reload, a re-join after a disconnect, or a repeat attempt
            String w = randomWorker();
            WorkerStatus s = engine.statusOf(w);
            String aid = s != null && (s == WorkerStatus.DISCONNECTED || s.inQueue()) ? engine.assignmentOf(w)
                    : nextAssignment(w);
            confirm(w, aid);
            event = new QueueEvent.Arrive(w, aid);
            actor = "worker:" + w;
        } else if (dice < 60) {
            String w = queuedWorker();
            event = new QueueEvent.Ready(w);
            actor = "worker:" + w;
            detail = "{\"time_waited\":" + random.nextInt(500) + ",\"reward\":\"0.12\"}";
        } else if (dice < 95) {
            String w = queuedWorker();
            Departure how = Departure.values()[random.nextInt(Departure.values().length)];
            String aid = random.nextInt(4) == 0 ? null : engine.assignmentOf(w);
            if (how == Departure.SUBMIT && random.nextInt(3) == 0) {
                event = QueueEvent.Leave.claimedByPage(w, aid, how); // confirmed (or not) by a later event
                actor = "worker:" + w;
            } else {
                event = new QueueEvent.Leave(w, aid, how);
                actor = how == Departure.DISCONNECT ? "system" : "marketplace";
            }
        } else if (dice < 97) {
            // the budget is lowered or raised now and then: withheld hires, and hires made on a raise
            event = new QueueEvent.SetHireBudget(engine.snapshot().hires() + random.nextInt(3), "admin");
            actor = "admin";
        } else if (dice < 98) {
            String unused = nextAssignment("nobody");
            confirm("nobody", unused);
            event = new QueueEvent.Release(unused); // accepted, then returned before its page opened
            actor = "marketplace";
        } else {
            event = new QueueEvent.Migrate(1 + random.nextInt(3), random.nextInt(5) == 0, "admin");
            actor = "admin";
        }
        apply(event, actor, detail);
    }

    /** The marketplace's confirmation of an assignment before its page arrives (SPEC 4.1.0); often a duplicate. */
    private void confirm(String worker, String aid) {
        if (!engine.isConfirmed(aid)) {
            apply(new QueueEvent.Confirm(aid, "HIT-" + sessionId, random.nextBoolean() ? worker : null),
                    "marketplace", null);
        }
    }

    private String nextAssignment(String worker) {
        assignments++;
        return "S" + sessionId + "-A" + assignments + "-" + worker; // assignment ids are unique at the marketplace
    }

    /** Mostly a worker in one of the queues (they are the ones who can leave), sometimes anyone. */
    private String queuedWorker() {
        QueueSnapshot now = engine.snapshot();
        List<String> queued = new ArrayList<>(now.active());
        queued.addAll(now.waiting());
        if (queued.isEmpty() || random.nextInt(10) == 0) {
            return randomWorker();
        }
        return queued.get(random.nextInt(queued.size()));
    }

    private String randomWorker() {
        return "W" + (1 + random.nextInt(workers));
    }

    /**
     * Applies one event at the next tick of the scenario clock; returns its item, or null if nothing changed.
     * An arrival with an assignment the marketplace has not confirmed yet is preceded by its confirmation
     * (SPEC 4.1.0), as a live session would have it.
     */
    CommitItem apply(QueueEvent event, String actor, String detail) {
        if (event instanceof QueueEvent.Arrive a && !engine.isConfirmed(a.assignmentId())) {
            confirm(a.workerId(), a.assignmentId());
        }
        clock = clock.plusMillis(1 + random.nextInt(20_000));
        Outcome outcome;
        try {
            outcome = engine.apply(event, clock);
        } catch (PavilionException refused) {
            return null;
        }
        List<Fact> facts = outcome.facts();
        if (facts.isEmpty()) {
            return null;
        }
        CommitItem item = new CommitItem(sessionId, nextSeq, clock, actor, detail, facts);
        for (Fact f : facts) {
            expected.add(new LoggedFact(nextSeq++, new TimedFact(f, clock)));
        }
        hires.addAll(outcome.hires());
        items.add(item);
        return item;
    }

    long nextSeq() {
        return nextSeq;
    }

    QueueSnapshot snapshot() {
        return engine.snapshot();
    }

    int factCount() {
        return expected.size();
    }

    /** Splits the items into group commits of 1..maxGroup items. */
    static List<List<CommitItem>> groups(List<CommitItem> items, int maxGroup, Random random) {
        List<List<CommitItem>> groups = new ArrayList<>();
        int i = 0;
        while (i < items.size()) {
            int n = Math.min(items.size() - i, 1 + random.nextInt(maxGroup));
            groups.add(new ArrayList<>(items.subList(i, i + n)));
            i += n;
        }
        return groups;
    }
}
