package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.pavilion.realtime.transport.EchoNamespaceConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * The exact frames old browser clients need, over raw HTTP and a raw WebSocket against the real server:
 * socket.io-client 1.x polls without {@code b64} and reads only {@code application/octet-stream}
 * bodies in the Engine.IO 3 binary payload encoding; 2.x's browser decoder refuses a CONNECT answer
 * with a payload, so an Engine.IO 3 client gets {@code 40/chat,}; Engine.IO 4 clients (3.x, 4.x) keep
 * the {@code 40/chat,{"sid":…}} they need.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
@Import(EchoNamespaceConfiguration.class)
class EngineIo3WireTest {

    @LocalServerPort
    int port;

    private RawHttp http() {
        return new RawHttp("127.0.0.1", port);
    }

    /** One packet of an Engine.IO 3 binary payload: string or binary, and its bytes. */
    private record BinaryPacket(boolean string, byte[] content) {
        String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    /** Reads an Engine.IO 3 binary payload the way the 1.x/2.x browser parsers do. */
    private static List<BinaryPacket> binaryPackets(byte[] payload) {
        List<BinaryPacket> packets = new ArrayList<>();
        int at = 0;
        while (at < payload.length) {
            int marker = payload[at++];
            assertThat(marker).as("type byte at %d", at - 1).isIn(0, 1);
            int length = 0;
            int digits = 0;
            while ((payload[at] & 0xFF) != 0xFF) {
                int digit = payload[at++];
                assertThat(digit).as("length digit").isBetween(0, 9);
                length = length * 10 + digit;
                digits++;
            }
            assertThat(digits).isPositive();
            at++; // 0xFF
            packets.add(new BinaryPacket(marker == 0, Arrays.copyOfRange(payload, at, at + length)));
            at += length;
        }
        return packets;
    }

    private static String sidOfOpen(String openPacket) {
        assertThat(openPacket).startsWith("0{");
        return new JSONObject(openPacket.substring(1)).getString("sid");
    }

    // ---- Engine.IO 3 polling without b64 (socket.io-client 1.x) -----------------------------------

    @Test
    void answersAnEngineIo3PollWithoutB64InTheBinaryPayloadEncoding() throws Exception {
        RawHttp.Response open = http().get("/socket.io/?EIO=3&transport=polling&t=1");
        assertThat(open.status()).isEqualTo(200);
        assertThat(open.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(Integer.parseInt(open.header("Content-Length"))).isEqualTo(open.bytes().length);
        List<BinaryPacket> packets = binaryPackets(open.bytes());
        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).string()).isTrue();
        String sid = sidOfOpen(packets.get(0).text());
        // the open packet's length digits are its byte count
        byte[] digits = String.valueOf(packets.get(0).content().length).chars().map(c -> c - '0')
                .collect(ByteArrayOutputStream::new, ByteArrayOutputStream::write, (a, b) -> a.writeBytes(b.toByteArray()))
                .toByteArray();
        assertThat(Arrays.copyOfRange(open.bytes(), 1, 1 + digits.length)).isEqualTo(digits);
        assertThat(open.bytes()[1 + digits.length]).isEqualTo((byte) 0xFF);

        // the root namespace's CONNECT, exactly: string marker, length 2, 0xFF, "40"
        RawHttp.Response root = http().get("/socket.io/?EIO=3&transport=polling&sid=" + sid);
        assertThat(root.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(root.bytes()).containsExactly(0x00, 0x02, 0xFF, '4', '0');

        assertThat(http().post("/socket.io/?EIO=3&transport=polling&sid=" + sid, "7:40/chat").body()).isEqualTo("ok");
        RawHttp.Response joined = http().get("/socket.io/?EIO=3&transport=polling&sid=" + sid);
        assertThat(joined.header("Content-Type")).isEqualTo("application/octet-stream");
        // "40/chat,": 8 bytes, no payload
        assertThat(joined.bytes()).containsExactly(0x00, 0x08, 0xFF, '4', '0', '/', 'c', 'h', 'a', 't', ',');
    }

    @Test
    void sendsNonAsciiTextWithItsUtf8LengthInABinaryPayload() throws Exception {
        RawHttp.Response open = http().get("/socket.io/?EIO=3&transport=polling");
        String sid = sidOfOpen(binaryPackets(open.bytes()).get(0).text());
        String path = "/socket.io/?EIO=3&transport=polling&sid=" + sid;
        http().post(path, "7:40/echo" + "20:42/echo,[\"echo\",\"é\"]");
        String echo = "42/echo,[\"echo\",\"é\"]"; // 20 UTF-16 units, 21 UTF-8 bytes
        List<BinaryPacket> received = new ArrayList<>();
        for (int polls = 0; polls < 5 && received.stream().noneMatch(p -> p.text().equals(echo)); polls++) {
            RawHttp.Response poll = http().get(path);
            assertThat(poll.header("Content-Type")).isEqualTo("application/octet-stream");
            received.addAll(binaryPackets(poll.bytes()));
        }
        BinaryPacket packet = received.stream().filter(p -> p.text().equals(echo)).findFirst().orElseThrow();
        assertThat(packet.content()).hasSize(21);
    }

    // ---- Engine.IO 3 polling with b64=1 (text) ---------------------------------------------------

    @Test
    void answersAnEngineIo3PollWithB64InTheTextPayloadEncoding() throws Exception {
        RawHttp.Response open = http().get("/socket.io/?EIO=3&transport=polling&b64=1");
        assertThat(open.status()).isEqualTo(200);
        assertThat(open.header("Content-Type")).startsWith("text/plain");
        String body = open.body();
        int colon = body.indexOf(':');
        int length = Integer.parseInt(body.substring(0, colon));
        assertThat(body).hasSize(colon + 1 + length); // one packet, its length in UTF-16 units
        String sid = sidOfOpen(body.substring(colon + 1));
        assertThat(http().get("/socket.io/?EIO=3&transport=polling&b64=1&sid=" + sid).body()).isEqualTo("2:40");

        http().post("/socket.io/?EIO=3&transport=polling&b64=1&sid=" + sid, "7:40/chat");
        RawHttp.Response joined = http().get("/socket.io/?EIO=3&transport=polling&b64=1&sid=" + sid);
        assertThat(joined.header("Content-Type")).startsWith("text/plain");
        assertThat(joined.body()).isEqualTo("8:40/chat,");
    }

    // ---- Engine.IO 4 keeps the v5 CONNECT ---------------------------------------------------------

    @Test
    void answersAnEngineIo4ConnectWithTheSidPayload() throws Exception {
        RawHttp http = http();
        RawHttp.Response open = http.handshake();
        assertThat(open.header("Content-Type")).startsWith("text/plain");
        String sid = RawHttp.sidOf(open);
        http.send(sid, "40/chat,");
        RawHttp.Response joined = http.poll(sid);
        assertThat(joined.header("Content-Type")).startsWith("text/plain");
        assertThat(joined.packets()).hasSize(1);
        String connect = joined.packets().get(0);
        assertThat(connect).startsWith("40/chat,{");
        assertThat(new JSONObject(connect.substring("40/chat,".length())).getString("sid")).isNotEmpty();
    }

    // ---- Engine.IO 3 over WebSocket --------------------------------------------------------------

    @Test
    void answersAnEngineIo3WebSocketConnectWithoutPayload() throws Exception {
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=3&transport=websocket"),
                        new Collect(frames))
                .get(10, TimeUnit.SECONDS);
        try {
            assertThat(frames.poll(10, TimeUnit.SECONDS)).startsWith("0{");
            assertThat(frames.poll(10, TimeUnit.SECONDS)).isEqualTo("40");
            socket.sendText("40/chat", true).get(10, TimeUnit.SECONDS);
            assertThat(frames.poll(10, TimeUnit.SECONDS)).isEqualTo("40/chat,");
        } finally {
            socket.abort();
        }
    }

    @Test
    void answersAnEngineIo4WebSocketConnectWithTheSidPayload() throws Exception {
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket"),
                        new Collect(frames))
                .get(10, TimeUnit.SECONDS);
        try {
            assertThat(frames.poll(10, TimeUnit.SECONDS)).startsWith("0{");
            socket.sendText("40/chat,", true).get(10, TimeUnit.SECONDS);
            assertThat(frames.poll(10, TimeUnit.SECONDS)).startsWith("40/chat,{\"sid\":");
        } finally {
            socket.abort();
        }
    }

    /** Collects whole text frames. */
    private record Collect(BlockingQueue<String> frames, StringBuilder partial) implements WebSocket.Listener {
        Collect(BlockingQueue<String> frames) {
            this(frames, new StringBuilder());
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
