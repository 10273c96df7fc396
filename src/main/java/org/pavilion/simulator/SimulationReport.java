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
 */
public record SimulationReport(int planned, Map<CrowdSimulator.Outcome, Integer> outcomes, int served, int promoted,
                               int reloads, long waitMeanMs, long waitP50Ms, long waitMaxMs, long idleGapMs,
                               int idleGaps, long longestIdleGapMs, long payOwedCents,
                               Map<WorkerStatus, Integer> serverStatuses, long elapsedMs, PayTotals pay) {

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
        int maxActive = sessions.config(s).thresholds().maxActive();
        long[] gaps = idleGaps(store.loadSession(s).map(SessionLog::facts).orElse(List.of()), maxActive, now);
        int promoted = (int) results.values().stream().filter(CrowdSimulator.WorkerResult::promoted).count();
        int reloads = results.values().stream().mapToInt(CrowdSimulator.WorkerResult::reloads).sum();
        return new SimulationReport(planned, sim.outcomeCounts(), waits.size(), promoted, reloads, mean, p50, max,
                gaps[0], (int) gaps[1], gaps[2], pay, statuses, sim.elapsedMs(),
                PayTotals.of(ledger.forSession(s), market));
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

    /** The report as text, for the console. */
    public String text() {
        return String.format("""
                Simulation report (%.1f s)
                  workers planned: %d; served (admitted by the session): %d; promoted to active: %d; reloads: %d
                  outcomes (simulator): %s
                  final statuses (server): %s
                  waiting time (server): mean %.1f s, p50 %.1f s, max %.1f s
                  active queue below maxActive after start: %.1f s in %d gap(s), longest %.1f s
                  waiting pay earned (server): %s
                  pay ledger: %d payouts, waiting pay %s, bonuses paid %s, due %s, owed %s; %d approved
                  marketplace: bonuses paid %s
                """, elapsedMs / 1000.0, planned, served, promoted, reloads, outcomes, serverStatuses,
                waitMeanMs / 1000.0, waitP50Ms / 1000.0, waitMaxMs / 1000.0, idleGapMs / 1000.0, idleGaps,
                longestIdleGapMs / 1000.0, Money.ofCents(payOwedCents).display(), pay.payouts(),
                Money.ofCents(pay.waitingPayCents()).display(), Money.ofCents(pay.bonusesPaidCents()).display(),
                Money.ofCents(pay.bonusesDueCents()).display(), Money.ofCents(pay.owedCents()).display(),
                pay.approved(), Money.ofCents(pay.marketplaceBonusCents()).display());
    }
}
