package org.pavilion.marketplace;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.pavilion.marketplace.mturk.MTurkClientFactory;
import org.pavilion.marketplace.mturk.MTurkClientProperties;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.QueueEvent;
import org.pavilion.session.HireRequest;
import org.pavilion.session.HitExpiryRequest;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.OutcomeListener;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.storage.TestDatabases;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The Pavilion that {@link SideEffectKillTest} kills with SIGKILL, and its wiring, which the test's restart
 * reuses: the live session service, the hire outbox and the go-live/HIT-expiry outbox as
 * {@code LiveSessionConfiguration} and {@code MarketplaceConfiguration} wire them, on the test's database,
 * talking real HTTP (SigV4-signed MTurk JSON) to the test's local marketplace, which outlives this process.
 *
 * <p>Each scenario runs a session up to one chosen moment of a marketplace call, reached through the MTurk
 * client itself: there the call is held for ever (before it is sent, or after the marketplace answered, the
 * answer never used), and the process prints {@code AT <moment> ...} for the test, which kills it then.
 *
 * <p>Arguments: jdbcUrl user password marketplaceEndpoint scenario taskId...
 */
public final class SideEffectKillDriver {

    static final Duration POLL = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofMillis(300);
    static final HireDispatcher.TokenLookup LOOKUP = new HireDispatcher.TokenLookup(3, Duration.ofMillis(200));
    static final String ADMIN = "admin@lab";

    private SideEffectKillDriver() {
    }

    /** Pavilion's live sessions and marketplace side, without Spring. {@link #start} starts the outboxes. */
    record Pavilion(JdbcSessionStore store, TaskRepository tasks, LiveSessionService sessions, HireDispatcher hires,
                    SideEffectOutbox outbox, MarketplaceService market, Marketplace marketplace)
            implements AutoCloseable {

        /** The outboxes start sending, beginning with what was pending before a restart. */
        void start() {
            hires.start();
            outbox.start();
        }

        @Override
        public void close() {
            hires.close();
            outbox.close();
            sessions.close();
        }
    }

    /**
     * Wires Pavilion over {@code dataSource} and recovers its live sessions, as a start does. {@code clock}
     * is the sessions' (server time: event timestamps, waits); the outboxes and the MTurk client (whose
     * SigV4 signatures carry the time) keep the system clock. The client makes one attempt per call: a failed
     * call reaches the outboxes, which retry it themselves. {@code around} may wrap the client.
     */
    static Pavilion wire(DataSource dataSource, URI endpoint, Clock clock, UnaryOperator<Marketplace> around,
                         List<OutcomeListener> listeners) {
        Clock system = Clock.systemUTC();
        JdbcSessionStore store = new JdbcSessionStore(new JdbcTemplate(dataSource),
                new DataSourceTransactionManager(dataSource));
        TaskRepository tasks = new TaskRepository(dataSource);
        MarketplaceSettings settings = new MarketplaceSettings(MarketplaceSettings.Mode.LOCAL, null, "us-east-1", null,
                "arn:aws:sns:us-east-1:000000000000:pavilion-local", new MarketplaceSettings.Local(
                MarketplaceSettings.Local.DEFAULT_ACCESS_KEY_ID, MarketplaceSettings.Local.DEFAULT_SECRET_ACCESS_KEY,
                null, false));
        Marketplace client = around.apply(new MTurkClientFactory(settings, new MTurkClientProperties(1,
                Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(10)), system)
                .create(endpoint));
        ObjectProvider<Marketplace> marketplace = provider(() -> client);
        AtomicReference<LiveSessionService> service = new AtomicReference<>();
        HireDispatcher hires = new HireDispatcher(SessionMarketplace.single(marketplace), provider(service::get), store, tasks, system, POLL,
                MAX_BACKOFF, LOOKUP);
        SideEffectOutbox outbox = new SideEffectOutbox(SessionMarketplace.single(marketplace), provider(service::get), store, tasks, system, POLL,
                MAX_BACKOFF, LOOKUP, settings.notificationTopicArn());
        List<OutcomeListener> all = new ArrayList<>(List.of(hires, outbox));
        all.addAll(listeners);
        LiveSessionService sessions = new LiveSessionService(store, all, clock);
        service.set(sessions);
        sessions.recover();
        MarketplaceService market = MarketplaceService.onOneMarketplace(marketplace, sessions, store, tasks, settings,
                provider(() -> outbox));
        return new Pavilion(store, tasks, sessions, hires, outbox, market, client);
    }

    static <T> ObjectProvider<T> provider(Supplier<T> supplier) {
        return new ObjectProvider<>() {
            @Override
            public T getObject() {
                return supplier.get();
            }
        };
    }

    /** Around one call of the marketplace: {@code proceed} makes it. */
    @FunctionalInterface
    interface Hook {
        Object around(String method, Object[] args, Callable<Object> proceed) throws Exception;
    }

    /** The client, each call going through {@code hook}. */
    static Marketplace hooked(Marketplace target, Hook hook) {
        return (Marketplace) Proxy.newProxyInstance(Marketplace.class.getClassLoader(),
                new Class<?>[] {Marketplace.class}, (proxy, method, args) -> hook.around(method.getName(), args, () -> {
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
                    }
                }));
    }

    // ---- the process that is killed ------------------------------------------------------------

    public static void main(String[] args) throws Exception {
        HikariDataSource dataSource = TestDatabases.pool(args[0], args[1], args[2]);
        URI endpoint = URI.create(args[3]);
        String scenario = args[4];
        long[] taskIds = new long[args.length - 5];
        for (int i = 5; i < args.length; i++) {
            taskIds[i - 5] = Long.parseLong(args[i]);
        }
        try {
            switch (scenario) {
                case "go-live" -> goLive(dataSource, endpoint, taskIds[0], taskIds[1]);
                case "expiry" -> expiry(dataSource, endpoint, taskIds[0]);
                case "hire-across-expiry" -> hireAcrossExpiry(dataSource, endpoint, taskIds[0]);
                case "queues" -> queues(dataSource, endpoint, taskIds[0]);
                default -> throw new IllegalArgumentException("no scenario " + scenario);
            }
        } catch (Throwable e) {
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(3); // the test sees a driver that died by itself, with this in its log
        }
        park(); // the hooked call holds its own thread; this one waits for the kill too
    }

    /**
     * Two go-lives, both killed between their intent's record and their HIT's: the first before its CreateHIT
     * is sent, the second after the marketplace made its HIT (the answer never used).
     */
    private static void goLive(DataSource dataSource, URI endpoint, long firstTask, long secondTask) throws Exception {
        AtomicInteger posts = new AtomicInteger();
        CountDownLatch firstHeld = new CountDownLatch(1);
        Pavilion p = wire(dataSource, endpoint, Clock.systemUTC(), client -> hooked(client, (method, args, proceed) -> {
            if (method.equals("createHit") && ((String) args[2]).endsWith("-post")) {
                if (posts.incrementAndGet() == 1) {
                    report("AT go-live-before-create " + args[2]);
                    firstHeld.countDown();
                    park();
                }
                Marketplace.Hit hit = (Marketplace.Hit) proceed.call();
                report("AT go-live-after-create " + args[2] + " " + hit.hitId());
                park();
            }
            return proceed.call();
        }), List.of());
        p.start();
        background(() -> p.market().goLive(firstTask, ADMIN, "click-1"));
        firstHeld.await();
        background(() -> p.market().goLive(secondTask, ADMIN, "click-2"));
    }

    /**
     * A session with three HITs (its first and two hires') is expired; the kill comes while the outbox
     * expires them: the first expired and recorded, the second expired at the marketplace but not recorded,
     * the third not sent.
     */
    private static void expiry(DataSource dataSource, URI endpoint, long task) throws Exception {
        AtomicInteger expiries = new AtomicInteger();
        Pavilion p = wire(dataSource, endpoint, Clock.systemUTC(), client -> hooked(client, (method, args, proceed) -> {
            if (method.equals("expireHit") && expiries.incrementAndGet() == 2) {
                proceed.call();
                report("AT expiry-midway " + args[0]);
                park();
            }
            return proceed.call();
        }), List.of());
        p.start();
        long s = p.market().goLive(task, ADMIN, "click").sessionId();
        hireOne(p, s, "A");
        hireOne(p, s, "B");
        waitUntil("both hires made", () -> p.store().hireRequests(s).stream()
                .allMatch(h -> h.state() == HireRequest.State.DONE));
        report("SESSION " + s + " HITS " + String.join(",", p.store().sessionHits(s)));
        p.sessions().apply(s, new QueueEvent.Expire(ADMIN), "admin:" + ADMIN);
    }

    /**
     * A hire's CreateHIT is on its way when the session expires; it lands after the expiry (the marketplace
     * makes the HIT) and the process dies before recording it. The session's first HIT is expired before.
     */
    private static void hireAcrossExpiry(DataSource dataSource, URI endpoint, long task) throws Exception {
        CountDownLatch sending = new CountDownLatch(1);
        CountDownLatch expired = new CountDownLatch(1);
        Pavilion p = wire(dataSource, endpoint, Clock.systemUTC(), client -> hooked(client, (method, args, proceed) -> {
            if (method.equals("createHit") && ((String) args[2]).matches(".*-h\\d+")) {
                sending.countDown();
                expired.await();
                Marketplace.Hit hit = (Marketplace.Hit) proceed.call();
                report("AT hire-landed-after-expiry " + args[2] + " " + hit.hitId());
                park();
            }
            return proceed.call();
        }), List.of());
        p.start();
        long s = p.market().goLive(task, ADMIN, "click").sessionId();
        hireOne(p, s, "A");
        sending.await();
        p.sessions().apply(s, new QueueEvent.Expire(ADMIN), "admin:" + ADMIN);
        waitUntil("the first HIT expired", () -> {
            List<HitExpiryRequest> rows = p.store().hitExpiries(s);
            return rows.size() == 1 && rows.get(0).done();
        });
        report("SESSION " + s + " EXPIRED");
        expired.countDown();
    }

    /** Three workers in a session's queues (two active, one waiting), their pages open; then the kill. */
    private static void queues(DataSource dataSource, URI endpoint, long task) {
        Pavilion p = wire(dataSource, endpoint, Clock.systemUTC(), client -> client, List.of());
        p.start();
        long s = p.sessions().open(task).sessionId();
        String hit = "HIT-queues-" + s;
        p.store().addSessionHit(s, "TYPE-" + s, hit);
        for (String w : List.of("w1", "w2", "w3")) {
            ConfirmedArrivals.arrive(p.sessions(), s, w, "A-" + w, hit, "worker:" + w);
        }
        report("AT queued " + s + " " + Instant.now());
    }

    /** A worker arrives and submits: the session decides one hire. */
    static void hireOne(Pavilion p, long s, String worker) {
        ConfirmedArrivals.arrive(p.sessions(), s, worker, "asg-" + worker, "worker:" + worker);
        p.sessions().apply(s, new QueueEvent.Leave(worker, null, QueueEvent.Departure.SUBMIT), "worker:" + worker);
    }

    private static void background(Runnable r) {
        Thread t = new Thread(r, "driver");
        t.setDaemon(true);
        t.start();
    }

    private static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not reached in 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static synchronized void report(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void park() throws InterruptedException {
        new CountDownLatch(1).await();
    }
}
