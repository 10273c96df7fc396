package org.pavilion.realtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.socket.engineio.server.EngineIoSocket;
import io.socket.engineio.server.ReadyState;
import io.socket.socketio.server.SocketIoAdapter;
import io.socket.socketio.server.SocketIoNamespace;
import io.socket.socketio.server.SocketIoSocket;
import io.socket.socketio.server.parser.IOParser;
import io.socket.socketio.server.parser.Packet;
import io.socket.socketio.server.parser.Parser;
import org.json.JSONArray;
import org.json.JSONObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything Pavilion sends to browsers goes through here, in two stages.
 *
 * <p><b>The sequencer</b> (one thread) takes every send and room change in the order they were decided:
 * it lists a room's members, encodes a broadcast once, and hands each member's frames to that
 * connection's sender. Room changes run on it too, so a broadcast reaches exactly the members the
 * decisions before it left in the room. The commit thread never waits on a socket.
 *
 * <p><b>The senders</b> ({@code sendThreads} threads) write the frames: each connection belongs to one
 * sender (by its id), so its frames keep their order, while different connections are written in
 * parallel. A write never blocks: the WebSocket transport queues it, bounded, and drops a client that
 * lets the bound fill (a client that stops reading), so one slow page never delays another.
 *
 * <p><b>Counts are state</b>: {@link #latest} sends a room's state events (a session's
 * {@code update_worker_count} and {@code workers_status}) at once when the room is quiet, and under
 * load at most once per {@code countsWindow}, with the latest values (latest wins): a page needs the
 * numbers as they are, not every step between. Anything else sent to that room first flushes its
 * pending state, so the room's own order is kept. Targeted sends are never held.
 */
public final class Outbound implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Outbound.class);

    private final SocketIoNamespace namespace;
    private final Duration countsWindow;
    private final Parser.Encoder encoder = new IOParser.Encoder(); // used by the sequencer only
    private final ScheduledExecutorService sequencer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pavilion-outbound");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService[] senders;
    /** Rooms whose state was sent within the last window (sequencer thread only). */
    private final Map<String, RoomState> stateful = new HashMap<>();

    /** A room's state events: those not sent yet, if any, and whether a window is running. */
    private static final class RoomState {
        /** Latest wins, per event name, in the order first given; null: nothing newer than what was sent. */
        Map<String, ProtocolMessages.Wire> pending;

        void give(List<ProtocolMessages.Wire> events) {
            if (pending == null) {
                pending = new LinkedHashMap<>();
            }
            for (ProtocolMessages.Wire e : events) {
                pending.put(e.event(), e);
            }
        }

        List<ProtocolMessages.Wire> take() {
            List<ProtocolMessages.Wire> events = List.copyOf(pending.values());
            pending = null;
            return events;
        }
    }

    public Outbound(SocketIoNamespace namespace, int sendThreads, Duration countsWindow) {
        if (sendThreads < 1) {
            throw new IllegalArgumentException("pavilion.realtime.send-threads must be 0 (one per core) or positive "
                    + "(was " + sendThreads + ")");
        }
        if (countsWindow.isNegative()) {
            throw new IllegalArgumentException("pavilion.realtime.counts-window must not be negative");
        }
        this.namespace = namespace;
        this.countsWindow = countsWindow;
        this.senders = new ExecutorService[sendThreads];
        for (int i = 0; i < sendThreads; i++) {
            String name = "pavilion-send-" + (i + 1);
            senders[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** Sends to every connection in a room (a session's, or one worker's), after the room's pending state. */
    public void toRoom(String room, String event, JSONObject payload) {
        sequence(() -> {
            flushPending(room);
            broadcast(room, List.of(new ProtocolMessages.Wire(event, payload)));
        }, "send " + event + " to room " + room);
    }

    /**
     * Sends a room's latest state: at once if nothing was sent to it within the window, else at the
     * window's end, replaced by anything newer given meanwhile.
     */
    void latest(String room, List<ProtocolMessages.Wire> state) {
        List<ProtocolMessages.Wire> events = List.copyOf(state);
        sequence(() -> {
            RoomState current = stateful.get(room);
            if (current != null) {
                current.give(events); // the window is running: its end sends the latest
                return;
            }
            broadcast(room, events);
            startWindow(room, new RoomState());
        }, "send state to room " + room);
    }

    /** Sends to one connection. */
    public void toSocket(SocketIoSocket socket, String event, JSONObject payload) {
        onConnection(socket, () -> {
            if (socket.isConnected()) {
                socket.send(event, payload);
            }
        });
    }

    /**
     * Runs a step that writes to one connection (an acknowledgement, a disconnect) after everything
     * sent to it before, on its sender.
     */
    public void onConnection(SocketIoSocket socket, Runnable step) {
        sequence(() -> senderOf(socket).execute(() -> {
            try {
                step.run();
            } catch (RuntimeException e) {
                log.warn("could not write to connection {}", socket.getId(), e);
            }
        }), "write to connection " + socket.getId());
    }

    /** Runs a room change (join, leave) in order with the sends, so broadcasts after it see it. */
    public void rooms(Runnable change) {
        sequence(change, "room change");
    }

    private void sequence(Runnable step, String what) {
        sequencer.execute(() -> {
            try {
                step.run();
            } catch (RuntimeException e) {
                log.warn("outbound step failed: {}", what, e);
            }
        });
    }

    private void startWindow(String room, RoomState state) {
        if (countsWindow.isZero()) {
            return; // every state is sent as it comes
        }
        stateful.put(room, state);
        sequencer.schedule(() -> windowEnds(room, state), countsWindow.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void windowEnds(String room, RoomState state) {
        try {
            if (state.pending == null) {
                stateful.remove(room); // quiet for a whole window: the next state goes at once
                return;
            }
            broadcast(room, state.take());
            if (sequencer.isShutdown()) {
                return;
            }
            sequencer.schedule(() -> windowEnds(room, state), countsWindow.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            stateful.remove(room);
            log.warn("could not send the state of room {}", room, e);
        }
    }

    private void flushPending(String room) {
        RoomState state = stateful.get(room);
        if (state != null && state.pending != null) {
            broadcast(room, state.take());
        }
    }

    /*
     * The library's room broadcast encodes the packet again for every member (a session's counts go to
     * all of its workers). Here each event is encoded once, by the library's own encoder, and the same
     * text is handed to each member's Engine.IO connection, which is what the library's per-socket send
     * does after encoding.
     */
    private void broadcast(String room, List<ProtocolMessages.Wire> events) {
        SocketIoAdapter adapter = namespace.getAdapter();
        SocketIoSocket[] members;
        synchronized (adapter) { // the memory adapter's add/remove hold its monitor; its listing does not
            members = adapter.listClients(room);
        }
        if (members.length == 0) {
            return;
        }
        List<Object> frames = new ArrayList<>(events.size());
        for (ProtocolMessages.Wire e : events) {
            Packet<JSONArray> packet = new Packet<>(Parser.EVENT, new JSONArray().put(e.event()).put(e.payload()));
            packet.nsp = namespace.getName();
            encoder.encode(packet, encoded -> frames.addAll(List.of(encoded))); // calls back before returning
        }
        // One task per sender with its share of the members, not one per member: a hand-off wakes a thread.
        @SuppressWarnings("unchecked")
        List<SocketIoSocket>[] shares = new List[senders.length];
        for (SocketIoSocket member : members) {
            int sender = senderIndex(member);
            if (shares[sender] == null) {
                shares[sender] = new ArrayList<>(members.length / senders.length + 1);
            }
            shares[sender].add(member);
        }
        for (int i = 0; i < senders.length; i++) {
            List<SocketIoSocket> share = shares[i];
            if (share != null) {
                senders[i].execute(() -> share.forEach(member -> write(member, frames)));
            }
        }
    }

    private static void write(SocketIoSocket member, List<Object> frames) {
        try {
            EngineIoSocket connection = member.getClient().getConnection();
            if (!member.isConnected() || connection.getReadyState() != ReadyState.OPEN) {
                return;
            }
            for (Object frame : frames) {
                io.socket.engineio.server.parser.Packet<Object> message =
                        new io.socket.engineio.server.parser.Packet<>(io.socket.engineio.server.parser.Packet.MESSAGE);
                message.data = frame;
                connection.send(message);
            }
        } catch (RuntimeException e) {
            log.warn("could not write to connection {}", member.getId(), e);
        }
    }

    private int senderIndex(SocketIoSocket socket) {
        return Math.floorMod(socket.getId().hashCode(), senders.length);
    }

    private ExecutorService senderOf(SocketIoSocket socket) {
        return senders[senderIndex(socket)];
    }

    @Override
    public void close() {
        sequencer.shutdown();
        await(sequencer);
        for (ExecutorService sender : senders) {
            sender.shutdown();
        }
        for (ExecutorService sender : senders) {
            await(sender);
        }
    }

    private static void await(ExecutorService executor) {
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
