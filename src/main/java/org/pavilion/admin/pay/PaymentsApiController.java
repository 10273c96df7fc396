package org.pavilion.admin.pay;

import java.security.Principal;
import java.util.Optional;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.responses.ApiResponses;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.pavilion.admin.projects.ApiError;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The payments view as JSON, and the admin's decisions on payouts (docs/admin-api.md, "Payments"):
 *
 * <pre>
 * GET  /api/admin/sessions/{id}/payments                      a session's payouts and totals
 * GET  /api/admin/projects/{id}/payments                      every session of a project
 * POST /api/admin/sessions/{id}/payments/approve              {"payoutId"?, "feedback"?}
 * POST /api/admin/sessions/{id}/payments/reject               {"payoutId"?, "feedback"} (feedback required)
 * POST /api/admin/sessions/{id}/payments/{payoutId}/retry     a failed step again
 * POST /api/admin/sessions/{id}/payments/pay-owed             compensation HITs for every owed worker
 * </pre>
 *
 * Admins only (session cookie with CSRF token, or API token). Errors are {@link ApiError}s: 404 unknown
 * session, project or payout (another session's payout is unknown here), 400 missing or bad feedback,
 * bad payout id, unreadable body.
 */
@RestController
@RequestMapping("/api/admin")
@Tag(name = "Payments", description = "The pay ledger of a session or project (SPEC 4.9): per payout the waited "
        + "time, waiting pay, task bonuses, reward, MTurk's fees and the state of its bonus and approval; totals; "
        + "approve or reject submissions under review (manual approval); retry a failed step")
@ApiResponses({
        @ApiResponse(responseCode = "400", description = "Bad feedback or payout id, or an unreadable body",
                content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class))),
        @ApiResponse(responseCode = "404", description = "Unknown session, project or payout",
                content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))})
public class PaymentsApiController {

    private final PaymentViews views;
    private final PaymentDecisions decisions;

    public PaymentsApiController(PaymentViews views, PaymentDecisions decisions) {
        this.views = views;
        this.decisions = decisions;
    }

    /** A decision's answer: what it did, and the session's payments as they are now. */
    public record DecisionResponse(String action, long sessionId, Long payoutId, int changed, String message,
                                   PaymentsView payments) {
    }

    /** The body of approve and reject. */
    @Schema(name = "PaymentDecisionRequest")
    public record DecisionRequest(
            @Schema(description = "One payout of the session (its id); omitted or null: every payout awaiting "
                    + "review", example = "17") Long payoutId,
            @Schema(description = "What the worker reads (MTurk's RequesterFeedback), at most 1024 characters; "
                    + "required to reject", example = "The task asked for three answers; none were given.")
            String feedback) {
    }

    @Operation(summary = "A session's payments: per payout (a worker assignment whose pay is settled) the worker, "
            + "assignment, HIT, ending, waited time (server), waiting pay, task bonuses, bonus, reward, MTurk's fees, "
            + "bonus and approval states in words; totals paid, due, owed, fees and grand total")
    @GetMapping("/sessions/{sessionId}/payments")
    public PaymentsView session(@PathVariable long sessionId) {
        return views.session(sessionId);
    }

    @Operation(summary = "A project's payments: every payout of every session of its tasks (each row names its "
            + "session), with totals")
    @GetMapping("/projects/{projectId}/payments")
    public PaymentsView project(@PathVariable long projectId) {
        return views.project(projectId);
    }

    @Operation(summary = "Approve submissions awaiting review (manual approval): one (payoutId) or all of the "
            + "session. Their bonus is sent, then the approval. A payout not awaiting review is left as it is "
            + "(changed 0)", requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false,
            content = @Content(schema = @Schema(implementation = DecisionRequest.class))))
    @PostMapping("/sessions/{sessionId}/payments/approve")
    public DecisionResponse approve(@PathVariable long sessionId, @RequestBody(required = false) JsonNode body,
                                    Principal principal) {
        return answer(decisions.approve(sessionId, payoutId(body), text(body), admin(principal)));
    }

    @Operation(summary = "Reject submissions awaiting review: one (payoutId) or all of the session, with feedback "
            + "the worker reads (required: 400 feedback_required). No bonus is paid",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = DecisionRequest.class))))
    @PostMapping("/sessions/{sessionId}/payments/reject")
    public DecisionResponse reject(@PathVariable long sessionId, @RequestBody(required = false) JsonNode body,
                                   Principal principal) {
        return answer(decisions.reject(sessionId, payoutId(body), text(body), admin(principal)));
    }

    @Operation(summary = "Try a payout's failed step (bonus or approval) again, e.g. after funds were added; a "
            + "payout with no failed step is left as it is (changed 0)")
    @PostMapping("/sessions/{sessionId}/payments/{payoutId}/retry")
    public DecisionResponse retry(@PathVariable long sessionId, @PathVariable long payoutId, Principal principal) {
        return answer(decisions.retry(sessionId, payoutId, admin(principal)));
    }

    @Operation(summary = "Pay every owed worker of the session (returned or abandoned after waiting): one "
            + "compensation HIT per worker, visible only to that worker, whose reward is the amount owed; approved "
            + "when submitted. Workers already being compensated are left as they are (changed 0)")
    @PostMapping("/sessions/{sessionId}/payments/pay-owed")
    public DecisionResponse payOwed(@PathVariable long sessionId, Principal principal) {
        return answer(decisions.payOwed(sessionId, admin(principal)));
    }

    private DecisionResponse answer(PaymentDecisions.Result r) {
        return new DecisionResponse(r.action(), r.sessionId(), r.payoutId(), r.changed(), r.message(),
                views.session(r.sessionId()));
    }

    /** {@code payoutId}: absent or null for all, else a whole number (JSON number or digits), or a clear 400. */
    static Optional<Long> payoutId(JsonNode body) {
        requireObject(body);
        JsonNode v = body == null ? null : body.get("payoutId");
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        String text = v.isIntegralNumber() ? v.bigIntegerValue().toString()
                : v.isString() ? v.stringValue().strip() : null;
        if (text == null || !text.matches("\\d{1,18}") || Long.parseLong(text) < 1) {
            throw new BadDecisionException("bad_payout_id", "payoutId",
                    "payoutId must be a payout's id (a whole number of at least 1), or omitted for all");
        }
        return Optional.of(Long.parseLong(text));
    }

    static String text(JsonNode body) {
        JsonNode v = body == null ? null : body.get("feedback");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw new BadDecisionException("bad_feedback", "feedback", "feedback must be text");
        }
        return v.stringValue();
    }

    private static void requireObject(JsonNode body) {
        if (body != null && !body.isNull() && !body.isObject()) {
            throw new BadDecisionException("malformed_request", null,
                    "the body must be a JSON object such as {\"payoutId\": 17, \"feedback\": \"…\"}");
        }
    }

    static String admin(Principal principal) {
        return principal == null || principal.getName() == null ? "an unnamed admin" : principal.getName();
    }
}
