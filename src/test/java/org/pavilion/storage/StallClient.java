package org.pavilion.storage;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import org.json.JSONObject;

/**
 * A worker page over a real Socket.IO connection (the Java client, websocket), for tests that time the
 * server's answers: every event received is kept, and an event can be sent with an acknowledgement.
 */
final class StallClient implements AutoCloseable {

    /** One received event: its name and payload (an empty object when it had none). */
    record Received(String event, JSONObject payload) {
    }

    final String name;
    private final Socket socket;
    private final LinkedBlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
    private final List<Received> seen = new ArrayList<>();

    private StallClient(String name, Socket socket) {
        this.name = name;
        this.socket = socket;
    }

    static StallClient connect(String name, int port) throws InterruptedException {
        IO.Options options = new IO.Options();
        options.forceNew = true;
        options.reconnection = false;
        options.transports = new String[] {"websocket"};
        Socket socket = IO.socket(URI.create("http://localhost:" + port + "/chat"), options);
        StallClient client = new StallClient(name, socket);
        CountDownLatch connected = new CountDownLatch(1);
        socket.onAnyIncoming(args -> client.inbox.add(new Received(String.valueOf(args[0]),
                args.length > 1 && args[1] instanceof JSONObject json ? json : new JSONObject())));
        socket.on(Socket.EVENT_CONNECT, args -> connected.countDown());
        socket.connect();
        if (!connected.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " could not connect");
        }
        return client;
    }

    void emit(String event, JSONObject payload) {
        socket.emit(event, payload);
    }

    /** Sends an event asking for an acknowledgement; the future completes with the server's answer. */
    CompletableFuture<JSONObject> emitWithAck(String event, JSONObject payload) {
        CompletableFuture<JSONObject> answer = new CompletableFuture<>();
        socket.emit(event, new Object[] {payload}, (Ack) args -> answer.complete(
                args.length > 0 && args[0] instanceof JSONObject json ? json : new JSONObject()));
        return answer;
    }

    /** Skips events until one named {@code event} whose payload passes {@code test} arrives within {@code within}. */
    JSONObject await(String event, Predicate<JSONObject> test, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Received r = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError(name + " did not receive " + event + " within " + within + " (seen: " + seen
                        + ")");
            }
            seen.add(r);
            if (r.event().equals(event) && test.test(r.payload())) {
                return r.payload();
            }
        }
    }

    JSONObject await(String event, Duration within) throws InterruptedException {
        return await(event, p -> true, within);
    }

    @Override
    public void close() {
        socket.off();
        socket.disconnect();
        socket.close();
    }
}
