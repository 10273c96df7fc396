package org.pavilion.session;

import org.pavilion.pay.MarketplaceFees;
import org.pavilion.pay.Money;
import org.pavilion.queue.Thresholds;

/**
 * How many hires a session may make in all (SPEC §4.2): a circuit breaker, so that a flaw or an
 * attack cannot spend a researcher's money without limit. The admin can raise it while live.
 */
public final class HireBudget {

    /** Hires per queue slot when the task names no budget: every slot turned over three times. */
    public static final int DEFAULT_TURNOVERS = 3;

    private HireBudget() {
    }

    public static int defaultFor(Thresholds t) {
        return DEFAULT_TURNOVERS * t.capacity();
    }

    /**
     * The session's budget: the task's own (or the default), lowered to what the spending cap pays
     * for when one is set. A hire is a one-assignment HIT, so it costs its reward plus MTurk's 20 %
     * commission (at least one cent).
     */
    public static int of(Thresholds t, Integer taskBudget, int rewardCents, Integer spendCapCents) {
        int budget = taskBudget == null ? defaultFor(t) : taskBudget;
        if (spendCapCents != null) {
            long cost = costOfOneHireCents(rewardCents);
            budget = (int) Math.min(budget, cost == 0 ? budget : spendCapCents / cost);
        }
        return budget;
    }

    /** The reward plus MTurk's fee on a one-assignment HIT ({@link MarketplaceFees#onReward}). */
    public static long costOfOneHireCents(int rewardCents) {
        Money reward = Money.ofCents(rewardCents);
        return reward.plus(MarketplaceFees.onReward(reward, 1)).cents();
    }
}
