package org.pavilion.admin.pay;

import java.util.List;

import org.pavilion.pay.Money;

/**
 * What the payments view shows, as served by {@code GET /api/admin/sessions/{id}/payments} and
 * {@code GET /api/admin/projects/{id}/payments} and rendered by the page: one row per payout (a worker
 * assignment whose pay is settled, SPEC §4.9) and the totals. Amounts are {@link Amount}s (exact cents and
 * the text a person reads); times are ISO-8601 instants (UTC); waited time is the server's.
 *
 * @param scope      {@code session} or {@code project}
 * @param id         the session's or the project's id
 * @param status     the session's status ({@code live}, {@code stopped}, {@code expired}); null for a project
 * @param approval   the session's approval policy ({@code auto} or {@code manual}); null for a project
 * @param settling   whether a row still has a step to come (a send, an approval, a review, a compensation):
 *                   the page keeps refreshing while it does
 */
public record PaymentsView(String scope, long id, Long sessionId, long projectId, String title, String status,
                           String approval, boolean settling, List<Row> rows, Totals totals, Counts counts,
                           String serverTime) {

    /** An amount: exact cents, and as a person reads it ({@code $0.05}). */
    public record Amount(long cents, String display) {

        public static Amount of(Money m) {
            return new Amount(m.cents(), m.display());
        }
    }

    /**
     * One payout.
     *
     * @param hitId          the HIT the assignment came from (the marketplace's confirmation), null if unknown
     * @param hitAssignments that HIT's size, which sets MTurk's fee on the reward (the first HIT has
     *                       maxActive + maxWaiting assignments, a hire's HIT one; unknown: the first HIT's)
     * @param ending         {@code submitted}, {@code returned}, {@code abandoned}, or {@code session_ended}
     *                       (the session ended while the assignment was open; its ending comes later)
     * @param taskBonuses    the task's bonuses; until the bonus is fixed ({@code bonusFixed} false, just before
     *                       its first send) those awarded so far, which may still grow
     * @param bonus          the bonus: waiting pay + task bonuses, one payment
     * @param reward         the task's reward, paid when the assignment is approved ($0.00 when there is none
     *                       to pay: returned, abandoned, rejected)
     * @param fees           MTurk's fees: on the bonus (or the compensation HIT's reward) and on the reward
     * @param bonusState     the ledger's state, lower case ({@code due}, {@code sent}, {@code paid}, {@code owed},
     *                       {@code failed}, …); {@code bonusStatus} says it in words
     * @param approvalState  likewise for the approval; {@code approvalStatus} in words
     * @param lastError      the marketplace's last refusal or error for this payout (a failed step's reason)
     * @param canReview      awaiting the admin's review (manual approval): approve or reject
     * @param canRetry       a step failed: the admin may retry it
     */
    public record Row(long payoutId, long sessionId, String worker, String assignmentId, String hitId,
                      int hitAssignments, String ending, String endingText, long waitedMillis, String waited,
                      Amount waitingPay, Amount taskBonuses, boolean bonusFixed, Amount bonus, Amount reward,
                      Amount bonusFee, Amount rewardFee, Amount fees, String bonusState, String bonusStatus,
                      String approvalState, String approvalStatus, String lastError, String feedback, int attempts,
                      String nextAttemptAt, String updatedAt, boolean canReview, boolean canRetry) {
    }

    /**
     * Money to workers: {@code paid} so far (bonuses paid, compensation HITs paid, rewards of approved
     * assignments), {@code due} (on its way, awaiting review, or failed and to be retried), {@code owed}
     * (workers whose assignment cannot carry a bonus, to be paid through a compensation HIT); {@code fees}:
     * MTurk's fees on all of these; {@code grandTotal}: everything, fees included. Rejected and returned work
     * counts nothing.
     */
    public record Totals(Amount paid, Amount due, Amount owed, Amount fees, Amount grandTotal) {
    }

    /** How many payouts there are, await review, have a failed step, are owed. */
    public record Counts(int payouts, int review, int failed, int owed) {
    }
}
