package org.pavilion.realtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.engineio.server.EngineIoServer;
import io.socket.socketio.server.SocketIoNamespace;
import io.socket.socketio.server.SocketIoServer;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * Socket.IO on the application's own port, in the real embedded Tomcat: the Java client
 * (socket.io-client 2.1.1, Engine.IO v4) over polling only and WebSocket only, the browser client
 * served at /vendor/socket.io.min.js, the Engine.IO v3 handshake, the origin check and the size limit.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem", "pavilion.realtime.max-message-bytes=4096",
                      "pavilion.realtime.handshakes-per-second=0"})
@Import(EchoNamespaceConfiguration.class)
class SocketIoTransportTest {

    private static final long TIMEOUT_SECONDS = 15;

    @LocalServerPort
    int port;

    @Autowired
    EngineIoServer engineIoServer;

    @Autowired
    SocketIoServer socketIoServer;

    @Autowired
    @Qualifier("chatNamespace")
    SocketIoNamespace chatNamespace;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void disconnect() {
        clients.forEach(Socket::close);
    }

    private String base() {
        return "http://localhost:" + port;
    }

    /** {@code transport} "polling", "websocket", or "upgrade" (polling first, then WebSocket). */
    private Socket connect(String transport, BlockingQueue<Object[]> events, String... eventNames) {
        IO.Options options = new IO.Options();
        options.transports = transport.equals("upgrade") ? new String[] {"polling", "websocket"} : new String[] {transport};
        options.forceNew = true;
        options.reconnection = false;
        options.timeout = 10_000;
        Socket socket = IO.socket(URI.create(base() + "/echo"), options);
        for (String name : eventNames) {
            socket.on(name, args -> events.add(prepend(name, args)));
        }
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> events.add(prepend(Socket.EVENT_CONNECT_ERROR, args)));
        clients.add(socket);
        socket.connect();
        return socket;
    }

    private static Object[] prepend(String name, Object[] args) {
        Object[] all = new Object[args.length + 1];
        all[0] = name;
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }

    private static Object[] next(BlockingQueue<Object[]> events) throws InterruptedException {
        Object[] event = events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(event).as("an event within %d s", TIMEOUT_SECONDS).isNotNull();
        assertThat(event[0]).as("event name (args: %s)", List.of(event)).isNotEqualTo(Socket.EVENT_CONNECT_ERROR);
        return event;
    }

    @Test
    void beansAreWired() {
        assertThat(socketIoServer.hasNamespace("/chat")).isTrue();
        assertThat(chatNamespace.getName()).isEqualTo("/chat");
        assertThat(engineIoServer.getOptions().getPingInterval()).isEqualTo(10_000);
        assertThat(engineIoServer.getOptions().getPingTimeout()).isEqualTo(10_000);
        assertThat(engineIoServer.getOptions().isSyncPollingAllowed()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"polling", "websocket", "upgrade"})
    void javaClientEchoes(String transport) throws Exception {
        BlockingQueue<Object[]> events = new LinkedBlockingQueue<>();
        Socket socket = connect(transport, events, "hello", "upgraded", "echo");

        Object[] hello = next(events);
        assertThat(hello[0]).isEqualTo("hello");
        JSONObject handshake = (JSONObject) hello[1];
        assertThat(handshake.getString("transport")).isEqualTo(transport.equals("upgrade") ? "polling" : transport);
        assertThat(handshake.getString("EIO")).isEqualTo("4");
        if (transport.equals("upgrade")) {
            Object[] upgraded = next(events);
            assertThat(upgraded[0]).isEqualTo("upgraded");
            assertThat(upgraded[1]).isEqualTo("websocket");
        }

        socket.emit("echo", new JSONObject().put("n", 42).put("text", "héllo " + transport), "second");
        Object[] echo = next(events);
        assertThat(echo[0]).isEqualTo("echo");
        assertThat(((JSONObject) echo[1]).getInt("n")).isEqualTo(42);
        assertThat(((JSONObject) echo[1]).getString("text")).isEqualTo("héllo " + transport);
        assertThat(echo[2]).isEqualTo("second");
    }

    /** With "upgrade" the burst usually overlaps the switch from polling to WebSocket. */
    @ParameterizedTest
    @ValueSource(strings = {"polling", "websocket", "upgrade"})
    void sendsFromAnotherThreadArriveInOrder(String transport) throws Exception {
        BlockingQueue<Object[]> events = new LinkedBlockingQueue<>();
        Socket socket = connect(transport, events, "hello", "seq");
        assertThat(next(events)[0]).isEqualTo("hello");

        int n = 500;
        socket.emit("burst", n);
        for (int i = 0; i < n; i++) {
            Object[] seq = next(events);
            assertThat(seq[0]).isEqualTo("seq");
            assertThat(((Number) seq[1]).intValue()).isEqualTo(i);
        }
    }

    @Test
    void servesTheSocketIo4BrowserClient() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/vendor/socket.io.min.js")).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().contains("javascript");
        assertThat(response.body()).contains("Socket.IO v4.8.").contains("io");
        assertThat(response.body().length()).isGreaterThan(10_000);
    }

    /** Every waiting or working page holds a connection: Tomcat's default cap of 8,192 is raised. */
    @Test
    void acceptsMoreConnectionsThanTomcatsDefaultCap(@Autowired org.springframework.boot.web.server.context.WebServerApplicationContext web) {
        var tomcat = (org.springframework.boot.tomcat.TomcatWebServer) web.getWebServer();
        Object max = tomcat.getTomcat().getConnector().getProperty("maxConnections");
        assertThat(Integer.parseInt(String.valueOf(max))).isGreaterThanOrEqualTo(20_000);
    }

    /** permessage-deflate costs ~300 KB per connection for frames of a few dozen bytes: it is refused. */
    @Test
    void upgradesAWebSocketThatOffersPerMessageDeflateWithoutIt() throws Exception {
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", port)) {
            raw.setSoTimeout(10_000);
            String request = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
            raw.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            raw.getOutputStream().flush();
            StringBuilder head = new StringBuilder();
            var in = raw.getInputStream();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            String response = head.toString();
            assertThat(response).startsWith("HTTP/1.1 101");
            assertThat(response.toLowerCase()).contains("upgrade: websocket").doesNotContain("sec-websocket-extensions");
        }
    }

    @Test
    void acceptsTheEngineIo3PollingHandshake() throws Exception {
        // b64=1: the text payload (without it the answer is binary: EngineIo3WireTest)
        HttpResponse<String> response = get("/socket.io/?EIO=3&transport=polling&b64=1", null);
        assertThat(response.statusCode()).isEqualTo(200);
        // Engine.IO v3 text payload framing: <length>:<packet>, the open packet type 0 first.
        String body = response.body();
        assertThat(body).matches("(?s)^\\d+:0\\{.*");
        JSONObject open = new JSONObject(body.substring(body.indexOf(":0") + 2));
        assertThat(open.getString("sid")).isNotEmpty();
        assertThat(open.getLong("pingInterval")).isEqualTo(10_000);
        assertThat(open.getLong("pingTimeout")).isEqualTo(10_000);
    }

    /**
     * A client may send its first request the moment it has read the handshake: the session must be known
     * by then (engine.io-server registers it only after writing the answer; HeldHandshakeResponse holds
     * the answer until it has). Each handshake here is followed at once by a close packet for its session.
     */
    @Test
    void aSessionIsKnownToTheFirstRequestAfterItsHandshake() throws Exception {
        for (int i = 0; i < 200; i++) {
            for (String eio : List.of("4", "3&b64=1")) {
                HttpResponse<String> open = get("/socket.io/?EIO=" + eio + "&transport=polling", null);
                assertThat(open.statusCode()).isEqualTo(200);
                String body = open.body();
                String sid = new JSONObject(body.substring(body.indexOf('{'))).getString("sid");
                String close = eio.equals("4") ? "1" : "1:1";
                HttpResponse<String> first = http.send(HttpRequest.newBuilder(
                                URI.create(base() + "/socket.io/?EIO=" + eio + "&transport=polling&sid=" + sid))
                        .POST(HttpRequest.BodyPublishers.ofString(close)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(first.statusCode()).as("EIO %s, try %d: %s", eio, i, first.body()).isEqualTo(200);
            }
        }
    }

    @Test
    void refusesAForeignOriginButAcceptsSameOriginAndNoOrigin() throws Exception {
        HttpResponse<String> foreign = get("/socket.io/?EIO=4&transport=polling", "https://evil.example");
        assertThat(foreign.statusCode()).isEqualTo(400); // Engine.IO's answer to a refused handshake
        assertThat(foreign.body()).doesNotContain("sid");
        assertThat(get("/socket.io/?EIO=4&transport=polling", base()).statusCode()).isEqualTo(200);
        assertThat(get("/socket.io/?EIO=4&transport=polling", null).statusCode()).isEqualTo(200);
        // No CORS headers for a same-origin request: none is needed, and none is configured.
        assertThat(get("/socket.io/?EIO=4&transport=polling", base()).headers()
                .firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void closesAWebSocketFromAForeignOrigin() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                received.add(data.toString());
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.complete(-1);
            }
        };
        URI uri = URI.create("ws://localhost:" + port + "/socket.io/?EIO=4&transport=websocket");

        http.newWebSocketBuilder().header("Origin", "https://evil.example").buildAsync(uri, listener).get(10, TimeUnit.SECONDS);
        closed.get(10, TimeUnit.SECONDS);
        assertThat(received).noneMatch(m -> m.startsWith("0{"));

        BlockingQueue<String> ok = new LinkedBlockingQueue<>();
        WebSocket sameOrigin = http.newWebSocketBuilder().header("Origin", base()).buildAsync(uri, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                ok.add(data.toString());
                webSocket.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        try {
            assertThat(ok.poll(10, TimeUnit.SECONDS)).startsWith("0{").contains("\"sid\"");
        } finally {
            sameOrigin.abort();
        }
    }

    @Test
    void refusesPollingPayloadsAboveTheLimit() throws Exception {
        HttpResponse<String> open = get("/socket.io/?EIO=4&transport=polling", null);
        String sid = new JSONObject(open.body().substring(1)).getString("sid");
        String tooBig = "4" + "x".repeat(5000);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(
                        URI.create(base() + "/socket.io/?EIO=4&transport=polling&sid=" + sid))
                .header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(tooBig)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(413);
    }

    @Test
    void closesAWebSocketThatSendsAMessageAboveTheLimit() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(
                URI.create("ws://localhost:" + port + "/socket.io/?EIO=4&transport=websocket"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).startsWith("0{");
        ws.sendText("4" + "x".repeat(5000), true).get(10, TimeUnit.SECONDS);
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1009); // message too big
    }

    private HttpResponse<String> get(String path, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path)).GET();
        if (origin != null) {
            request.header("Origin", origin);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
