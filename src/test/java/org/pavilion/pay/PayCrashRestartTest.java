package org.pavilion.pay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.AssignmentView;
import org.pavilion.marketplace.local.LocalMarketplace.HitTypeSpec;
import org.pavilion.marketplace.local.LocalMarketplace.HitView;
import org.pavilion.marketplace.local.LocalMarketplace.Transaction;
import org.pavilion.marketplace.local.MTurkApiController;
import org.pavilion.marketplace.mturk.ExternalQuestionXml;
import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.queue.Decision.Ending;
import org.pavilion.queue.Decision.PayDue;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.CommitItem;
import org.pavilion.session.JdbcServiceFixture;
import org.pavilion.storage.DatabaseEnvironmentPostProcessor;
import org.pavilion.storage.TestDatabases;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Issue 11: kill -9 of Pavilion during pay dispatch, on an H2 file database and on PostgreSQL; after the
 * restart every due item is sent exactly once.
 *
 * <p>This test's Spring context is only the marketplace: its local MTurk marketplace, over real HTTP. 60
 * workers submitted there; their payouts (waiting pay, some with task bonuses) are written to a separate
 * database the real way, by the session store's commit of {@link PayDue} facts and {@link BonusLedger}. A
 * child JVM ({@link PayCrashDriver}) dispatches them and is SIGKILLed at the 15th payout, at a chosen point
 * ({@link KillPoint}): the marketplace holds that call until the child is dead, so the kill lands exactly
 * there; or, unplanned, a random few milliseconds after the marketplace paid the 15th bonus. A fresh dispatcher on the same database then settles everything: one bonus per assignment, of
 * exactly the ledger's amount, before one approval; the balance falls by exactly the ledger plus MTurk's fees.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem"})
class PayCrashRestartTest {

    static final int WORKERS = 60;
    /** The kill lands at the 15th payout's call: 14 settled before it, 45 untouched after it. */
    static final int KILL_AT = 15;
    static final Money REWARD = Money.ofCents(50);
    private static final AtomicInteger RUNS = new AtomicInteger();

    enum Database { H2_FILE, POSTGRES }

    /** Where in the dispatch of the {@value #KILL_AT}th payout the child dies. */
    enum KillPoint {
        /** Its bonus is marked SENT; the SendBonus request never reaches the marketplace. */
        BONUS_REQUEST_LOST("SendBonus", Gate.Hold.BEFORE),
        /** The marketplace paid its bonus; the answer never reaches the child, which has it SENT. */
        BONUS_PAID_NOT_RECORDED("SendBonus", Gate.Hold.AFTER),
        /** Its bonus is recorded PAID; the marketplace approved it; the answer never reaches the child. */
        APPROVAL_NOT_RECORDED("ApproveAssignment", Gate.Hold.AFTER),
        /** Not chosen: every call is a little slow; the kill comes 0–60 ms after the 15th bonus is paid. */
        UNPLANNED(null, null);

        final String operation;
        final Gate.Hold hold;

        KillPoint(String operation, Gate.Hold hold) {
            this.operation = operation;
            this.hold = hold;
        }
    }

    @TempDir
    Path tmp;
    @LocalServerPort
    int port;
    @Autowired
    LocalMarketplace local;
    @Autowired
    Gate gate;

    static Stream<Arguments> cases() {
        return Stream.of(Database.values()).flatMap(db -> Stream.of(KillPoint.values()).map(k -> Arguments.of(db, k)));
    }

    @ParameterizedTest(name = "{0}, killed at {1}")
    @MethodSource("cases")
    void killedMidDispatchEveryDueItemIsSentExactlyOnceAfterRestart(Database db, KillPoint point) throws Exception {
        String[] database = database(db); // url, user, password
        int run = RUNS.incrementAndGet();

        // The marketplace: 60 workers took one 60-assignment HIT and submitted.
        HitView hit = hit(run);
        List<AssignmentView> submitted = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            AssignmentView a = local.accept("CRASH" + run + "W" + i, hit.hitId());
            local.submit(a.assignmentId(), Map.of("answer", "done"));
            submitted.add(a);
        }

        // Pavilion's database: each submission's PayDue committed through the session store, which writes
        // its payout in the same transaction; a quarter of the workers were awarded task bonuses before.
        long sessionId;
        Map<String, Money> owed = new LinkedHashMap<>(); // assignment -> waiting pay + task bonuses
        try (HikariDataSource ds = TestDatabases.pool(database[0], database[1], database[2])) {
            JdbcServiceFixture fixture = new JdbcServiceFixture(ds);
            sessionId = fixture.store.openSession(fixture.newTask(new Thresholds(1, 1, 10, 10)), Instant.now())
                    .sessionId();
            BonusLedger bonuses = new BonusLedger(new JdbcTemplate(ds), new DataSourceTransactionManager(ds),
                    fixture.store, Clock.systemUTC());
            long seq = fixture.store.loadSession(sessionId).orElseThrow().facts().size() + 1;
            for (int i = 0; i < WORKERS; i++) {
                AssignmentView a = submitted.get(i);
                long waitingCents = 1 + (i * 37L) % 120;
                Money due = Money.ofCents(waitingCents);
                if (i % 4 == 0) {
                    int cents = 5 + i % 7;
                    bonuses.award(sessionId, a.workerId(), cents, "found the target");
                    due = due.plus(Money.ofCents(cents));
                }
                if (i % 12 == 0) {
                    bonuses.award(sessionId, a.workerId(), 3, "helped a newcomer");
                    due = due.plus(Money.ofCents(3));
                }
                owed.put(a.assignmentId(), due);
                fixture.store.commit(List.of(new CommitItem(sessionId, seq++, Instant.now(), "marketplace", null,
                        List.of(new PayDue(a.workerId(), a.assignmentId(), Ending.SUBMITTED, waitingCents * 10_000,
                                waitingCents)))));
            }
            assertThat(new PayLedger(new JdbcTemplate(ds), new DataSourceTransactionManager(ds),
                    Clock.systemUTC()).forSession(sessionId))
                    .hasSize(WORKERS)
                    .allMatch(p -> p.bonusState() == PayoutState.Bonus.DUE
                            && p.approvalState() == PayoutState.Approval.DUE);
        } // closed: an H2 file database has one owner at a time
        Money balanceBefore = local.balance();

        // Pavilion dispatches in a child JVM and is killed at the chosen point of the 15th payout.
        URI endpoint = URI.create("http://localhost:" + port + "/local-mturk/");
        Path log = tmp.resolve("child.log");
        CountDownLatch reached = gate.arm(point);
        Process child = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                PayCrashDriver.class.getName(), database[0], database[1], database[2], endpoint.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // Unplanned: some moment within the next payout or so after the 15th bonus is paid.
        long lateMillis = point == KillPoint.UNPLANNED ? ThreadLocalRandom.current().nextLong(60) : 0;
        try {
            BooleanSupplier killNow = point == KillPoint.UNPLANNED
                    ? () -> local.bonusesForHit(hit.hitId()).size() >= KILL_AT
                    : () -> reached.getCount() == 0;
            waitFor(killNow, child, log);
            Thread.sleep(lateMillis);
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, nothing flushed, no goodbye
            child.waitFor();
            gate.release(); // a held request goes on now (lost, or answered to a dead socket)
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        try (HikariDataSource ds = TestDatabases.pool(database[0], database[1], database[2])) {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            PayLedger ledger = new PayLedger(jdbc, new DataSourceTransactionManager(ds), Clock.systemUTC());

            // What the dead process left: the kill landed mid-dispatch, where it was meant to.
            List<Payout> atKill = ledger.forSession(sessionId);
            String state = describe(atKill);
            System.out.println("PayCrashRestartTest " + db + " " + point
                    + (point == KillPoint.UNPLANNED ? " (+" + lateMillis + " ms)" : "") + " at kill: " + state);
            checkKillLanded(point, atKill, hit);

            // Restart: a fresh dispatcher on the same database settles everything.
            try (PayDispatcher restarted = PayCrashDriver.dispatcher(ds, endpoint, Duration.ofMillis(100))) {
                restarted.start();
                waitFor(() -> settled(ledger.forSession(sessionId)), null, log);
            }

            // Exactly once: one bonus of exactly the ledger's amount per assignment, then one approval.
            List<Payout> settled = ledger.forSession(sessionId);
            assertThat(settled).hasSize(WORKERS);
            Money expectedSpend = Money.ZERO;
            Map<String, List<String>> moves = local.transactions().stream()
                    .filter(t -> t.assignmentId() != null && owed.containsKey(t.assignmentId()))
                    .collect(Collectors.groupingBy(Transaction::assignmentId, TreeMap::new,
                            Collectors.mapping(Transaction::kind, Collectors.toList())));
            for (Payout p : settled) {
                Money amount = owed.get(p.assignmentId());
                assertThat(p.bonus()).as(p.assignmentId()).isEqualTo(amount);
                assertThat(local.bonusesForAssignment(p.assignmentId())).as("bonuses of " + p.assignmentId())
                        .singleElement().satisfies(b -> {
                            assertThat(b.amount()).isEqualTo(amount);
                            assertThat(b.workerId()).isEqualTo(p.workerId());
                            assertThat(b.reason()).contains("Ref " + p.bonusToken() + ".");
                        });
                assertThat(moves.get(p.assignmentId())).as("money moved for " + p.assignmentId())
                        .containsExactly("Bonus", "Reward");
                assertThat(local.assignment(p.assignmentId()).orElseThrow().status())
                        .isEqualTo(LocalMarketplace.AssignmentStatus.APPROVED);
                expectedSpend = expectedSpend.plus(amount).plus(MarketplaceFees.onBonus(amount))
                        .plus(REWARD).plus(MarketplaceFees.onReward(REWARD, WORKERS));
            }
            assertThat(local.bonusesForHit(hit.hitId())).hasSize(WORKERS);
            assertThat(balanceBefore.minus(local.balance())).isEqualTo(expectedSpend);
            // The task bonuses were paid inside their assignment's bonus, each once.
            assertThat(jdbc.queryForList("select state from bonus where session_id = ? and payout_id is not null",
                    String.class, sessionId)).hasSize(WORKERS / 4 + WORKERS / 12).containsOnly("DONE");
        }
    }

    /** Whether every payout is paid and approved; a payout that failed fails the test at once, with its reason. */
    private static boolean settled(List<Payout> payouts) {
        for (Payout p : payouts) {
            if (p.bonusState() == PayoutState.Bonus.FAILED || p.approvalState() == PayoutState.Approval.FAILED) {
                throw new AssertionError("after the restart, payout " + p.id() + " (" + p.assignmentId() + ") is "
                        + p.bonusState() + "/" + p.approvalState() + ": " + p.lastError());
            }
        }
        return payouts.stream().allMatch(p -> p.bonusState() == PayoutState.Bonus.PAID
                && p.approvalState() == PayoutState.Approval.APPROVED);
    }

    /** The kill landed where it was meant to: payouts before the 15th settled, the 15th half-way, the rest due. */
    private void checkKillLanded(KillPoint point, List<Payout> atKill, HitView hit) {
        assertThat(atKill).hasSize(WORKERS);
        if (point == KillPoint.UNPLANNED) {
            // Wherever it landed, it was before the end: some payout was not settled yet.
            assertThat(atKill).anyMatch(p -> p.approvalState() != PayoutState.Approval.APPROVED);
            assertThat(atKill).anyMatch(p -> p.bonusState() == PayoutState.Bonus.PAID);
            return;
        }
        for (Payout p : atKill.subList(0, KILL_AT - 1)) {
            assertThat(p.bonusState()).isEqualTo(PayoutState.Bonus.PAID);
            assertThat(p.approvalState()).isEqualTo(PayoutState.Approval.APPROVED);
        }
        for (Payout p : atKill.subList(KILL_AT, WORKERS)) {
            assertThat(p.bonusState()).isEqualTo(PayoutState.Bonus.DUE);
            assertThat(p.approvalState()).isEqualTo(PayoutState.Approval.DUE);
            assertThat(local.bonusesForAssignment(p.assignmentId())).isEmpty();
        }
        Payout cut = atKill.get(KILL_AT - 1);
        assertThat(cut.approvalState()).isEqualTo(PayoutState.Approval.DUE);
        LocalMarketplace.AssignmentStatus marketStatus = local.assignment(cut.assignmentId()).orElseThrow().status();
        switch (point) {
            case BONUS_REQUEST_LOST -> {
                assertThat(cut.bonusState()).isEqualTo(PayoutState.Bonus.SENT);
                assertThat(local.bonusesForAssignment(cut.assignmentId())).isEmpty();
                assertThat(local.bonusesForHit(hit.hitId())).hasSize(KILL_AT - 1);
                assertThat(marketStatus).isEqualTo(LocalMarketplace.AssignmentStatus.SUBMITTED);
            }
            case BONUS_PAID_NOT_RECORDED -> {
                assertThat(cut.bonusState()).isEqualTo(PayoutState.Bonus.SENT);
                assertThat(local.bonusesForAssignment(cut.assignmentId())).hasSize(1);
                assertThat(local.bonusesForHit(hit.hitId())).hasSize(KILL_AT);
                assertThat(marketStatus).isEqualTo(LocalMarketplace.AssignmentStatus.SUBMITTED);
            }
            case APPROVAL_NOT_RECORDED -> {
                assertThat(cut.bonusState()).isEqualTo(PayoutState.Bonus.PAID);
                assertThat(local.bonusesForHit(hit.hitId())).hasSize(KILL_AT);
                assertThat(marketStatus).isEqualTo(LocalMarketplace.AssignmentStatus.APPROVED);
            }
            default -> throw new IllegalStateException(point.name());
        }
    }

    /** The ledger's states at the kill, and how many of them the marketplace had already carried out. */
    private String describe(List<Payout> atKill) {
        Map<String, Long> states = atKill.stream().collect(Collectors.groupingBy(
                p -> p.bonusState() + "/" + p.approvalState(), TreeMap::new, Collectors.counting()));
        long bonusInDoubt = atKill.stream().filter(p -> p.bonusState() == PayoutState.Bonus.SENT
                && !local.bonusesForAssignment(p.assignmentId()).isEmpty()).count();
        long approvalInDoubt = atKill.stream().filter(p -> p.approvalState() == PayoutState.Approval.DUE
                && local.assignment(p.assignmentId()).orElseThrow().status()
                == LocalMarketplace.AssignmentStatus.APPROVED).count();
        return states + ", SENT but paid at the marketplace: " + bonusInDoubt
                + ", approval DUE but approved at the marketplace: " + approvalInDoubt;
    }

    private HitView hit(int run) {
        String type = local.createHitType(new HitTypeSpec("Crash test " + run, "Pay dispatch killed mid-way",
                "test", REWARD.dollars(), 3600, 7 * 86_400, null)).hitTypeId();
        return local.createHit(type, 86_400, WORKERS, ExternalQuestionXml.of("https://localhost/task", 400),
                "crash-" + run, null);
    }

    private String[] database(Database db) {
        return switch (db) {
            case H2_FILE -> new String[] {DatabaseEnvironmentPostProcessor.h2FileUrl(tmp.resolve("data")), "sa", ""};
            case POSTGRES -> new String[] {TestDatabases.postgres().getJdbcUrl("postgres",
                    TestDatabases.newPostgresDatabase()), "postgres", "postgres"};
        };
    }

    private static void waitFor(BooleanSupplier condition, Process child, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (child != null && !child.isAlive()) {
                throw new AssertionError("the driver died by itself: " + read(log));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached in 90 s"
                        + (child == null ? "" : "; the driver's log: " + read(log)));
            }
            Thread.sleep(5);
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "(none)";
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    /**
     * In front of the local marketplace's MTurk API: holds the {@value #KILL_AT}th call of one operation (before
     * or after the marketplace carries it out, its answer kept back) until the test has killed the caller, or
     * slows every call a little. Idle unless armed.
     */
    static final class Gate implements Filter {

        enum Hold { BEFORE, AFTER }

        private volatile KillPoint plan;
        private final AtomicInteger seen = new AtomicInteger();
        private volatile CountDownLatch reached = new CountDownLatch(1);
        private volatile CountDownLatch released = new CountDownLatch(0);

        CountDownLatch arm(KillPoint point) {
            seen.set(0);
            reached = new CountDownLatch(1);
            released = new CountDownLatch(1);
            plan = point;
            return reached;
        }

        void release() {
            plan = null;
            released.countDown();
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            KillPoint p = plan;
            String target = ((HttpServletRequest) request).getHeader("X-Amz-Target");
            if (p == null || target == null) {
                chain.doFilter(request, response);
                return;
            }
            if (p == KillPoint.UNPLANNED) {
                pause(Duration.ofMillis(15)); // a marketplace a little slower than loopback
                chain.doFilter(request, response);
                return;
            }
            if (!target.equals(MTurkApiController.TARGET_PREFIX + p.operation)
                    || seen.incrementAndGet() != KILL_AT) {
                chain.doFilter(request, response);
                return;
            }
            if (p.hold == Hold.BEFORE) {
                reached.countDown();
                await(released);
                // The caller died before its request left it: the marketplace never hears of it.
                ((HttpServletResponse) response).setStatus(503);
                return;
            }
            // Carried out, its answer buffered (not flushed to the socket) until the caller is dead.
            ContentCachingResponseWrapper held = new ContentCachingResponseWrapper((HttpServletResponse) response);
            chain.doFilter(request, held);
            reached.countDown();
            await(released);
            held.copyBodyToResponse();
        }

        private static void await(CountDownLatch latch) {
            try {
                latch.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static void pause(Duration d) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class GateConfiguration {

        @Bean
        Gate marketplaceGate() {
            return new Gate();
        }

        @Bean
        FilterRegistrationBean<Gate> marketplaceGateRegistration(Gate gate) {
            FilterRegistrationBean<Gate> registration = new FilterRegistrationBean<>(gate);
            registration.addUrlPatterns("/local-mturk", "/local-mturk/");
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            return registration;
        }
    }
}
