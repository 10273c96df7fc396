package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pavilion.pay.MarketplaceFees;
import org.pavilion.pay.Money;
import org.pavilion.session.MutableClock;

/**
 * The local marketplace moves money as MTurk does, on a clock moved by hand, without Spring:
 * approvals debit reward plus fee, bonuses amount plus fee, refusals change nothing, tokens are
 * remembered for 24 hours, and each worker's approvals and bonuses are kept.
 */
class LocalMarketplacePayRulesTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T12:00:00Z"));
    private final List<LocalMarketplace.Event> events = new ArrayList<>();

    private LocalMarketplace marketplace(String startingBalance) {
        LocalMarketplaceProperties d = LocalMarketplaceProperties.defaults();
        LocalMarketplace m = new LocalMarketplace(new LocalMarketplaceProperties(new BigDecimal(startingBalance),
                d.signatureVersion(), null, d.sweepInterval(), d.deliveryAttempts(), d.deliveryBackoff(),
                d.deliveryTimeout(), d.deliveryConcurrency(), d.maxClockSkew(), d.minAssignmentDuration(), false, d.requesterId(),
                d.tokenRetention()), clock);
        m.addListener(events::add);
        return m;
    }

    private static LocalMarketplace.HitView hit(LocalMarketplace m, String reward, int max) {
        LocalMarketplace.HitType type = m.createHitType(new LocalMarketplace.HitTypeSpec("Task " + reward + "/" + max,
                "A task", null, new BigDecimal(reward), 600, 3600, null));
        return m.createHit(type.hitTypeId(), 600, max, LocalTestSupport.externalQuestion("https://t.example/a"),
                null, null);
    }

    /** A submitted assignment of a new worker. */
    private static LocalMarketplace.AssignmentView submitted(LocalMarketplace m, String hitId, String workerId) {
        LocalMarketplace.AssignmentView a = m.accept(workerId, hitId);
        return m.submit(a.assignmentId(), Map.of());
    }

    @Test
    void approvingDebitsTheRewardAndMTurksFeeByTheHitsAssignments() {
        LocalMarketplace m = marketplace("100.00");
        LocalMarketplace.HitView small = hit(m, "0.50", 9);
        LocalMarketplace.HitView large = hit(m, "0.50", 10);
        LocalMarketplace.HitView cheap = hit(m, "0.03", 1);

        m.approve(submitted(m, small.hitId(), "W1").assignmentId(), null, false);
        assertThat(m.balance()).as("0.50 + 20 %").isEqualTo(Money.ofCents(10_000 - 60));
        m.approve(submitted(m, large.hitId(), "W1").assignmentId(), null, false);
        assertThat(m.balance()).as("0.50 + 40 % (10+ assignments)").isEqualTo(Money.ofCents(10_000 - 60 - 70));
        m.approve(submitted(m, cheap.hitId(), "W1").assignmentId(), null, false);
        assertThat(m.balance()).as("0.03 + the $0.01 minimum").isEqualTo(Money.ofCents(10_000 - 60 - 70 - 4));

        assertThat(m.transactions()).extracting(LocalMarketplace.Transaction::kind)
                .containsExactly("Reward", "Reward", "Reward");
        assertThat(m.transactions().get(1).fee()).isEqualTo(MarketplaceFees.onReward(Money.ofCents(50), 10));
        assertThat(m.transactions().get(2).balanceAfter()).isEqualTo(m.balance());
    }

    @Test
    void rejectingReturningAndAbandoningDebitNothing() {
        LocalMarketplace m = marketplace("10.00");
        LocalMarketplace.HitView h = hit(m, "1.00", 3);
        m.reject(submitted(m, h.hitId(), "W1").assignmentId(), "not done");
        m.returnAssignment(m.accept("W2", h.hitId()).assignmentId());
        m.abandon(m.accept("W3", h.hitId()).assignmentId());
        assertThat(m.balance()).isEqualTo(Money.ofCents(1_000));
        assertThat(m.transactions()).isEmpty();
    }

    @Test
    void aDebitTheBalanceCannotCoverIsRefusedAndChangesNothing() {
        LocalMarketplace m = marketplace("0.55");
        LocalMarketplace.HitView h = hit(m, "0.50", 1);
        LocalMarketplace.AssignmentView a = submitted(m, h.hitId(), "W1");
        int eventsBefore = events.size();

        assertThatThrownBy(() -> m.approve(a.assignmentId(), "thanks", false))
                .as("0.50 + 0.10 fee > 0.55").isInstanceOfSatisfying(LocalMarketplaceException.class, e -> {
                    assertThat(e.turkErrorCode()).isEqualTo("AWS.MechanicalTurk.InsufficientFunds");
                    assertThat(e.kind()).isEqualTo(LocalMarketplaceException.Kind.REQUEST_ERROR);
                    assertThat(e.getMessage()).contains("insufficient funds");
                });
        assertThat(m.assignment(a.assignmentId()).orElseThrow().status())
                .isEqualTo(LocalMarketplace.AssignmentStatus.SUBMITTED);
        assertThat(m.assignment(a.assignmentId()).orElseThrow().requesterFeedback()).isNull();
        assertThat(m.balance()).isEqualTo(Money.ofCents(55));
        assertThat(m.transactions()).isEmpty();
        assertThat(events).hasSize(eventsBefore);

        assertThatThrownBy(() -> m.sendBonus("W1", a.assignmentId(), Money.ofCents(50), "waiting", "tok-short"))
                .as("0.50 + 0.10 fee > 0.55").isInstanceOfSatisfying(LocalMarketplaceException.class,
                        e -> assertThat(e.turkErrorCode()).isEqualTo("AWS.MechanicalTurk.InsufficientFunds"));
        assertThat(m.bonuses()).isEmpty();
        assertThat(m.bonusesOf("W1")).isEmpty();
        assertThat(m.balance()).isEqualTo(Money.ofCents(55));

        assertThat(m.addFunds(Money.ofCents(65))).isEqualTo(Money.ofCents(120));
        m.sendBonus("W1", a.assignmentId(), Money.ofCents(50), "waiting", "tok-short");
        assertThat(m.balance()).as("a refused request did not use its token").isEqualTo(Money.ofCents(60));
        m.approve(a.assignmentId(), "thanks", false);
        assertThat(m.balance()).isEqualTo(Money.ZERO);
        assertThat(m.transactions()).extracting(LocalMarketplace.Transaction::kind)
                .containsExactly("Funds", "Bonus", "Reward");
        assertThat(m.transactions()).extracting(t -> t.change().cents()).containsExactly(65L, -60L, -60L);
    }

    @Test
    void anAutoApprovalTheBalanceCannotPayWaitsForFunds() {
        LocalMarketplace m = marketplace("0.10");
        LocalMarketplace.HitView h = hit(m, "0.50", 1);
        LocalMarketplace.AssignmentView a = submitted(m, h.hitId(), "W1");
        clock.advance(Duration.ofHours(2));
        m.sweep();
        assertThat(m.assignment(a.assignmentId()).orElseThrow().status())
                .isEqualTo(LocalMarketplace.AssignmentStatus.SUBMITTED);
        assertThat(m.balance()).isEqualTo(Money.ofCents(10));

        m.addFunds(Money.ofCents(50));
        m.sweep();
        assertThat(m.assignment(a.assignmentId()).orElseThrow().status())
                .isEqualTo(LocalMarketplace.AssignmentStatus.APPROVED);
        assertThat(m.balance()).isEqualTo(Money.ZERO);
    }

    @Test
    void aBonusTokenIsRememberedForTwentyFourHoursOfTheMarketplacesClock() {
        LocalMarketplace m = marketplace("100.00");
        LocalMarketplace.AssignmentView a = submitted(m, hit(m, "0.50", 1).hitId(), "W1");
        m.sendBonus("W1", a.assignmentId(), Money.ofCents(100), "waiting", "pav-bonus-1");

        clock.advance(Duration.ofHours(24).minusSeconds(1));
        assertThatThrownBy(() -> m.sendBonus("W1", a.assignmentId(), Money.ofCents(100), "waiting", "pav-bonus-1"))
                .isInstanceOfSatisfying(LocalMarketplaceException.class, e -> {
                    assertThat(e.turkErrorCode()).isEqualTo("AWS.MechanicalTurk.DuplicateRequest");
                    assertThat(e.kind()).isEqualTo(LocalMarketplaceException.Kind.REQUEST_ERROR);
                });
        assertThat(m.bonusesForAssignment(a.assignmentId())).hasSize(1);

        clock.advance(Duration.ofSeconds(2));
        m.sendBonus("W1", a.assignmentId(), Money.ofCents(100), "waiting", "pav-bonus-1");
        assertThat(m.bonusesForAssignment(a.assignmentId())).as("after 24 h MTurk forgets the token: paid twice")
                .hasSize(2);
        assertThat(m.balance()).isEqualTo(Money.ofCents(10_000 - 2 * 120));
    }

    @Test
    void eachWorkersApprovalsAndBonusesAreKept() {
        LocalMarketplace m = marketplace("100.00");
        LocalMarketplace.HitView h = hit(m, "0.40", 3);
        LocalMarketplace.AssignmentView ann = submitted(m, h.hitId(), "ANN");
        LocalMarketplace.AssignmentView bob = submitted(m, h.hitId(), "BOB");
        m.sendBonus("ANN", ann.assignmentId(), Money.ofCents(35), "Waited 5 min", null);
        m.sendBonus("ANN", ann.assignmentId(), Money.ofCents(10), "Task bonus: best answer", null);
        m.approve(ann.assignmentId(), null, false);
        m.reject(bob.assignmentId(), "no answer");

        assertThat(m.bonusesOf("ANN")).extracting(LocalMarketplace.Bonus::reason)
                .containsExactly("Waited 5 min", "Task bonus: best answer");
        assertThat(m.bonusesOf("ANN")).extracting(LocalMarketplace.Bonus::amount)
                .containsExactly(Money.ofCents(35), Money.ofCents(10));
        assertThat(m.bonusesOf("ANN").get(0).fee()).isEqualTo(Money.ofCents(7));
        assertThat(m.bonusesOf("BOB")).isEmpty();
        assertThat(m.bonusesForHit(h.hitId())).hasSize(2);
        assertThat(m.assignmentsOf("ANN")).extracting(LocalMarketplace.AssignmentView::status)
                .containsExactly(LocalMarketplace.AssignmentStatus.APPROVED);
        assertThat(m.assignmentsOf("BOB").get(0).requesterFeedback()).isEqualTo("no answer");

        Money spent = m.transactions().stream().map(LocalMarketplace.Transaction::change).reduce(Money.ZERO,
                Money::plus);
        assertThat(Money.ofCents(10_000).plus(spent)).isEqualTo(m.balance());
        assertThat(m.balance()).isEqualTo(Money.ofCents(10_000 - 42 - 12 - 48));
    }

    @Test
    void addFundsAndTheStartingBalanceTakeOnlySensibleAmounts() {
        LocalMarketplace m = marketplace("0");
        assertThatThrownBy(() -> m.addFunds(Money.ZERO)).isInstanceOf(LocalMarketplaceException.class);
        assertThatThrownBy(() -> m.addFunds(Money.ofCents(-5))).isInstanceOf(LocalMarketplaceException.class);
        assertThatThrownBy(() -> m.addFunds(LocalMarketplace.MAX_FUNDS.plus(Money.ofCents(1))))
                .isInstanceOf(LocalMarketplaceException.class);
        assertThat(m.balance()).isEqualTo(Money.ZERO);
        assertThatThrownBy(() -> marketplace("-1.00")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starting-balance");
        assertThatThrownBy(() -> marketplace("1.005")).isInstanceOf(IllegalArgumentException.class);
    }
}
