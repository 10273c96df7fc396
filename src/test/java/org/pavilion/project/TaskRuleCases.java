package org.pavilion.project;

import java.util.List;

import org.pavilion.queue.Thresholds;
import org.pavilion.session.PaySettings.ApprovalPolicy;

/** Task settings varied one value at a time, for the tests of the rules (here and against the database). */
public final class TaskRuleCases {

    private TaskRuleCases() {
    }

    public static final Thresholds T = new Thresholds(1, 0, 1, 1);

    /** A valid task to vary one value of. */
    public static TaskSettings valid() {
        return new TaskSettings("Chat", "A group chat", "chat", 50, 3600, 86_400, 259_200, null, null, null,
                "https://example.org/waiting_task", 800, T, false, 725, 30, null, null, 60, ApprovalPolicy.AUTO,
                false);
    }

    /** The valid task with one integer value replaced. */
    public static TaskSettings with(String field, int v) {
        TaskSettings s = valid();
        return switch (field) {
            case "rewardCents" -> new TaskSettings(s.title(), s.description(), s.keywords(), v, 3600, 86_400,
                    259_200, null, null, null, s.externalUrl(), 800, T, false, 725, 30);
            case "assignmentDurationSeconds" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, v,
                    86_400, 259_200, null, null, null, s.externalUrl(), 800, T, false, 725, 30);
            case "lifetimeSeconds" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600, v,
                    259_200, null, null, null, s.externalUrl(), 800, T, false, 725, 30);
            case "autoApprovalDelaySeconds" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600,
                    86_400, v, null, null, null, s.externalUrl(), 800, T, false, 725, 30);
            case "minApprovalPercent" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600,
                    86_400, 259_200, null, v, null, s.externalUrl(), 800, T, false, 725, 30);
            case "minApprovedHits" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600,
                    86_400, 259_200, null, null, v, s.externalUrl(), 800, T, false, 725, 30);
            case "frameHeight" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600, 86_400,
                    259_200, null, null, null, s.externalUrl(), v, T, false, 725, 30);
            case "waitingPayCentsPerHour" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600,
                    86_400, 259_200, null, null, null, s.externalUrl(), 800, T, false, v, 30);
            case "disconnectGraceSeconds" -> new TaskSettings(s.title(), s.description(), s.keywords(), 50, 3600,
                    86_400, 259_200, null, null, null, s.externalUrl(), 800, T, false, 725, v);
            case "hireBudget" -> s.withHireBudget(v, null);
            case "spendCapCents" -> s.withHireBudget(null, v);
            case "maxPaidWaitMinutes" -> s.withPay(v, ApprovalPolicy.AUTO, false);
            default -> throw new IllegalArgumentException(field);
        };
    }

    /** Every whole-number rule of a task. */
    public static final List<TaskRules.Range> RANGES = List.of(TaskRules.REWARD, TaskRules.ASSIGNMENT_DURATION,
            TaskRules.LIFETIME, TaskRules.AUTO_APPROVAL_DELAY, TaskRules.MIN_APPROVAL_PERCENT,
            TaskRules.MIN_APPROVED_HITS, TaskRules.FRAME_HEIGHT, TaskRules.WAITING_PAY, TaskRules.DISCONNECT_GRACE,
            TaskRules.HIRE_BUDGET, TaskRules.SPEND_CAP, TaskRules.MAX_PAID_WAIT);
}
