package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.mturk.ExternalQuestionXml;
import org.pavilion.project.TaskRuleCases;
import org.pavilion.project.TaskRules;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.MutableClock;

/**
 * The local marketplace refuses what MTurk refuses, and so agrees with the task rules: a task at any boundary
 * the rules accept is posted (CreateHITType, CreateHITWithHITType), and what MTurk refuses (no description,
 * a reward under a cent, a HIT listed for less than 30 seconds) the local marketplace refuses too, as
 * InvalidParameterValue.
 */
class LocalMarketplaceTaskRulesTest {

    private final LocalMarketplace m = new LocalMarketplace(LocalMarketplaceProperties.defaults(),
            new MutableClock(Instant.parse("2026-12-03T12:00:00Z")));

    private void posts(TaskSettings s) {
        LocalMarketplace.HitType type = m.createHitType(new LocalMarketplace.HitTypeSpec(s.title(), s.description(),
                s.keywords(), BigDecimal.valueOf(s.rewardCents(), 2), s.assignmentDurationSeconds(),
                s.autoApprovalDelaySeconds(), null));
        assertThat(m.createHit(type.hitTypeId(), s.lifetimeSeconds(), s.thresholds().capacity(),
                ExternalQuestionXml.of(s.externalUrl(), s.frameHeight()), null, null).hitId()).isNotBlank();
    }

    @Test
    void everyHitBoundaryTheRulesAcceptIsPosted() {
        for (TaskRules.Range r : new TaskRules.Range[] {TaskRules.REWARD, TaskRules.ASSIGNMENT_DURATION,
                TaskRules.LIFETIME, TaskRules.AUTO_APPROVAL_DELAY, TaskRules.FRAME_HEIGHT}) {
            posts(TaskRuleCases.with(r.field(), (int) r.min()));
            posts(TaskRuleCases.with(r.field(), (int) r.max()));
        }
        TaskSettings longest = new TaskSettings("t".repeat(TaskRules.TITLE.max()),
                "d".repeat(TaskRules.DESCRIPTION.max()), "k".repeat(TaskRules.KEYWORDS.max()), 50, 3600, 86_400, 0,
                null, null, null, "https://example.org/waiting_task", 800, new Thresholds(1, 0, 10_000, 10_000),
                false, 725, 30);
        posts(longest);
    }

    @Test
    void whatMTurkRefusesIsRefusedAsAnInvalidParameter() {
        assertThatThrownBy(() -> m.createHitType(new LocalMarketplace.HitTypeSpec("Chat", " ", null,
                new BigDecimal("0.50"), 3600, 0, null))).isInstanceOf(LocalMarketplaceException.class)
                .hasMessageStartingWith("Description is required")
                .extracting(e -> ((LocalMarketplaceException) e).turkErrorCode())
                .isEqualTo("AWS.MechanicalTurk.InvalidParameterValue");
        assertThatThrownBy(() -> m.createHitType(new LocalMarketplace.HitTypeSpec("Chat", "A chat", null,
                new BigDecimal("0.00"), 3600, 0, null))).isInstanceOf(LocalMarketplaceException.class)
                .hasMessageStartingWith("Reward must be at least 0.01 USD");
        assertThatThrownBy(() -> m.createHitType(new LocalMarketplace.HitTypeSpec("Chat", "A chat", null,
                new BigDecimal("0.50"), 29, 0, null))).isInstanceOf(LocalMarketplaceException.class)
                .hasMessageStartingWith("AssignmentDurationInSeconds");
        assertThatThrownBy(() -> m.createHitType(new LocalMarketplace.HitTypeSpec("Chat", "A chat",
                "k".repeat(1001), new BigDecimal("0.50"), 3600, 0, null))).isInstanceOf(LocalMarketplaceException.class)
                .hasMessageStartingWith("Keywords");
    }
}
