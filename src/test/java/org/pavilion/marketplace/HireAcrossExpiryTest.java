package org.pavilion.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pavilion.marketplace.SideEffectKillDriver.Pavilion;
import org.pavilion.marketplace.local.FaultInjector;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.HitView;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.HireRequest;
import org.pavilion.session.HitExpiryRequest;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.storage.TestDatabases;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A hire in flight across its session's expiry, without a restart (the kill -9 case is
 * {@link SideEffectKillTest}): the session expires while the hire's CreateHIT is on its way. Whatever the
 * call's fate, the session ends with no live HIT of its own: a HIT the call made is recorded as the
 * session's and expired, whether its answer came back or was lost; a call that made nothing leaves no HIT
 * and the hire FAILED, cancelled, without a second HIT being posted.
 *
 * <p>Pavilion is wired by hand on its own H2 database ({@link SideEffectKillDriver#wire}), its outboxes
 * running; the marketplace is this context's local one, over real HTTP, with its fault injection.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
class HireAcrossExpiryTest {

    @TempDir
    Path tmp;
    @LocalServerPort
    int port;
    @Autowired
    LocalMarketplace local;
    @Autowired
    FaultInjector faults;

    private HikariDataSource dataSource;
    private Pavilion pavilion;
    private long task;
    /** The session whose hire's first CreateHIT expires it first, then goes on (set by each test). */
    private final AtomicReference<Long> expireOnHire = new AtomicReference<>();

    @BeforeEach
    void start() {
        dataSource = TestDatabases.h2File(tmp.resolve("data"));
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        long project = new ProjectRepository(dataSource).create("Hire across expiry", "", Instant.now()).id();
        task = new TaskRepository(dataSource).create(project, TaskSettings.basic("Steer a robot together",
                "A live task for several workers", "https://localhost/task", 50, new Thresholds(1, 0, 2, 2)),
                Instant.now()).id();
        AtomicReference<Pavilion> self = new AtomicReference<>();
        pavilion = SideEffectKillDriver.wire(dataSource, URI.create("http://localhost:" + port + "/local-mturk/"),
                Clock.systemUTC(), client -> SideEffectKillDriver.hooked(client, (method, args, proceed) -> {
                    Long s = method.equals("createHit") && ((String) args[2]).endsWith("-h1")
                            ? expireOnHire.getAndSet(null) : null;
                    if (s != null) {
                        // The admin expires the session while the hire is on its way; the call goes on after.
                        self.get().sessions().apply(s, new QueueEvent.Expire("admin@lab"), "admin:admin@lab");
                    }
                    return proceed.call();
                }), List.of());
        self.set(pavilion);
        pavilion.start();
    }

    @AfterEach
    void stop() {
        faults.clear();
        pavilion.close();
        dataSource.close();
    }

    @Test
    void aHireWhoseCreateHitAnswersAfterTheExpiryHasItsHitRecordedAndExpired() {
        long s = goLiveAndExpireOnTheHire();
        SideEffectKillDriver.hireOne(pavilion, s, "A");

        HireRequest hire = settled(s);
        assertThat(hire.state()).as(hire.toString()).isEqualTo(HireRequest.State.DONE);
        String hit = annotated(hire.token()).get(0).hitId();
        assertThat(pavilion.store().hireRequestHitId(s, 1)).contains(hit);
        assertEveryHitOfTheSessionExpired(s, 2);
        assertThat(annotated(hire.token())).hasSize(1);
    }

    @Test
    void aHireWhoseCreateHitAnswerWasLostAcrossTheExpiryHasItsHitFoundRecordedAndExpired() {
        long s = goLiveAndExpireOnTheHire();
        // The marketplace makes the HIT, but the answer is lost: the outbox sees an outage, and then an
        // expired session.
        faults.failNext("CreateHITWithHITType", 1, FaultInjector.Fault.LOST_RESPONSE);
        SideEffectKillDriver.hireOne(pavilion, s, "A");

        HireRequest hire = settled(s);
        assertThat(annotated(hire.token())).as("the lost call made the HIT").hasSize(1);
        String hit = annotated(hire.token()).get(0).hitId();
        assertThat(hire.state()).as(hire.toString()).isEqualTo(HireRequest.State.DONE);
        assertThat(pavilion.store().hireRequestHitId(s, 1)).contains(hit);
        assertEveryHitOfTheSessionExpired(s, 2);
        assertThat(annotated(hire.token())).as("no second HIT").hasSize(1);
    }

    @Test
    void aHireWhoseCreateHitMadeNothingBeforeTheExpiryIsFailedAsCancelledWithoutAHit() {
        long s = goLiveAndExpireOnTheHire();
        // Refused before anything was made (an outage): the request was sent, but no HIT exists.
        faults.failNext("CreateHITWithHITType", 1, FaultInjector.Fault.HTTP_503);
        SideEffectKillDriver.hireOne(pavilion, s, "A");

        HireRequest hire = settled(s);
        assertThat(hire.state()).as(hire.toString()).isEqualTo(HireRequest.State.FAILED);
        assertThat(hire.lastError()).startsWith("cancelled: ");
        assertThat(annotated(hire.token())).as("no HIT was made for the hire, and none posted after").isEmpty();
        assertEveryHitOfTheSessionExpired(s, 1);
    }

    private long goLiveAndExpireOnTheHire() {
        long s = pavilion.market().goLive(task, "admin@lab").sessionId();
        expireOnHire.set(s);
        return s;
    }

    /** The session's hire once it is settled (DONE or FAILED). */
    private HireRequest settled(long s) {
        JdbcSessionStore store = pavilion.store();
        await().atMost(Duration.ofSeconds(20)).until(() -> store.hireRequests(s).size() == 1
                && !List.of(HireRequest.State.REQUESTED, HireRequest.State.SENT)
                .contains(store.hireRequests(s).get(0).state()));
        return store.hireRequests(s).get(0);
    }

    /** The session has {@code count} HITs, all recorded, all expired at the marketplace and confirmed so. */
    private void assertEveryHitOfTheSessionExpired(long s, int count) {
        JdbcSessionStore store = pavilion.store();
        assertThat(store.sessionExpired(s)).isTrue();
        assertThat(store.sessionHits(s)).hasSize(count);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(store.hitExpiries(s)).hasSize(count).allMatch(HitExpiryRequest::done));
        for (String hit : store.sessionHits(s)) {
            assertThat(local.getHit(hit).status()).as("HIT %s", hit).isNotEqualTo("Assignable");
        }
        List<HitView> ofSession = local.hits().stream().filter(h -> h.requesterAnnotation() != null
                && h.requesterAnnotation().contains("-s" + s + "-")
                && h.requesterAnnotation().startsWith("pav-" + store.instanceId() + "-")).toList();
        assertThat(ofSession).as("every HIT of the session at the marketplace").hasSize(count)
                .allMatch(h -> !h.status().equals("Assignable"));
    }

    private List<HitView> annotated(String token) {
        return local.hits().stream().filter(h -> token.equals(h.requesterAnnotation())).toList();
    }
}
