package org.pavilion.realtime;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The event rate limit of real-time connections: a {@link TokenBucket} per connection
 * ({@code perSecond} sustained, {@code burst} at once), and what to do with an event over it.
 *
 * <ul>
 *   <li>An event over the rate is not handled. The client is told so at most once a second: the limit
 *       must not turn a flood into as many answers (an amplifier).</li>
 *   <li>Refused events are a flood level that drains at the connection's own rate; a connection whose
 *       level passes {@value #FLOOD_SECONDS} seconds' worth of its rate is cut off. At 10× the rate that
 *       takes about 3 s (after the burst), at 3× about 24 s; a client at up to twice the rate is never
 *       cut off, only slowed down.</li>
 * </ul>
 *
 * <p>A rate of 0 turns the limit off. Time is a monotonic nanosecond source, so tests drive it by hand.
 * Thread safe.
 */
public final class EventRateLimit {

    /** What to do with one event. */
    public enum Verdict {
        /** Within the rate: handle it. */
        HANDLE,
        /** Over the rate: do not handle it, and tell the client (at most once a second). */
        REFUSE_AND_TELL,
        /** Over the rate, and the client was told less than a second ago: drop it silently. */
        REFUSE,
        /** The connection keeps flooding: drop the event and disconnect it. Given once per connection. */
        DISCONNECT
    }

    /** How many seconds' worth of refused events (beyond those the rate drains) cut a connection off. */
    static final int FLOOD_SECONDS = 24;
    private static final long NOTICE_INTERVAL_NANOS = 1_000_000_000L;

    private final double perSecond;
    private final int burst;
    private final double floodLimit;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<String, Connection> connections = new ConcurrentHashMap<>();

    public EventRateLimit(double perSecond, int burst, LongSupplier nanos) {
        if (perSecond < 0 || perSecond > 0 && burst < 1) {
            throw new IllegalArgumentException("events per second must be 0 (off) or positive, with a burst of at least 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.floodLimit = FLOOD_SECONDS * perSecond;
        this.nanos = nanos;
    }

    public boolean enabled() {
        return perSecond > 0;
    }

    public double perSecond() {
        return perSecond;
    }

    public int burst() {
        return burst;
    }

    /** Counts one event of {@code connection} and says what to do with it. */
    public Verdict check(String connection) {
        if (!enabled()) {
            return Verdict.HANDLE;
        }
        long now = nanos.getAsLong();
        return connections.computeIfAbsent(connection, id -> new Connection(now)).check(now);
    }

    /** Whether the limit holds state for this connection. */
    public boolean tracks(String connection) {
        return connections.containsKey(connection);
    }

    /** Forgets a closed connection. */
    public void forget(String connection) {
        connections.remove(connection);
    }

    /** How many connections the limit holds state for. */
    public int size() {
        return connections.size();
    }

    private final class Connection {
        private final TokenBucket tokens;
        private double flood;        // refused events not yet drained (guarded by this)
        private long floodAt;        // when flood was last drained (guarded by this)
        private long toldAt;         // when the client was last told (guarded by this)
        private boolean told;        // (guarded by this)
        private boolean cutOff;      // (guarded by this)

        Connection(long now) {
            this.tokens = new TokenBucket(perSecond, burst, now);
            this.floodAt = now;
        }

        synchronized Verdict check(long now) {
            if (cutOff) {
                return Verdict.REFUSE;
            }
            if (tokens.tryTake(now)) {
                return Verdict.HANDLE;
            }
            long elapsed = Math.max(0, now - floodAt);
            flood = Math.max(0, flood - elapsed * perSecond / 1e9) + 1;
            floodAt = now;
            if (flood > floodLimit) {
                cutOff = true;
                return Verdict.DISCONNECT;
            }
            if (!told || now - toldAt >= NOTICE_INTERVAL_NANOS) {
                told = true;
                toldAt = now;
                return Verdict.REFUSE_AND_TELL;
            }
            return Verdict.REFUSE;
        }
    }
}
