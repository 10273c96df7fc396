package org.pavilion.admin.projects;

import java.math.BigDecimal;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Request bodies as the OpenAPI description shows them (the controllers read the JSON themselves,
 * so that a wrong type is a field message like any other). Numbers may also be sent as strings.
 */
final class ApiSchemas {

    private ApiSchemas() {
    }

    @Schema(name = "ProjectInput", description = "A new project")
    record ProjectInput(
            @Schema(description = "Required, at most 200 characters", example = "Live captioning",
                    requiredMode = Schema.RequiredMode.REQUIRED) String name,
            @Schema(description = "At most 4000 characters", example = "Pilot study, spring") String description) {
    }

    @Schema(name = "TaskInput", description = "A task's fields in the researcher's units. POST starts from the "
            + "defaults shown; PUT from the task's current values (fields left out keep them). Output-only fields "
            + "of a task (id, rewardCents, sessions, ...) are accepted and ignored, so GET → PUT round-trips; any "
            + "other unknown field is an error.")
    record TaskInput(
            @Schema(description = "Required, at most 128 characters", example = "Chat with a bot",
                    requiredMode = Schema.RequiredMode.REQUIRED) String title,
            @Schema(description = "Required (MTurk refuses a HIT without one), at most 2000 characters",
                    example = "Talk with others and a bot, live.", requiredMode = Schema.RequiredMode.REQUIRED)
            String description,
            @Schema(description = "Comma-separated, at most 1000 characters", example = "chat, live") String keywords,
            @Schema(description = "USD, at least 0.01, at most two decimals", example = "0.50",
                    requiredMode = Schema.RequiredMode.REQUIRED) BigDecimal reward,
            @Schema(description = "Assignment duration in minutes, 0.5 to 525600", example = "60",
                    defaultValue = "60") BigDecimal timeLimitMinutes,
            @Schema(description = "How long the HIT is listed, in hours (30 s to 8760 h)", example = "24",
                    defaultValue = "24") BigDecimal lifetimeHours,
            @Schema(description = "Auto-approval delay in hours, 0 to 720", example = "72", defaultValue = "72")
            BigDecimal autoApprovalDelayHours,
            @Schema(description = "ISO 3166-1 alpha-2 code, or empty/null for any country", example = "US")
            String country,
            @Schema(description = "Approval-rate requirement 0–100, or null for none", example = "95")
            Integer minApprovalPercent,
            @Schema(description = "Approved-HITs requirement ≥ 0, or null for none", example = "100")
            Integer minApprovedHits,
            @Schema(description = "Worker-facing URL: the page MTurk opens in its frame; https, or http on "
                    + "localhost/127.0.0.1 only. Default on a new task: this server's /waiting_task (Pavilion's "
                    + "waiting room, which admits workers to the queue)", example = "https://example.org/waiting_task")
            String externalUrl,
            @Schema(description = "ExternalQuestion frame height in pixels, 0–100000 (0: marketplace chooses)",
                    example = "800", defaultValue = "800") Integer frameHeight,
            @Schema(description = "SPEC §3: 1 ≤ minActive ≤ maxActive", example = "2",
                    requiredMode = Schema.RequiredMode.REQUIRED) Integer minActive,
            @Schema(description = "SPEC §3: 0 ≤ minWaiting ≤ maxWaiting", example = "1",
                    requiredMode = Schema.RequiredMode.REQUIRED) Integer minWaiting,
            @Schema(description = "SPEC §3: maxActive ≥ minActive", example = "3",
                    requiredMode = Schema.RequiredMode.REQUIRED) Integer maxActive,
            @Schema(description = "SPEC §3: maxWaiting ≥ max(1, minWaiting)", example = "2",
                    requiredMode = Schema.RequiredMode.REQUIRED) Integer maxWaiting,
            @Schema(description = "Waiting pay in USD per hour, 0–100000, at most two decimals", example = "7.25",
                    defaultValue = "7.25") BigDecimal waitingPayRate,
            @Schema(description = "May a worker who already took part join the session again", defaultValue = "false")
            Boolean allowRepeatWorkers,
            @Schema(description = "Seconds a dropped connection keeps its place, 0–86400", example = "30",
                    defaultValue = "30") Integer disconnectGraceSeconds,
            @Schema(description = "Most hires one session may make (SPEC 4.2, a circuit breaker), 0–1000000; null or "
                    + "empty for the default of 3 × (maxActive + maxWaiting). Output adds defaultHireBudget and "
                    + "sessionHireBudget (what a session opened now gets, after the spending cap)", example = "20",
                    nullable = true) Integer hireBudget,
            @Schema(description = "Most a session may spend on hires, in USD with at most two decimals, 0–1000000; "
                    + "each hire costs the reward plus MTurk's 20 % fee (at least 0.01); the cap lowers the hire "
                    + "budget to the hires it pays for. Null or empty for no cap", example = "25.00", nullable = true)
            BigDecimal spendCapUsd,
            @Schema(description = "Longest paid wait in whole minutes, 1–10080 (a week): after it the worker's page "
                    + "is asked to submit, and waiting is paid up to then", example = "60", defaultValue = "60")
            Integer maxPaidWaitMinutes,
            @Schema(description = "auto: approve every confirmed submission after paying its bonus; manual: the admin "
                    + "reviews submissions in the payments view, and a rejection pays no bonus (any case accepted; "
                    + "output is lower case)", allowableValues = {"auto", "manual"}, example = "auto",
                    defaultValue = "auto") String approvalPolicy,
            @Schema(description = "Pay owed workers (those whose assignment cannot carry a bonus) automatically at "
                    + "session end through a compensation HIT", defaultValue = "false") Boolean autoCompensate) {
    }
}
