package org.pavilion.simulator;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.pavilion.PavilionApplication;
import org.pavilion.queue.Decision;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.HireRequest;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.LoggedFact;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.testing.ExcludeTestConfigurations;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The server that {@link SimulationKill} kills with SIGKILL: the whole Pavilion application on
 * {@code 127.0.0.1:<port>}, on an H2 file database in {@code --data-dir} or on the PostgreSQL database
 * {@code --jdbc-url}, in local marketplace mode with its Requester API pointed at a local marketplace served
 * by another process ({@code pavilion.marketplace.endpoint}), which outlives this one.
 *
 * <pre>
 * java -cp ... org.pavilion.simulator.SimKillServer --port 18080 --data-dir /tmp/d --endpoint URL --secret S
 *     [--jdbc-url URL --user U --password P]
 * </pre>
 * It starts (recovering what the database holds, as a restarted server does), prints
 * {@code READY port=... pid=...} and answers lines on standard input:
 * <ul>
 * <li>{@code GOLIVE <minActive,minWaiting,maxActive,maxWaiting> <graceSeconds> <name>}: a new task put live
 * (a new session, its HIT posted on the marketplace); prints {@code LIVE session=... hit=...};</li>
 * <li>{@code SETTLE <session> <ms>}: waits (at most that long) until no worker is in a queue of the
 * session, every submission is confirmed and every hire request has left the outbox; prints
 * {@code SETTLED true|false <detail>};</li>
 * <li>{@code STOP} or the end of the input: stops the application cleanly and exits.</li>
 * </ul>
 */
public final class SimKillServer {

    private SimKillServer() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        List<String> properties = new ArrayList<>(List.of(
                "--server.port=" + o.get("port"),
                "--server.address=127.0.0.1",
                "--pavilion.data-dir=" + o.get("data-dir"),
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN",
                "--pavilion.secret=" + o.get("secret"),
                "--pavilion.marketplace.mode=local",
                "--pavilion.marketplace.endpoint=" + o.get("endpoint"),
                "--pavilion.marketplace.hire-poll=100ms",
                "--pavilion.marketplace.hire-max-backoff=1s",
                "--pavilion.marketplace.client.base-delay=10ms",
                "--pavilion.marketplace.client.max-delay=100ms",
                "--pavilion.marketplace.reconcile-interval=1s",
                // the simulated crowd connects from one address (loopback), and all at once after a restart
                "--pavilion.realtime.max-connections-per-address=0",
                "--pavilion.realtime.handshakes-per-second=0"));
        if (o.containsKey("jdbc-url")) {
            properties.add("--spring.datasource.url=" + o.get("jdbc-url"));
            properties.add("--spring.datasource.username=" + o.get("user"));
            properties.add("--spring.datasource.password=" + o.get("password"));
        } else {
            properties.add("--pavilion.database.embedded=file");
        }
        SpringApplication app = new SpringApplication(PavilionApplication.class);
        ExcludeTestConfigurations.applyTo(app);
        ConfigurableApplicationContext context = app.run(properties.toArray(String[]::new));
        LiveSessionService sessions = context.getBean(LiveSessionService.class);
        JdbcSessionStore store = context.getBean(JdbcSessionStore.class);
        String database = context.getEnvironment().getProperty("spring.datasource.url", "");
        if (database.startsWith("jdbc:h2:")) {
            // What the running database really does with a commit (the URL asks for WRITE_DELAY=0).
            System.out.println("H2 " + context.getBean(JdbcTemplate.class).queryForList(
                    "select setting_name, setting_value from information_schema.settings where setting_name in "
                            + "('WRITE_DELAY', 'info.VERSION', 'MV_STORE', 'RETENTION_TIME')"));
        }
        System.out.println("READY port=" + o.get("port") + " pid=" + ManagementFactory.getRuntimeMXBean().getPid());
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.split(" ", 4);
            if (words[0].equals("GOLIVE")) {
                String[] t = words[1].split(",");
                Thresholds thresholds = new Thresholds(Integer.parseInt(t[0]), Integer.parseInt(t[1]),
                        Integer.parseInt(t[2]), Integer.parseInt(t[3]));
                // 10 cents a second of waiting, so that short waits are paid and the pay outbox has work too
                SimulationService.Live live = context.getBean(SimulationService.class).goLive(words[3], thresholds,
                        Integer.parseInt(words[2]), 36_000, "simkill");
                System.out.println("LIVE session=" + live.sessionId() + " hit=" + live.hitId());
            } else if (words[0].equals("SETTLE")) {
                System.out.println(settle(sessions, store, Long.parseLong(words[1]), Long.parseLong(words[2])));
            } else if (words[0].equals("STOP")) {
                break;
            }
            System.out.flush();
        }
        context.close();
        System.out.println("STOPPED");
        System.out.flush();
        System.exit(0);
    }

    /**
     * Waits until no worker is in a queue, every submission a page claimed is confirmed in the log (by the
     * marketplace's notification or the reconciliation: the hire it causes is decided only then) and no hire
     * request is still to be sent; says how long that took and what it waited for, or what is left.
     */
    static String settle(LiveSessionService sessions, JdbcSessionStore store, long session, long ms)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(ms);
        String left = "";
        java.util.Set<String> waitedFor = new java.util.TreeSet<>();
        while (System.nanoTime() < deadline) {
            QueueSnapshot s = sessions.snapshot(session);
            List<String> unconfirmed = unconfirmedSubmissions(store, session);
            List<HireRequest> pending = store.hireRequests(session).stream()
                    .filter(h -> h.state() != HireRequest.State.DONE && h.state() != HireRequest.State.FAILED)
                    .toList();
            if (s.waiting().isEmpty() && s.active().isEmpty() && unconfirmed.isEmpty() && pending.isEmpty()) {
                return "SETTLED true after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                        + " ms; waited for " + waitedFor;
            }
            left = "waiting=" + s.waiting() + " active=" + s.active() + " unconfirmed submissions=" + unconfirmed
                    + " hires pending=" + pending.size();
            s.waiting().forEach(w -> waitedFor.add("waiting " + w));
            s.active().forEach(w -> waitedFor.add("active " + w));
            unconfirmed.forEach(w -> waitedFor.add("submission of " + w));
            pending.forEach(h -> waitedFor.add("hire " + h.number()));
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return "SETTLED false " + left;
    }

    /** Workers whose last status is submitted (a page's claim) with no confirmation of that assignment's submission. */
    static List<String> unconfirmedSubmissions(JdbcSessionStore store, long session) {
        Map<String, String> submitted = new HashMap<>();
        java.util.Set<String> confirmed = new java.util.HashSet<>();
        for (LoggedFact f : store.loadSession(session).orElseThrow().facts()) {
            if (f.fact().fact() instanceof Decision.StatusChange sc) {
                if (sc.to() == WorkerStatus.SUBMITTED) {
                    submitted.put(sc.workerId(), sc.assignmentId());
                } else {
                    submitted.remove(sc.workerId());
                }
            } else if (f.fact().fact() instanceof Decision.SubmissionConfirmed c) {
                confirmed.add(c.workerId() + "|" + c.assignmentId());
            }
        }
        return submitted.entrySet().stream().filter(e -> !confirmed.contains(e.getKey() + "|" + e.getValue()))
                .map(Map.Entry::getKey).sorted().toList();
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
