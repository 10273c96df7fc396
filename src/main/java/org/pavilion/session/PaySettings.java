package org.pavilion.session;

import java.time.Duration;
import java.util.Objects;

import org.pavilion.queue.PayRules;

/**
 * How a session pays (SPEC §4.9), besides its waiting pay rate: the longest paid wait, whether
 * submissions are approved automatically or reviewed by the admin, and whether owed workers are paid
 * through a compensation HIT at session end without asking.
 */
public record PaySettings(Duration maxPaidWait, ApprovalPolicy approval, boolean autoCompensate) {

    public static final PaySettings DEFAULTS = new PaySettings(PayRules.DEFAULT_MAX_PAID_WAIT, ApprovalPolicy.AUTO,
            false);

    public enum ApprovalPolicy {
        /** A confirmed submission is approved (after its bonus is sent) without the admin. */
        AUTO,
        /** Submissions wait in a review list; the admin approves or rejects. */
        MANUAL
    }

    public PaySettings {
        Objects.requireNonNull(maxPaidWait, "maxPaidWait");
        Objects.requireNonNull(approval, "approval");
    }
}
