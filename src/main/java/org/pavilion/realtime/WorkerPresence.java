package org.pavilion.realtime;

import java.time.Clock;
import java.time.Instant;

import org.pavilion.realtime.Connections.WorkerKey;

/**
 * What this server knows of a worker's connection, for the admin's per-worker view: connected, or
 * disconnected and inside the grace period of SPEC §4.7 until a known moment, or disconnected with no
 * grace period running (it left, or its page moved on to a page that does not connect). Read only; the
 * state lives in memory, so after a restart it starts again from the grace periods given then.
 */
public final class WorkerPresence {

    /** A worker's connection state. */
    public sealed interface State permits Connected, InGrace, NotConnected {
    }

    /** At least one connection is open for the worker. */
    public record Connected(int connections) implements State {
    }

    /** No connection; the worker keeps its place until {@code until} unless a connection claims it. */
    public record InGrace(Instant until) implements State {
    }

    /** No connection and no grace period running. */
    public record NotConnected() implements State {
    }

    private final Connections connections;
    private final DisconnectGrace grace;
    private final Clock clock;

    WorkerPresence(Connections connections, DisconnectGrace grace, Clock clock) {
        this.connections = connections;
        this.grace = grace;
        this.clock = clock;
    }

    public State of(long sessionId, String workerId) {
        WorkerKey key = new WorkerKey(sessionId, workerId);
        if (connections.isConnected(key)) {
            return new Connected(Math.max(1, connections.socketsOf(key).size()));
        }
        return grace.remaining(key).<State>map(left -> new InGrace(clock.instant().plus(left)))
                .orElseGet(NotConnected::new);
    }
}
