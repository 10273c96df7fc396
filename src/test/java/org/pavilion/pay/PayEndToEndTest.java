package org.pavilion.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.AssignmentView;
import org.pavilion.marketplace.local.LocalMarketplace.Transaction;
import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Decision.Ending;
import org.pavilion.queue.PayRules;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.realtime.ProtocolClient;
import org.pavilion.session.LiveSessionService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 11 end to end over real sockets and real HTTP on the local marketplace: workers wait different
 * times, one submits while active, one returns, the admin stops, one submits after the stop, the admin
 * expires, one submits after expiry. The marketplace's bonuses and approvals equal the server-computed
 * ledger to the cent, each exactly once, every bonus before its assignment's approval, and the balance
 * falls by exactly what the ledger says plus MTurk's fees. The returned worker is owed, not forgotten.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=200ms",
                      "pavilion.pay.poll=200ms", "pavilion.marketplace.client.base-delay=10ms",
                      "pavilion.marketplace.client.max-delay=50ms"})
class PayEndToEndTest {

    /** 10 cents a second: short waits earn amounts worth checking. */
    static final int CENTS_PER_HOUR = 36_000;
    static final int REWARD = 50;

    @LocalServerPort
    int port;
    @Autowired
    MarketplaceService market;
    @Autowired
    LocalMarketplace local;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    PayLedger ledger;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private final List<ProtocolClient> clients = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        clients.forEach(ProtocolClient::close);
    }

    private long task() {
        long project = projects.create("Pay e2e", "", Instant.now()).id();
        TaskSettings basic = TaskSettings.basic("Steer a robot together", "A live task for several workers",
                "http://localhost:" + port + "/waiting_task", REWARD, new Thresholds(1, 0, 1, 3));
        TaskSettings paid = new TaskSettings(basic.title(), basic.description(), basic.keywords(), basic.rewardCents(),
                basic.assignmentDurationSeconds(), basic.lifetimeSeconds(), basic.autoApprovalDelaySeconds(),
                basic.country(), basic.minApprovalPercent(), basic.minApprovedHits(), basic.externalUrl(),
                basic.frameHeight(), basic.thresholds(), false, CENTS_PER_HOUR, basic.disconnectGraceSeconds());
        return tasks.create(project, paid, Instant.now()).id();
    }

    private ProtocolClient join(String worker, AssignmentView a, String hitId) throws Exception {
        ProtocolClient page = ProtocolClient.connect(worker, port, null, null, "websocket");
        clients.add(page);
        page.emit("connected", new JSONObject().put("workerId", worker).put("aid", a.assignmentId())
                .put("hit_id", hitId));
        return page;
    }

    private void submitFromPage(ProtocolClient page, String worker, AssignmentView a, String hitId) throws Exception {
        page.emit("submit_active", new JSONObject().put("worker", worker).put("aid", a.assignmentId())
                .put("hit_id", hitId));
        local.submit(a.assignmentId(), Map.of("stage", "done"));
    }

    @Test
    void everyoneWhoWaitedIsPaidExactlyOnceBonusBeforeApprovalAndTheBalanceAgrees() throws Exception {
        Money before = local.balance();
        MarketplaceService.Posted posted = market.goLive(task(), "admin@lab");
        long s = posted.sessionId();
        String hit = posted.hitId();
        AssignmentView a1 = local.accept("W1", hit);
        AssignmentView a2 = local.accept("W2", hit);
        AssignmentView a3 = local.accept("W3", hit);
        AssignmentView a4 = local.accept("W4", hit);
        ProtocolClient w1 = join("W1", a1, hit);
        w1.skipUntil("start_your_task", "{message:['W1']}"); // once the marketplace confirmed the acceptance
        ProtocolClient w2 = join("W2", a2, hit);
        join("W3", a3, hit);
        join("W4", a4, hit);
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.snapshot(s).waiting().size() == 3);

        Thread.sleep(1200);
        submitFromPage(w1, "W1", a1, hit); // W2 promoted after ~1.2 s of waiting
        w2.skipUntil("start_your_task", "{message:['W2']}");
        Thread.sleep(600);
        local.returnAssignment(a3.assignmentId()); // W3 returns after ~1.8 s: owed, cannot carry a bonus
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.snapshot(s).waiting().equals(List.of("W4")));
        sessions.apply(s, new QueueEvent.Stop("admin@lab"), "admin:admin@lab");
        submitFromPage(w2, "W2", a2, hit); // its wait closed at its promotion, not now
        Thread.sleep(400);
        sessions.apply(s, new QueueEvent.Expire("admin@lab"), "admin:admin@lab"); // W4's wait fixed now
        Thread.sleep(300);
        local.submit(a4.assignmentId(), Map.of("stage", "after the end")); // obeys "stop" after expiry

        await().atMost(Duration.ofSeconds(30)).until(() -> settled(ledger.forSession(s)));
        Map<String, Payout> byWorker = ledger.forSession(s).stream()
                .collect(Collectors.toMap(Payout::workerId, p -> p));
        assertThat(byWorker.keySet()).containsExactlyInAnyOrder("W1", "W2", "W3", "W4");
        PayRules rules = sessions.config(s).payRules();
        byWorker.values().forEach(p -> assertThat(p.waitingPay().cents()).as(p.workerId())
                .isEqualTo(rules.waitingCents(p.waitedMillis())));
        assertThat(byWorker.get("W1").waitedMillis()).isLessThan(1000); // active on arrival
        assertThat(byWorker.get("W2").waitedMillis()).isBetween(1200L, 5000L);
        assertThat(byWorker.get("W3").waitedMillis()).isBetween(1800L, 8000L);
        assertThat(byWorker.get("W4").waitedMillis()).isGreaterThan(byWorker.get("W3").waitedMillis());
        assertThat(byWorker.get("W3").ending()).isEqualTo(Ending.RETURNED);
        assertThat(byWorker.get("W3").bonusState()).isEqualTo(PayoutState.Bonus.OWED);
        assertThat(byWorker.get("W3").approvalState()).isEqualTo(PayoutState.Approval.NONE);
        assertThat(byWorker.get("W4").ending()).isEqualTo(Ending.SUBMITTED);

        // The marketplace paid each submitted assignment's bonus once, to the cent, with the itemised reason.
        for (String w : List.of("W2", "W4")) {
            Payout p = byWorker.get(w);
            assertThat(p.bonusState()).as(w).isEqualTo(PayoutState.Bonus.PAID);
            assertThat(p.approvalState()).as(w).isEqualTo(PayoutState.Approval.APPROVED);
            List<LocalMarketplace.Bonus> paid = local.bonusesForAssignment(p.assignmentId());
            assertThat(paid).as(w).singleElement().satisfies(b -> {
                assertThat(b.amount()).isEqualTo(p.bonus());
                assertThat(b.reason()).contains("Waiting pay: " + p.waitingPay().display()).contains(p.bonusToken());
            });
        }
        assertThat(local.bonusesForAssignment(a3.assignmentId())).isEmpty();
        assertThat(local.bonusesForAssignment(a1.assignmentId())).isEmpty(); // nothing earned, nothing sent
        assertThat(byWorker.get("W1").bonusState()).isEqualTo(PayoutState.Bonus.NONE);
        for (AssignmentView a : List.of(a1, a2, a4)) {
            assertThat(local.assignment(a.assignmentId()).orElseThrow().status().wire()).isEqualTo("Approved");
        }

        // Bonus before approval, for every assignment; each money movement once.
        List<Transaction> moves = local.transactions().stream().filter(t -> !"Funds".equals(t.kind())).toList();
        for (AssignmentView a : List.of(a2, a4)) {
            List<String> kinds = moves.stream().filter(t -> a.assignmentId().equals(t.assignmentId()))
                    .map(Transaction::kind).toList();
            assertThat(kinds).as(a.assignmentId()).containsExactly("Bonus", "Reward");
        }
        assertThat(moves.stream().filter(t -> a1.assignmentId().equals(t.assignmentId())).map(Transaction::kind))
                .containsExactly("Reward");

        // The balance fell by exactly the ledger's bonuses and the rewards approved, plus MTurk's fees.
        Money expected = Money.ZERO;
        for (Payout p : byWorker.values()) {
            if (p.bonusState() == PayoutState.Bonus.PAID) {
                expected = expected.plus(p.bonus()).plus(MarketplaceFees.onBonus(p.bonus()));
            }
            if (p.approvalState() == PayoutState.Approval.APPROVED) {
                Money reward = Money.ofCents(REWARD);
                expected = expected.plus(reward).plus(MarketplaceFees.onReward(reward, 4)); // the 4-assignment HIT
            }
        }
        assertThat(before.minus(local.balance())).isEqualTo(expected);

        // The admin's counters (Prometheus) saw the same.
        assertThat(meters.get("pavilion_pay_bonuses").tag("outcome", "paid").counter().count()).isGreaterThanOrEqualTo(2);
        assertThat(meters.get("pavilion_pay_bonus_cents").counter().count())
                .isGreaterThanOrEqualTo(byWorker.get("W2").bonus().plus(byWorker.get("W4").bonus()).cents());
        assertThat(meters.get("pavilion_pay_approvals").tag("outcome", "approved").counter().count())
                .isGreaterThanOrEqualTo(3);
    }

    private static boolean settled(List<Payout> payouts) {
        return payouts.size() == 4 && payouts.stream().allMatch(p -> switch (p.bonusState()) {
            case PAID, NONE, OWED -> true;
            default -> false;
        } && switch (p.approvalState()) {
            case APPROVED, NONE -> true;
            default -> false;
        });
    }
}
