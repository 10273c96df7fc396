package org.pavilion.pay;

/**
 * MTurk's commission (its pricing since July 2015): 20 % of each reward and each bonus, at least
 * $0.01 per transaction, plus another 20 % of the reward for HITs with 10 or more assignments
 * (bonuses never pay that part). Fees are rounded half up to the cent, as MTurk rounds them.
 * The local marketplace charges by the same rules, so the ledger's figures and its balance agree.
 */
public final class MarketplaceFees {

    /** The base commission, on rewards and bonuses. */
    public static final int BASE_PERCENT = 20;
    /** The extra commission on the rewards of HITs with {@value #LARGE_HIT_ASSIGNMENTS}+ assignments. */
    public static final int LARGE_HIT_PERCENT = 20;
    public static final int LARGE_HIT_ASSIGNMENTS = 10;
    /** The least commission of any one transaction. */
    public static final Money MINIMUM = Money.ofCents(1);

    private MarketplaceFees() {
    }

    /** The fee on one assignment's reward, for a HIT with {@code maxAssignments} assignments. */
    public static Money onReward(Money reward, int maxAssignments) {
        int percent = BASE_PERCENT + (maxAssignments >= LARGE_HIT_ASSIGNMENTS ? LARGE_HIT_PERCENT : 0);
        return commission(reward, percent);
    }

    /** The fee on one bonus. */
    public static Money onBonus(Money bonus) {
        return commission(bonus, BASE_PERCENT);
    }

    private static Money commission(Money amount, int percent) {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("a negative amount: " + amount);
        }
        if (!amount.isPositive()) {
            return Money.ZERO; // nothing paid, nothing charged (a $0.00 reward)
        }
        return Money.max(amount.percentOf(percent), MINIMUM);
    }
}
