package org.pavilion.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.marketplace.Marketplaces;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.HireRequest;
import org.pavilion.session.LiveSessionService;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.testing.NodeScripts;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The benchmark suite's own parts, run short: the load client (src/test/node/pavilion-bench.js, in a
 * separate Node process over real sockets and real HTTP) against sessions put live as
 * {@link BenchServer} does, in the suite's layout: the local marketplace in a process of its own
 * ({@link BenchMarketplace}, a child JVM), this server's embedded one off. Its workers accept their
 * assignments and submit them on that marketplace's worker API, whose notifications confirm them to
 * Pavilion over HTTP (SPEC §4.1.0, §4.2). It asserts what the suite's figures rest on: nothing lost,
 * nothing doubled, every count broadcast where it belongs, and the server's own state, its hire outbox and
 * the marketplace (asked over its Requester API, as Pavilion asks MTurk) agreeing with what the client
 * saw. Never a time. The confirmation timeout is shortened so that the burst's made-up assignments are
 * refused quickly. Skipped when node or npm is missing (see {@link NodeScripts}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
        properties = {"pavilion.database.embedded=mem", BenchServer.NO_ADDRESS_LIMITS, BenchServer.NO_HANDSHAKE_LIMITS,
                "pavilion.realtime.confirmation-timeout=3s"})
@DirtiesContext // the server goes with its marketplace, which is stopped after the class
class BenchSuiteSmokeTest {

    /** The marketplace process; it decides this server's port, where its notifications go. */
    static BenchMarketplace.Child market;

    @DynamicPropertySource
    static void marketplaceProcess(DynamicPropertyRegistry registry) throws Exception {
        market = BenchMarketplace.start(BenchMarketplace.freePort(),
                java.nio.file.Files.createTempFile("bench-smoke-market-", ".log"), Duration.ofMinutes(3));
        registry.add("server.port", () -> market.serverPort());
        registry.add("server.address", () -> "127.0.0.1");
        for (String p : BenchServer.externalMarketplace(market.endpoint())) {
            int eq = p.indexOf('=');
            registry.add(p.substring(0, eq), () -> p.substring(eq + 1));
        }
    }

    @AfterAll
    static void stopMarketplace() throws Exception {
        if (market != null) {
            market.close();
            java.nio.file.Files.deleteIfExists(market.log());
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    ApplicationContext context;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    JdbcSessionStore store;
    @Autowired
    Marketplaces marketplaces;

    @Test
    void theEmbeddedMarketplaceIsOff() {
        assertThat(context.getBeanNamesForType(org.pavilion.marketplace.local.LocalMarketplace.class)).isEmpty();
        assertThat(port).isEqualTo(market.serverPort());
    }

    private static JSONObject summary(NodeScripts.Result run, String type) {
        return run.output().lines().filter(l -> l.startsWith("{") && l.contains("\"type\":\"" + type + "\""))
                .map(JSONObject::new).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " line in:\n" + run.output()));
    }

    @Test
    void handoffsOverTwoSessionsLoseAndDoubleNothing() throws Exception {
        List<MarketplaceService.Posted> live = BenchServer.goLive(context, 2, new Thresholds(1, 0, 5, 5));
        String hits = live.stream().map(MarketplaceService.Posted::hitId).collect(Collectors.joining(","));
        int handoffs = 300;

        NodeScripts.Result run = NodeScripts.run(Duration.ofMinutes(5), "pavilion-bench.js", "handoff",
                "--url", "http://127.0.0.1:" + port, "--market", market.market(), "--hits", hits, "--workers", "20",
                "--handoffs", String.valueOf(handoffs), "--warmup", "0", "--label", "smoke");
        JSONObject result = summary(run, "handoff-summary");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(result.getBoolean("ok")).isTrue();
        assertThat(result.getInt("anomalies")).isZero();
        assertThat(result.getInt("handoffs")).isEqualTo(handoffs);
        // Every leaver submitted at the marketplace, and every refill accepted the HIT of a hire and was
        // admitted after the marketplace confirmed it.
        assertThat(result.getInt("marketplace_submits")).isEqualTo(handoffs);
        assertThat(result.getInt("accept_to_admitted_samples")).isEqualTo(handoffs);
        // (plus one more accept for each hire's HIT whose acceptance Pavilion missed: see the client)
        int retakes = result.getInt("confirmations_lost") + result.getInt("unknown_hit_refusals");
        assertThat(result.getInt("marketplace_accepts")).isEqualTo(20 + handoffs + retakes);

        // The server agrees: each session still 5 + 5, and every handoff left exactly one submitted
        // worker and one hire behind, spread round-robin over the two sessions; the hires are exactly the
        // submissions the marketplace confirmed, each posted there as a HIT of one assignment.
        int submitted = 0;
        for (MarketplaceService.Posted posted : live) {
            QueueSnapshot snap = sessions.snapshot(posted.sessionId());
            assertThat(snap.active()).hasSize(5);
            assertThat(snap.waiting()).hasSize(5);
            Map<WorkerStatus, Long> byStatus = snap.workers().values().stream()
                    .collect(Collectors.groupingBy(QueueSnapshot.WorkerView::status, Collectors.counting()));
            long here = byStatus.getOrDefault(WorkerStatus.SUBMITTED, 0L);
            assertThat(here).isEqualTo(handoffs / 2);
            List<String> sessionHits = store.sessionHits(posted.sessionId());
            Marketplace requester = marketplaces.forSession(posted.sessionId());
            long submittedAtMarket = assignments(requester, sessionHits).stream()
                    .filter(a -> a.status().equals("Submitted") || a.status().equals("Approved")).count(); // pay approves them
            assertThat(submittedAtMarket).as("submissions the marketplace holds").isEqualTo(here);
            // Pay ran alongside the handoffs measured: every submission is approved, and a waiting worker's
            // after its bonus.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> assignments(requester, sessionHits).stream()
                            .filter(a -> a.status().equals("Approved")).count() == here);
            assertThat(assignments(requester, sessionHits).stream()
                    .mapToLong(a -> requester.listBonusPayments(a.assignmentId()).size()).sum())
                    .as("bonuses paid").isPositive();
            assertThat(store.hireRequests(posted.sessionId())).hasSize((int) here)
                    .allMatch(h -> h.state() == HireRequest.State.DONE);
            assertThat(sessionHits).as("the first HIT and one per hire").hasSize(1 + (int) here);
            submitted += (int) here;
        }
        assertThat(submitted).isEqualTo(handoffs);
    }

    @Test
    void anAdmissionBurstAdmitsExactlyTheSessionsPlaces() throws Exception {
        List<MarketplaceService.Posted> live = BenchServer.goLive(context, 1, new Thresholds(2, 1, 10, 10));
        MarketplaceService.Posted posted = live.get(0);

        // 100 workers try to accept the session's HIT, which holds its 20 places; 10 pages join with
        // made-up assignment ids.
        NodeScripts.Result run = NodeScripts.run(Duration.ofMinutes(3), "pavilion-bench.js", "burst",
                "--url", "http://127.0.0.1:" + port, "--market", market.market(), "--hits", posted.hitId(),
                "--workers", "100",
                "--within-ms", "500", "--expect-admitted", "20", "--forged", "10", "--label", "smoke");
        JSONObject result = summary(run, "burst-summary");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(result.getInt("accepted")).isEqualTo(20);
        assertThat(result.getInt("refused_by_marketplace")).isEqualTo(80);
        assertThat(result.getInt("admitted")).isEqualTo(20);
        assertThat(result.getInt("job_is_full")).isZero();
        assertThat(result.getInt("forged_refused")).isEqualTo(10);
        assertThat(result.getInt("accept_to_admitted_samples")).isEqualTo(20);

        QueueSnapshot snap = sessions.snapshot(posted.sessionId());
        assertThat(snap.active()).hasSize(10);
        assertThat(snap.waiting()).hasSize(10);
        assertThat(snap.workers().values().stream().filter(w -> w.status().inQueue()).count()).isEqualTo(20);
        assertThat(snap.workers()).as("the made-up assignments left no trace in the session").hasSize(20);
        // The marketplace holds the 20 assignments as accepted, none submitted (its Requester API lists only
        // submitted ones, as MTurk's does; the HIT's counts tell the accepted ones).
        Marketplace requester = marketplaces.forSession(posted.sessionId());
        Marketplace.Hit hit = requester.getHit(posted.hitId());
        assertThat(hit.pending()).as("assignments accepted").isEqualTo(20);
        assertThat(hit.available()).isZero();
        assertThat(hit.completed()).isZero();
        assertThat(requester.listAssignments(posted.hitId())).isEmpty();
        assertThat(store.hireRequests(posted.sessionId())).as("arrivals hire nobody").isEmpty();
    }

    /** The submitted and reviewed assignments of these HITs, from the marketplace's Requester API. */
    private static List<Marketplace.AssignmentInfo> assignments(Marketplace requester, List<String> hits) {
        return hits.stream().flatMap(h -> requester.listAssignments(h).stream()).toList();
    }
}
