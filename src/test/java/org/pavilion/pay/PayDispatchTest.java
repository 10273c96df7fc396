package org.pavilion.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.marketplace.local.FaultInjector;
import org.pavilion.marketplace.local.FaultInjector.Fault;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.AssignmentView;
import org.pavilion.marketplace.local.LocalMarketplace.Transaction;
import org.pavilion.marketplace.local.LocalMarketplaceException;
import org.pavilion.pay.Compensations.Compensation;
import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.InvalidEventException;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.PaySettings.ApprovalPolicy;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The pay dispatcher against the local marketplace over real HTTP: a flaky marketplace pays each bonus
 * once, manual approval and rejection, and compensation HITs only the owed worker can take.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem", "pavilion.pay.poll=200ms", "pavilion.pay.max-backoff=300ms", "pavilion.pay.compensation-check=300ms",
                      "pavilion.marketplace.client.base-delay=10ms", "pavilion.marketplace.client.max-delay=20ms",
                      "pavilion.marketplace.client.max-attempts=1"})
class PayDispatchTest {

    @LocalServerPort
    int port;
    @Autowired
    LocalMarketplace local;
    @Autowired
    FaultInjector faults;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    MarketplaceService market;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    PayLedger ledger;
    @Autowired
    Compensations compensations;

    PayScenarios scenarios;

    @BeforeEach
    void setUp() {
        scenarios = new PayScenarios(local, sessions, market, projects, tasks, ledger, port);
    }

    @AfterEach
    void cleanUp() {
        faults.clear();
    }

    @Test
    void aFlakyMarketplacePaysEachBonusOnceAndApprovesAfterIt() throws Exception {
        MarketplaceService.Posted posted = scenarios.goLive(new Thresholds(1, 0, 1, 2), ApprovalPolicy.AUTO);
        long s = posted.sessionId();
        scenarios.join(s, posted.hitId(), "F1"); // active
        AssignmentView waiter = scenarios.join(s, posted.hitId(), "F2");
        Thread.sleep(1200);
        // Outages, throttling, and an answer lost after the bonus was paid, before it all goes through.
        faults.failNext("SendBonus", 2, Fault.HTTP_503);
        faults.failNext("SendBonus", 1, Fault.LOST_RESPONSE);
        faults.failNext("ApproveAssignment", 2, Fault.THROTTLING);
        Payout due = scenarios.submit(s, waiter);
        assertThat(due.waitingPay().cents()).isGreaterThanOrEqualTo(12);

        await().atMost(Duration.ofSeconds(20)).until(() -> scenarios.find(s, waiter).approvalState()
                == PayoutState.Approval.APPROVED);
        Payout done = scenarios.find(s, waiter);
        assertThat(done.bonusState()).isEqualTo(PayoutState.Bonus.PAID);
        assertThat(done.attempts()).isGreaterThan(3);
        assertThat(local.bonusesForAssignment(waiter.assignmentId())).singleElement()
                .satisfies(b -> assertThat(b.amount()).isEqualTo(done.bonus()));
        assertThat(local.transactions().stream().filter(t -> waiter.assignmentId().equals(t.assignmentId()))
                .map(Transaction::kind)).containsExactly("Bonus", "Reward");
    }

    @Test
    void manualApprovalPaysNothingUntilTheAdminDecidesAndARejectionPaysNoBonus() throws Exception {
        MarketplaceService.Posted posted = scenarios.goLive(new Thresholds(1, 0, 1, 3), ApprovalPolicy.MANUAL);
        long s = posted.sessionId();
        scenarios.join(s, posted.hitId(), "M1");
        AssignmentView good = scenarios.join(s, posted.hitId(), "M2");
        AssignmentView bad = scenarios.join(s, posted.hitId(), "M3");
        Thread.sleep(600);
        Payout toApprove = scenarios.submit(s, good);
        Payout toReject = scenarios.submit(s, bad);
        assertThat(toApprove.approvalState()).isEqualTo(PayoutState.Approval.REVIEW);
        assertThat(toApprove.bonusState()).isEqualTo(PayoutState.Bonus.PENDING);
        Thread.sleep(800); // several dispatcher rounds: nothing may move without the admin
        assertThat(local.bonusesForAssignment(good.assignmentId())).isEmpty();
        assertThat(local.assignment(good.assignmentId()).orElseThrow().status().wire()).isEqualTo("Submitted");

        assertThatThrownBy(() -> ledger.reject(s, Optional.of(toReject.id()), " "))
                .isInstanceOf(InvalidEventException.class);
        assertThat(ledger.reject(s, Optional.of(toReject.id()), "You did not take part in the discussion.")).isEqualTo(1);
        assertThat(ledger.approve(s, Optional.of(toApprove.id()), null)).isEqualTo(1);
        assertThat(ledger.approve(s, Optional.of(toApprove.id()), null)).as("a second click moves nothing").isZero();
        assertThat(ledger.approve(s + 1000, Optional.of(toReject.id()), null)).as("another session's row").isZero();

        await().atMost(Duration.ofSeconds(15)).until(() -> scenarios.find(s, good).approvalState()
                == PayoutState.Approval.APPROVED && scenarios.find(s, bad).approvalState()
                == PayoutState.Approval.REJECTED);
        assertThat(local.bonusesForAssignment(good.assignmentId())).singleElement()
                .satisfies(b -> assertThat(b.amount()).isEqualTo(scenarios.find(s, good).bonus()));
        assertThat(local.bonusesForAssignment(bad.assignmentId())).isEmpty();
        assertThat(scenarios.find(s, bad).bonusState()).isEqualTo(PayoutState.Bonus.CANCELLED);
        var rejected = local.assignment(bad.assignmentId()).orElseThrow();
        assertThat(rejected.status().wire()).isEqualTo("Rejected");
        assertThat(rejected.requesterFeedback()).isEqualTo("You did not take part in the discussion.");
    }

    @Test
    void anOwedWorkerIsPaidExactlyWhatItIsOwedThroughAHitOnlyItCanTake() throws Exception {
        MarketplaceService.Posted posted = scenarios.goLive(new Thresholds(1, 0, 1, 2), ApprovalPolicy.AUTO);
        long s = posted.sessionId();
        scenarios.join(s, posted.hitId(), "C1");
        AssignmentView returner = scenarios.join(s, posted.hitId(), "C2");
        Thread.sleep(1200);
        local.returnAssignment(returner.assignmentId());
        Payout owed = scenarios.payoutOf(s, returner);
        assertThat(owed.bonusState()).isEqualTo(PayoutState.Bonus.OWED);
        assertThat(owed.bonus()).isEqualTo(owed.waitingPay());
        assertThat(owed.bonus().cents()).isGreaterThanOrEqualTo(12);

        List<Compensation> opened = compensations.payOwed(s);
        assertThat(opened).singleElement().satisfies(c -> {
            assertThat(c.workerId()).isEqualTo("C2");
            assertThat(c.amount()).isEqualTo(owed.bonus());
        });
        assertThat(compensations.payOwed(s)).as("a second click opens nothing").isEmpty();
        await().atMost(Duration.ofSeconds(15)).until(() -> compensations.find(opened.get(0).id()).orElseThrow()
                .state() == Compensations.State.POSTED);
        String hitId = compensations.find(opened.get(0).id()).orElseThrow().hitId();
        assertThat(local.getHit(hitId).reward()).isEqualByComparingTo(owed.bonus().dollars());

        // Nobody else can take it; the owed worker can, and its page says what it pays.
        assertThatThrownBy(() -> local.accept("C1", hitId)).isInstanceOf(LocalMarketplaceException.class)
                .hasMessageContaining("Qualification");
        AssignmentView taken = local.accept("C2", hitId);
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + port + "/compensation?hitId=" + hitId + "&assignmentId=" + taken.assignmentId()
                        + "&workerId=C2&turkSubmitTo=" + URLEncoder.encode("http://localhost:" + port + "/local-mturk",
                        StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(owed.bonus().display()).contains("/local-mturk/mturk/externalSubmit");
        local.submit(taken.assignmentId(), Map.of("compensation", "accepted"));

        await().atMost(Duration.ofSeconds(15)).until(() -> compensations.find(opened.get(0).id()).orElseThrow()
                .state() == Compensations.State.PAID);
        assertThat(scenarios.find(s, returner).bonusState()).isEqualTo(PayoutState.Bonus.COMPENSATED);
        assertThat(local.transactions().stream().filter(t -> taken.assignmentId().equals(t.assignmentId())))
                .singleElement().satisfies(t -> {
                    assertThat(t.kind()).isEqualTo("Reward");
                    assertThat(t.amount()).isEqualTo(owed.bonus());
                });
    }

    @Test
    void theSpendingCapCountsPayAndLowersTheHiresItStillPaysFor() throws Exception {
        // $2.00 cap, $0.50 reward: a hire costs $0.60, so the session opens with a budget of 3 hires.
        MarketplaceService.Posted posted = scenarios.goLive(new Thresholds(1, 0, 1, 2), ApprovalPolicy.AUTO, 200);
        long s = posted.sessionId();
        assertThat(sessions.read(s, e -> e.hireBudget()).join()).isEqualTo(3);
        scenarios.join(s, posted.hitId(), "S1");
        AssignmentView waiter = scenarios.join(s, posted.hitId(), "S2");
        Thread.sleep(3500); // about 35 cents of waiting pay
        Payout due = scenarios.submit(s, waiter);
        Money pay = due.waitingPay().plus(MarketplaceFees.onBonus(due.waitingPay()));
        int expected = (int) Math.max(1, (200 - pay.cents()) / 60); // one hire made for the submission
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.read(s, e -> e.hireBudget()).join() == expected);
        assertThat(expected).isLessThan(3);
    }

    @Test
    void withAutomaticCompensationOwedWorkersArePaidAtSessionEndWithoutAClick() throws Exception {
        MarketplaceService.Posted posted = scenarios.goLive(new Thresholds(1, 0, 1, 2), ApprovalPolicy.AUTO, null, true);
        long s = posted.sessionId();
        scenarios.join(s, posted.hitId(), "A1");
        AssignmentView returner = scenarios.join(s, posted.hitId(), "A2");
        Thread.sleep(600);
        local.returnAssignment(returner.assignmentId());
        Payout owed = scenarios.payoutOf(s, returner);
        Thread.sleep(800); // dispatcher rounds while the session is live: owed, not compensated yet
        assertThat(compensations.forSession(s)).isEmpty();

        sessions.apply(s, new org.pavilion.queue.QueueEvent.Expire("admin@lab"), "admin:admin@lab");
        await().atMost(Duration.ofSeconds(15)).until(() -> compensations.forSession(s).stream()
                .anyMatch(c -> c.state() == Compensations.State.POSTED));
        Compensation c = compensations.forSession(s).get(0);
        assertThat(c.workerId()).isEqualTo("A2");
        assertThat(c.amount()).isEqualTo(owed.bonus());
        assertThat(compensations.forSession(s)).hasSize(1);
    }
}
