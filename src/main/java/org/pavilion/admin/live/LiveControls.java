package org.pavilion.admin.live;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.marketplace.MarketplaceSettings.Mode;
import org.pavilion.marketplace.Marketplaces;
import org.pavilion.project.Task;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.UnknownTaskException;
import org.pavilion.session.GoLiveOptions;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Decision;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.session.LiveSessionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/**
 * The admin's live controls (SPEC §4.4–4.6, the hire budget of §4.2, and going live). Each is
 * applied through the session service with the actor {@code admin:<email>} and the admin in the
 * event itself, so the event log records who did it. Refusals are the service's own exceptions
 * (unknown session, ended session), bad counts and budgets; marketplace refusals of a go-live are {@link org.pavilion.marketplace.MarketplaceException}s.
 */
@Service
public class LiveControls {

    private static final Logger log = LoggerFactory.getLogger(LiveControls.class);

    private final MarketplaceService marketplace;
    private final LiveSessionService sessions;
    private final ApplicationEventPublisher events;
    private final GoLiveBudget budget;
    private final TaskRepository tasks;

    public LiveControls(MarketplaceService marketplace, LiveSessionService sessions, ApplicationEventPublisher events,
                        GoLiveBudget budget, TaskRepository tasks) {
        this.tasks = tasks;
        this.marketplace = marketplace;
        this.sessions = sessions;
        this.events = events;
        this.budget = budget;
    }

    /** Published once a session went live (the metrics start watching it at once). */
    public record SessionWentLive(long sessionId, long taskId, String admin) {
    }

    /** What an action did: {@code changed} is false when the session already was that way. */
    public record Result(String action, long sessionId, boolean changed, int migrated, String message) {
    }

    /** The actor recorded in the event log for an admin. */
    public static String actor(String admin) {
        return "admin:" + admin;
    }

    /**
     * Posts the task as a new session, once the marketplace's balance covers the first hour
     * ({@link GoLiveBudget}). A balance that is short or cannot be read is a {@link GoLiveBudget.LowBalanceException}
     * unless {@code confirmLowBalance}; nothing is opened or posted then.
     */
    public MarketplaceService.Posted goLive(long taskId, String admin, boolean confirmLowBalance) {
        return goLive(taskId, admin, confirmLowBalance, null);
    }

    /**
     * {@link #goLive(long, String, boolean)} once per click: a repeat of the same {@code nonce} (a double
     * submit of the go-live form, a retried API call with the same Idempotency-Key) answers what the
     * first did, opening no second session and posting no second HIT.
     */
    public MarketplaceService.Posted goLive(long taskId, String admin, boolean confirmLowBalance, String nonce) {
        return goLive(taskId, admin, confirmLowBalance, nonce, GoLiveChoices.NONE);
    }

    /**
     * {@link #goLive(long, String, boolean, String)} with the admin's choices for this session (name, thresholds,
     * marketplace, {@link GoLiveChoices}); the balance is checked on the chosen marketplace for the chosen
     * thresholds. A bad choice is an {@link org.pavilion.queue.InvalidConfigurationException}: nothing is opened.
     */
    public MarketplaceService.Posted goLive(long taskId, String admin, boolean confirmLowBalance, String nonce,
                                            GoLiveChoices choices) {
        Task task = tasks.find(taskId).orElseThrow(() -> new UnknownTaskException(taskId));
        GoLiveBudget.Chosen chosen = budget.choose(task, choices);
        GoLiveOptions options = chosen.options();
        Mode mode = chosen.mode();
        GoLiveEstimate estimate = budget.estimate(task, chosen);
        if (estimate.confirmationRequired()) {
            if (!confirmLowBalance) {
                log.info("go-live of task {} by admin {} refused: {}", taskId, admin, estimate.message());
                throw new GoLiveBudget.LowBalanceException(estimate);
            }
            log.warn("admin {} confirmed going live with task {} although: {}", admin, taskId, estimate.message());
        }
        MarketplaceService.Posted posted = marketplace.goLive(taskId, admin, nonce, options);
        log.info("admin {} took task {} live on {}: session {}{}", admin, taskId, Marketplaces.key(mode),
                posted.sessionId(), options.thresholds() == null ? "" : " with thresholds " + options.thresholds());
        events.publishEvent(new SessionWentLive(posted.sessionId(), taskId, admin));
        return posted;
    }

    /** SPEC §4.4: hiring off, every connected worker told to submit. */
    public Result stop(long sessionId, String admin) {
        Outcome outcome = await(sessions.submit(sessionId, new QueueEvent.Stop(admin), actor(admin), "stop"));
        boolean changed = outcome.changesState();
        log.info("admin {} stopped session {}{}", admin, sessionId, changed ? "" : " (already stopped)");
        return new Result("stop", sessionId, changed, 0, changed
                ? "The job is stopped: hiring is off and every connected worker was told to submit."
                : "The job was already stopped.");
    }

    /** SPEC §4.5: the session ends; its HITs are expired at the marketplace. */
    public Result expire(long sessionId, String admin) {
        await(sessions.submit(sessionId, new QueueEvent.Expire(admin), actor(admin), "expire"));
        log.info("admin {} expired session {}", admin, sessionId);
        return new Result("expire", sessionId, true, 0,
                "The session has ended: its HITs are being expired at the marketplace.");
    }

    /** SPEC §4.6: up to {@code count} oldest waiting workers to active, within maxActive unless forced. */
    public Result migrate(long sessionId, int count, boolean force, String admin) {
        if (count < 1) {
            throw BadCountException.of(count);
        }
        String detail = "migrate " + count + (force ? " (force past maxActive)" : "");
        Outcome outcome = await(sessions.submit(sessionId, new QueueEvent.Migrate(count, force, admin), actor(admin),
                detail));
        int moved = (int) outcome.statusChanges().stream()
                .filter(c -> c.cause() == Decision.Cause.MIGRATED).count();
        log.info("admin {} migrated {} of {} asked in session {}{}", admin, moved, count, sessionId,
                force ? " (forced)" : "");
        String message;
        if (moved == 0) {
            boolean noneWaiting = sessions.published(sessionId).waiting().isEmpty();
            message = noneWaiting || force ? "No worker was moved: the waiting queue is empty."
                    : "No worker was moved: the active queue is at maxActive. Tick \"force past maxActive\" to move "
                    + "workers beyond it.";
        } else {
            message = String.format(Locale.ROOT, "%d worker%s moved to the active queue%s.", moved,
                    moved == 1 ? "" : "s", moved < count ? " (" + count + " asked)" : "");
        }
        return new Result("migrate", sessionId, moved > 0 || outcome.changesState(), moved, message);
    }

    /**
     * SPEC §4.2: the number of hires the session may make in all. Hires the budget withheld are made at
     * once, as far as the new budget allows. A budget below the hires already made is refused
     * ({@link BadBudgetException}): those hires cannot be undone, and a lower one would only look like it.
     */
    public Result setHireBudget(long sessionId, int budget, String admin) {
        if (budget < 0 || budget > MAX_HIRE_BUDGET) {
            throw new BadBudgetException("the hire budget must be a whole number of hires from 0 to "
                    + MAX_HIRE_BUDGET + " (was " + budget + ")");
        }
        // Checked against the queues as they are now; a hire made between this read and the event only
        // leaves the budget at or below the hires made, which stops hiring: the intent of a lower budget.
        QueueSnapshot before = sessions.snapshot(sessionId);
        if (!before.expired() && budget < before.hires()) { // an ended session is refused as such below
            throw new BadBudgetException("the hire budget cannot be lower than the " + before.hires()
                    + (before.hires() == 1 ? " hire" : " hires") + " already made (asked " + budget + ")");
        }
        Outcome outcome = await(sessions.submit(sessionId, new QueueEvent.SetHireBudget(budget, admin), actor(admin),
                "hire budget " + budget));
        int made = (int) outcome.hires().stream().filter(h -> h.cause() == Decision.Cause.BUDGET_RAISED).count();
        boolean changed = outcome.changesState();
        log.info("admin {} set the hire budget of session {} to {}{}", admin, sessionId, budget,
                changed ? " (" + made + " withheld hires made)" : " (unchanged)");
        String message;
        if (!changed) {
            message = "The hire budget was already " + budget + ".";
        } else if (made > 0) {
            message = String.format(Locale.ROOT, "Hire budget set to %d: %d withheld hire%s made now.", budget, made,
                    made == 1 ? "" : "s");
        } else {
            message = "Hire budget set to " + budget + ".";
        }
        return new Result("hire-budget", sessionId, changed, 0, message);
    }

    /** The largest hire budget an admin may set (the same limit as a task's). */
    public static final int MAX_HIRE_BUDGET = TaskSettings.MAX_HIRE_BUDGET;

    /** A hire budget that is not a count of hires, or is below the hires already made. */
    public static final class BadBudgetException extends RuntimeException {
        public BadBudgetException(String message) {
            super(message);
        }
    }

    /** A migrate count below 1. */
    public static final class BadCountException extends RuntimeException {
        public BadCountException(String message) {
            super(message);
        }

        public static BadCountException of(long count) {
            return new BadCountException("count must be a whole number of at least 1 (was " + count + ")");
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }
}
