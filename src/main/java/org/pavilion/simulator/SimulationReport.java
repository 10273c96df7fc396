package org.pavilion.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.pay.Money;
import org.pavilion.pay.PayLedger;
import org.pavilion.pay.PayoutState;
import org.pavilion.queue.Decision;
import org.pavilion.queue.QueueEngine.TimedFact;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.LoggedFact;
import org.pavilion.session.SessionLog;
import org.pavilion.storage.JdbcSessionStore;

/**
 * A simulation's final report: what the simulated workers did (as the simulator saw it) and
 * what the server made of it (waiting times, idle gaps in the active queue from the session's
 * event log, and the waiting pay the server computed).
 *
 * @param outcomes simulated workers per outcome
 * @param served workers the session admitted (they appear in its queues' history)
 * @param promoted workers told start_your_task
 * @param reloads page reloads done
 * @param waitMeanMs mean server-measured waiting time of the served workers
 * @param waitP50Ms median of those
 * @param waitMaxMs longest of those
 * @param idleGapMs total time, after the session started, with fewer active workers than maxActive
 * @param idleGaps number of such gaps
 * @param longestIdleGapMs the longest one
 * @param payOwedCents the waiting pay the server owes, summed over served workers
 * @param serverStatuses the server's final status of each simulated worker, counted
 * @param pay the pay ledger's totals for the session and what the marketplace paid
 * @param lost workers whose page the session admitted but who are missing from the server's records
 * @param longestStallMs the longest time, after the start, the active queue stayed below maxActive while the
 *        waiting queue held more than minWaiting workers (a move was possible and not made)
 * @param thresholds the session's queue thresholds
 */
public record SimulationReport(int planned, Map<CrowdSimulator.Outcome, Integer> outcomes, int served, int promoted,
                               int reloads, long waitMeanMs, long waitP50Ms, long waitMaxMs, long idleGapMs,
                               int idleGaps, long longestIdleGapMs, long payOwedCents,
                               Map<WorkerStatus, Integer> serverStatuses, long elapsedMs, PayTotals pay,
                               int lost, long longestStallMs, Thresholds thresholds) {

    /**
     * A healthy run's bound on a stall: once a place on the task is free and a worker is waiting for it, the
     * server moves the worker within the same event, so anything near a second is a fault.
     */
    public static final long STALL_LIMIT_MS = 1_000;

    /**
     * Pay, from the ledger and from the marketplace: waiting pay settled, bonuses paid and still due,
     * owed to workers whose assignments cannot carry a bonus, approvals, and the bonuses the marketplace
     * lists for the session's assignments (equal to {@code bonusesPaidCents} once everything is sent).
     */
    public record PayTotals(int payouts, long waitingPayCents, long bonusesPaidCents, long bonusesDueCents,
                            long owedCents, int approved, long marketplaceBonusCents) {

        static PayTotals of(List<PayLedger.Payout> ledger, LocalMarketplace market) {
            long waiting = 0;
            long paid = 0;
            long due = 0;
            long owed = 0;
            int approved = 0;
            long listed = 0;
            for (PayLedger.Payout p : ledger) {
                waiting += p.waitingPay().cents();
                switch (p.bonusState()) {
                    case PAID -> paid += p.bonus().cents();
                    case OWED, COMPENSATING -> owed += p.bonusAmount().cents();
                    case PENDING, DUE, SENT, FAILED -> due += p.bonusAmount().cents();
                    default -> { }
                }
                if (p.approvalState() == PayoutState.Approval.APPROVED) {
                    approved++;
                }
                listed += market.bonusesForAssignment(p.assignmentId()).stream()
                        .filter(b -> b.workerId().equals(p.workerId())).mapToLong(b -> b.amount().cents()).sum();
            }
            return new PayTotals(ledger.size(), waiting, paid, due, owed, approved, listed);
        }
    }

    public static SimulationReport of(CrowdSimulator sim, int planned, LiveSessionService sessions,
                                      JdbcSessionStore store, PayLedger ledger, LocalMarketplace market)
            throws Exception {
        long s = sim.sessionId();
        QueueSnapshot snapshot = sessions.snapshot(s);
        Map<String, CrowdSimulator.WorkerResult> results = sim.results();
        List<Long> waits = new ArrayList<>();
        long pay = 0;
        Map<WorkerStatus, Integer> statuses = new EnumMap<>(WorkerStatus.class);
        Instant now = Instant.now();
        for (String id : results.keySet()) {
            QueueSnapshot.WorkerView view = snapshot.workers().get(id);
            if (view == null) {
                continue;
            }
            long waited = view.waitedMillis() + (view.waitingSince() == null ? 0
                    : Math.max(0, Duration.between(view.waitingSince(), now).toMillis()));
            waits.add(waited);
            pay += sessions.waitingPayCents(s, id).get(10, TimeUnit.SECONDS);
            statuses.merge(view.status(), 1, Integer::sum);
        }
        Collections.sort(waits);
        long mean = waits.isEmpty() ? 0 : Math.round(waits.stream().mapToLong(Long::longValue).average().orElse(0));
        long p50 = waits.isEmpty() ? 0 : waits.get((waits.size() - 1) / 2);
        long max = waits.isEmpty() ? 0 : waits.get(waits.size() - 1);
        Thresholds thresholds = sessions.config(s).thresholds();
        List<LoggedFact> facts = store.loadSession(s).map(SessionLog::facts).orElse(List.of());
        long[] gaps = idleGaps(facts, thresholds.maxActive(), now);
        int promoted = (int) results.values().stream().filter(CrowdSimulator.WorkerResult::promoted).count();
        int reloads = results.values().stream().mapToInt(CrowdSimulator.WorkerResult::reloads).sum();
        int lost = (int) results.values().stream()
                .filter(r -> r.admitted() && !snapshot.workers().containsKey(r.workerId())).count();
        return new SimulationReport(planned, sim.outcomeCounts(), waits.size(), promoted, reloads, mean, p50, max,
                gaps[0], (int) gaps[1], gaps[2], pay, statuses, sim.elapsedMs(),
                PayTotals.of(ledger.forSession(s), market), lost, longestStall(facts, thresholds, now), thresholds);
    }

    /**
     * Idle time of the active queue from a session's event log: after the session started, the
     * time with fewer than {@code maxActive} active workers, up to {@code end}. Returns
     * {total ms, number of gaps, longest ms}.
     */
    static long[] idleGaps(List<LoggedFact> facts, int maxActive, Instant end) {
        Set<String> active = new HashSet<>();
        boolean started = false;
        boolean ended = false;
        Instant gapFrom = null;
        long total = 0;
        long count = 0;
        long longest = 0;
        for (LoggedFact logged : facts) {
            TimedFact tf = logged.fact();
            if (ended) {
                break;
            }
            if (tf.fact() instanceof Decision.PhaseChange pc) {
                if (pc.phase() == Decision.Phase.STARTED) {
                    started = true;
                } else {
                    ended = true;
                }
            } else if (tf.fact() instanceof Decision.StatusChange sc) {
                if (sc.to() == WorkerStatus.ACTIVE) {
                    active.add(sc.workerId());
                } else {
                    active.remove(sc.workerId());
                }
            }
            boolean idle = started && !ended && active.size() < maxActive;
            if (idle && gapFrom == null) {
                gapFrom = tf.at();
            } else if (!idle && gapFrom != null) {
                long gap = Duration.between(gapFrom, tf.at()).toMillis();
                total += gap;
                count++;
                longest = Math.max(longest, gap);
                gapFrom = null;
            }
        }
        if (gapFrom != null) {
            long gap = Math.max(0, Duration.between(gapFrom, end).toMillis());
            total += gap;
            count++;
            longest = Math.max(longest, gap);
        }
        return new long[] {total, count, longest};
    }

    /**
     * The longest stall in a session's event log: after the start and before the end, a time in which a move was
     * possible (SPEC §3: waiting above minWaiting, active below maxActive) and the server had not made it.
     * Facts of one event share its time, so a move made within the event is no stall at all.
     */
    static long longestStall(List<LoggedFact> facts, Thresholds t, Instant end) {
        Set<String> active = new HashSet<>();
        Set<String> waiting = new HashSet<>();
        boolean started = false;
        Instant stallFrom = null;
        long longest = 0;
        for (LoggedFact logged : facts) {
            TimedFact tf = logged.fact();
            if (tf.fact() instanceof Decision.PhaseChange pc) {
                if (pc.phase() != Decision.Phase.STARTED) {
                    end = tf.at(); // stopped or expired: no moves are due after this
                    break;
                }
                started = true;
            } else if (tf.fact() instanceof Decision.StatusChange sc) {
                active.remove(sc.workerId());
                waiting.remove(sc.workerId());
                if (sc.to() == WorkerStatus.ACTIVE) {
                    active.add(sc.workerId());
                } else if (sc.to() == WorkerStatus.WAITING) {
                    waiting.add(sc.workerId());
                }
            }
            boolean stalled = started && waiting.size() > t.minWaiting() && active.size() < t.maxActive();
            if (stalled && stallFrom == null) {
                stallFrom = tf.at();
            } else if (!stalled && stallFrom != null) {
                longest = Math.max(longest, Duration.between(stallFrom, tf.at()).toMillis());
                stallFrom = null;
            }
        }
        if (stallFrom != null) {
            longest = Math.max(longest, Duration.between(stallFrom, end).toMillis());
        }
        return longest;
    }

    /** Every planned worker finished (the simulator has an outcome for each). */
    public boolean everyWorkerFinished() {
        return outcomes.values().stream().mapToInt(Integer::intValue).sum() == planned;
    }

    /** Every admitted worker was paid: no bonus still due or failed, and the marketplace lists what the ledger paid. */
    public boolean everyoneAdmittedPaid() {
        return pay.bonusesDueCents() == 0 && pay.marketplaceBonusCents() == pay.bonusesPaidCents();
    }

    /** The active queue was refilled within {@link #STALL_LIMIT_MS} whenever a waiting worker could fill it. */
    public boolean refilledInTime() {
        return longestStallMs <= STALL_LIMIT_MS;
    }

    /** Healthy: every worker finished, nothing lost, every admitted worker paid, the active queue refilled in time. */
    public boolean healthy() {
        return everyWorkerFinished() && lost == 0 && everyoneAdmittedPaid() && refilledInTime();
    }

    /** What is wrong, in plain words (empty when healthy). */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!everyWorkerFinished()) {
            problems.add("only " + outcomes.values().stream().mapToInt(Integer::intValue).sum() + " of " + planned
                    + " simulated workers finished");
        }
        if (lost > 0) {
            problems.add(lost + " worker(s) the session admitted are missing from the server's records (lost)");
        }
        if (pay.bonusesDueCents() != 0) {
            problems.add(money(pay.bonusesDueCents()) + " of bonuses is still due or failed (not paid)");
        }
        if (pay.marketplaceBonusCents() != pay.bonusesPaidCents()) {
            problems.add("the marketplace lists " + money(pay.marketplaceBonusCents()) + " of bonuses but the "
                    + "ledger paid " + money(pay.bonusesPaidCents()));
        }
        if (!refilledInTime()) {
            problems.add(String.format("a free place on the task stayed empty for %.1f s while a worker waited "
                    + "(healthy: at most %.1f s)", longestStallMs / 1000.0, STALL_LIMIT_MS / 1000.0));
        }
        return problems;
    }

    private static String money(long cents) {
        return Money.ofCents(cents).display();
    }

    private int outcome(CrowdSimulator.Outcome o) {
        return outcomes.getOrDefault(o, 0);
    }

    /** The report as text, for the console: each number says what it counts, and the verdict says what it means. */
    public String text() {
        String verdict = healthy()
                ? "HEALTHY: every worker finished, nothing was lost, every admitted worker was paid, and the active "
                        + "queue was refilled at once whenever a waiting worker could fill it."
                : "UNHEALTHY: " + String.join("; ", problems()) + ".";
        int places = thresholds.maxActive() + thresholds.maxWaiting();
        return String.format("""
                Simulation report: %d simulated workers, %.1f s
                Verdict: %s
                  (Healthy means: every simulated worker finished; every worker the session admitted is in the
                  server's records with a final status; no bonus is still due or failed, and the marketplace lists
                  exactly the bonuses the pay ledger paid; a free place on the task never stayed empty more than
                  %.1f s while a worker waited for it.)
                What the simulated workers did:
                  %d admitted by the session (joined its waiting room); %d of them moved on to the task; %d page reload(s)
                  %d submitted their HIT, %d returned it, %d abandoned it, %d lost their connection for good
                  %d were told the job is full (both queues were full when they arrived)
                  %s
                What the server recorded:
                  final statuses of the admitted workers: %s
                  time in the waiting room (admitted workers): mean %.1f s, median %.1f s, longest %.1f s
                  fewer than maxActive (%d) workers on the task after the start: %.1f s in all, over %d period(s),
                    longest %.1f s; of that, with a worker waiting who could have filled the place: longest %.1f s
                    (the rest is time with no worker to spare: the crowd's supply, not the server)
                  waiting pay the server computed for the admitted workers: %s
                Pay:
                  pay ledger: %d payouts; waiting pay %s; bonuses paid %s, still due or failed %s, owed through a
                    compensation HIT %s; %d submissions approved
                  marketplace: bonuses it lists as paid %s (should equal "bonuses paid" above)
                """, planned, elapsedMs / 1000.0, verdict, STALL_LIMIT_MS / 1000.0,
                served, promoted, reloads,
                outcome(CrowdSimulator.Outcome.SUBMITTED), outcome(CrowdSimulator.Outcome.RETURNED),
                outcome(CrowdSimulator.Outcome.ABANDONED), outcome(CrowdSimulator.Outcome.DROPPED),
                outcome(CrowdSimulator.Outcome.JOB_FULL), noHit(places),
                statuses(), waitMeanMs / 1000.0, waitP50Ms / 1000.0, waitMaxMs / 1000.0,
                thresholds.maxActive(), idleGapMs / 1000.0, idleGaps, longestIdleGapMs / 1000.0,
                longestStallMs / 1000.0, money(payOwedCents),
                pay.payouts(), money(pay.waitingPayCents()), money(pay.bonusesPaidCents()),
                money(pay.bonusesDueCents()), money(pay.owedCents()), pay.approved(),
                money(pay.marketplaceBonusCents()));
    }

    /** The workers who found no open HIT, and why that is no fault when there are any. */
    private String noHit(int places) {
        int n = outcome(CrowdSimulator.Outcome.NO_HIT);
        if (n == 0) {
            return "0 found no open HIT";
        }
        return n + " found no open HIT: they came while every place was taken. This is expected when the crowd "
                + "is\n    larger than the task's places (maxActive " + thresholds.maxActive() + " + maxWaiting "
                + thresholds.maxWaiting() + " = " + places + "); new HITs are posted only as\n    places free up.";
    }

    /** "3 submitted, 1 returned" (the server's statuses, in its words). */
    private String statuses() {
        if (serverStatuses.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        serverStatuses.forEach((status, n) -> parts.add(n + " " + status.name().toLowerCase(java.util.Locale.ROOT)));
        return String.join(", ", parts);
    }
}
