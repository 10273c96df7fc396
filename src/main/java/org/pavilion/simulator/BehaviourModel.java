package org.pavilion.simulator;

/**
 * How simulated workers behave (issue 6). Durations are in milliseconds, so a test can run a
 * whole crowd in seconds and a rehearsal at a real pace.
 *
 * @param arrivalsPerMinute Poisson arrival rate of new workers (exponential gaps between arrivals)
 * @param meanPatienceMs mean of the exponential time a worker waits before leaving the waiting queue
 * @param meanWorkMs mean of the exponential time an active worker works before leaving
 * @param submitProbability when leaving: probability to submit
 * @param returnProbability when leaving: probability to return the HIT
 * @param abandonProbability when leaving: probability to abandon (the rest, if any, drops silently)
 * @param reloadProbability probability that a worker reloads its page once (disconnect, reconnect quickly)
 * @param dropProbability probability that a worker disconnects silently instead of leaving as above
 */
public record BehaviourModel(double arrivalsPerMinute, double meanPatienceMs, double meanWorkMs,
                             double submitProbability, double returnProbability, double abandonProbability,
                             double reloadProbability, double dropProbability) {

    public BehaviourModel {
        if (!(arrivalsPerMinute > 0)) {
            throw new IllegalArgumentException("arrivalsPerMinute must be > 0");
        }
        if (!(meanPatienceMs > 0) || !(meanWorkMs > 0)) {
            throw new IllegalArgumentException("meanPatienceMs and meanWorkMs must be > 0");
        }
        for (double p : new double[] {submitProbability, returnProbability, abandonProbability, reloadProbability,
                dropProbability}) {
            if (p < 0 || p > 1) {
                throw new IllegalArgumentException("probabilities must be within 0..1");
            }
        }
        if (submitProbability + returnProbability + abandonProbability > 1.0 + 1e-9) {
            throw new IllegalArgumentException("submit + return + abandon probabilities must not exceed 1");
        }
    }

    /** A gentle crowd for the demo: a worker every 5 s or so, waiting about 40 s, working about 30 s. */
    public static BehaviourModel demo() {
        return new BehaviourModel(12, 40_000, 30_000, 0.7, 0.15, 0.1, 0.1, 0.05);
    }
}
