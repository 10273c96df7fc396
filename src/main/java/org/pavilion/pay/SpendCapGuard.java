package org.pavilion.pay;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.pavilion.queue.Decision.PayDue;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.PavilionException;
import org.pavilion.queue.QueueEvent;
import org.pavilion.session.HireBudget;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.OutcomeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The spending cap counts pay too (SPEC §4.9): when a session with a cap settles pay, what is left of
 * the cap after its pay (bonuses and owed amounts, with MTurk's fees) is what its hires may still cost,
 * so the hire budget is lowered to the hires that remainder pays for (never below the hires made: the
 * engine refuses that, and those are spent). Pay itself is never withheld: it was earned.
 */
public final class SpendCapGuard implements OutcomeListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SpendCapGuard.class);

    private final JdbcTemplate jdbc;
    private final ObjectProvider<LiveSessionService> sessions;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pavilion-spend-cap");
        t.setDaemon(true);
        return t;
    });

    public SpendCapGuard(JdbcTemplate jdbc, ObjectProvider<LiveSessionService> sessions) {
        this.jdbc = jdbc;
        this.sessions = sessions;
    }

    @Override
    public void committed(long sessionId, Outcome outcome) {
        if (outcome.facts().stream().anyMatch(PayDue.class::isInstance)) {
            worker.execute(() -> check(sessionId)); // off the commit thread: it reads and submits
        }
    }

    /** Lowers the session's hire budget to what its cap still pays for; returns the budget it asked for, or -1. */
    public int check(long sessionId) {
        List<long[]> capAndReward = jdbc.query("select s.spend_cap_cents, t.reward_cents from live_session s "
                + "join task t on t.id = s.task_id where s.id = ? and s.spend_cap_cents is not null and not s.expired",
                (rs, row) -> new long[] {rs.getLong(1), rs.getLong(2)}, sessionId);
        if (capAndReward.isEmpty()) {
            return -1;
        }
        long cap = capAndReward.get(0)[0];
        long hireCost = HireBudget.costOfOneHireCents(Math.toIntExact(capAndReward.get(0)[1]));
        Money pay = Money.ZERO;
        for (long cents : jdbc.queryForList("select coalesce(bonus_cents, waiting_cents) from payout where session_id = ? "
                + "and bonus_state not in ('NONE', 'CANCELLED')", Long.class, sessionId)) {
            Money amount = Money.ofCents(cents);
            pay = pay.plus(amount).plus(MarketplaceFees.onBonus(amount));
        }
        long left = Math.max(0, cap - pay.cents());
        try {
            LiveSessionService live = sessions.getObject();
            int made = live.read(sessionId, e -> e.snapshot().hires()).join();
            int budget = live.read(sessionId, e -> e.hireBudget()).join();
            int affordable = hireCost == 0 ? budget : (int) Math.min(budget, Math.max(made, left / hireCost));
            if (affordable < budget) {
                live.apply(sessionId, new QueueEvent.SetHireBudget(affordable, "spending cap"), "system");
                log.info("session {}: pay of {} leaves {} of the {} cap for hires: hire budget {} -> {}", sessionId,
                        pay.display(), Money.ofCents(left).display(), Money.ofCents(cap).display(), budget, affordable);
                return affordable;
            }
            return budget;
        } catch (PavilionException | java.util.concurrent.CompletionException e) {
            log.debug("session {}: spending cap not applied: {}", sessionId, e.getMessage());
            return -1;
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
