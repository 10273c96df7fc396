package org.pavilion.admin.pay;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.pavilion.admin.live.SessionViews;
import org.pavilion.admin.pay.PaymentQueries.SessionPay;
import org.pavilion.admin.pay.PaymentsView.Amount;
import org.pavilion.admin.pay.PaymentsView.Row;
import org.pavilion.pay.MarketplaceFees;
import org.pavilion.pay.Money;
import org.pavilion.pay.PayLedger;
import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.pay.PayoutState.Approval;
import org.pavilion.pay.PayoutState.Bonus;
import org.pavilion.project.UnknownProjectException;
import org.pavilion.session.UnknownSessionException;
import org.springframework.stereotype.Service;

/**
 * Builds the payments view of a session or a project from the pay ledger: each payout with its amounts,
 * MTurk's fees, and its two ledger items' states in words; and the totals (see {@link PaymentsView.Totals}).
 * Read only.
 */
@Service
public class PaymentViews {

    private final PayLedger ledger;
    private final PaymentQueries queries;
    private final Clock clock;

    public PaymentViews(PayLedger ledger, PaymentQueries queries, Clock clock) {
        this.ledger = ledger;
        this.queries = queries;
        this.clock = clock;
    }

    /** A session's payments; an unknown session throws {@link UnknownSessionException}. */
    public PaymentsView session(long sessionId) {
        SessionPay s = queries.session(sessionId).orElseThrow(() -> new UnknownSessionException(sessionId));
        List<Row> rows = rows(List.of(s), ledger.forSession(sessionId));
        return view("session", sessionId, sessionId, s.projectId(), "Session " + sessionId + ": " + s.taskTitle(),
                s.status(), s.approvalPolicy().name().toLowerCase(Locale.ROOT), !s.expired(), rows);
    }

    /** A project's payments, every session of every task; an unknown project throws {@link UnknownProjectException}. */
    public PaymentsView project(long projectId) {
        String name = queries.projectName(projectId).orElseThrow(() -> new UnknownProjectException(projectId));
        List<SessionPay> sessions = queries.projectSessions(projectId);
        List<Row> rows = rows(sessions, ledger.forProject(projectId));
        return view("project", projectId, null, projectId, name, null, null,
                sessions.stream().anyMatch(s -> !s.expired()), rows);
    }

    private PaymentsView view(String scope, long id, Long sessionId, long projectId, String title, String status,
                              String approval, boolean sessionOpen, List<Row> rows) {
        Money paid = Money.ZERO;
        Money due = Money.ZERO;
        Money owed = Money.ZERO;
        Money fees = Money.ZERO;
        int review = 0;
        int failed = 0;
        int owedCount = 0;
        boolean settling = sessionOpen;
        for (Row r : rows) {
            Bonus b = Bonus.valueOf(r.bonusState().toUpperCase(Locale.ROOT));
            Approval a = Approval.valueOf(r.approvalState().toUpperCase(Locale.ROOT));
            Money bonus = Money.ofCents(r.bonus().cents());
            switch (bonusKind(b)) {
                case PAID -> paid = paid.plus(bonus);
                case DUE -> due = due.plus(bonus);
                case OWED -> owed = owed.plus(bonus);
                case NONE -> { }
            }
            Money reward = Money.ofCents(r.reward().cents());
            switch (rewardKind(a, b)) {
                case PAID -> paid = paid.plus(reward);
                case DUE -> due = due.plus(reward);
                default -> { }
            }
            fees = fees.plus(Money.ofCents(r.fees().cents()));
            review += r.canReview() ? 1 : 0;
            failed += r.canRetry() ? 1 : 0;
            owedCount += b == Bonus.OWED ? 1 : 0;
            settling |= settling(b, a);
        }
        Money grand = paid.plus(due).plus(owed).plus(fees);
        return new PaymentsView(scope, id, sessionId, projectId, title, status, approval, settling, rows,
                new PaymentsView.Totals(Amount.of(paid), Amount.of(due), Amount.of(owed), Amount.of(fees),
                        Amount.of(grand)),
                new PaymentsView.Counts(rows.size(), review, failed, owedCount), iso(clock.instant()));
    }

    /** Where an amount stands in the totals. */
    enum Kind { PAID, DUE, OWED, NONE }

    static Kind bonusKind(Bonus b) {
        return switch (b) {
            case PAID, COMPENSATED -> Kind.PAID;
            case PENDING, DUE, SENT, FAILED -> Kind.DUE;
            case OWED, COMPENSATING -> Kind.OWED;
            case NONE, CANCELLED -> Kind.NONE;
        };
    }

    /**
     * The reward is paid by the approval: paid once approved; due while the approval (or the review, or the
     * ending of an assignment open at the session's end) is to come; nothing for returned, abandoned or
     * rejected work.
     */
    static Kind rewardKind(Approval a, Bonus b) {
        return switch (a) {
            case APPROVED -> Kind.PAID;
            case PENDING, REVIEW, DUE -> Kind.DUE;
            case FAILED -> b == Bonus.CANCELLED ? Kind.NONE : Kind.DUE; // a failed rejection pays no reward
            case REJECT_DUE, REJECTED, NONE -> Kind.NONE;
        };
    }

    private static boolean settling(Bonus b, Approval a) {
        return switch (b) {
            case PENDING, DUE, SENT, OWED, COMPENSATING -> true;
            default -> switch (a) {
                case PENDING, REVIEW, DUE, REJECT_DUE -> true;
                default -> false;
            };
        };
    }

    private List<Row> rows(List<SessionPay> sessions, List<Payout> payouts) {
        Map<Long, SessionPay> byId = sessions.stream().collect(Collectors.toMap(SessionPay::id, Function.identity()));
        List<Long> ids = List.copyOf(byId.keySet());
        Map<Long, Map<String, String>> hits = queries.hitsOfAssignments(ids);
        Map<Long, Map<String, Long>> unattached = queries.unattachedTaskBonuses(ids);
        // Task bonuses not yet attached join the next bonus of the worker that is fixed: show them on that one.
        Set<String> shown = new HashSet<>();
        List<Row> rows = new ArrayList<>(payouts.size());
        for (Payout p : payouts) {
            SessionPay s = byId.get(p.sessionId());
            if (s == null) {
                continue; // a session opened after the sessions were read
            }
            Money tasks;
            if (p.bonus() != null) {
                tasks = p.taskBonuses() == null ? Money.ZERO : p.taskBonuses();
            } else if (takesTaskBonuses(p.bonusState()) && shown.add(p.sessionId() + "\n" + p.workerId())) {
                tasks = Money.ofCents(unattached.getOrDefault(p.sessionId(), Map.of()).getOrDefault(p.workerId(), 0L));
            } else {
                tasks = Money.ZERO;
            }
            String hitId = hits.getOrDefault(p.sessionId(), Map.of()).get(p.assignmentId());
            rows.add(row(p, s, hitId, tasks));
        }
        return rows;
    }

    private static boolean takesTaskBonuses(Bonus b) {
        return b == Bonus.PENDING || b == Bonus.DUE || b == Bonus.SENT || b == Bonus.FAILED;
    }

    static Row row(Payout p, SessionPay s, String hitId, Money taskBonuses) {
        // Unknown HIT: the first HIT's size, so that the fee is never underestimated.
        int hitAssignments = hitId == null || hitId.equals(s.firstHitId()) ? s.firstHitAssignments() : 1;
        Money bonus = p.bonus() != null ? p.bonus() : p.waitingPay().plus(taskBonuses);
        Bonus b = p.bonusState();
        Approval a = p.approvalState();
        Money bonusFee = switch (bonusKind(b)) {
            case NONE -> Money.ZERO;
            // owed work is paid as the reward of a one-assignment compensation HIT
            case OWED -> MarketplaceFees.onReward(bonus, 1);
            default -> b == Bonus.COMPENSATED ? MarketplaceFees.onReward(bonus, 1) : MarketplaceFees.onBonus(bonus);
        };
        Money reward = rewardKind(a, b) == Kind.NONE ? Money.ZERO : s.reward();
        Money rewardFee = MarketplaceFees.onReward(reward, hitAssignments);
        return new Row(p.id(), p.sessionId(), p.workerId(), p.assignmentId(), hitId, hitAssignments,
                p.ending().name().toLowerCase(Locale.ROOT), PaymentWords.ending(p.ending()), p.waitedMillis(),
                SessionViews.duration(p.waitedMillis() / 1000), Amount.of(p.waitingPay()), Amount.of(taskBonuses),
                p.bonus() != null, Amount.of(bonus), Amount.of(reward), Amount.of(bonusFee), Amount.of(rewardFee),
                Amount.of(bonusFee.plus(rewardFee)), b.name().toLowerCase(Locale.ROOT), PaymentWords.bonus(p),
                a.name().toLowerCase(Locale.ROOT), PaymentWords.approval(p), p.lastError(), p.feedback(),
                p.attempts(), iso(p.nextAttemptAt()), iso(p.updatedAt()), a == Approval.REVIEW,
                b == Bonus.FAILED || a == Approval.FAILED);
    }

    static String iso(Instant at) {
        return at == null ? null : at.toString();
    }
}
