package org.pavilion.admin.pay;

import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.pay.PayoutState.Bonus;
import org.pavilion.queue.Decision.Ending;

/**
 * A payout's states in the admin's words (the payments view, its exports): what has happened to the
 * bonus and the approval, and why a step failed (the marketplace's reason, from the ledger's last error).
 */
public final class PaymentWords {

    private PaymentWords() {
    }

    public static String ending(Ending e) {
        return switch (e) {
            case SUBMITTED -> "submitted";
            case RETURNED -> "returned";
            case ABANDONED -> "abandoned";
            case SESSION_ENDED -> "open when the session ended";
        };
    }

    public static String bonus(Payout p) {
        return switch (p.bonusState()) {
            case PENDING -> switch (p.approvalState()) {
                case REVIEW -> "pending approval";
                case PENDING -> "pending: the assignment is still open";
                default -> "pending";
            };
            case DUE -> "due" + retrying(p);
            case SENT -> "sent" + retrying(p);
            case PAID -> "paid";
            case NONE -> "nothing to pay";
            case OWED -> "owed: to be paid by a compensation HIT";
            case COMPENSATING -> "owed: compensation HIT posted";
            case COMPENSATED -> "paid by a compensation HIT";
            case CANCELLED -> "cancelled: submission rejected";
            case FAILED -> "failed: " + reason(p);
        };
    }

    public static String approval(Payout p) {
        return switch (p.approvalState()) {
            case PENDING -> "pending: the assignment is still open";
            case REVIEW -> "awaiting review";
            case DUE -> "approval due" + (bonusStepFirst(p) ? " (after the bonus)" : retrying(p));
            case APPROVED -> "approved";
            case REJECT_DUE -> "rejection due" + (bonusStepFirst(p) ? "" : retrying(p));
            case REJECTED -> "rejected";
            case NONE -> "nothing to approve (" + ending(p.ending()) + ")";
            case FAILED -> "failed: " + reason(p);
        };
    }

    /** The bonus is sent before the approval: while it is on its way, a retry note is the bonus's. */
    private static boolean bonusStepFirst(Payout p) {
        return p.bonusState() == Bonus.DUE || p.bonusState() == Bonus.SENT || p.bonusState() == Bonus.PENDING;
    }

    /** A step the dispatcher will try again (throttled, the marketplace unreachable), with why. */
    private static String retrying(Payout p) {
        boolean waiting = p.nextAttemptAt() != null && p.lastError() != null && !p.lastError().isBlank();
        return waiting ? " (retrying: " + p.lastError().strip() + ")" : "";
    }

    private static String reason(Payout p) {
        return p.lastError() == null || p.lastError().isBlank() ? "no reason given" : p.lastError().strip();
    }
}
