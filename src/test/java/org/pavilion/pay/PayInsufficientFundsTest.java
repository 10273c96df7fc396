package org.pavilion.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.AssignmentView;
import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.PaySettings.ApprovalPolicy;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Insufficient funds: the refused step is FAILED with the marketplace's reason, for the admin to see;
 * the other payouts still go out; after funds are added, a retry pays it, once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem", "pavilion.pay.poll=200ms", "pavilion.pay.max-backoff=300ms",
                      "pavilion.marketplace.local.starting-balance=0.01",
                      "pavilion.marketplace.client.base-delay=10ms", "pavilion.marketplace.client.max-delay=20ms"})
class PayInsufficientFundsTest {

    @LocalServerPort
    int port;
    @Autowired
    LocalMarketplace local;
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

    @Test
    void aRefusedPaymentIsFailedWithTheReasonBlocksNothingElseAndARetryAfterFundsPaysItOnce() throws Exception {
        PayScenarios scenarios = new PayScenarios(local, sessions, market, projects, tasks, ledger, port);
        // Manual approval, so that the funds can be set exactly before anything is paid.
        MarketplaceService.Posted posted = scenarios.goLive(new Thresholds(1, 0, 1, 3), ApprovalPolicy.MANUAL);
        long s = posted.sessionId();
        scenarios.join(s, posted.hitId(), "P1"); // active, never submits here
        AssignmentView first = scenarios.join(s, posted.hitId(), "P2");
        AssignmentView second = scenarios.join(s, posted.hitId(), "P3");
        Thread.sleep(600);
        Payout p2 = scenarios.submit(s, first);
        Payout p3 = scenarios.submit(s, second);
        Money reward = Money.ofCents(PayScenarios.REWARD);
        Money approval = reward.plus(MarketplaceFees.onReward(reward, 4));
        Money bonus2 = p2.waitingPay().plus(MarketplaceFees.onBonus(p2.waitingPay()));
        Money bonus3 = p3.waitingPay().plus(MarketplaceFees.onBonus(p3.waitingPay()));
        // Enough for P2's bonus and approval and P3's bonus, not for P3's approval.
        Money wanted = bonus2.plus(approval).plus(bonus3).plus(Money.ofCents(30));
        local.addFunds(wanted.minus(local.balance()));
        assertThat(ledger.approve(s, Optional.empty(), "Thank you")).isEqualTo(2);

        await().atMost(Duration.ofSeconds(15)).until(() -> scenarios.find(s, second).approvalState()
                == PayoutState.Approval.FAILED);
        assertThat(scenarios.find(s, first).approvalState()).isEqualTo(PayoutState.Approval.APPROVED);
        Payout failed = scenarios.find(s, second);
        assertThat(failed.bonusState()).as("its bonus went out before the approval").isEqualTo(PayoutState.Bonus.PAID);
        assertThat(failed.lastError()).contains("InsufficientFunds").contains("insufficient funds");
        assertThat(local.assignment(second.assignmentId()).orElseThrow().status().wire()).isEqualTo("Submitted");
        assertThat(local.balance()).isEqualTo(Money.ofCents(30));

        // Nothing else is blocked: a later submission is paid while the failed row waits for the admin.
        AssignmentView later = scenarios.join(s, posted.hitId(), "P4");
        Payout p4 = scenarios.submit(s, later);
        local.addFunds(p4.waitingPay().plus(MarketplaceFees.onBonus(p4.waitingPay())).plus(approval));
        assertThat(ledger.approve(s, Optional.of(p4.id()), null)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(15)).until(() -> scenarios.find(s, later).approvalState()
                == PayoutState.Approval.APPROVED);
        assertThat(scenarios.find(s, second).approvalState()).as("not retried by itself")
                .isEqualTo(PayoutState.Approval.FAILED);

        local.addFunds(Money.ofCents(1_000));
        assertThat(ledger.retry(s, failed.id())).isTrue();
        assertThat(ledger.retry(s, failed.id())).as("nothing failed any more").isFalse();
        await().atMost(Duration.ofSeconds(15)).until(() -> scenarios.find(s, second).approvalState()
                == PayoutState.Approval.APPROVED);
        assertThat(local.assignment(second.assignmentId()).orElseThrow().status().wire()).isEqualTo("Approved");
        assertThat(local.bonusesForAssignment(second.assignmentId())).hasSize(1);
    }
}
