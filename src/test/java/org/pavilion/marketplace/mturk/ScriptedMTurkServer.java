package org.pavilion.marketplace.mturk;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) that records every request and answers with
 * scripted replies, in order; with none left it answers 599.
 */
final class ScriptedMTurkServer implements AutoCloseable {

    record Recorded(String method, String path, Map<String, List<String>> headers, byte[] bodyBytes) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        String body() {
            return new String(bodyBytes, StandardCharsets.UTF_8);
        }

        /** The operation named by X-Amz-Target. */
        String operation() {
            String target = header("X-Amz-Target");
            return target == null ? null : target.substring(target.indexOf('.') + 1);
        }
    }

    record Reply(int status, String body, Map<String, String> headers) {
    }

    private final HttpServer server;
    private final ConcurrentLinkedDeque<Reply> replies = new ConcurrentLinkedDeque<>();
    private final List<Recorded> requests = Collections.synchronizedList(new ArrayList<>());

    ScriptedMTurkServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    int port() {
        return server.getAddress().getPort();
    }

    ScriptedMTurkServer reply(int status, String body) {
        replies.add(new Reply(status, body, Map.of()));
        return this;
    }

    ScriptedMTurkServer reply(int status, String body, Map<String, String> headers) {
        replies.add(new Reply(status, body, headers));
        return this;
    }

    ScriptedMTurkServer ok(String body) {
        return reply(200, body);
    }

    List<Recorded> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    Recorded last() {
        List<Recorded> all = requests();
        return all.get(all.size() - 1);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), headers, body));
        Reply reply = replies.poll();
        if (reply == null) {
            reply = new Reply(599, "{\"__type\":\"NoScriptedReply\",\"Message\":\"no scripted reply\"}", Map.of());
        }
        byte[] out = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", "req-" + requests.size());
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
