package org.pavilion.realtime.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.socket.engineio.server.EngineIoSocket;
import io.socket.engineio.server.ReadyState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what a polling client leaves uncollected on the server.
 *
 * <p>Engine.IO keeps every packet for a client in the connection's write buffer until the client's
 * next poll (GET) takes them; the buffer has no bound. A client that stops polling is normally closed
 * by the heartbeat within ping interval + ping timeout, but only if it also stops sending: one that
 * keeps POSTing (pongs, Engine.IO v3 pings, events) stays alive for as long as it likes without ever
 * collecting anything, and each of its pings and events adds answers to the buffer. Meanwhile every
 * broadcast to its session adds more. So the buffer is checked after each POST (the client's own
 * growth) and every second (broadcasts): a connection with more than {@code maxQueued} packets waiting
 * is closed. Closing stops the buffer at once (Engine.IO queues nothing for a closing connection),
 * and the heartbeat ends it within ping interval + ping timeout, since a closing connection's
 * packets no longer count as signs of life. The WebSocket transport has its own bound
 * ({@link JakartaEngineIoWebSocket}); there the buffer is handed on as soon as it fills.
 *
 * <p>engine.io-server has no public view of the buffer, so its size is read from the private field
 * {@code EngineIoSocket.mWriteBuffer} (engine.io-server 6.x), found when this class loads: a version
 * without it fails the start with a clear message rather than silently losing the bound. The read is
 * not synchronised with Engine.IO's lock; a slightly stale size only moves the moment of the check.
 *
 * <p>Metric: {@code pavilion_realtime_refused_total{reason="slow_polling_client"}}, clients dropped.
 */
final class WriteBacklogLimit {

    private static final Logger log = LoggerFactory.getLogger(WriteBacklogLimit.class);
    private static final VarHandle WRITE_BUFFER = writeBuffer();

    private final int maxQueued;
    private final ConcurrentHashMap<String, EngineIoSocket> sockets = new ConcurrentHashMap<>();
    private final Counter dropped;

    WriteBacklogLimit(int maxQueued, MeterRegistry registry) {
        this.maxQueued = maxQueued;
        this.dropped = Counter.builder("pavilion.realtime.refused")
                .description("Polling clients dropped: more packets waiting than max-queued-frames")
                .tag("reason", "slow_polling_client").register(registry);
    }

    private static VarHandle writeBuffer() {
        try {
            return MethodHandles.privateLookupIn(EngineIoSocket.class, MethodHandles.lookup())
                    .findVarHandle(EngineIoSocket.class, "mWriteBuffer", java.util.LinkedList.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("engine.io-server no longer has EngineIoSocket.mWriteBuffer: "
                    + "the bound on a polling client's backlog (WriteBacklogLimit) must be redone for this version", e);
        }
    }

    /** Engine.IO's {@code connection} event. */
    void connected(EngineIoSocket socket) {
        String id = socket.getId();
        sockets.put(id, socket);
        socket.on("close", args -> sockets.remove(id, socket));
        if (socket.getReadyState() == ReadyState.CLOSED) {
            sockets.remove(id, socket);
        }
    }

    /** After a client's POST: what it sent may have been answered into its buffer. */
    void check(String sid) {
        if (sid != null) {
            EngineIoSocket socket = sockets.get(sid);
            if (socket != null) {
                check(socket);
            }
        }
    }

    /** Every open connection (broadcasts fill buffers without the client doing anything). */
    void sweep() {
        for (EngineIoSocket socket : sockets.values()) {
            check(socket);
        }
    }

    /** Packets waiting in the connection's write buffer. */
    static int backlog(EngineIoSocket socket) {
        Object buffer = WRITE_BUFFER.get(socket);
        return buffer instanceof Collection<?> c ? c.size() : 0;
    }

    int trackedConnections() {
        return sockets.size();
    }

    private void check(EngineIoSocket socket) {
        if (socket.getReadyState() != ReadyState.OPEN) {
            return;
        }
        int waiting = backlog(socket);
        if (waiting > maxQueued) {
            log.info("Dropping Engine.IO connection {}: {} packets wait for a client that does not collect them "
                    + "(more than {})", socket.getId(), waiting, maxQueued);
            dropped.increment();
            socket.close();
        }
    }
}
