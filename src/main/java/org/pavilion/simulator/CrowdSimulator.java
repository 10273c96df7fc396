package org.pavilion.simulator;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

import io.socket.client.IO;
import io.socket.client.Socket;
import org.json.JSONArray;
import org.json.JSONObject;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.AssignmentView;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.realtime.WorkerIdentity;
import org.pavilion.session.LiveSessionService;
import org.pavilion.storage.JdbcSessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one live session on the local marketplace with simulated workers. Each is a real
 * client: it accepts an assignment at the local marketplace, opens a real Socket.IO connection
 * to {@code /chat} as the worker page does, waits, works when told {@code start_your_task}, and
 * leaves as its {@link WorkerPlan} says. All the simulator's own logic runs on one thread, so a
 * worker's steps never race each other.
 */
public final class CrowdSimulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CrowdSimulator.class);

    /** What finally happened to a simulated worker, as the simulator saw it. */
    public enum Outcome { SUBMITTED, RETURNED, ABANDONED, DROPPED, JOB_FULL, NO_HIT }

    /** One worker's result. {@code promoted}: it was told start_your_task. */
    public record WorkerResult(String workerId, Outcome outcome, boolean promoted, int reloads) {
    }

    private final LocalMarketplace market;
    private final JdbcSessionStore store;
    private final LiveSessionService sessions;
    private final URI chat;
    private final long sessionId;
    private final long noHitWaitMs;
    private final long reloadGapMs;
    private final Function<WorkerIdentity, String> pageToken;
    private final ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "crowd-simulator");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, WorkerResult> results = new ConcurrentHashMap<>();
    private final List<SimWorker> workers = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger arrived = new AtomicInteger();
    private final AtomicInteger planned = new AtomicInteger();
    private final CompletableFuture<Void> allDone = new CompletableFuture<>();
    private volatile boolean closed;
    private volatile long startNanos;

    /**
     * @param pageToken the signed token Pavilion puts in the page it serves a worker (a simulated page
     *                  joins as Pavilion's own pages do)
     */
    public CrowdSimulator(LocalMarketplace market, JdbcSessionStore store, LiveSessionService sessions, URI base,
                          long sessionId, long noHitWaitMs, long reloadGapMs,
                          Function<WorkerIdentity, String> pageToken) {
        this.pageToken = pageToken;
        this.market = market;
        this.store = store;
        this.sessions = sessions;
        this.chat = base.resolve("/chat");
        this.sessionId = sessionId;
        this.noHitWaitMs = noHitWaitMs;
        this.reloadGapMs = reloadGapMs;
    }

    public long sessionId() {
        return sessionId;
    }

    /** Starts a finite crowd; the returned future completes when every planned worker is done. */
    public CompletableFuture<Void> start(List<WorkerPlan> plan) {
        startNanos = System.nanoTime();
        planned.set(plan.size());
        if (plan.isEmpty()) {
            allDone.complete(null);
        }
        for (WorkerPlan p : plan) {
            exec.schedule(() -> arrive(p), p.arriveAtMs(), TimeUnit.MILLISECONDS);
        }
        return allDone;
    }

    /** Starts an open-ended crowd (the demo): workers keep arriving until {@link #close()}. */
    public void startContinuous(BehaviourModel model, long seed, String prefix) {
        startNanos = System.nanoTime();
        planned.set(Integer.MAX_VALUE);
        SplittableRandom gaps = new SplittableRandom(seed);
        // the first few workers come at once, so the session starts and there is something to see within seconds
        int burst = 3;
        for (int i = 0; i < burst; i++) {
            int index = i;
            long at = 500L * (i + 1);
            exec.schedule(() -> arrive(SimulationPlan.worker(model, index, prefix, at,
                    new SplittableRandom(seed * 1_000_003L + index))), at, TimeUnit.MILLISECONDS);
        }
        scheduleNext(model, seed, prefix, gaps, burst, 500L * burst);
    }

    private void scheduleNext(BehaviourModel model, long seed, String prefix, SplittableRandom gaps, int index,
                              long atMs) {
        long next = atMs + SimulationPlan.nextGap(model, gaps);
        exec.schedule(() -> {
            if (closed) {
                return;
            }
            arrive(SimulationPlan.worker(model, index, prefix, next, new SplittableRandom(seed * 1_000_003L + index)));
            scheduleNext(model, seed, prefix, gaps, index + 1, next);
        }, Math.max(0, next - elapsedMs()), TimeUnit.MILLISECONDS);
    }

    public long elapsedMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    public int arrived() {
        return arrived.get();
    }

    /** Results of the workers that are done, by worker id. */
    public Map<String, WorkerResult> results() {
        return Map.copyOf(results);
    }

    public Map<Outcome, Integer> outcomeCounts() {
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            counts.put(o, 0);
        }
        results.values().forEach(r -> counts.merge(r.outcome(), 1, Integer::sum));
        return counts;
    }

    /** One progress line: time, arrivals, the session's queues and the outcomes so far. */
    public String progressLine() {
        QueueSnapshot s = sessions.snapshot(sessionId);
        Map<Outcome, Integer> c = outcomeCounts();
        String of = planned.get() == Integer.MAX_VALUE ? "" : "/" + planned.get();
        return String.format("[sim] t=%6.1fs arrived %d%s | waiting %d active %d hires %d | submitted %d returned %d "
                        + "abandoned %d dropped %d full %d no-hit %d", elapsedMs() / 1000.0, arrived.get(), of,
                s.waiting().size(), s.active().size(), s.hires(), c.get(Outcome.SUBMITTED), c.get(Outcome.RETURNED),
                c.get(Outcome.ABANDONED), c.get(Outcome.DROPPED), c.get(Outcome.JOB_FULL), c.get(Outcome.NO_HIT));
    }

    /** Prints {@link #progressLine()} every {@code everyMs} until closed. */
    public void printProgress(Consumer<String> out, long everyMs) {
        exec.scheduleAtFixedRate(() -> {
            try {
                out.accept(progressLine());
            } catch (RuntimeException e) {
                log.debug("progress line failed", e);
            }
        }, everyMs, everyMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closed = true;
        List<SimWorker> copy;
        synchronized (workers) {
            copy = new ArrayList<>(workers);
        }
        copy.forEach(w -> w.closeSocket());
        exec.shutdownNow();
    }

    // ---- one worker ------------------------------------------------------------------------

    private enum State { ARRIVING, WAITING, ACTIVE, DONE }

    private void arrive(WorkerPlan plan) {
        if (closed) {
            return;
        }
        arrived.incrementAndGet();
        SimWorker w = new SimWorker(plan);
        workers.add(w);
        w.tryAccept(System.nanoTime());
    }

    private final class SimWorker {
        final WorkerPlan plan;
        State state = State.ARRIVING;
        AssignmentView assignment;
        Socket socket;
        long joinedNanos;
        boolean promoted;
        boolean joined;
        int reloads;
        ScheduledFuture<?> timer;

        SimWorker(WorkerPlan plan) {
            this.plan = plan;
        }

        String id() {
            return plan.workerId();
        }

        void tryAccept(long since) {
            if (closed || state != State.ARRIVING) {
                return;
            }
            List<String> hits = new ArrayList<>(store.sessionHits(sessionId));
            Collections.reverse(hits); // the newest HITs (hires) first
            for (String hit : hits) {
                try {
                    assignment = market.accept(id(), hit);
                    break;
                } catch (RuntimeException notAssignable) {
                    // full, expired, or already held: try the next HIT
                }
            }
            if (assignment == null) {
                if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since) >= noHitWaitMs) {
                    finish(Outcome.NO_HIT);
                } else {
                    exec.schedule(() -> tryAccept(since), 100, TimeUnit.MILLISECONDS);
                }
                return;
            }
            state = State.WAITING;
            joinedNanos = System.nanoTime();
            openSocket();
            // patience counts from the page's connection (below); this only bounds a connection that never opens
            timer = exec.schedule(this::leave, plan.patienceMs() + 10_000, TimeUnit.MILLISECONDS);
            if (plan.reloadAfterMs() >= 0 && plan.reloadAfterMs() < plan.patienceMs()) {
                exec.schedule(this::reload, plan.reloadAfterMs(), TimeUnit.MILLISECONDS);
            }
        }

        void openSocket() {
            IO.Options options = new IO.Options();
            options.forceNew = true;
            options.reconnection = false;
            options.transports = new String[] {"websocket"};
            options.auth = Map.of("token", pageToken.apply(new WorkerIdentity(sessionId, id(),
                    assignment.assignmentId(), assignment.hitId())));
            Socket s = IO.socket(chat, options);
            socket = s;
            s.on(Socket.EVENT_CONNECT, args -> exec.execute(() -> {
                if (socket == s && (state == State.WAITING || state == State.ACTIVE)) {
                    s.emit("connected", new JSONObject().put("workerId", id())
                            .put("aid", assignment.assignmentId()).put("hit_id", assignment.hitId()));
                    if (!joined && state == State.WAITING) {
                        joined = true;
                        joinedNanos = System.nanoTime();
                        timer.cancel(false);
                        timer = exec.schedule(this::leave, plan.patienceMs(), TimeUnit.MILLISECONDS);
                    }
                }
            }));
            s.on("start_your_task", args -> {
                JSONObject payload = args.length > 0 && args[0] instanceof JSONObject j ? j : new JSONObject();
                JSONArray ids = payload.optJSONArray("message");
                boolean mine = false;
                for (int i = 0; ids != null && i < ids.length(); i++) {
                    mine |= id().equals(ids.optString(i));
                }
                if (mine) {
                    exec.execute(this::promote);
                }
            });
            s.on("job_is_full", args -> exec.execute(this::full));
            s.on("stop", args -> exec.execute(this::stopped));
            s.connect();
        }

        void promote() {
            if (state != State.WAITING) {
                return;
            }
            state = State.ACTIVE;
            promoted = true;
            if (timer != null) {
                timer.cancel(false);
            }
            long waited = System.nanoTime() - joinedNanos;
            if (socket == null) {
                return; // mid-reload: the new page will hear start_your_task again or wait
            }
            socket.emit("IAmReady", new JSONObject().put("worker", id()).put("aid", assignment.assignmentId())
                    .put("hit_id", assignment.hitId()).put("time_waited", TimeUnit.NANOSECONDS.toSeconds(waited))
                    .put("reward", 0));
            // As Pavilion's waiting page does: leave for the main task page, which joins again.
            closeSocket();
            openSocket();
            timer = exec.schedule(this::leave, plan.workMs(), TimeUnit.MILLISECONDS);
        }

        void full() {
            if (state != State.WAITING) {
                return;
            }
            if (timer != null) {
                timer.cancel(false);
            }
            marketplaceCall(() -> market.returnAssignment(assignment.assignmentId()));
            closeSocket();
            finish(Outcome.JOB_FULL);
        }

        void stopped() {
            if (state == State.WAITING || state == State.ACTIVE) {
                if (timer != null) {
                    timer.cancel(false);
                }
                submit();
            }
        }

        void reload() {
            if (state != State.WAITING && state != State.ACTIVE) {
                return;
            }
            reloads++;
            closeSocket();
            exec.schedule(() -> {
                if (state == State.WAITING || state == State.ACTIVE) {
                    openSocket();
                }
            }, reloadGapMs, TimeUnit.MILLISECONDS);
        }

        void leave() {
            if (state != State.WAITING && state != State.ACTIVE) {
                return;
            }
            switch (plan.leaving()) {
                case SUBMIT -> submit();
                case RETURN -> {
                    marketplaceCall(() -> market.returnAssignment(assignment.assignmentId()));
                    closeSocketSoon();
                    finish(Outcome.RETURNED);
                }
                case ABANDON -> {
                    marketplaceCall(() -> market.abandon(assignment.assignmentId()));
                    closeSocketSoon();
                    finish(Outcome.ABANDONED);
                }
                default -> {
                    closeSocket();
                    finish(Outcome.DROPPED);
                }
            }
        }

        void submit() {
            String event = state == State.ACTIVE ? "submit_active" : "submit_waiting";
            JSONObject payload = new JSONObject().put("worker", id()).put("aid", assignment.assignmentId())
                    .put("hit_id", assignment.hitId());
            if (state == State.WAITING) {
                payload.put("time_waited", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - joinedNanos))
                        .put("reward", 0);
            }
            Socket s = socket;
            if (s != null) {
                s.emit(event, payload);
            }
            String stage = state == State.ACTIVE ? "active" : "waiting";
            marketplaceCall(() -> market.submit(assignment.assignmentId(), Map.of("stage", stage)));
            closeSocketSoon();
            finish(Outcome.SUBMITTED);
        }

        void marketplaceCall(Runnable call) {
            try {
                call.run();
            } catch (RuntimeException e) {
                // e.g. the assignment was already released by the session's end
                log.debug("simulated worker {}: marketplace refused: {}", id(), e.getMessage());
            }
        }

        /** Lets the last events reach the server before the page goes away. */
        void closeSocketSoon() {
            Socket s = socket;
            exec.schedule(() -> {
                if (s != null) {
                    s.disconnect();
                    s.off();
                }
            }, 250, TimeUnit.MILLISECONDS);
        }

        void closeSocket() {
            Socket s = socket;
            socket = null;
            if (s != null) {
                s.disconnect();
                s.off();
            }
        }

        void finish(Outcome outcome) {
            if (state == State.DONE) {
                return;
            }
            state = State.DONE;
            results.put(id(), new WorkerResult(id(), outcome, promoted, reloads));
            if (results.size() >= planned.get()) {
                allDone.complete(null);
            }
        }
    }
}
