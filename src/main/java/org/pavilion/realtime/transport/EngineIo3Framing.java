package org.pavilion.realtime.transport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What Engine.IO 3 clients (socket.io-client 1.x and 2.x) need on the wire that the Java server
 * library (engine.io-server 6.3.2 with socket.io-server 4.1.2) does not give them. The library is
 * wrapped, not forked: {@link EngineIoServlet} rewrites EIO=3 polling responses and
 * {@link JakartaEngineIoWebSocket} rewrites EIO=3 text frames with the functions here.
 *
 * <ul>
 *   <li><b>CONNECT without payload.</b> socket.io-server 4.1.2 answers every namespace CONNECT in the
 *       Socket.IO v5 form, {@code 40/chat,{"sid":"…"}}, whatever the client's protocol. The
 *       socket.io-parser of the 2.x browser bundle accepts a payload only for ERROR packets or arrays,
 *       so it reads that packet as {@code parser error: invalid payload} and the page never joins.
 *       Node's socket.io 2.x server sent {@code 40/chat,} (and {@code 40} for {@code /}), which is what
 *       every v3-protocol client expects: {@link #connectWithoutPayload} turns one into the other.</li>
 *   <li><b>Binary polling payloads.</b> A 1.x/2.x client that does not send {@code b64=1} has said it
 *       takes binary payloads. engine.io-client 1.5 (in socket.io-client 1.3.5) then reads a poll
 *       response's body only if it is {@code application/octet-stream} (anything else it takes as
 *       {@code "ok"}), and Node's engine.io 1.x always answered such clients in the binary payload
 *       encoding; engine.io-server 6.3.2 answers {@code text/plain}, so 1.3.5 never sees its session
 *       id and handshakes again at once, forever. {@link #binaryPayload} is that encoding: per packet
 *       a type byte (0 string, 1 binary), the decimal digits of the packet's length as byte values 0–9,
 *       the byte 255, then the packet (strings as UTF-8, their length counted in bytes).</li>
 * </ul>
 */
final class EngineIo3Framing {

    private static final byte STRING_MARKER = 0;
    private static final byte BINARY_MARKER = 1;
    private static final int LENGTH_END = 0xFF;

    private EngineIo3Framing() {
    }

    /** The client spoke Engine.IO 3 in its handshake (or in this request's query). */
    static boolean isEngineIo3(Map<String, String> query) {
        return query != null && "3".equals(query.get("EIO"));
    }

    /**
     * An Engine.IO packet with a Socket.IO CONNECT answer in it loses the CONNECT's payload:
     * {@code 40{"sid":"x"}} becomes {@code 40} and {@code 40/chat,{"sid":"x"}} becomes {@code 40/chat,}.
     * Every other packet is returned as it is.
     */
    static String connectWithoutPayload(String enginePacket) {
        if (enginePacket == null || !enginePacket.startsWith("40") || enginePacket.length() == 2) {
            return enginePacket;
        }
        char next = enginePacket.charAt(2);
        if (next == '{') {
            return "40";
        }
        if (next == '/') {
            int comma = enginePacket.indexOf(',', 3);
            return comma < 0 ? enginePacket : enginePacket.substring(0, comma + 1);
        }
        return enginePacket;
    }

    /**
     * The packets of an Engine.IO 3 text payload ({@code <length>:<packet>}…, the length in UTF-16
     * code units as the JavaScript parsers count it).
     *
     * @throws IllegalArgumentException if the payload is not in that form
     */
    static List<String> textPackets(String payload) {
        List<String> packets = new ArrayList<>();
        int at = 0;
        while (at < payload.length()) {
            int colon = payload.indexOf(':', at);
            if (colon <= at || colon - at > 9) {
                throw new IllegalArgumentException("not an Engine.IO 3 text payload at " + at);
            }
            int length;
            try {
                length = Integer.parseInt(payload.substring(at, colon));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an Engine.IO 3 text payload at " + at, e);
            }
            int end = colon + 1 + length;
            if (length < 0 || end > payload.length()) {
                throw new IllegalArgumentException("Engine.IO 3 packet runs past the payload at " + at);
            }
            packets.add(payload.substring(colon + 1, end));
            at = end;
        }
        return packets;
    }

    /** The Engine.IO 3 text payload of these packets. */
    static String textPayload(List<String> packets) {
        StringBuilder payload = new StringBuilder();
        for (String packet : packets) {
            payload.append(packet.length()).append(':').append(packet);
        }
        return payload.toString();
    }

    /**
     * The Engine.IO 3 binary payload of these packets. A packet in the text form of binary data
     * ({@code b<type><base64>}) goes as binary: its type as a byte value, then the decoded bytes.
     */
    static byte[] binaryPayload(List<String> packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String packet : packets) {
            byte[] content;
            byte marker;
            if (packet.length() >= 2 && packet.charAt(0) == 'b' && Character.isDigit(packet.charAt(1))) {
                byte[] data = Base64.getDecoder().decode(packet.substring(2));
                content = new byte[data.length + 1];
                content[0] = (byte) Character.digit(packet.charAt(1), 10);
                System.arraycopy(data, 0, content, 1, data.length);
                marker = BINARY_MARKER;
            } else {
                content = packet.getBytes(StandardCharsets.UTF_8);
                marker = STRING_MARKER;
            }
            out.write(marker);
            for (char digit : Integer.toString(content.length).toCharArray()) {
                out.write(digit - '0');
            }
            out.write(LENGTH_END);
            out.writeBytes(content);
        }
        return out.toByteArray();
    }
}
