package org.pavilion.simulator;

/**
 * Everything one simulated worker will do, decided up front from the seed.
 *
 * @param index the worker's number, from 0
 * @param workerId its MTurk-style id
 * @param arriveAtMs when it accepts a HIT, from the simulation's start
 * @param patienceMs how long it waits in the waiting queue before leaving
 * @param workMs how long it works once active
 * @param leaving how it leaves (whether waiting or active)
 * @param reloadAfterMs after arriving, when it reloads its page once; -1 for never
 */
public record WorkerPlan(int index, String workerId, long arriveAtMs, long patienceMs, long workMs,
                         Leaving leaving, long reloadAfterMs) {

    /** How a worker leaves. */
    public enum Leaving { SUBMIT, RETURN, ABANDON, DROP }
}
