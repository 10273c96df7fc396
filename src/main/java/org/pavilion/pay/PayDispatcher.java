package org.pavilion.pay;

import java.time.Clock;
import java.time.Duration;

import org.pavilion.marketplace.BonusTokenUsedException;
import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.Marketplace.AssignmentInfo;
import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.marketplace.OutboxLoop;
import org.pavilion.marketplace.SessionMarketplace;
import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.queue.Decision.PayDue;
import org.pavilion.queue.Outcome;
import org.pavilion.session.OutcomeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Sends the pay ledger (SPEC §4.9), like the hire outbox sends hires: a payout is written in the same
 * transaction as the fact that settled it; this thread then pays its bonus (one SendBonus: the waiting
 * pay and the task's bonuses, itemised in the reason) and only then approves (or rejects) the assignment.
 *
 * <p>Exactly once: the bonus goes out with the payout's deterministic UniqueRequestToken, marked SENT
 * before the request, so a crash between send and record resends with the same token (MTurk refuses a
 * repeat within 24 h). A SENT bonus older than the marketplace's token memory, or a repeat the
 * marketplace refused ({@link BonusTokenUsedException}), is settled by looking for it in
 * ListBonusPayments: the reason of each bonus carries the token. Approval is checked with GetAssignment
 * first, so a repeat never fails on an assignment approved before. Throttling and outages are retried
 * with backoff (durable: {@code next_attempt_at}); a refusal (e.g. insufficient funds) marks the step
 * FAILED with the marketplace's reason for the admin, who can retry it; nothing else waits on it.
 */
public final class PayDispatcher extends OutboxLoop implements OutcomeListener {

    private static final Logger log = LoggerFactory.getLogger(PayDispatcher.class);

    /** MTurk remembers a UniqueRequestToken for 24 hours; an hour less, for clock differences. */
    static final Duration TOKEN_MEMORY = Duration.ofHours(23);
    private static final int BATCH = 100;

    private final SessionMarketplace marketplace;
    private final PayLedger ledger;
    private final CompensationDispatch compensation;
    private final Clock clock;
    private final Counter bonusesPaid;
    private final Counter bonusCentsPaid;
    private final Counter bonusesFailed;
    private final Counter approved;
    private final Counter rejected;
    private final Counter approvalsFailed;

    PayDispatcher(SessionMarketplace marketplace, PayLedger ledger, CompensationDispatch compensation,
                  Clock clock, Duration poll, Duration maxBackoff, MeterRegistry meters) {
        super("pay", poll, maxBackoff);
        this.marketplace = marketplace;
        this.ledger = ledger;
        this.compensation = compensation;
        this.clock = clock;
        this.bonusesPaid = Counter.builder("pavilion_pay_bonuses").tag("outcome", "paid")
                .description("Bonuses (waiting pay and task bonuses) the marketplace paid").register(meters);
        this.bonusesFailed = Counter.builder("pavilion_pay_bonuses").tag("outcome", "failed")
                .description("Bonuses the marketplace refused (the admin sees why and can retry)").register(meters);
        this.bonusCentsPaid = Counter.builder("pavilion_pay_bonus_cents")
                .description("Cents paid as bonuses, before MTurk's fees").register(meters);
        this.approved = Counter.builder("pavilion_pay_approvals").tag("outcome", "approved").register(meters);
        this.rejected = Counter.builder("pavilion_pay_approvals").tag("outcome", "rejected").register(meters);
        this.approvalsFailed = Counter.builder("pavilion_pay_approvals").tag("outcome", "failed").register(meters);
    }


    @Override
    public void committed(long sessionId, Outcome outcome) {
        if (outcome.facts().stream().anyMatch(PayDue.class::isInstance)) {
            wake();
        }
    }



    /**
     * One round over what is due now: payouts, then compensation HITs. Public for tests that drive it step
     * by step.
     */
    @Override
    public void dispatchPending() {
        for (Payout p : ledger.workDue(clock.instant(), BATCH)) {
            dispatch(p);
        }
        compensation.round();
    }

    private void dispatch(Payout p) {
        if (p.bonusState() == PayoutState.Bonus.DUE || p.bonusState() == PayoutState.Bonus.SENT) {
            Payout frozen = ledger.freeze(p.id());
            if (frozen.bonusState() == PayoutState.Bonus.NONE) {
                p = frozen; // nothing to pay: on to the approval
            } else if (!payBonus(frozen)) {
                return; // the approval waits for the bonus (SPEC §4.9: bonus before approval)
            } else {
                p = ledger.find(p.id()).orElseThrow();
            }
        }
        if (p.approvalState() == PayoutState.Approval.DUE) {
            approve(p);
        } else if (p.approvalState() == PayoutState.Approval.REJECT_DUE) {
            reject(p);
        }
    }

    /** Sends the bonus once; returns whether it is paid now. */
    private boolean payBonus(Payout p) {
        int attempts = p.attempts() + 1;
        Marketplace m = marketplace.of(p.sessionId());
        try {
            if (p.bonusState() == PayoutState.Bonus.SENT && p.bonusSentAt() != null
                    && p.bonusSentAt().isBefore(clock.instant().minus(TOKEN_MEMORY)) && paidBefore(m, p)) {
                // Sent so long ago that the token may be forgotten: the marketplace's own list says it was paid.
                return paid(p, "found in ListBonusPayments after the token memory");
            }
            if (!ledger.bonusSending(p.id(), attempts)) {
                return false; // someone else moved it
            }
            m.sendBonus(p.workerId(), p.assignmentId(), p.bonus(), p.bonusReason(), p.bonusToken());
            return paid(p, "sent");
        } catch (BonusTokenUsedException used) {
            // The token was seen: an earlier attempt may have paid. Never guess: look.
            try {
                if (paidBefore(m, p)) {
                    return paid(p, "an earlier attempt had paid it");
                }
            } catch (MarketplaceException e) {
                return bonusNotSent(p, attempts, e);
            }
            ledger.bonusFailed(p.id(), attempts, "the marketplace had seen token " + p.bonusToken()
                    + " but lists no bonus with it for assignment " + p.assignmentId()
                    + ": nothing was sent again, so as never to pay twice; check the requester's bonuses");
            bonusesFailed.increment();
            log.error("session {}: bonus of payout {} FAILED: token used, no payment listed", p.sessionId(), p.id());
            return false;
        } catch (MarketplaceException e) {
            return bonusNotSent(p, attempts, e);
        }
    }

    private boolean paidBefore(Marketplace m, Payout p) {
        String ref = "Ref " + p.bonusToken() + ".";
        return m.listBonusPayments(p.assignmentId()).stream()
                .anyMatch(b -> b.reason() != null && b.reason().contains(ref) && b.workerId().equals(p.workerId()));
    }

    private boolean paid(Payout p, String how) {
        ledger.bonusPaid(p.id());
        bonusesPaid.increment();
        bonusCentsPaid.increment(p.bonus().cents());
        log.info("session {}: worker {} assignment {}: bonus {} {}", p.sessionId(), p.workerId(), p.assignmentId(),
                p.bonus().display(), how);
        return true;
    }

    private boolean bonusNotSent(Payout p, int attempts, MarketplaceException e) {
        if (e.retryable()) {
            retryLater(p, attempts, e);
        } else {
            // A refusal whose code we do not know might be MTurk's answer to a repeat of a paid bonus:
            // if the marketplace lists it, it was paid; only otherwise is it FAILED.
            try {
                if (paidBefore(marketplace.of(p.sessionId()), p)) {
                    return paid(p, "an earlier attempt had paid it");
                }
            } catch (MarketplaceException lookup) {
                e.addSuppressed(lookup);
            }
            ledger.bonusFailed(p.id(), attempts, e.errorCode() + ": " + e.getMessage());
            bonusesFailed.increment();
            log.error("session {}: bonus of payout {} refused by the marketplace: {}", p.sessionId(), p.id(),
                    e.getMessage());
        }
        return false;
    }

    private void approve(Payout p) {
        int attempts = p.attempts() + 1;
        Marketplace m = marketplace.of(p.sessionId());
        try {
            AssignmentInfo a = m.getAssignment(p.assignmentId());
            switch (a.status()) {
                case "Approved" -> { } // approved before (a repeat, or MTurk's auto-approval): done
                case "Rejected" -> {
                    ledger.approvalFailed(p.id(), attempts, "the marketplace lists the assignment as Rejected");
                    approvalsFailed.increment();
                    return;
                }
                default -> m.approve(p.assignmentId(), p.feedback());
            }
            ledger.approved(p.id());
            approved.increment();
        } catch (MarketplaceException e) {
            approvalNotSent(p, attempts, e);
        }
    }

    private void reject(Payout p) {
        int attempts = p.attempts() + 1;
        Marketplace m = marketplace.of(p.sessionId());
        try {
            AssignmentInfo a = m.getAssignment(p.assignmentId());
            switch (a.status()) {
                case "Rejected" -> { }
                case "Approved" -> {
                    ledger.approvalFailed(p.id(), attempts, "the marketplace had approved the assignment already "
                            + "(its auto-approval delay passed?): it cannot be rejected now");
                    approvalsFailed.increment();
                    return;
                }
                default -> m.reject(p.assignmentId(), p.feedback());
            }
            ledger.rejected(p.id());
            rejected.increment();
        } catch (MarketplaceException e) {
            approvalNotSent(p, attempts, e);
        }
    }

    private void approvalNotSent(Payout p, int attempts, MarketplaceException e) {
        if (e.retryable()) {
            retryLater(p, attempts, e);
        } else {
            ledger.approvalFailed(p.id(), attempts, e.errorCode() + ": " + e.getMessage());
            approvalsFailed.increment();
            log.error("session {}: approval step of payout {} refused by the marketplace: {}", p.sessionId(), p.id(),
                    e.getMessage());
        }
    }

    private void retryLater(Payout p, int attempts, MarketplaceException e) {
        Duration backoff = backoff(attempts);
        ledger.retryLater(p.id(), attempts, clock.instant().plus(backoff), e.errorCode() + ": " + e.getMessage());
        log.warn("session {}: payout {} not settled yet ({}); retrying in {} ms", p.sessionId(), p.id(), e.errorCode(),
                backoff.toMillis());
    }
}
