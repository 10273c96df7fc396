package org.pavilion.realtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.socket.socketio.server.SocketIoNamespace;
import io.socket.socketio.server.SocketIoSocket;
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
                namespace.broadcast(room, event, payload);
            } catch (RuntimeException e) {
                log.warn("could not send {} to room {}", event, room, e);
            }
        });
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
