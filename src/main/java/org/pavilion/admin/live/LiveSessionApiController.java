package org.pavilion.admin.live;

import java.net.URI;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.marketplace.Marketplaces;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The REST side of the live controls and the live view (JSON; admins only, by session cookie or
 * API token). Errors are {@code {"error", "message"}}: 404 unknown session or task, 409 ended
 * session or a go-live the balance does not cover, 400 bad count or hire budget, 502 the marketplace
 * refused a go-live ({@link LiveApiErrors}).
 */
@RestController
@RequestMapping("/api/admin")
@Tag(name = "Live sessions", description = "Go live, stop, expire, migrate, set the hire budget; list sessions and "
        + "watch one. Each action is recorded in the session's event log with the admin as actor (admin:<email>). "
        + "Errors are {\"error\", \"message\"}: 404 unknown session or task, 409 ended (expired) session, 400 bad "
        + "count or hire budget, 409 low_balance / balance_unavailable (go live needs confirmLowBalance=true), 502 the "
        + "marketplace refused to post the task (with its error code and whether a retry may help).")
public class LiveSessionApiController {

    private final LiveControls controls;
    private final SessionViews views;
    private final GoLiveBudget budget;
    private final Timeline timeline;
    private final WorkerViews workers;
    private final BulkActions bulk;

    public LiveSessionApiController(LiveControls controls, SessionViews views, GoLiveBudget budget, Timeline timeline,
                                    WorkerViews workers, BulkActions bulk) {
        this.controls = controls;
        this.views = views;
        this.budget = budget;
        this.timeline = timeline;
        this.workers = workers;
        this.bulk = bulk;
    }

    /** The body of {@code POST /api/admin/sessions/{id}/migrate}. */
    public record MigrateRequest(Integer count, Boolean force) {
    }

    /** An action's answer: what it did and the session as it is now. */
    public record ActionResponse(String action, long sessionId, boolean changed, int migrated, String message,
                                 SessionView session) {
    }

    @Operation(summary = "Go live: open a session of the task and post its HIT (201, Location: the session). Refused "
            + "with 409 low_balance when the marketplace's available balance does not cover the first hour (see "
            + "go-live-estimate), or 409 balance_unavailable when it cannot be read, unless confirmLowBalance=true; "
            + "the refusal's body carries the estimate")
    @PostMapping("/tasks/{taskId}/go-live")
    public ResponseEntity<Map<String, Object>> goLive(@PathVariable long taskId,
            @Parameter(description = "go live even though the balance does not cover the first hour or cannot be "
                    + "read: true or false (default)", schema = @Schema(type = "boolean"))
            @RequestParam(name = "confirmLowBalance", required = false) String confirmLowBalance,
            @Parameter(description = "makes the call idempotent: a repeat with the same key (at most 64 characters) "
                    + "answers the first call's session and HIT, opening and posting nothing more")
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @Parameter(description = "the session's name (at most 100 characters); default none")
            @RequestParam(name = "name", required = false) String name,
            @Parameter(description = "this session's minActive instead of the task's")
            @RequestParam(name = "minActive", required = false) String minActive,
            @Parameter(description = "this session's maxActive instead of the task's")
            @RequestParam(name = "maxActive", required = false) String maxActive,
            @Parameter(description = "this session's minWaiting instead of the task's")
            @RequestParam(name = "minWaiting", required = false) String minWaiting,
            @Parameter(description = "this session's maxWaiting instead of the task's")
            @RequestParam(name = "maxWaiting", required = false) String maxWaiting,
            @Parameter(description = "local, sandbox or production: one of the marketplaces this server offers "
                    + "(GET /api/admin/marketplaces); default the configured one")
            @RequestParam(name = "marketplace", required = false) String marketplace,
            Principal principal) {
        boolean confirmed = GoLiveBudget.confirmation(confirmLowBalance);
        MarketplaceService.Posted posted = controls.goLive(taskId, AdminNames.of(principal), confirmed, idempotencyKey,
                new GoLiveChoices(name, minActive, maxActive, minWaiting, maxWaiting, marketplace));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sessionId", posted.sessionId());
        body.put("taskId", taskId);
        body.put("hitTypeId", posted.hitTypeId());
        body.put("hitId", posted.hitId());
        body.put("session", "/api/admin/sessions/" + posted.sessionId());
        body.put("view", "/admin/sessions/" + posted.sessionId());
        return ResponseEntity.created(URI.create("/api/admin/sessions/" + posted.sessionId())).body(body);
    }

    @Operation(summary = "The marketplaces a session may go live on (the go-live's marketplace parameter): local "
            + "always, the configured one, the sandbox when AWS credentials are found; production only on a server "
            + "configured for it. configured marks the default")
    @GetMapping("/marketplaces")
    public List<Marketplaces.Offer> marketplaces() {
        return budget.offers();
    }

    @Operation(summary = "Before going live: the marketplace in use, its available balance (null with balanceProblem "
            + "when it cannot be read), the session's cost per hour at full queues (waiting pay of maxWaiting workers, "
            + "the rewards of the hires expected in an hour, MTurk's fees), the first hour including the initial HIT, "
            + "the spending cap, and whether going live needs confirmLowBalance=true. Amounts in cents")
    @GetMapping("/tasks/{taskId}/go-live-estimate")
    public GoLiveEstimate goLiveEstimate(@PathVariable long taskId) {
        return budget.estimate(taskId);
    }

    @Operation(summary = "Sessions, newest first, with status (live, stopped, expired) and queue sizes of live ones")
    @GetMapping("/sessions")
    public List<SessionViews.SessionSummary> sessions(
            @Parameter(description = "only this task's sessions") @RequestParam(name = "task", required = false) Long taskId) {
        return views.list(taskId);
    }

    @Operation(summary = "One session: queues with time waited and pay so far (computed on the server), counters, "
            + "hire requests, the newest log rows (newest first) and the chart series")
    @GetMapping("/sessions/{sessionId}")
    public SessionView session(@PathVariable long sessionId) {
        return views.view(sessionId);
    }

    @Operation(summary = "The event timeline a page at a time, newest first, optionally of one worker and/or one kind. "
            + "Pages are keyed by seq: olderBefore / newerAfter in the answer are the cursors of the next older / "
            + "newer page (null: none), so events arriving meanwhile do not shift a page. 400 bad_timeline_query for a "
            + "bad cursor, size or kind")
    @GetMapping("/sessions/{sessionId}/events")
    public Timeline.Page events(@PathVariable long sessionId,
            @Parameter(description = "only this worker's events") @RequestParam(name = "worker", required = false) String worker,
            @Parameter(description = "only events of this kind: status, phase, ready, hire, confirm, release, subok, "
                    + "withheld, budget, paydue, capped") @RequestParam(name = "kind", required = false) String kind,
            @Parameter(description = "events older than this seq (the previous answer's olderBefore)")
            @RequestParam(name = "before", required = false) String before,
            @Parameter(description = "events newer than this seq (the previous answer's newerAfter)")
            @RequestParam(name = "after", required = false) String after,
            @Parameter(description = "events per page, 1 to 200 (default 50)")
            @RequestParam(name = "size", required = false) String size) {
        return timeline.page(sessionId, worker, kind, before, after, size);
    }

    @Operation(summary = "One worker of the session: status, time waited, waiting pay so far and settled, payouts, "
            + "connection (connected; grace: disconnected, keeping its place until graceUntil; disconnected) and "
            + "its events (paged as /events). 404 unknown_worker for a worker the session has never seen")
    @GetMapping("/sessions/{sessionId}/workers/{workerId}")
    public WorkerViews.WorkerDetail worker(@PathVariable long sessionId, @PathVariable String workerId,
            @RequestParam(name = "kind", required = false) String kind,
            @RequestParam(name = "before", required = false) String before,
            @RequestParam(name = "after", required = false) String after,
            @RequestParam(name = "size", required = false) String size) {
        return workers.view(sessionId, workerId, kind, before, after, size);
    }

    /** The body of {@code POST /api/admin/sessions/bulk}. */
    public record BulkRequest(String action, List<Long> sessionIds) {
    }

    @Operation(summary = "Stop or expire several sessions: body {\"action\": \"stop\" | \"expire\", \"sessionIds\": "
            + "[1, 2]} (at most 100). Each session is acted on alone and reported: done, unchanged (already stopped), "
            + "ended (already expired), unknown, failed. 400 bad_bulk_request (no session, unknown action) changes "
            + "nothing")
    @PostMapping("/sessions/bulk")
    public Map<String, Object> bulk(@RequestBody(required = false) BulkRequest body, Principal principal) {
        String admin = AdminNames.of(principal);
        List<BulkActions.Result> results = bulk.apply(body == null ? null : body.action(),
                body == null ? null : body.sessionIds(), admin);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("action", body.action().strip());
        answer.put("results", results);
        return answer;
    }

    @Operation(summary = "Stop the job (SPEC 4.4): hiring off, every connected worker told to submit")
    @PostMapping("/sessions/{sessionId}/stop")
    public ActionResponse stop(@PathVariable long sessionId, Principal principal) {
        return answer(controls.stop(sessionId, AdminNames.of(principal)));
    }

    @Operation(summary = "Expire the HITs (SPEC 4.5): the session ends")
    @PostMapping("/sessions/{sessionId}/expire")
    public ActionResponse expire(@PathVariable long sessionId, Principal principal) {
        return answer(controls.expire(sessionId, AdminNames.of(principal)));
    }

    @Operation(summary = "Migrate up to count oldest waiting workers to active (SPEC 4.6); never past maxActive "
            + "unless force")
    @PostMapping("/sessions/{sessionId}/migrate")
    public ActionResponse migrate(@PathVariable long sessionId, @RequestBody(required = false) MigrateRequest body,
                                  Principal principal) {
        if (body == null || body.count() == null) {
            throw new LiveControls.BadCountException("count is required: a whole number of at least 1");
        }
        boolean force = Boolean.TRUE.equals(body.force());
        return answer(controls.migrate(sessionId, body.count(), force, AdminNames.of(principal)));
    }

    @Operation(summary = "Set the session's hire budget (SPEC 4.2): the number of hires it may make in all; hires "
            + "the budget withheld are made at once, as far as the new budget allows. Body {\"budget\": 20}; a "
            + "budget below the hires already made is refused (400 bad_budget)",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = HireBudgetRequest.class))))
    @PostMapping("/sessions/{sessionId}/hire-budget")
    public ActionResponse hireBudget(@PathVariable long sessionId, @RequestBody(required = false) JsonNode body,
                                     Principal principal) {
        int budget = budgetOf(body);
        return answer(controls.setHireBudget(sessionId, budget, AdminNames.of(principal)));
    }

    /** The body of {@code POST /api/admin/sessions/{id}/hire-budget}. */
    @Schema(name = "HireBudgetRequest")
    public record HireBudgetRequest(
            @Schema(description = "Hires the session may make in all: a whole number from 0 to 1000000, at least "
                    + "the hires already made", example = "20", requiredMode = Schema.RequiredMode.REQUIRED)
            Integer budget) {
    }

    /** A whole number (JSON number or string of digits), or a clear 400: no rounding of 2.5, no default. */
    static int budgetOf(JsonNode body) {
        JsonNode v = body == null || !body.isObject() ? null : body.get("budget");
        String range = "a whole number of hires from 0 to " + LiveControls.MAX_HIRE_BUDGET;
        if (v == null || v.isNull()) {
            throw new LiveControls.BadBudgetException("budget is required: " + range);
        }
        String text = v.isIntegralNumber() ? v.bigIntegerValue().toString()
                : v.isString() ? v.stringValue().strip() : null;
        if (text == null || !text.matches("-?\\d{1,9}")) {
            throw new LiveControls.BadBudgetException("budget must be " + range + " (was "
                    + clip(text == null ? v.toString() : text) + ")");
        }
        return Integer.parseInt(text);
    }

    private static String clip(String v) {
        return v.length() <= 40 ? v : v.substring(0, 39) + "\u2026";
    }

    private ActionResponse answer(LiveControls.Result r) {
        return new ActionResponse(r.action(), r.sessionId(), r.changed(), r.migrated(), r.message(),
                views.view(r.sessionId()));
    }
}
