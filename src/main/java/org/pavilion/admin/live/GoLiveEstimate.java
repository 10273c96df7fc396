package org.pavilion.admin.live;

import java.util.Locale;

import io.swagger.v3.oas.annotations.media.Schema;
import org.pavilion.marketplace.MarketplaceSettings;
import org.pavilion.marketplace.Marketplaces;
import org.pavilion.pay.Money;
import org.pavilion.pay.SessionCostEstimate;

/**
 * What going live with a task would cost, next to what the marketplace account holds: the Go live
 * dialog's figures and the body of {@code GET /api/admin/tasks/{id}/go-live-estimate}. Amounts are
 * whole cents. The methods without a JSON field ({@link #perHourText()} and the like) are the page's
 * sentences.
 */
@Schema(name = "GoLiveEstimate")
public record GoLiveEstimate(
        long taskId,
        @Schema(description = "the marketplace in use: local (Pavilion's own, play money), sandbox (MTurk's test "
                + "marketplace, play money) or production (real money)", example = "local")
        String marketplace,
        @Schema(description = "the account's available balance; null when it could not be read")
        Long balanceCents,
        @Schema(description = "why the balance could not be read; null when it was")
        String balanceProblem,
        @Schema(description = "workers paid for waiting at full queues") int maxWaiting,
        @Schema(description = "the task's waiting pay rate, per worker and hour") long waitingRateCentsPerHour,
        @Schema(description = "waiting pay of maxWaiting workers for an hour") long waitingPayCentsPerHour,
        @Schema(description = "MTurk's fee on that waiting pay (20 % of each worker's bonus, at least 1 cent)")
        long waitingPayFeeCentsPerHour,
        @Schema(description = "hires (one-assignment HITs) expected in an hour; see hiresAssumption")
        int hiresPerHour,
        String hiresAssumption,
        long hireRewardCentsPerHour,
        @Schema(description = "MTurk's fee on those rewards (20 %, at least 1 cent each)") long hireFeeCentsPerHour,
        @Schema(description = "an hour at full queues: waiting pay, hires, and their fees") long costCentsPerHour,
        @Schema(description = "assignments of the initial HIT: maxActive + maxWaiting") int initialAssignments,
        long initialRewardCents,
        @Schema(description = "MTurk's fee on them (20 %, 40 % from 10 assignments on)") long initialFeeCents,
        @Schema(description = "the initial HIT and one hour at full queues") long firstHourCents,
        @Schema(description = "the task's spending cap per session; null for none") Integer spendCapCents,
        @Schema(description = "hires a session opened now may make (the hire budget, lowered by the spending cap)")
        int sessionHireBudget,
        @Schema(description = "whether the balance is known and covers the first hour") boolean covered,
        @Schema(description = "whether going live needs confirmLowBalance=true (the balance is short or unknown)")
        boolean confirmationRequired,
        @Schema(description = "the estimate in a sentence; says why confirmation is required when it is")
        String message) {

    /** The error code of a refusal: {@code low_balance}, or {@code balance_unavailable} when it could not be read. */
    public String refusalCode() {
        return balanceCents == null ? "balance_unavailable" : "low_balance";
    }

    /** The marketplace as an admin reads it (the words every console page uses for it). */
    public String marketplaceText() {
        return Marketplaces.describe(MarketplaceSettings.Mode.valueOf(marketplace.toUpperCase(Locale.ROOT)));
    }

    public String balanceText() {
        return balanceCents == null ? "could not be read: " + balanceProblem : usd(balanceCents);
    }

    public String perHourText() {
        return String.format(Locale.ROOT, "%s: waiting pay %s (%d %s × %s) + fees %s; %d %s, rewards %s + fees %s",
                usd(costCentsPerHour), usd(waitingPayCentsPerHour), maxWaiting, maxWaiting == 1 ? "worker" : "workers",
                usd(waitingRateCentsPerHour), usd(waitingPayFeeCentsPerHour), hiresPerHour,
                hiresPerHour == 1 ? "hire" : "hires", usd(hireRewardCentsPerHour), usd(hireFeeCentsPerHour));
    }

    public String firstHourText() {
        return String.format(Locale.ROOT, "%s: the initial HIT (%d assignments, rewards %s + fees %s) and one hour "
                        + "at full queues", usd(firstHourCents), initialAssignments, usd(initialRewardCents),
                usd(initialFeeCents));
    }

    public String spendCapText() {
        return spendCapCents == null ? "none: a session opened now may make " + sessionHireBudget + " hires"
                : usd(spendCapCents) + " per session: a session opened now may make " + sessionHireBudget + " hires";
    }

    /** The browser's confirmation question before the form is sent. */
    public String confirmQuestion(String title) {
        return "Post \u201c" + title + "\u201d as a new session on " + marketplaceText() + "? Workers will be hired "
                + "and paid there: about " + usd(firstHourCents) + " in the first hour, then " + usd(costCentsPerHour)
                + " per hour at full queues.";
    }

    static String usd(long cents) {
        return Money.ofCents(cents).display();
    }

    /** Builds the estimate from its parts. */
    static GoLiveEstimate of(long taskId, String marketplace, Money balance, String balanceProblem,
                             SessionCostEstimate cost, Integer spendCapCents, int sessionHireBudget) {
        Money firstHour = cost.firstHour();
        boolean covered = balance != null && balance.compareTo(firstHour) >= 0;
        String message;
        if (balance == null) {
            message = "The marketplace's balance could not be read (" + balanceProblem + "), so Pavilion cannot tell "
                    + "whether it covers the first hour of this session (about " + firstHour.display() + ").";
        } else if (!covered) {
            message = "The marketplace's available balance (" + balance.display() + ") does not cover the first hour "
                    + "of this session (about " + firstHour.display() + ": the initial HIT "
                    + cost.initialHit().display() + " and " + cost.perHour().display() + " per hour at full queues).";
        } else {
            message = "The available balance (" + balance.display() + ") covers the first hour of this session (about "
                    + firstHour.display() + ").";
        }
        return new GoLiveEstimate(taskId, marketplace, balance == null ? null : balance.cents(),
                balance == null ? balanceProblem : null, cost.maxWaiting(), cost.waitingPayPerHour().cents(),
                cost.waitingPay().cents(), cost.waitingPayFees().cents(),
                cost.hiresPerHour(), SessionCostEstimate.HIRES_ASSUMPTION, cost.hireRewards().cents(),
                cost.hireFees().cents(), cost.perHour().cents(), cost.initialAssignments(),
                cost.initialRewards().cents(), cost.initialFees().cents(), firstHour.cents(), spendCapCents,
                sessionHireBudget, covered, !covered, message);
    }
}
