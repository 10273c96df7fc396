package org.pavilion.realtime;

import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.socket.engineio.server.EngineIoSocket;
import io.socket.engineio.server.ReadyState;
import io.socket.socketio.server.SocketIoSocket;

/**
 * {@link EventRateLimit} on the {@code /chat} namespace, checked before anything else of an event.
 *
 * <p>The budget belongs to the Engine.IO connection, not to the namespace socket: Socket.IO lets a
 * client open any number of namespace sockets over one connection (each CONNECT packet makes a new
 * one), which would multiply a per-socket budget. So a connection may hold one {@code /chat} socket
 * at a time (a second one ends the connection), and opening one counts as an event. The state is
 * forgotten when the Engine.IO connection closes.
 *
 * <p>Over the limit: the event is not handled; the connection gets {@code error {code: "rate_limited",
 * message, event}} (and a refused acknowledgement, if it asked for one) at most once a second; a
 * connection that keeps flooding gets a last such error and is disconnected. Metrics:
 * {@code pavilion_realtime_refused_total{reason="event_rate"}} (events not handled),
 * {@code {reason="event_flood"}} (connections cut off), {@code {reason="second_chat_socket"}}.
 */
final class EventLimits {

    static final String RATE_LIMITED = "rate_limited";

    private final EventRateLimit limit;
    private final Outbound outbound;
    private final String rule;
    private final Counter refusedEvents;
    private final Counter cutOff;
    private final Counter secondSocket;
    /** Engine.IO connection id → its one /chat socket, while it has one. */
    private final ConcurrentHashMap<String, ChatSocket> connections = new ConcurrentHashMap<>();

    EventLimits(EventRateLimit limit, Outbound outbound, MeterRegistry registry) {
        this.limit = limit;
        this.outbound = outbound;
        this.rule = "at most " + format(limit.perSecond()) + " events a second (" + limit.burst() + " at once)";
        this.refusedEvents = refused(registry, "event_rate", "Events not handled: over the connection's rate");
        this.cutOff = refused(registry, "event_flood", "Connections disconnected for flooding events");
        this.secondSocket = refused(registry, "second_chat_socket", "A second /chat socket on one connection");
    }

    static Counter refused(MeterRegistry registry, String reason, String description) {
        return Counter.builder("pavilion.realtime.refused").description(description).tag("reason", reason)
                .register(registry);
    }

    /**
     * A new {@code /chat} socket. A second one on a connection ends the connection: Socket.IO would
     * make it anyway and route the connection's /chat packets to it alone, leaving the first one
     * connected but deaf; no client of ours does that. Opening a socket counts as an event: over the
     * rate it is refused and closed. False: refused (the client has been told); do nothing more with it.
     */
    boolean admitSocket(SocketIoSocket socket) {
        EngineIoSocket connection = socket.getClient().getConnection();
        if (connection.getReadyState() != ReadyState.OPEN) {
            return false;
        }
        String id = connection.getId();
        ChatSocket tracked = connections.computeIfAbsent(id, key -> {
            connection.on("close", args -> forget(key));
            return new ChatSocket();
        });
        if (connection.getReadyState() == ReadyState.CLOSED) {
            forget(id); // closed while we looked: its close listener may have run before ours was added
            return false;
        }
        if (!tracked.take(socket.getId())) {
            secondSocket.increment();
            error(socket, "already_connected", "this connection already has a /chat socket: disconnected", "connect");
            endConnection(socket);
            return false;
        }
        socket.on("disconnect", args -> tracked.release(socket.getId()));
        if (!admit(socket, "connect", null)) {
            outbound.onConnection(socket, () -> socket.disconnect(false)); // after the error, if it is its turn to be told
            return false;
        }
        return true;
    }

    /** Checks one event; false: it is not to be handled (the client has been told, if it is its turn). */
    boolean admit(SocketIoSocket socket, String event, Ack ack) {
        EngineIoSocket connection = socket.getClient().getConnection();
        if (connection.getReadyState() != ReadyState.OPEN) {
            return false; // closing: nothing more is handled, and no state is made for it
        }
        EventRateLimit.Verdict verdict = limit.check(connection.getId());
        switch (verdict) {
            case HANDLE:
                return true;
            case REFUSE:
                refusedEvents.increment();
                return false;
            case REFUSE_AND_TELL:
                refusedEvents.increment();
                String message = "too many events: " + rule + "; '" + clip(event) + "' and any more this second are not handled";
                error(socket, RATE_LIMITED, message, event);
                if (ack != null) {
                    ack.refused(RATE_LIMITED, message);
                }
                return false;
            case DISCONNECT:
            default:
                refusedEvents.increment();
                cutOff.increment();
                error(socket, RATE_LIMITED, "far too many events (" + rule + "): disconnected", event);
                endConnection(socket);
                return false;
        }
    }

    /** How many connections the limits hold state for (tests, to see it is let go). */
    int trackedConnections() {
        return Math.max(connections.size(), limit.size());
    }

    /**
     * Ends the socket's whole Engine.IO connection, after what was sent to it (same thread). Not with
     * {@code socket.disconnect(true)}: socket.io-server then removes every "close" listener of the
     * Engine.IO connection, Engine.IO's own included, before a close that waits for a slow or polling
     * client has happened, so neither Engine.IO nor these limits would ever let go of the connection.
     * The namespace DISCONNECT first tells a Socket.IO client not to reconnect by itself.
     */
    private void endConnection(SocketIoSocket socket) {
        outbound.onConnection(socket, () -> {
            socket.disconnect(false);
            socket.getClient().getConnection().close();
        });
    }

    private void forget(String connection) {
        connections.remove(connection);
        limit.forget(connection);
    }

    private void error(SocketIoSocket socket, String code, String message, String event) {
        outbound.toSocket(socket, ChatProtocol.ERROR, ProtocolMessages.error(code, message, clip(event)));
    }

    private static String clip(String event) {
        return event == null || event.length() <= 64 ? event : event.substring(0, 64) + "…";
    }

    private static String format(double perSecond) {
        return perSecond == Math.rint(perSecond) ? String.valueOf((long) perSecond) : String.valueOf(perSecond);
    }

    /** The one /chat socket of a connection. */
    private static final class ChatSocket {
        private String socketId; // guarded by this

        synchronized boolean take(String id) {
            if (socketId != null && !socketId.equals(id)) {
                return false;
            }
            socketId = id;
            return true;
        }

        synchronized void release(String id) {
            if (id.equals(socketId)) {
                socketId = null;
            }
        }
    }
}
