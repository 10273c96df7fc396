package org.pavilion.realtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * Everything Pavilion sends to browsers goes through this one thread: messages keep the order in
 * which they were decided, the commit thread never waits on a socket, and the Socket.IO objects
 * are only ever written by one thread.
 */
public final class Outbound implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Outbound.class);

    private final SocketIoNamespace namespace;
    private final Parser.Encoder encoder = new IOParser.Encoder(); // used by the sender thread only
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pavilion-outbound");
        t.setDaemon(true);
        return t;
    });

    public Outbound(SocketIoNamespace namespace) {
        this.namespace = namespace;
    }

    /** Sends to every connection in a room (a session's, or one worker's). */
    public void toRoom(String room, String event, JSONObject payload) {
        sender.execute(() -> {
            try {
                broadcast(room, event, payload);
            } catch (RuntimeException e) {
                log.warn("could not send {} to room {}", event, room, e);
            }
        });
    }

    /*
     * The library's room broadcast encodes the packet again for every member (a session's counts go to
     * all of its workers on every arrival and departure: N encodings per event). Here it is encoded once,
     * by the library's own encoder, and the same text is handed to each member's Engine.IO connection,
     * which is what the library's per-socket send does after encoding.
     */
    private void broadcast(String room, String event, JSONObject payload) {
        SocketIoAdapter adapter = namespace.getAdapter();
        SocketIoSocket[] members;
        synchronized (adapter) { // the memory adapter's add/remove hold its monitor; its listing does not
            members = adapter.listClients(room);
        }
        if (members.length == 0) {
            return;
        }
        Packet<JSONArray> packet = new Packet<>(Parser.EVENT, new JSONArray().put(event).put(payload));
        packet.nsp = namespace.getName();
        List<Object> frames = new ArrayList<>(1);
        encoder.encode(packet, encoded -> frames.addAll(List.of(encoded))); // calls back before returning
        for (SocketIoSocket member : members) {
            EngineIoSocket connection = member.getClient().getConnection();
            if (member.isConnected() && connection.getReadyState() == ReadyState.OPEN) {
                for (Object frame : frames) {
                    io.socket.engineio.server.parser.Packet<Object> message =
                            new io.socket.engineio.server.parser.Packet<>(io.socket.engineio.server.parser.Packet.MESSAGE);
                    message.data = frame;
                    connection.send(message);
                }
            }
        }
    }

    /** Sends to one connection. */
    public void toSocket(SocketIoSocket socket, String event, JSONObject payload) {
        sender.execute(() -> {
            try {
                if (socket.isConnected()) {
                    socket.send(event, payload);
                }
            } catch (RuntimeException e) {
                log.warn("could not send {} to connection {}", event, socket.getId(), e);
            }
        });
    }

    /** Runs a step that touches sockets (joining rooms, disconnecting) in order with the sends. */
    public void run(Runnable step) {
        sender.execute(() -> {
            try {
                step.run();
            } catch (RuntimeException e) {
                log.warn("outbound step failed", e);
            }
        });
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
