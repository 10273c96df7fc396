package org.pavilion.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pavilion.PavilionApplication;
import org.pavilion.testing.ExcludeTestConfigurations;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The benchmark's marketplace, in a process of its own (issue 15 item 4): in production MTurk does the
 * marketplace's work (checking SigV4 signatures, writing its answers, RSA-signing every SNS
 * notification), so the measured server ({@link BenchServer} with {@code --market-endpoint}) must not
 * pay for it. As {@code SimulationKill} runs its marketplace: a Pavilion in local mode, on an in-memory
 * database, serving the local marketplace at {@code /local-mturk/}, whose SNS delivers to the measured
 * server's {@code /api/from_mturk} over HTTP.
 *
 * <pre>
 * java -cp ... org.pavilion.bench.BenchMarketplace [--server-port N] [--port 0] [--data-dir DIR]
 * </pre>
 * The measured server is not up yet when the marketplace starts, so its port is decided here: {@code
 * --server-port}, or by default a free port of 127.0.0.1 picked now. Prints one line
 * {@code READY port=... endpoint=http://127.0.0.1:PORT/local-mturk/ market=http://127.0.0.1:PORT/local-mturk/api
 * server-port=N pid=...} ({@code endpoint}: the Requester API for {@code pavilion.marketplace.endpoint};
 * {@code market}: the worker API the load client uses), then runs until its standard input closes.
 * Not run by {@code mvn verify} as a main; {@link BenchSuiteSmokeTest} starts it with {@link #start}.
 */
public final class BenchMarketplace {

    private BenchMarketplace() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int serverPort = options.containsKey("server-port") ? Integer.parseInt(options.get("server-port")) : freePort();
        if (serverPort < 1 || serverPort > 65_535) {
            throw new IllegalArgumentException("--server-port must be 1..65535 (was " + serverPort + ")");
        }
        boolean temporary = !options.containsKey("data-dir");
        Path dataDir = temporary ? Files.createTempDirectory("pavilion-bench-market-") : Path.of(options.get("data-dir"));
        Files.createDirectories(dataDir);
        SpringApplication app = new SpringApplication(PavilionApplication.class);
        ExcludeTestConfigurations.applyTo(app);
        ConfigurableApplicationContext context = app.run(
                "--server.port=" + options.getOrDefault("port", "0"),
                "--server.address=127.0.0.1",
                "--pavilion.data-dir=" + dataDir,
                "--pavilion.database.embedded=mem",
                "--pavilion.marketplace.mode=local",
                // it has no sessions of its own: nothing to reconcile
                "--pavilion.marketplace.reconcile-interval=0",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN",
                "--pavilion.marketplace.local.notify-url=" + notifyUrl(serverPort),
                // The load client's workers all come from one address (loopback), thousands at once.
                "--" + BenchServer.NO_ADDRESS_LIMITS,
                "--" + BenchServer.NO_HANDSHAKE_LIMITS);
        String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
        System.out.println("READY port=" + context.getEnvironment().getProperty("local.server.port")
                + " endpoint=" + base + "/local-mturk/ market=" + base + "/local-mturk/api"
                + " server-port=" + serverPort + " pid=" + ManagementFactory.getRuntimeMXBean().getPid());
        System.out.flush();

        InputStream in = System.in;
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // keep running until stdin closes
            }
        } catch (IOException closed) {
            // same as end of input
        }
        context.close();
        if (temporary) {
            try (java.util.stream.Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        System.out.println("STOPPED");
        System.exit(0);
    }

    /** Where the marketplace's SNS delivers: the measured server's notification intake. */
    static String notifyUrl(int serverPort) {
        return "http://127.0.0.1:" + serverPort + "/api/from_mturk";
    }

    /** A free TCP port of 127.0.0.1 now (another process may take it before it is used: rare, and the run fails). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * A marketplace started in a child JVM (this class path), for a test: its READY line's values. Closing
     * it closes the child's standard input (it stops cleanly) and kills it if it has not exited 30 s later.
     */
    public record Child(Process process, int port, String endpoint, String market, int serverPort, Path log)
            implements AutoCloseable {

        @Override
        public void close() throws Exception {
            try (OutputStream stdin = process.getOutputStream()) {
                // closing it is the stop signal
            } catch (IOException alreadyGone) {
                // the child has exited
            }
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Starts a marketplace JVM whose notifications go to 127.0.0.1:{@code serverPort}; waits for its READY line. */
    public static Child start(int serverPort, Path log, Duration timeout) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                BenchMarketplace.class.getName(), "--server-port", String.valueOf(serverPort)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (line.startsWith("READY ")) {
                        Map<String, String> v = values(line);
                        return new Child(p, Integer.parseInt(v.get("port")), v.get("endpoint"), v.get("market"),
                                Integer.parseInt(v.get("server-port")), log);
                    }
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException("the marketplace exited (" + p.exitValue() + ") before it was "
                            + "ready:\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("the marketplace was not ready after " + timeout + ":\n"
                    + Files.readString(log));
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** A line's key=value pairs. */
    static Map<String, String> values(String line) {
        Map<String, String> values = new HashMap<>();
        for (String part : line.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                values.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return values;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
