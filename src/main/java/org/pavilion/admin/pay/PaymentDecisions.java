package org.pavilion.admin.pay;

import java.util.List;
import java.util.Optional;

import org.pavilion.pay.Compensations;
import org.pavilion.pay.Money;
import org.pavilion.pay.PayLedger;
import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.session.UnknownSessionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The admin's decisions on a session's payouts (SPEC §4.9): approve or reject submissions under review
 * (manual approval policy), one or all, and retry a failed step. Checks what the admin sent (the session,
 * that the payout is the session's, the feedback) and then takes the ledger's guarded step, which moves
 * only rows still in the state the decision is for: a second click changes nothing.
 */
@Service
public class PaymentDecisions {

    private static final Logger log = LoggerFactory.getLogger(PaymentDecisions.class);

    private final PayLedger ledger;
    private final PaymentQueries queries;
    private final Compensations compensations;

    public PaymentDecisions(PayLedger ledger, PaymentQueries queries, Compensations compensations) {
        this.ledger = ledger;
        this.queries = queries;
        this.compensations = compensations;
    }

    /** What a decision did: how many payouts moved, and that in words. */
    public record Result(String action, long sessionId, Long payoutId, int changed, String message) {
    }

    /** Approves one payout under review, or all of the session's ({@code payoutId} empty). Feedback is optional. */
    public Result approve(long sessionId, Optional<Long> payoutId, String feedback, String admin) {
        Optional<Payout> one = check(sessionId, payoutId);
        String text = feedback(feedback, false);
        int moved = ledger.approve(sessionId, payoutId, text);
        log.info("payments of session {}: {} approved {} (payout {})", sessionId, admin, moved,
                payoutId.map(String::valueOf).orElse("all"));
        String message = moved > 0
                ? "Approved " + count(moved) + ". The bonus is sent first, then the approval."
                : nothingMoved(one, "No submission of this session awaits review");
        return new Result("approve", sessionId, payoutId.orElse(null), moved, message);
    }

    /** Rejects one payout under review, or all of the session's: the worker reads {@code feedback}; no bonus is paid. */
    public Result reject(long sessionId, Optional<Long> payoutId, String feedback, String admin) {
        Optional<Payout> one = check(sessionId, payoutId);
        String text = feedback(feedback, true);
        int moved = ledger.reject(sessionId, payoutId, text);
        log.info("payments of session {}: {} rejected {} (payout {})", sessionId, admin, moved,
                payoutId.map(String::valueOf).orElse("all"));
        String message = moved > 0 ? "Rejected " + count(moved) + ". No bonus is paid; the worker reads your feedback."
                : nothingMoved(one, "No submission of this session awaits review");
        return new Result("reject", sessionId, payoutId.orElse(null), moved, message);
    }

    /** Tries a payout's failed step (bonus or approval) again, e.g. after funds were added. */
    public Result retry(long sessionId, long payoutId, String admin) {
        check(sessionId, Optional.of(payoutId));
        boolean moved = ledger.retry(sessionId, payoutId);
        log.info("payments of session {}: {} retried payout {} ({})", sessionId, admin, payoutId,
                moved ? "moved" : "nothing failed");
        String message = moved ? "Payout " + payoutId + ": the failed step will be tried again."
                : "Payout " + payoutId + " has no failed step to retry; nothing changed.";
        return new Result("retry", sessionId, payoutId, moved ? 1 : 0, message);
    }

    /**
     * Pays every owed worker of the session (returned or abandoned after waiting) through a compensation HIT
     * only that worker can take, whose reward is the amount owed. A second click opens nothing more.
     */
    public Result payOwed(long sessionId, String admin) {
        check(sessionId, Optional.empty());
        List<Compensations.Compensation> opened = compensations.payOwed(sessionId);
        Money total = opened.stream().map(Compensations.Compensation::amount).reduce(Money.ZERO, Money::plus);
        log.info("payments of session {}: {} opened {} compensation(s) for {}", sessionId, admin, opened.size(),
                total.display());
        String message = opened.isEmpty() ? "Nobody of this session is owed pay that is not being paid already; "
                + "nothing changed."
                : "Posting " + (opened.size() == 1 ? "a compensation HIT" : opened.size() + " compensation HITs")
                        + " (" + total.display() + " in all), each visible only to its worker; approved when submitted.";
        return new Result("pay_owed", sessionId, null, opened.size(), message);
    }

    /** The session exists, and so does the payout, in this session. Returns the payout named, if any. */
    private Optional<Payout> check(long sessionId, Optional<Long> payoutId) {
        if (queries.session(sessionId).isEmpty()) {
            throw new UnknownSessionException(sessionId);
        }
        if (payoutId.isEmpty()) {
            return Optional.empty();
        }
        Payout p = ledger.find(payoutId.get()).filter(found -> found.sessionId() == sessionId)
                .orElseThrow(() -> new UnknownPayoutException(sessionId, payoutId.get()));
        return Optional.of(p);
    }

    /** The feedback as it is sent (stripped; null when empty), or a clear refusal. */
    static String feedback(String feedback, boolean required) {
        String text = feedback == null ? "" : feedback.strip();
        if (text.isEmpty()) {
            if (required) {
                throw new BadDecisionException("feedback_required", "feedback",
                        "A rejection needs feedback: write why the work is rejected (the worker reads it).");
            }
            return null;
        }
        if (text.length() > PayLedger.FEEDBACK_MAX) {
            throw new BadDecisionException("bad_feedback", "feedback", "Feedback may be at most "
                    + PayLedger.FEEDBACK_MAX + " characters (was " + text.length() + ").");
        }
        return text;
    }

    private static String nothingMoved(Optional<Payout> one, String noneInSession) {
        return one.map(p -> "Payout " + p.id() + " is not awaiting review (" + PaymentWords.approval(p)
                + "); nothing changed.").orElse(noneInSession + "; nothing changed.");
    }

    private static String count(int n) {
        return n == 1 ? "1 submission" : n + " submissions";
    }
}
