package org.pavilion.pay;

/**
 * What a session is expected to cost before it goes live (issue 11 item 5): an hour at full queues,
 * and the first hour including the session's initial HIT. Pure arithmetic on {@link Money} and
 * {@link MarketplaceFees}; no clock, no marketplace.
 *
 * <p>An hour at full queues is
 * <ul>
 * <li>the waiting pay of {@code maxWaiting} workers waiting the whole hour, each paid as one bonus, plus
 * MTurk's fee on each bonus;</li>
 * <li>the rewards of the hires expected in an hour ({@link #expectedHiresPerHour}), each a one-assignment
 * HIT, plus MTurk's fee on each reward.</li>
 * </ul>
 * The first hour adds the initial HIT: {@code maxActive + maxWaiting} assignments, each paying the reward
 * and the fee of a HIT that size (+20 % from 10 assignments on).
 *
 * <p>Task bonuses a task's own logic may award are not known in advance and are not included.
 *
 * @param reward              one assignment's reward
 * @param initialAssignments  the initial HIT's assignments: {@code maxActive + maxWaiting}
 * @param maxWaiting          the workers paid for waiting at full queues
 * @param waitingPayPerHour   one worker's waiting pay for an hour (the task's rate)
 * @param hiresPerHour        the one-assignment HITs expected in an hour
 */
public record SessionCostEstimate(Money reward, int initialAssignments, int maxWaiting, Money waitingPayPerHour,
                                  int hiresPerHour) {

    /** The assumption behind {@link #hiresPerHour}, as an admin reads it. */
    public static final String HIRES_ASSUMPTION = "each of the session's maxActive + maxWaiting places is taken by a "
            + "new hire once per assignment time limit (places × 3600 s ÷ time limit, rounded up), and at least "
            + "once an hour";

    public SessionCostEstimate {
        if (reward.isNegative() || waitingPayPerHour.isNegative()) {
            throw new IllegalArgumentException("amounts must not be negative");
        }
        if (initialAssignments < 1 || maxWaiting < 0 || hiresPerHour < 0) {
            throw new IllegalArgumentException("counts out of range: " + initialAssignments + " assignments, "
                    + maxWaiting + " waiting, " + hiresPerHour + " hires");
        }
    }

    /**
     * The estimate for a task's settings.
     *
     * @param assignmentDurationSeconds the assignment time limit, at least 1 s
     */
    public static SessionCostEstimate of(Money reward, int maxActive, int maxWaiting, Money waitingPayPerHour,
                                         int assignmentDurationSeconds) {
        int capacity = Math.addExact(maxActive, maxWaiting);
        return new SessionCostEstimate(reward, capacity, maxWaiting, waitingPayPerHour,
                expectedHiresPerHour(capacity, assignmentDurationSeconds));
    }

    /**
     * The hires expected in an hour ({@link #HIRES_ASSUMPTION}): {@code ceil(capacity × 3600 / duration)},
     * at least {@code capacity}. A stated, deliberately simple and pessimistic figure: a session whose
     * workers stay longer hires less.
     */
    public static int expectedHiresPerHour(int capacity, int assignmentDurationSeconds) {
        if (capacity < 0 || assignmentDurationSeconds < 1) {
            throw new IllegalArgumentException("capacity " + capacity + ", duration " + assignmentDurationSeconds);
        }
        long slotHours = Math.multiplyExact((long) capacity, 3600L);
        long turnovers = (slotHours + assignmentDurationSeconds - 1) / assignmentDurationSeconds; // rounded up
        return Math.toIntExact(Math.max(capacity, turnovers));
    }

    /** The waiting pay of {@code maxWaiting} workers for an hour. */
    public Money waitingPay() {
        return waitingPayPerHour.times(maxWaiting);
    }

    /** MTurk's fee on that pay: one bonus per waiting worker. */
    public Money waitingPayFees() {
        return MarketplaceFees.onBonus(waitingPayPerHour).times(maxWaiting);
    }

    /** The rewards of an hour's hires. */
    public Money hireRewards() {
        return reward.times(hiresPerHour);
    }

    /** MTurk's fee on those rewards: each hire is a HIT of one assignment. */
    public Money hireFees() {
        return MarketplaceFees.onReward(reward, 1).times(hiresPerHour);
    }

    /** An hour at full queues: waiting pay, hires, and their fees. */
    public Money perHour() {
        return waitingPay().plus(waitingPayFees()).plus(hireRewards()).plus(hireFees());
    }

    /** The rewards of the initial HIT's assignments. */
    public Money initialRewards() {
        return reward.times(initialAssignments);
    }

    /** MTurk's fee on them, at the initial HIT's size. */
    public Money initialFees() {
        return MarketplaceFees.onReward(reward, initialAssignments).times(initialAssignments);
    }

    /** The initial HIT, rewards and fees. */
    public Money initialHit() {
        return initialRewards().plus(initialFees());
    }

    /** The first hour: the initial HIT and one hour at full queues. */
    public Money firstHour() {
        return initialHit().plus(perHour());
    }
}
