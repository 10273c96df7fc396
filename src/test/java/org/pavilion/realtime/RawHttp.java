package org.pavilion.realtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.json.JSONObject;

/**
 * HTTP/1.1 over a plain socket bound to a chosen loopback address (127.0.0.0/8), so a test can be
 * any number of client addresses; and the few Engine.IO v4 polling steps the limit tests need.
 */
final class RawHttp {

    record Response(int status, Map<String, String> headers, byte[] bytes) {
        /** The body as UTF-8 text. */
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JSONObject json() {
            return new JSONObject(body());
        }

        /** The Engine.IO v4 packets of a polling response. */
        List<String> packets() {
            return bytes.length == 0 ? List.of() : List.of(body().split("\u001e"));
        }
    }

    private final String localAddress;
    private final int port;

    RawHttp(String localAddress, int port) {
        this.localAddress = localAddress;
        this.port = port;
    }

    Response get(String pathAndQuery) throws IOException {
        return send("GET", pathAndQuery, Map.of(), null, false);
    }

    Response post(String pathAndQuery, String body) throws IOException {
        return send("POST", pathAndQuery, Map.of("Content-Type", "text/plain;charset=UTF-8"), body, false);
    }

    /** A GET with these request headers. */
    Response get(String pathAndQuery, Map<String, String> headers) throws IOException {
        return send("GET", pathAndQuery, headers, null, false);
    }

    /** A WebSocket opening handshake; only the status line and headers are read. */
    Response upgrade(String pathAndQuery, String version) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        headers.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        headers.put("Sec-WebSocket-Version", version);
        return send("GET", pathAndQuery, headers, null, true);
    }

    // ---- Engine.IO v4 polling ------------------------------------------------------------------

    /** A polling handshake: the response, whose body is the open packet when it is admitted. */
    Response handshake() throws IOException {
        return get("/socket.io/?EIO=4&transport=polling");
    }

    static String sidOf(Response open) {
        return new JSONObject(open.body().substring(1)).getString("sid");
    }

    Response send(String sid, String packets) throws IOException {
        return post("/socket.io/?EIO=4&transport=polling&sid=" + sid, packets);
    }

    Response poll(String sid) throws IOException {
        return get("/socket.io/?EIO=4&transport=polling&sid=" + sid);
    }

    /** Closes an Engine.IO session at once (a close packet). */
    void closeSession(String sid) throws IOException {
        send(sid, "1");
    }

    // --------------------------------------------------------------------------------------------

    private Response send(String method, String pathAndQuery, Map<String, String> headers, String body,
                          boolean headOnly) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 10_000);
            socket.setSoTimeout(30_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder request = new StringBuilder();
            request.append(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            if (!headOnly) {
                request.append("Connection: close\r\n");
            }
            if (body != null) {
                request.append("Content-Length: ").append(content.length).append("\r\n");
            }
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(content);
            socket.getOutputStream().flush();

            InputStream in = socket.getInputStream();
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> responseHeaders = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    responseHeaders.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            if (headOnly && status == 101) {
                return new Response(status, responseHeaders, new byte[0]);
            }
            return new Response(status, responseHeaders, readBody(in, responseHeaders));
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static byte[] readBody(InputStream in, Map<String, String> headers) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String length = headers.get("content-length");
        if (length != null) {
            return in.readNBytes(Integer.parseInt(length));
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            while (true) {
                String sizeLine = readLine(in);
                int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                if (size == 0) {
                    readLine(in);
                    break;
                }
                body.write(in.readNBytes(size));
                readLine(in);
            }
            return body.toByteArray();
        }
        in.transferTo(body); // Connection: close
        return body.toByteArray();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
