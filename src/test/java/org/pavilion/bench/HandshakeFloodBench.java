package org.pavilion.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.pavilion.PavilionApplication;
import org.pavilion.testing.ExcludeTestConfigurations;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 12: a handshake flood from one address is limited, and other pages are not slowed by it.
 * Starts Pavilion in this JVM (in-memory H2, default limits: 20 handshakes a second per address, a
 * burst of 40), then measures a well-behaved page's polling handshake round trip from 127.0.0.1, first
 * alone and then while {@code FLOODERS} threads handshake in a loop from 127.0.0.2 as fast as they are
 * answered (what socket.io-client 1.3.5 did against a server that answered it in the wrong framing).
 * Prints p50/p99/max of the page's handshakes in both phases, the flood's answers by status, and the
 * process CPU time used per second of the flood.
 *
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.pavilion.bench.HandshakeFloodBench [-Dexec.args="4 20"]
 * </pre>
 * Arguments: flooding threads (default 4), seconds per phase (default 20).
 */
public final class HandshakeFloodBench {

    private HandshakeFloodBench() {
    }

    public static void main(String[] args) throws Exception {
        int flooders = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        SpringApplication app = new SpringApplication(PavilionApplication.class);
        ExcludeTestConfigurations.applyTo(app);
        try (ConfigurableApplicationContext context = app.run("--server.port=0", "--pavilion.database.embedded=mem",
                "--logging.level.root=WARN")) {
            int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
            long[] alone = page(port, seconds, null);
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong ok = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            AtomicLong other = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < flooders; i++) {
                Thread t = new Thread(() -> {
                    while (flooding.get()) {
                        try {
                            int status = handshake("127.0.0.2", port);
                            (status == 200 ? ok : status == 429 ? refused : other).incrementAndGet();
                        } catch (IOException e) {
                            other.incrementAndGet();
                        }
                    }
                }, "flood-" + i);
                t.start();
                threads.add(t);
            }
            long cpuBefore = cpuNanos();
            long wallBefore = System.nanoTime();
            long[] during = page(port, seconds, flooding);
            double cpuPerSecond = (cpuNanos() - cpuBefore) / (double) (System.nanoTime() - wallBefore);
            flooding.set(false);
            for (Thread t : threads) {
                t.join();
            }
            System.out.printf("page alone:        %s%n", summary(alone));
            System.out.printf("page during flood: %s%n", summary(during));
            System.out.printf("flood (%d threads, %d s): %d answered 200, %d refused 429, %d other; "
                            + "%.0f handshakes/s tried; process CPU %.2f cores (client and server share this JVM)%n",
                    flooders, seconds, ok.get(), refused.get(), other.get(),
                    (ok.get() + refused.get() + other.get()) / (double) seconds, cpuPerSecond);
        }
    }

    /** The page's handshakes, one every 100 ms, each closed after for {@code seconds}: their round trips in microseconds. */
    private static long[] page(int port, int seconds, AtomicBoolean flooding) throws Exception {
        List<Long> micros = new ArrayList<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            String body = exchange("127.0.0.1", port, "GET", "/socket.io/?EIO=4&transport=polling", null);
            micros.add((System.nanoTime() - start) / 1_000);
            if (!body.startsWith("200")) {
                throw new IllegalStateException("the page's handshake " + micros.size() + (flooding == null ? " (alone)" : " (flood)") + " was answered " + body);
            }
            // A page that goes away closes its session (an open one counts against its address's limit).
            String sid = new org.json.JSONObject(body.substring(body.indexOf('{'))).getString("sid");
            String closed = exchange("127.0.0.1", port, "POST", "/socket.io/?EIO=4&transport=polling&sid=" + sid, "1");
            if (!closed.startsWith("200")) {
                throw new IllegalStateException("the page could not close its session " + sid + ": " + closed);
            }
            Thread.sleep(100);
        }
        return micros.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** One Engine.IO 4 polling handshake from {@code from}; returns the HTTP status. */
    private static int handshake(String from, int port) throws IOException {
        return Integer.parseInt(exchange(from, port, "GET", "/socket.io/?EIO=4&transport=polling", null).substring(0, 3));
    }

    /** One HTTP/1.1 request from {@code from}: the status code, a space, and the body. */
    private static String exchange(String from, int port, String method, String path, String body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + content.length
                    + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int bodyStart = response.indexOf("\r\n\r\n");
            return response.substring(9, 12) + " " + (bodyStart < 0 ? "" : response.substring(bodyStart + 4));
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String summary(long[] sorted) {
        if (sorted.length == 0) {
            return "no samples";
        }
        return String.format("n=%d p50 %.2f ms, p99 %.2f ms, max %.2f ms", sorted.length,
                at(sorted, 0.50) / 1000.0, at(sorted, 0.99) / 1000.0, sorted[sorted.length - 1] / 1000.0);
    }

    private static long at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
