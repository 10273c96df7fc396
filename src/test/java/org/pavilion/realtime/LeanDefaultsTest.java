package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.ServletContext;
import jakarta.websocket.server.ServerContainer;
import org.apache.catalina.connector.Connector;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.pavilion.queue.Thresholds;
import org.pavilion.realtime.transport.EchoNamespaceConfiguration;
import org.pavilion.realtime.transport.SocketIoProperties;
import org.pavilion.tasklogic.GroupChat;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * Pavilion's default limits and Tomcat buffers (README, "Memory"), on the real server with no setting
 * changed: the running connector and WebSocket container use the chosen sizes, the chat's longest
 * message in its longest encoding still passes on both transports, a frame of exactly the limit passes
 * and one character more is refused, and a response much larger than the socket buffer arrives whole.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
@Import(EchoNamespaceConfiguration.class)
class LeanDefaultsTest extends RealtimeTestSupport {

    private static final int MAX_MESSAGE = 4096;
    private static final int BUFFER = 2048;

    @Autowired
    SocketIoProperties properties;
    @Autowired
    WebServerApplicationContext context;
    @Autowired
    ServletContext servletContext;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theRunningServerUsesTheChosenBuffers() throws Exception {
        assertThat(properties.maxMessageBytes()).isEqualTo(MAX_MESSAGE);
        Connector connector = ((TomcatWebServer) context.getWebServer()).getTomcat().getConnector();
        assertThat(connector.getProperty("socket.appReadBufSize")).hasToString(String.valueOf(BUFFER));
        assertThat(connector.getProperty("socket.appWriteBufSize")).hasToString(String.valueOf(BUFFER));

        // Tomcat read its system property once, when its WebSocket classes loaded: the value it holds now
        // is what every connection's frame, binary-message and output buffers are sized from.
        Field size = Class.forName("org.apache.tomcat.websocket.Constants").getDeclaredField("DEFAULT_BUFFER_SIZE");
        size.setAccessible(true);
        assertThat(size.getInt(null)).isEqualTo(BUFFER);
        ServerContainer container = (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
        assertThat(container.getDefaultMaxBinaryMessageBufferSize()).isEqualTo(BUFFER);
        assertThat(container.getDefaultMaxTextMessageBufferSize()).isEqualTo(BUFFER);
    }

    @Test
    void theChatsLongestMessagePassesInItsLongestEncodingOnBothTransports() throws Exception {
        // The Java client escapes U+2000..U+20FF as backslash-u and four hex digits (org.json), so a chat
        // line of 500 euro signs leaves it as 3,000 characters of text: the worst case of any client.
        String longest = "\u20ac".repeat(GroupChat.MAX_TEXT);
        String frame = "42/chat," + new JSONArray().put(GroupChat.EVENT).put(new JSONObject().put("text", longest));
        assertThat(frame.length()).isGreaterThan(6 * GroupChat.MAX_TEXT).isLessThanOrEqualTo(MAX_MESSAGE);

        openSession(new Thresholds(2, 0, 2, 2), 30, "HIT-LEAN");
        ProtocolClient polling = seedPage("w1", "polling"); // its message is a POST body larger than the socket buffer
        ProtocolClient websocket = seedPage("w2", "websocket");
        polling.emit("connected", acceptedJoin("w1", "a1", "HIT-LEAN"));
        websocket.emit("connected", acceptedJoin("w2", "a2", "HIT-LEAN"));
        polling.skipUntil("start_your_task", "{message:['w1']}");
        websocket.skipUntil("start_your_task", "{message:['w2']}");
        for (ProtocolClient c : List.of(polling, websocket)) {
            c.skipUntil("workers_status", "{waiting:0,active:2}"); // the last thing each hears of the start
        }

        for (ProtocolClient sender : List.of(polling, websocket)) {
            sender.emit(GroupChat.EVENT, new JSONObject().put("text", longest));
            for (ProtocolClient c : List.of(polling, websocket)) {
                JSONObject heard = c.expect(GroupChat.EVENT);
                assertThat(heard.getString("text")).isEqualTo(longest);
                assertThat(heard.getBoolean("mine")).isEqualTo(c == sender);
            }
        }
    }

    @Test
    void aFrameOfExactlyTheLimitPassesAndOneCharacterMoreIsRefused() throws Exception {
        RawSocket fits = RawSocket.open(http, port);
        String echo = fits.sized(MAX_MESSAGE);
        fits.ws.sendText(echo, true).get(10, TimeUnit.SECONDS);
        assertThat(fits.next()).isEqualTo(echo); // the /echo namespace sends the same packet back
        fits.ws.abort();

        RawSocket tooBig = RawSocket.open(http, port);
        tooBig.ws.sendText(tooBig.sized(MAX_MESSAGE + 1), true).get(10, TimeUnit.SECONDS);
        assertThat(tooBig.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1009); // message too big
    }

    @Test
    void aResponseMuchLargerThanTheSocketBufferArrivesWhole() throws Exception {
        byte[] expected;
        try (InputStream in = getClass().getResourceAsStream("/static/vendor/socket.io.min.js")) {
            assertThat(in).isNotNull();
            expected = in.readAllBytes();
        }
        assertThat(expected.length).isGreaterThan(10 * BUFFER);
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/vendor/socket.io.min.js")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(expected);
    }

    /** A bare Engine.IO v4 WebSocket, joined to the test's {@code /echo} namespace. */
    private record RawSocket(WebSocket ws, BlockingQueue<String> received, CompletableFuture<Integer> closed) {

        static RawSocket open(HttpClient http, int port) throws Exception {
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            StringBuilder partial = new StringBuilder();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(
                    URI.create("ws://localhost:" + port + "/socket.io/?EIO=4&transport=websocket"),
                    new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                received.add(partial.toString());
                                partial.setLength(0);
                            }
                            webSocket.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            closed.complete(statusCode);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            RawSocket socket = new RawSocket(ws, received, closed);
            assertThat(socket.next()).startsWith("0{");
            ws.sendText("40/echo,", true).get(10, TimeUnit.SECONDS);
            assertThat(socket.next()).startsWith("40/echo,");
            assertThat(socket.next()).startsWith("42/echo,[\"hello\"");
            return socket;
        }

        /** An echo event to /echo that is exactly {@code length} characters long as a frame. */
        String sized(int length) {
            String head = "42/echo,[\"echo\",\"";
            String tail = "\"]";
            return head + "x".repeat(length - head.length() - tail.length()) + tail;
        }

        String next() throws InterruptedException {
            String message;
            do {
                message = received.poll(10, TimeUnit.SECONDS);
                assertThat(message).as("a message within 10 s").isNotNull();
            } while (message.equals("2")); // the server's ping
            return message;
        }
    }
}
