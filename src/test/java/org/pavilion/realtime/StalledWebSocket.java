package org.pavilion.realtime;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Test only: a Socket.IO client over a plain TCP socket with a tiny receive buffer, which can stop
 * reading at any moment while it goes on writing: a page whose network or tab has stalled. Speaks
 * just enough of WebSocket (RFC 6455: the upgrade, masked text frames out, unmasked text frames in)
 * and Engine.IO 4 / Socket.IO 5 to join {@code /chat} and send events.
 */
final class StalledWebSocket implements AutoCloseable {

    private final Socket socket = new Socket();
    private final DataInputStream in;
    private final OutputStream out;
    private final SecureRandom random = new SecureRandom();

    StalledWebSocket(int port) throws IOException {
        socket.setReceiveBufferSize(1024); // before connect: the window it advertises stays small
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        out.write(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("no WebSocket upgrade: " + head);
        }
        String open = readText();
        if (!open.startsWith("0{")) {
            throw new IOException("no Engine.IO open packet: " + open);
        }
        send("40/chat,");
        String connect = readText();
        if (!connect.startsWith("40/chat,{")) {
            throw new IOException("no /chat CONNECT: " + connect);
        }
    }

    /** Emits a Socket.IO event on /chat. */
    void emit(String event, String jsonPayload) throws IOException {
        send("42/chat,[\"" + event + "\"," + jsonPayload + "]");
    }

    /** The next text frame's payload (only while this client still reads). */
    String readText() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        if ((first & 0x0f) != 1) {
            throw new IOException("not a text frame: opcode " + (first & 0x0f));
        }
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** Writes one masked text frame (a client's frames are masked, RFC 6455 §5.3). */
    void send(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the upgrade");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
