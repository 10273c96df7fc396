package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.socket.client.IO;
import io.socket.client.Socket;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;
import org.json.JSONObject;

/**
 * A real Socket.IO client (the Java client, over a real socket) that records every event it
 * receives, for protocol tests that assert exactly who heard what.
 */
public final class ProtocolClient implements AutoCloseable {

    /** One received event; the payload as JSON text (or "" when there was none). */
    record Received(String event, String payload) {
        JSONObject json() {
            return new JSONObject(payload);
        }
    }

    final String name;
    private final Socket socket;
    private final LinkedBlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
    private final List<Received> seen = new ArrayList<>();

    /**
     * The HTTP client of every test page. OkHttp's default allows 5 calls at once per host, and each
     * polling page holds one (its long poll): a test with more polling pages than that could not connect.
     */
    private static final OkHttpClient SHARED_HTTP = http().build();

    private static OkHttpClient.Builder http() {
        okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
        dispatcher.setMaxRequests(2000);
        dispatcher.setMaxRequestsPerHost(2000);
        return new OkHttpClient.Builder().dispatcher(dispatcher)
                .readTimeout(java.time.Duration.ofMinutes(1)); // longer than a long poll
    }

    private ProtocolClient(String name, Socket socket) {
        this.name = name;
        this.socket = socket;
    }

    public static ProtocolClient connect(String name, int port, Map<String, String> auth, String query, String transport)
            throws InterruptedException {
        return connect(name, port, auth, query, transport, null);
    }

    /**
     * Connects from the loopback address {@code localAddress} (for example 127.0.0.7), so that the
     * server sees the connection come from that client address (loopback is all of 127.0.0.0/8).
     */
    public static ProtocolClient connectFrom(String localAddress, String name, int port, Map<String, String> auth,
                                             String transport) throws InterruptedException {
        return connect(name, port, auth, null, transport, localAddress);
    }

    private static ProtocolClient connect(String name, int port, Map<String, String> auth, String query, String transport,
                                          String localAddress) throws InterruptedException {
        IO.Options options = new IO.Options();
        OkHttpClient http = localAddress == null ? SHARED_HTTP
                : http().socketFactory(new BoundSocketFactory(localAddress)).build(); // its own connections
        options.callFactory = http;
        options.webSocketFactory = http;
        options.forceNew = true;
        options.reconnection = false;
        options.transports = new String[] {transport};
        if (auth != null) {
            options.auth = auth;
        }
        options.query = query;
        String host = localAddress == null ? "localhost" : "127.0.0.1"; // an IPv4-bound socket reaches IPv4 only
        Socket socket = IO.socket(URI.create("http://" + host + ":" + port + "/chat"), options);
        ProtocolClient client = new ProtocolClient(name, socket);
        CountDownLatch connected = new CountDownLatch(1);
        socket.onAnyIncoming(args -> {
            String event = String.valueOf(args[0]);
            String payload = args.length > 1 && args[1] != null ? args[1].toString() : "";
            client.inbox.add(new Received(event, payload));
        });
        socket.on(Socket.EVENT_CONNECT, args -> connected.countDown());
        socket.on(Socket.EVENT_DISCONNECT, args -> client.inbox.add(new Received("(disconnected)", "")));
        socket.connect();
        if (!connected.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " could not connect");
        }
        return client;
    }

    public void emit(String event, Object payload) {
        socket.emit(event, payload);
    }

    void emitRaw(String event, Object... args) {
        socket.emit(event, args);
    }

    /** Waits for the next event, which must be {@code event}; returns its payload. */
    public JSONObject expect(String event) throws InterruptedException {
        return expect(event, Duration.ofSeconds(10));
    }

    /** {@link #expect(String)}, waiting up to {@code within} (for answers that come after a server timeout). */
    public JSONObject expect(String event, Duration within) throws InterruptedException {
        Received r = inbox.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r).as(name + " waited for " + event + " (seen so far: " + seen + ")").isNotNull();
        seen.add(r);
        assertThat(r.event()).as(name + " expected " + event + " but got " + r + " (seen so far: " + seen + ")")
                .isEqualTo(event);
        return r.payload().isEmpty() ? new JSONObject() : r.json();
    }

    /** Waits for an event and checks its payload is exactly {@code json}. */
    public void expect(String event, String json) throws InterruptedException {
        JSONObject payload = expect(event);
        assertThat(payload.similar(new JSONObject(json))).as(name + ": " + event + " payload " + payload
                + " should be " + json).isTrue();
    }

    /** Skips events until one named {@code event} with exactly this payload arrives. */
    public void skipUntil(String event, String json) throws InterruptedException {
        JSONObject wanted = new JSONObject(json);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Received r = inbox.poll(100, TimeUnit.MILLISECONDS);
            if (r == null) {
                continue;
            }
            seen.add(r);
            if (r.event().equals(event) && !r.payload().isEmpty() && r.json().similar(wanted)) {
                return;
            }
        }
        throw new AssertionError(name + " never received " + event + " " + json + " (seen: " + seen + ")");
    }

    /** Everything received up to and including the first {@code event} (which must come within 30 s). */
    List<Received> collectUntil(String event) throws InterruptedException {
        List<Received> collected = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Received r = inbox.poll(100, TimeUnit.MILLISECONDS);
            if (r == null) {
                continue;
            }
            seen.add(r);
            collected.add(r);
            if (r.event().equals(event)) {
                return collected;
            }
        }
        throw new AssertionError(name + " never received " + event + " (received: " + collected + ")");
    }

    /** Asserts nothing more arrives within a short quiet period. */
    void expectNothing(Duration quiet) throws InterruptedException {
        Received r = inbox.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r).as(name + " should have received nothing more, got " + r).isNull();
    }

    /** Everything received and not yet expected, without waiting. */
    List<Received> drain() {
        List<Received> rest = new ArrayList<>();
        inbox.drainTo(rest);
        seen.addAll(rest);
        return rest;
    }

    boolean connected() {
        return socket.connected();
    }

    void disconnect() {
        socket.disconnect();
    }

    @Override
    public void close() {
        socket.off();
        socket.disconnect();
        socket.close();
    }

    /** Plain sockets bound to one local address before they connect. */
    private static final class BoundSocketFactory extends SocketFactory {
        private final InetAddress local;

        BoundSocketFactory(String localAddress) {
            try {
                this.local = InetAddress.getByName(localAddress);
            } catch (IOException e) {
                throw new IllegalArgumentException(localAddress, e);
            }
        }

        @Override
        public java.net.Socket createSocket() throws IOException {
            java.net.Socket socket = new java.net.Socket();
            socket.bind(new InetSocketAddress(local, 0));
            return socket;
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws IOException {
            return new java.net.Socket(host, port, local, 0);
        }

        @Override
        public java.net.Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return new java.net.Socket(host, port, localHost, localPort);
        }

        @Override
        public java.net.Socket createSocket(InetAddress host, int port) throws IOException {
            return new java.net.Socket(host, port, local, 0);
        }

        @Override
        public java.net.Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return new java.net.Socket(address, port, localAddress, localPort);
        }
    }
}
