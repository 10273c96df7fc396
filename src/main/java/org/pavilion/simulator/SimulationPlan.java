package org.pavilion.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The whole schedule of a simulation, generated from a seed before anything runs: the same
 * model, count and seed give the same plan, independent of timing.
 */
public final class SimulationPlan {

    private SimulationPlan() {
    }

    /** Plans {@code workers} simulated workers; their ids are {@code prefix + index}. */
    public static List<WorkerPlan> generate(BehaviourModel model, int workers, long seed, String prefix) {
        SplittableRandom arrivals = new SplittableRandom(seed);
        List<WorkerPlan> plan = new ArrayList<>(workers);
        double at = 0;
        double meanGapMs = 60_000.0 / model.arrivalsPerMinute();
        for (int i = 0; i < workers; i++) {
            at += exponential(arrivals, meanGapMs);
            plan.add(worker(model, i, prefix, Math.round(at), new SplittableRandom(seed * 1_000_003L + i)));
        }
        return List.copyOf(plan);
    }

    /** One worker of an open-ended crowd (the demo): its own stream of the seed. */
    static WorkerPlan worker(BehaviourModel model, int index, String prefix, long arriveAtMs, SplittableRandom r) {
        long patience = Math.max(1, Math.round(exponential(r, model.meanPatienceMs())));
        long work = Math.max(1, Math.round(exponential(r, model.meanWorkMs())));
        WorkerPlan.Leaving leaving;
        if (r.nextDouble() < model.dropProbability()) {
            leaving = WorkerPlan.Leaving.DROP;
        } else {
            double u = r.nextDouble();
            if (u < model.submitProbability()) {
                leaving = WorkerPlan.Leaving.SUBMIT;
            } else if (u < model.submitProbability() + model.returnProbability()) {
                leaving = WorkerPlan.Leaving.RETURN;
            } else if (u < model.submitProbability() + model.returnProbability() + model.abandonProbability()) {
                leaving = WorkerPlan.Leaving.ABANDON;
            } else {
                leaving = WorkerPlan.Leaving.DROP;
            }
        }
        long reload = -1;
        double reloadDraw = r.nextDouble();
        double reloadWhen = r.nextDouble();
        if (reloadDraw < model.reloadProbability()) {
            // somewhere in the worker's expected stay, before it would leave waiting
            reload = Math.max(1, Math.round(reloadWhen * Math.min(patience, model.meanPatienceMs())));
        }
        return new WorkerPlan(index, prefix + index, arriveAtMs, patience, work, leaving, reload);
    }

    /** Mean gap between arrivals, for an open-ended crowd. */
    static long nextGap(BehaviourModel model, SplittableRandom r) {
        return Math.max(1, Math.round(exponential(r, 60_000.0 / model.arrivalsPerMinute())));
    }

    private static double exponential(SplittableRandom r, double mean) {
        return -mean * Math.log(1.0 - r.nextDouble());
    }
}
