package org.pavilion.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pavilion.marketplace.SideEffectKillDriver.Pavilion;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.HitView;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Decision;
import org.pavilion.queue.QueueEngine.TimedFact;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.realtime.GraceTimersAfterRestart;
import org.pavilion.session.GoLiveIntent;
import org.pavilion.session.HireRequest;
import org.pavilion.session.HitExpiryRequest;
import org.pavilion.session.LoggedFact;
import org.pavilion.session.PaySettings;
import org.pavilion.storage.DatabaseEnvironmentPostProcessor;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.storage.TestDatabases;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 13: kill -9 of Pavilion with marketplace side effects under way, on an H2 file database and on
 * PostgreSQL. A child JVM ({@link SideEffectKillDriver}) runs a session up to a chosen moment of one MTurk
 * call and is SIGKILLed there; then a Pavilion wired the same way starts on the same database (in this JVM)
 * and must leave exactly the right HITs at the marketplace, live or expired, and no worker held for ever.
 *
 * <p>The marketplace outlives the killed process: this test's Spring context is only that, its local MTurk
 * marketplace over real HTTP (the same context as the other tests of the local marketplace, so usually no
 * start of its own); Pavilion's database is a separate one. Each case's kill moment is a held call inside
 * the child, so it lands exactly there.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
class SideEffectKillTest {

    static final Thresholds THRESHOLDS = new Thresholds(1, 0, 2, 2);

    enum Database { H2_FILE, POSTGRES }

    @TempDir
    Path tmp;
    @LocalServerPort
    int port;
    @Autowired
    LocalMarketplace local;

    private String[] database; // url, user, password
    private Path log;

    @ParameterizedTest
    @EnumSource(Database.class)
    void aGoLiveKilledBetweenItsIntentAndItsHitsRecordHasExactlyOneRecordedLiveHitAfterTheRestart(Database db)
            throws Exception {
        long[] tasks = prepare(db, basic(), basic());
        String out = runAndKill("go-live", tasks, "AT go-live-before-create", "AT go-live-after-create");
        String[] made = line(out, "AT go-live-after-create").split(" "); // AT, moment, token, HIT id

        try (HikariDataSource ds = pool(); Pavilion p = restart(ds)) {
            JdbcSessionStore store = p.store();
            // At the kill: both intents recorded and pending, neither HIT recorded; the marketplace made the second.
            GoLiveIntent before = store.goLive(tasks[0], "click-1").orElseThrow();
            GoLiveIntent after = store.goLive(tasks[1], "click-2").orElseThrow();
            assertThat(after.token()).isEqualTo(made[2]);
            for (GoLiveIntent intent : List.of(before, after)) {
                assertThat(intent.state()).isEqualTo(GoLiveIntent.State.POSTING);
                assertThat(store.sessionHits(intent.sessionId())).isEmpty();
            }
            assertThat(annotated(before.token())).as("CreateHIT never sent").isEmpty();
            assertThat(annotated(after.token())).extracting(HitView::hitId).containsExactly(made[3]);

            p.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> !store.goLive(tasks[0], "click-1").orElseThrow().pending()
                    && !store.goLive(tasks[1], "click-2").orElseThrow().pending());

            for (GoLiveIntent was : List.of(before, after)) {
                GoLiveIntent intent = store.goLive(was.taskId(), was.nonce()).orElseThrow();
                long s = intent.sessionId();
                List<HitView> hits = annotated(intent.token());
                assertThat(hits).as("exactly one HIT for session %d's token", s).hasSize(1);
                HitView hit = hits.get(0);
                assertThat(intent.state()).isEqualTo(GoLiveIntent.State.DONE);
                assertThat(intent.hitId()).isEqualTo(hit.hitId());
                assertThat(store.sessionHits(s)).as("the session's recorded HITs").containsExactly(hit.hitId());
                assertThat(store.sessionExpired(s)).isFalse();
                assertThat(hit.status()).isEqualTo("Assignable");
                assertThat(hit.maxAssignments()).isEqualTo(THRESHOLDS.capacity());
                assertThat(local.notificationSettings(intent.hitTypeId())).as("notifications registered").isPresent();
                // The same click again answers the recovered go-live: no second session, no second HIT.
                MarketplaceService.Posted again = p.market().goLive(was.taskId(), SideEffectKillDriver.ADMIN,
                        was.nonce());
                assertThat(again).isEqualTo(new MarketplaceService.Posted(s, intent.hitTypeId(), hit.hitId()));
                assertThat(annotated(intent.token())).hasSize(1);
            }
            assertThat(store.goLiveOfSession(after.sessionId()).orElseThrow().hitId()).isEqualTo(made[3]);
        }
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void anExpiryKilledWhileItsHitsWereBeingExpiredExpiresEveryHitOfTheSessionAfterTheRestart(Database db)
            throws Exception {
        long[] tasks = prepare(db, basic());
        String out = runAndKill("expiry", tasks, "AT expiry-midway");
        String[] session = line(out, "SESSION").split(" "); // SESSION, id, HITS, hit,hit,hit
        long s = Long.parseLong(session[1]);
        List<String> hits = List.of(session[3].split(","));
        assertThat(hits).hasSize(3);

        try (HikariDataSource ds = pool(); Pavilion p = restart(ds)) {
            JdbcSessionStore store = p.store();
            // At the kill: expired, one HIT expired and confirmed, one expired unbeknown to Pavilion, one live.
            assertThat(store.sessionExpired(s)).isTrue();
            assertThat(p.sessions().sessionIds()).doesNotContain(s);
            assertThat(store.hitExpiries(s)).extracting(HitExpiryRequest::hitId).containsExactlyInAnyOrderElementsOf(hits);
            assertThat(store.hitExpiries(s)).filteredOn(HitExpiryRequest::done).hasSize(1);
            assertThat(hits).filteredOn(h -> live(h)).as("live at the marketplace at the kill").hasSize(1);

            p.start();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(store.hitExpiries(s)).hasSize(3).allMatch(HitExpiryRequest::done));
            for (String h : hits) {
                assertThat(live(h)).as("HIT %s live at the marketplace", h).isFalse();
            }
            assertThat(store.sessionHits(s)).containsExactlyInAnyOrderElementsOf(hits);
        }
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aHireWhoseCreateHitLandedAfterTheExpiryHasItsHitRecordedAndExpiredAfterTheRestart(Database db)
            throws Exception {
        long[] tasks = prepare(db, basic());
        String out = runAndKill("hire-across-expiry", tasks, "AT hire-landed-after-expiry");
        String[] landed = line(out, "AT hire-landed-after-expiry").split(" "); // AT, moment, token, HIT id
        String token = landed[2];
        String hireHit = landed[3];
        long s = Long.parseLong(line(out, "SESSION").split(" ")[1]);

        try (HikariDataSource ds = pool(); Pavilion p = restart(ds)) {
            JdbcSessionStore store = p.store();
            // At the kill: the session expired and its first HIT with it; the hire's HIT made, live, unrecorded.
            String first = store.goLiveOfSession(s).orElseThrow().hitId();
            assertThat(store.sessionExpired(s)).isTrue();
            assertThat(store.sessionHits(s)).containsExactly(first);
            assertThat(live(first)).isFalse();
            HireRequest hire = store.hireRequests(s).get(0);
            assertThat(hire.token()).isEqualTo(token);
            assertThat(hire.state()).isEqualTo(HireRequest.State.SENT);
            assertThat(annotated(token)).extracting(HitView::hitId).containsExactly(hireHit);
            assertThat(live(hireHit)).isTrue();

            p.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                HireRequest.State state = store.hireRequests(s).get(0).state();
                return state != HireRequest.State.REQUESTED && state != HireRequest.State.SENT;
            });
            HireRequest settled = store.hireRequests(s).get(0);
            assertThat(settled.state()).as(settled.toString()).isEqualTo(HireRequest.State.DONE);
            assertThat(store.hireRequestHitId(s, 1)).contains(hireHit);
            assertThat(store.sessionHits(s)).containsExactlyInAnyOrder(first, hireHit);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(store.hitExpiries(s)).hasSize(2).allMatch(HitExpiryRequest::done));
            assertThat(live(hireHit)).as("the hire's HIT, made after the expiry, is expired").isFalse();
            assertThat(annotated(token)).as("no second HIT for the hire").hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void workersWhosePagesNeverComeBackLeaveOneGracePeriodAfterTheRestart(Database db) throws Exception {
        int graceSeconds = 1;
        long[] tasks = prepare(db, withGrace(basic(), graceSeconds));
        String out = runAndKill("queues", tasks, "AT queued");
        long s = Long.parseLong(line(out, "AT queued").split(" ")[2]);

        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try (HikariDataSource ds = pool(); Pavilion p = restart(ds)) {
            QueueSnapshot recovered = p.sessions().snapshot(s);
            assertThat(recovered.active()).containsExactly("w1", "w2");
            assertThat(recovered.waiting()).containsExactly("w3");

            Instant restartedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            assertThat(GraceTimersAfterRestart.start(p.sessions(), timers)).isEqualTo(3);
            // Durable, not only in memory: the stored log has every worker leaving as disconnected.
            await().atMost(Duration.ofSeconds(15)).until(() -> disconnectedAt(p, s).size() == 3);
            Map<String, Instant> disconnectedAt = disconnectedAt(p, s);
            assertThat(disconnectedAt).containsOnlyKeys("w1", "w2", "w3");
            QueueSnapshot after = p.sessions().snapshot(s);
            assertThat(after.active()).isEmpty();
            assertThat(after.waiting()).isEmpty();
            assertThat(after.workers().values()).allMatch(w -> w.status() == WorkerStatus.DISCONNECTED);
            Instant graceEnd = restartedAt.plusSeconds(graceSeconds);
            assertThat(disconnectedAt.values()).as("a grace period counted from the restart")
                    .allMatch(at -> !at.isBefore(graceEnd));
        } finally {
            timers.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aWorkerWaitingAtTheKillIsCappedAfterTheRestartAtItsLongestPaidWait(Database db) throws Exception {
        long[] tasks = prepare(db, basic().withPay(1, PaySettings.ApprovalPolicy.AUTO, false));
        String out = runAndKill("queues", tasks, "AT queued");
        long s = Long.parseLong(line(out, "AT queued").split(" ")[2]);
        Duration cap = Duration.ofMinutes(1);

        MovableClock clock = new MovableClock(Instant.now());
        try (HikariDataSource ds = pool(); Pavilion p = restart(ds, clock)) {
            QueueSnapshot.WorkerView w3 = p.sessions().snapshot(s).workers().get("w3");
            assertThat(w3.status()).isEqualTo(WorkerStatus.WAITING);
            Instant since = w3.waitingSince();
            assertThat(since).as("the wait began before the kill").isBefore(clock.instant());

            // A second short of the longest paid wait (counted from before the kill): not capped.
            clock.set(since.plus(cap).minusSeconds(1));
            assertThat(p.sessions().apply(s, new QueueEvent.CapWaits(), "system").facts())
                    .noneMatch(Decision.WaitCapped.class::isInstance);
            assertThat(paidWait(p, s, clock)).isEqualTo(cap.minusSeconds(1).toMillis());

            // The periodic check runs again after the restart and caps the wait once it is reached.
            p.sessions().checkWaitCapsEvery(Duration.ofMillis(50));
            clock.set(since.plus(cap));
            await().atMost(Duration.ofSeconds(10)).until(() -> capped(p, s).contains("w3"));
            assertThat(capped(p, s)).containsExactly("w3");

            clock.set(since.plus(cap).plus(Duration.ofMinutes(10)));
            assertThat(paidWait(p, s, clock)).as("paid up to the cap, not for the time after it").isEqualTo(cap.toMillis());
            assertThat(p.sessions().waitingPayCents(s, "w3").get())
                    .isEqualTo(p.sessions().config(s).payRules().waitingCents(cap.toMillis()));
        }
    }

    // ---- the kill ----------------------------------------------------------------------------

    /** Starts the driver on the scenario and kills it with SIGKILL once it printed every line of {@code moments}. */
    private String runAndKill(String scenario, long[] tasks, String... moments) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), SideEffectKillDriver.class.getName(),
                database[0], database[1], database[2], endpoint().toString(), scenario));
        for (long t : tasks) {
            command.add(String.valueOf(t));
        }
        log = tmp.resolve(scenario + ".log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!printedAll(moments)) {
                if (!child.isAlive()) {
                    throw new AssertionError("the driver died by itself: " + read());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the driver did not reach " + List.of(moments) + " in 60 s: " + read());
                }
                Thread.sleep(10);
            }
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, nothing flushed, no goodbye
            child.waitFor();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        return read();
    }

    private boolean printedAll(String... moments) throws IOException {
        String out = read();
        for (String m : moments) {
            if (!out.contains("\n" + m + " ") && !out.startsWith(m + " ")) {
                return false;
            }
        }
        return true;
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line " + prefix + " in " + out));
    }

    private String read() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    // ---- the databases and the restart ---------------------------------------------------------

    /** A new migrated database with one task per settings; closed again (an H2 file has one owner at a time). */
    private long[] prepare(Database db, TaskSettings... settings) {
        database = switch (db) {
            case H2_FILE -> new String[] {DatabaseEnvironmentPostProcessor.h2FileUrl(tmp.resolve("data")), "sa", ""};
            case POSTGRES -> new String[] {TestDatabases.postgres().getJdbcUrl("postgres",
                    TestDatabases.newPostgresDatabase()), "postgres", "postgres"};
        };
        try (HikariDataSource ds = pool()) {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            long project = new ProjectRepository(ds).create("Kill -9", "", Instant.now()).id();
            TaskRepository tasks = new TaskRepository(ds);
            long[] ids = new long[settings.length];
            for (int i = 0; i < settings.length; i++) {
                ids[i] = tasks.create(project, settings[i], Instant.now()).id();
            }
            return ids;
        }
    }

    private HikariDataSource pool() {
        return TestDatabases.pool(database[0], database[1], database[2]);
    }

    private Pavilion restart(HikariDataSource ds) {
        return restart(ds, Clock.systemUTC());
    }

    private Pavilion restart(HikariDataSource ds, Clock clock) {
        return SideEffectKillDriver.wire(ds, endpoint(), clock, m -> m, List.of());
    }

    private URI endpoint() {
        return URI.create("http://localhost:" + port + "/local-mturk/");
    }

    private static TaskSettings basic() {
        return TaskSettings.basic("Steer a robot together", "A live task for several workers",
                "https://localhost/task", 50, THRESHOLDS);
    }

    private static TaskSettings withGrace(TaskSettings t, int graceSeconds) {
        return new TaskSettings(t.title(), t.description(), t.keywords(), t.rewardCents(),
                t.assignmentDurationSeconds(), t.lifetimeSeconds(), t.autoApprovalDelaySeconds(), t.country(),
                t.minApprovalPercent(), t.minApprovedHits(), t.externalUrl(), t.frameHeight(), t.thresholds(),
                t.allowRepeatWorkers(), t.waitingPayCentsPerHour(), graceSeconds, t.hireBudget(), t.spendCapCents(),
                t.maxPaidWaitMinutes(), t.approvalPolicy(), t.autoCompensate());
    }

    // ---- the marketplace and the session, seen from outside ------------------------------------

    /** The marketplace's HITs annotated with a token (Pavilion annotates each HIT with its request token). */
    private List<HitView> annotated(String token) {
        return local.hits().stream().filter(h -> token.equals(h.requesterAnnotation())).toList();
    }

    private boolean live(String hitId) {
        return local.getHit(hitId).status().equals("Assignable");
    }

    private static long paidWait(Pavilion p, long s, Clock clock) throws Exception {
        return p.sessions().read(s, e -> e.paidWaitMillis("w3", clock.instant())).get();
    }

    /** When each worker left as disconnected, from the stored log. */
    private static Map<String, Instant> disconnectedAt(Pavilion p, long s) {
        return p.store().loadSession(s).orElseThrow().facts().stream().map(LoggedFact::fact)
                .filter(f -> f.fact() instanceof Decision.StatusChange c && c.to() == WorkerStatus.DISCONNECTED)
                .collect(Collectors.toMap(f -> ((Decision.StatusChange) f.fact()).workerId(), TimedFact::at));
    }

    private static List<String> capped(Pavilion p, long s) {
        return p.store().loadSession(s).orElseThrow().facts().stream().map(f -> f.fact().fact())
                .filter(Decision.WaitCapped.class::isInstance).map(f -> ((Decision.WaitCapped) f).workerId()).toList();
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    /** A clock the test sets by hand. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void set(Instant at) {
            now = at;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
