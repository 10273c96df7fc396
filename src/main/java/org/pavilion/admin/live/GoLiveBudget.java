package org.pavilion.admin.live;

import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.marketplace.MarketplaceSettings.Mode;
import org.pavilion.marketplace.Marketplaces;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.GoLiveOptions;
import org.pavilion.session.HireBudget;
import org.pavilion.pay.Money;
import org.pavilion.pay.SessionCostEstimate;
import org.pavilion.project.Task;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.project.UnknownTaskException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * The budget before go-live (issue 11 item 5): the marketplace account's balance next to what a session
 * of the task would cost ({@link SessionCostEstimate}), and the task's spending cap. Going live is refused
 * ({@link LowBalanceException}) when the balance does not cover the first hour, or cannot be read, unless
 * the admin confirms.
 */
@Service
public class GoLiveBudget {

    private static final Logger log = LoggerFactory.getLogger(GoLiveBudget.class);
    private static final int MAX_PROBLEM_LENGTH = 200;

    private final ObjectProvider<Marketplaces> marketplaces;
    private final TaskRepository tasks;

    public GoLiveBudget(ObjectProvider<Marketplaces> marketplaces, TaskRepository tasks) {
        this.marketplaces = marketplaces;
        this.tasks = tasks;
    }

    /** The estimate for a stored task; an unknown one is an {@link UnknownTaskException}. */
    public GoLiveEstimate estimate(long taskId) {
        return estimate(tasks.find(taskId).orElseThrow(() -> new UnknownTaskException(taskId)));
    }

    /** An admin's Go live choices, checked: the session's options (its marketplace set) and that marketplace. */
    public record Chosen(GoLiveOptions options, Mode mode) {
    }

    /**
     * The Go live dialog's choices for a task, checked ({@link GoLiveChoices#options}, then the marketplace among
     * those offered): a bad one is an {@link org.pavilion.queue.InvalidConfigurationException} naming its field.
     */
    public Chosen choose(Task task, GoLiveChoices choices) {
        GoLiveOptions options = choices.options(task.thresholds());
        Mode mode = marketplaces.getObject().choose(options.marketplace());
        return new Chosen(options.onMarketplace(mode.name()), mode);
    }

    /** The estimate for a session of a task with these choices (what the dialog shows as they change). */
    public GoLiveEstimate estimate(Task task, Chosen chosen) {
        return estimate(task, chosen.options().thresholds(), chosen.mode());
    }

    /** The marketplaces a session may go live on, the configured one first ({@link Marketplaces#offers}). */
    public java.util.List<Marketplaces.Offer> offers() {
        return marketplaces.getObject().offers();
    }

    /** The estimate for a task on the configured marketplace, with the balance read now. */
    public GoLiveEstimate estimate(Task task) {
        return estimate(task, null, marketplaces.getObject().configured());
    }

    /** The estimate for a session of a task with other thresholds (null: the task's) on a marketplace. */
    public GoLiveEstimate estimate(Task task, Thresholds thresholds, Mode mode) {
        TaskSettings s = task.settings();
        Thresholds t = thresholds == null ? s.thresholds() : thresholds;
        SessionCostEstimate cost = SessionCostEstimate.of(Money.ofCents(s.rewardCents()),
                t.maxActive(), t.maxWaiting(), Money.ofCents(s.waitingPayCentsPerHour()),
                s.assignmentDurationSeconds());
        Money balance = null;
        String problem = null;
        try {
            balance = availableBalance(mode);
        } catch (RuntimeException e) {
            // The marketplace is down, refuses, or answers nonsense: the admin is told, never a 500.
            problem = describe(e);
            log.warn("the marketplace balance could not be read for the go-live estimate of task {}: {}", task.id(),
                    problem);
        }
        return GoLiveEstimate.of(task.id(), Marketplaces.key(mode), balance, problem, cost, s.spendCapCents(),
                HireBudget.of(t, s.hireBudget(), s.rewardCents(), s.spendCapCents()));
    }

    /** The one place that reads GetAccountBalance (the client refuses an answer that is not whole cents). */
    private Money availableBalance(Mode mode) {
        Money balance = marketplaces.getObject().of(mode).accountBalance();
        if (balance == null) {
            throw new MarketplaceException("InvalidResponse", "the marketplace reported no balance", false);
        }
        return balance;
    }

    private static String describe(RuntimeException e) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? null : e.getMessage();
        String text;
        if (e instanceof MarketplaceException m) {
            // The client's messages usually name the error code already.
            text = message == null ? m.errorCode()
                    : message.contains(String.valueOf(m.errorCode())) ? message : m.errorCode() + ": " + message;
        } else {
            text = e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        }
        text = text.strip();
        return text.length() <= MAX_PROBLEM_LENGTH ? text : text.substring(0, MAX_PROBLEM_LENGTH - 1) + "\u2026";
    }

    /** Going live was refused: the balance is short or unknown and the admin did not confirm. */
    public static final class LowBalanceException extends RuntimeException {

        private final GoLiveEstimate estimate;

        public LowBalanceException(GoLiveEstimate estimate) {
            super(estimate.message());
            this.estimate = estimate;
        }

        public GoLiveEstimate estimate() {
            return estimate;
        }

        /** {@code low_balance} or {@code balance_unavailable}. */
        public String code() {
            return estimate.refusalCode();
        }
    }

    /** A {@code confirmLowBalance} that is neither true nor false. */
    public static final class BadConfirmationException extends RuntimeException {
        public BadConfirmationException(String message) {
            super(message);
        }
    }

    /** {@code confirmLowBalance} as sent: absent or empty is false; otherwise exactly true or false (any case). */
    public static boolean confirmation(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        String v = value.strip();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new BadConfirmationException("confirmLowBalance must be true or false (was '"
                + (v.length() <= 20 ? v : v.substring(0, 19) + "\u2026") + "')");
    }
}
