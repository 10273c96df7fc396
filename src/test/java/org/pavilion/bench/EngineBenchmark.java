package org.pavilion.bench;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.pavilion.queue.QueueEngine;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.Thresholds;

/**
 * Throughput of the pure queue engine, in memory: one op = one {@link QueueEngine#apply} call
 * (decide + evolve + build the {@code Outcome}). No I/O, no locks, one thread, as in the
 * session service's writer. Run with {@link BenchMain}; not part of {@code mvn verify}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EngineBenchmark {

    /** A 50 + 50 session: seed-like thresholds scaled up. */
    static final int MIN_ACTIVE = 10;
    static final int MIN_WAITING = 5;
    static final int MAX_ACTIVE = 50;
    static final int MAX_WAITING = 50;
    static final Thresholds THRESHOLDS = new Thresholds(MIN_ACTIVE, MIN_WAITING, MAX_ACTIVE, MAX_WAITING);

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /**
     * Steady state of a full 50 + 50 session. One cycle is two events:
     * the oldest active worker submits (the engine promotes the oldest waiting worker and
     * records one hire), then the hired worker arrives and joins the back of the waiting queue.
     *
     * <p>Worker ids come from a fixed pool of {@value #POOL} so that the engine's worker map
     * stays at a realistic size however long the run; the pool is far larger than the 100
     * workers in the queues, so an id re-arrives only long after it submitted (the session
     * allows repeat workers for this reason). The queues are FIFO end to end, so the oldest
     * active worker is always the one that arrived {@code MAX_ACTIVE + MAX_WAITING} arrivals ago.
     */
    @State(Scope.Thread)
    public static class SteadySession {
        static final int POOL = 4096;
        final String[] workerIds = new String[POOL];
        final String[] assignmentIds = new String[POOL];
        QueueEngine engine;
        long nextSubmit;   // index of the oldest active worker
        long nextArrival;  // index of the next worker to arrive
        long millis;

        @Setup(Level.Trial)
        public void ids() {
            for (int i = 0; i < POOL; i++) {
                workerIds[i] = String.format("A%012dW", i);
                assignmentIds[i] = String.format("3ASSIGN%013dX", i);
            }
        }

        @Setup(Level.Iteration)
        public void fill() {
            engine = new QueueEngine(THRESHOLDS, true);
            millis = 0;
            // The marketplace confirmed every assignment of the pool (SPEC 4.1.0); a worker keeps its own.
            for (int i = 0; i < POOL; i++) {
                engine.apply(new QueueEvent.Confirm(assignmentIds[i], "HIT", workerIds[i]), now());
            }
            nextSubmit = 0;
            nextArrival = 0;
            while (nextArrival < MAX_ACTIVE + MAX_WAITING) {
                engine.apply(arrive(), now());
            }
            if (engine.activeCount() != MAX_ACTIVE || engine.waitingCount() != MAX_WAITING || !engine.isFull()) {
                throw new IllegalStateException("setup did not fill the session: " + engine.snapshot());
            }
        }

        /** Guards the measurement: the loop must have stayed on the intended path throughout. */
        @TearDown(Level.Iteration)
        public void check() {
            if (!engine.isFull() || engine.snapshot().hires() != nextSubmit) {
                throw new IllegalStateException("steady state lost after " + nextSubmit + " submits: "
                        + engine.waitingCount() + " waiting, " + engine.activeCount() + " active, "
                        + engine.snapshot().hires() + " hires");
            }
        }

        QueueEvent arrive() {
            int i = (int) (nextArrival++ % POOL);
            return new QueueEvent.Arrive(workerIds[i], assignmentIds[i]);
        }

        QueueEvent submitOldestActive() {
            int i = (int) (nextSubmit++ % POOL);
            return new QueueEvent.Leave(workerIds[i], assignmentIds[i], Departure.SUBMIT);
        }

        Instant now() {
            return T0.plusMillis(millis += 250);
        }
    }

    /** Submit (→ promote + hire), then the hired worker arrives: two {@code apply} calls. */
    @Benchmark
    @OperationsPerInvocation(2)
    public void steadyStateTurnover(SteadySession s, Blackhole bh) {
        bh.consume(s.engine.apply(s.submitOldestActive(), s.now()));
        bh.consume(s.engine.apply(s.arrive(), s.now()));
    }

    /**
     * 1,000 workers arrive at a newly posted 50 + 50 session: the first 100 are admitted (the
     * session starts at {@code MIN_ACTIVE} and promotes as it fills), the other 900 are told
     * {@code job_is_full}. One invocation = a new engine + 1,000 {@code apply} calls.
     */
    @State(Scope.Benchmark)
    public static class Burst {
        static final int ARRIVALS = 1000;
        final QueueEvent[] arrivals = new QueueEvent[ARRIVALS];
        final QueueEvent[] confirmations = new QueueEvent[ARRIVALS];
        final Instant[] times = new Instant[ARRIVALS];

        @Setup(Level.Trial)
        public void events() {
            for (int i = 0; i < ARRIVALS; i++) {
                arrivals[i] = new QueueEvent.Arrive(String.format("A%012dW", i), String.format("3ASSIGN%013dX", i));
                confirmations[i] = new QueueEvent.Confirm(String.format("3ASSIGN%013dX", i), "HIT", null);
                times[i] = T0.plusMillis(20L * i);
            }
            // Guards the measurement: 100 admitted (50 active, 50 waiting), 900 refused.
            QueueEngine engine = new QueueEngine(THRESHOLDS, false);
            int refused = 0;
            for (int i = 0; i < ARRIVALS; i++) {
                engine.apply(confirmations[i], times[i]);
                if (engine.apply(arrivals[i], times[i]).statusChanges().isEmpty()) {
                    refused++;
                }
            }
            if (engine.activeCount() != MAX_ACTIVE || engine.waitingCount() != MAX_WAITING
                    || refused != ARRIVALS - MAX_ACTIVE - MAX_WAITING) {
                throw new IllegalStateException("unexpected burst outcome: " + engine.activeCount() + " active, "
                        + engine.waitingCount() + " waiting, " + refused + " refused");
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(Burst.ARRIVALS)
    public QueueEngine arrivalBurst(Burst b, Blackhole bh) {
        QueueEngine engine = new QueueEngine(THRESHOLDS, false);
        for (int i = 0; i < Burst.ARRIVALS; i++) { // each arrival: the marketplace's confirmation, then the page
            bh.consume(engine.apply(b.confirmations[i], b.times[i]));
            bh.consume(engine.apply(b.arrivals[i], b.times[i]));
        }
        return engine;
    }
}
