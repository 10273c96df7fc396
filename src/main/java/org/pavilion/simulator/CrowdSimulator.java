package org.pavilion.simulator;

import java.net.URI;
import java.time.Instant;
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
import java.util.function.Supplier;

import io.socket.client.Ack;
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
 *
 * <p>A simulated page behaves as Pavilion's own ({@code pavilion.js}): it reconnects when its
 * connection drops (a server restart) and sends {@code connected} again on every connection; it
 * asks for an acknowledgement of {@code IAmReady}, {@code submit_waiting} and {@code submit_active}
 * and goes on (to the main page, to MTurk) once it has one or after {@link #ACK_TIMEOUT_MS}. What
 * the server promised is kept: every acknowledgement ({@link #acks()}) and every worker it admitted
 * and promoted ({@link WorkerResult}), so that a test can hold the server's log to it.
 *
 * <p>The server is reached only over HTTP and Socket.IO at {@code base}; the marketplace is the
 * {@link LocalMarketplace} given, which may be served by another process than the server's (the
 * kill -9 test keeps it alive while the server is killed).
 */
public final class CrowdSimulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CrowdSimulator.class);

    /** How long a page waits for an acknowledgement before going on, as {@code pavilion.js} does. */
    public static final long ACK_TIMEOUT_MS = 3_000;

    /** What finally happened to a simulated worker, as the simulator saw it. */
    public enum Outcome { SUBMITTED, RETURNED, ABANDONED, DROPPED, JOB_FULL, NO_HIT }

    /**
     * One worker's result. {@code promoted}: it was told start_your_task; {@code admitted}: the session
     * admitted its page (it heard a message only admitted pages hear); {@code assignmentId} and
     * {@code hitId}: its assignment at the marketplace (null for {@link Outcome#NO_HIT}); {@code admittedAt},
     * {@code promotedAt}: when its page first heard so (null: never); {@code trace}: what its pages did and heard,
     * with the time (for a report).
     */
    public record WorkerResult(String workerId, Outcome outcome, boolean promoted, int reloads, boolean admitted,
                               String assignmentId, String hitId, Instant admittedAt, Instant promotedAt,
                               List<String> trace) {

        public WorkerResult(String workerId, Outcome outcome, boolean promoted, int reloads) {
            this(workerId, outcome, promoted, reloads, false, null, null, null, null, List.of());
        }
    }

    /**
     * The server's answer to an event that asked for an acknowledgement: {@code ok} ({@code {ok: true}}:
     * the event's effect is durable) or refused with {@code code}. {@code at}: when the page got it.
     */
    public record AckRecord(String workerId, String assignmentId, String event, boolean ok, String code,
                            Instant at) {
    }

    private final LocalMarketplace market;
    private final Supplier<List<String>> sessionHits;
    private final Supplier<QueueSnapshot> snapshot;
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
    private final List<AckRecord> acks = Collections.synchronizedList(new ArrayList<>());
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
        this(market, () -> store.sessionHits(sessionId), () -> sessions.snapshot(sessionId), base, sessionId,
                noHitWaitMs, reloadGapMs, pageToken);
    }

    /**
     * A simulator for a server it knows only by its URL: {@code sessionHits} lists the session's HITs (the
     * newest last), {@code snapshot} its queues for the progress line (null: not shown).
     */
    public CrowdSimulator(LocalMarketplace market, Supplier<List<String>> sessionHits,
                          Supplier<QueueSnapshot> snapshot, URI base, long sessionId, long noHitWaitMs,
                          long reloadGapMs, Function<WorkerIdentity, String> pageToken) {
        this.pageToken = pageToken;
        this.market = market;
        this.sessionHits = sessionHits;
        this.snapshot = snapshot;
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

    /** The acknowledgements the simulated pages got, in the order they got them. */
    public List<AckRecord> acks() {
        synchronized (acks) {
            return List.copyOf(acks);
        }
    }

    /** One progress line: time, arrivals, the session's queues (when known) and the outcomes so far. */
    public String progressLine() {
        Map<Outcome, Integer> c = outcomeCounts();
        String of = planned.get() == Integer.MAX_VALUE ? "" : " of " + planned.get();
        String queues = "";
        if (snapshot != null) {
            QueueSnapshot s = snapshot.get();
            queues = String.format(" | now %d waiting, %d on the task; %d replacement HIT(s) posted",
                    s.waiting().size(), s.active().size(), s.hires());
        }
        return String.format("[sim] %.0f s: %d%s workers arrived%s | so far %d submitted, %d returned, "
                        + "%d abandoned, %d lost their connection, %d told the job is full, %d found no open HIT",
                elapsedMs() / 1000.0, arrived.get(), of, queues,
                c.get(Outcome.SUBMITTED), c.get(Outcome.RETURNED), c.get(Outcome.ABANDONED), c.get(Outcome.DROPPED),
                c.get(Outcome.JOB_FULL), c.get(Outcome.NO_HIT));
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

    /** LEAVING: the page is on its way out (waiting for an acknowledgement before it posts to MTurk). */
    private enum State { ARRIVING, WAITING, ACTIVE, LEAVING, DONE }

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
        volatile boolean admitted;
        volatile Instant admittedAt;
        volatile Instant promotedAt;
        boolean joined;
        int reloads;
        ScheduledFuture<?> timer;
        final List<String> trace = Collections.synchronizedList(new ArrayList<>());

        SimWorker(WorkerPlan plan) {
            this.plan = plan;
        }

        String id() {
            return plan.workerId();
        }

        /** The session admitted this worker's page: it heard what only admitted pages hear. */
        void heardAdmitted() {
            if (!admitted) {
                admittedAt = Instant.now();
                admitted = true;
            }
        }

        /** Notes what a page did or heard, with the wall-clock time. */
        void note(String what) {
            trace.add(Instant.now() + " " + what);
        }

        boolean present() {
            return state == State.WAITING || state == State.ACTIVE;
        }

        void tryAccept(long since) {
            if (closed || state != State.ARRIVING) {
                return;
            }
            List<String> hits;
            try {
                hits = new ArrayList<>(sessionHits.get());
            } catch (RuntimeException e) {
                log.debug("simulated worker {}: could not list the session's HITs: {}", id(), e.getMessage());
                hits = new ArrayList<>();
            }
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
            note("accepted " + assignment.assignmentId() + " of " + assignment.hitId());
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
            // As a browser's Socket.IO client: a lost connection (the server restarting) is opened again.
            options.reconnection = true;
            options.reconnectionDelay = 200;
            options.reconnectionDelayMax = 1_000;
            options.transports = new String[] {"websocket"};
            options.auth = Map.of("token", pageToken.apply(new WorkerIdentity(sessionId, id(),
                    assignment.assignmentId(), assignment.hitId())));
            Socket s = IO.socket(chat, options);
            socket = s;
            String page = "page " + Integer.toHexString(System.identityHashCode(s));
            note(page + " opens");
            s.on(Socket.EVENT_CONNECT, args -> exec.execute(() -> {
                note(page + " connected");
                if (socket == s && present()) {
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
            // Only a page the session admitted is in the session's rooms and hears these.
            s.on(Socket.EVENT_DISCONNECT, args -> note(page + " disconnected: " + (args.length > 0 ? args[0] : "")));
            s.on("update_worker_count", args -> {
                note(page + " heard update_worker_count " + (args.length > 0 ? args[0] : ""));
                heardAdmitted();
            });
            s.on("workers_status", args -> {
                note(page + " heard workers_status " + (args.length > 0 ? args[0] : ""));
                heardAdmitted();
            });
            s.on("awaiting_confirmation", args -> note(page + " heard awaiting_confirmation"));
            s.on("error", args -> note(page + " heard error " + (args.length > 0 ? args[0] : "")));
            s.on("start_your_task", args -> {
                JSONObject payload = args.length > 0 && args[0] instanceof JSONObject j ? j : new JSONObject();
                JSONArray ids = payload.optJSONArray("message");
                boolean mine = false;
                for (int i = 0; ids != null && i < ids.length(); i++) {
                    mine |= id().equals(ids.optString(i));
                }
                note(page + " heard start_your_task " + payload);
                if (mine) {
                    heardAdmitted();
                    if (promotedAt == null) {
                        promotedAt = Instant.now();
                    }
                    exec.execute(this::promote);
                }
            });
            s.on("job_is_full", args -> {
                note(page + " heard job_is_full");
                exec.execute(this::full);
            });
            s.on("stop", args -> {
                note(page + " heard stop");
                exec.execute(this::stopped);
            });
            s.connect();
        }

        /**
         * Emits an event that asks for an acknowledgement and runs {@code then} (once, on the simulator's
         * thread) when the server answers it, when the server answers with an error for it, or after
         * {@link #ACK_TIMEOUT_MS}, as {@code pavilion.js} does. Every answer is recorded, even a late one.
         */
        void emitAcked(Socket s, String event, JSONObject payload, Runnable then) {
            boolean[] done = {false};
            Runnable once = () -> {
                if (!done[0]) {
                    done[0] = true;
                    then.run();
                }
            };
            String aid = assignment.assignmentId();
            note("emits " + event);
            s.emit(event, new Object[] {payload}, (Ack) args -> {
                JSONObject answer = args.length > 0 && args[0] instanceof JSONObject j ? j : new JSONObject();
                note(event + " answered " + answer);
                acks.add(new AckRecord(id(), aid, event, answer.optBoolean("ok", false),
                        answer.optString("code", null), Instant.now()));
                exec.execute(once);
            });
            exec.schedule(once, ACK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
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
            timer = exec.schedule(this::leave, plan.workMs(), TimeUnit.MILLISECONDS);
            Socket s = socket;
            if (s == null) {
                return; // mid-reload: the new page will hear start_your_task again or wait
            }
            // As Pavilion's waiting page does: IAmReady, then (answered, or after the timeout) leave for the
            // main task page, which joins again.
            emitAcked(s, "IAmReady", new JSONObject().put("worker", id()).put("aid", assignment.assignmentId())
                    .put("hit_id", assignment.hitId()).put("time_waited", TimeUnit.NANOSECONDS.toSeconds(waited))
                    .put("reward", 0), () -> {
                        if (state == State.ACTIVE && socket == s) {
                            closeSocket();
                            openSocket();
                        }
                    });
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
            if (present()) {
                if (timer != null) {
                    timer.cancel(false);
                }
                submit();
            }
        }

        void reload() {
            if (!present()) {
                return;
            }
            reloads++;
            closeSocket();
            exec.schedule(() -> {
                if (present() && socket == null) {
                    openSocket();
                }
            }, reloadGapMs, TimeUnit.MILLISECONDS);
        }

        void leave() {
            if (!present()) {
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

        /** As Pavilion's pages: submit_waiting or submit_active, then (answered, or after the timeout) to MTurk. */
        void submit() {
            boolean active = state == State.ACTIVE;
            String event = active ? "submit_active" : "submit_waiting";
            JSONObject payload = new JSONObject().put("worker", id()).put("aid", assignment.assignmentId())
                    .put("hit_id", assignment.hitId());
            if (!active) {
                payload.put("time_waited", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - joinedNanos))
                        .put("reward", 0);
            }
            state = State.LEAVING;
            String stage = active ? "active" : "waiting";
            Runnable toMarketplace = () -> {
                marketplaceCall(() -> market.submit(assignment.assignmentId(), Map.of("stage", stage)));
                closeSocketSoon();
                finish(Outcome.SUBMITTED);
            };
            Socket s = socket;
            if (s != null) {
                emitAcked(s, event, payload, toMarketplace);
            } else {
                toMarketplace.run(); // mid-reload: no page to send it from
            }
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
            note("done: " + outcome);
            results.put(id(), new WorkerResult(id(), outcome, promoted, reloads, admitted,
                    assignment == null ? null : assignment.assignmentId(),
                    assignment == null ? null : assignment.hitId(), admittedAt, promotedAt, List.copyOf(trace)));
            if (results.size() >= planned.get()) {
                allDone.complete(null);
            }
        }
    }
}
