package org.pavilion.pay;

import org.pavilion.queue.Decision.Ending;
import org.pavilion.session.PaySettings.ApprovalPolicy;

/**
 * The states of a payout's two ledger items (its bonus and its approval), and where a payout starts
 * when its assignment's pay is settled. The dispatcher moves them on; the admin's review and retries
 * move the rest (see {@code PayLedger}).
 */
public final class PayoutState {

    private PayoutState() {
    }

    /** The bonus: waiting pay and the task's bonuses of one assignment, one SendBonus. */
    public enum Bonus {
        /** Not payable yet: the assignment's ending or the admin's review comes first. */
        PENDING,
        DUE,
        /** On its way: a crash resends it with the same token. */
        SENT,
        PAID,
        /** Nothing to pay. */
        NONE,
        /** The assignment cannot carry a bonus (returned, abandoned): paid through a compensation HIT. */
        OWED,
        COMPENSATING,
        COMPENSATED,
        /** The submission was rejected: no bonus. */
        CANCELLED,
        FAILED
    }

    /** The approval of the assignment. */
    public enum Approval {
        /** The assignment has not ended yet (the session ended while it was open). */
        PENDING,
        /** Submitted; the admin approves or rejects (manual policy). */
        REVIEW,
        DUE,
        APPROVED,
        REJECT_DUE,
        REJECTED,
        /** Returned or abandoned: nothing to approve. */
        NONE,
        FAILED
    }

    /** Where a payout starts (or moves, when the ending of an assignment fixed at session end comes in). */
    public record Start(Bonus bonus, Approval approval) {
    }

    /**
     * @param owedCents what the assignment earned (waiting pay and task bonuses), for an ending that cannot
     *                  carry a bonus
     */
    public static Start at(Ending ending, ApprovalPolicy policy, long owedCents) {
        return switch (ending) {
            case SUBMITTED -> policy == ApprovalPolicy.MANUAL ? new Start(Bonus.PENDING, Approval.REVIEW)
                    : new Start(Bonus.DUE, Approval.DUE);
            case RETURNED, ABANDONED -> new Start(owedCents > 0 ? Bonus.OWED : Bonus.NONE, Approval.NONE);
            case SESSION_ENDED -> new Start(Bonus.PENDING, Approval.PENDING);
        };
    }
}
