package org.pavilion.admin.live;

import java.net.URI;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.pavilion.marketplace.MarketplaceService;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST side of the live controls and the live view (JSON; admins only, by session cookie or
 * API token). Errors are {@code {"error", "message"}}: 404 unknown session or task, 409 ended
 * session, 400 bad count, 502 the marketplace refused a go-live ({@link LiveApiErrors}).
 */
@RestController
@RequestMapping("/api/admin")
@Tag(name = "Live sessions", description = "Go live, stop, expire, migrate; list sessions and watch one. Each action "
        + "is recorded in the session's event log with the admin as actor (admin:<email>). Errors are "
        + "{\"error\", \"message\"}: 404 unknown session or task, 409 ended (expired) session, 400 bad count, "
        + "502 the marketplace refused to post the task (with its error code and whether a retry may help).")
public class LiveSessionApiController {

    private final LiveControls controls;
    private final SessionViews views;

    public LiveSessionApiController(LiveControls controls, SessionViews views) {
        this.controls = controls;
        this.views = views;
    }

    /** The body of {@code POST /api/admin/sessions/{id}/migrate}. */
    public record MigrateRequest(Integer count, Boolean force) {
    }

    /** An action's answer: what it did and the session as it is now. */
    public record ActionResponse(String action, long sessionId, boolean changed, int migrated, String message,
                                 SessionView session) {
    }

    @Operation(summary = "Go live: open a session of the task and post its HIT (201, Location: the session)")
    @PostMapping("/tasks/{taskId}/go-live")
    public ResponseEntity<Map<String, Object>> goLive(@PathVariable long taskId, Principal principal) {
        MarketplaceService.Posted posted = controls.goLive(taskId, AdminNames.of(principal));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sessionId", posted.sessionId());
        body.put("taskId", taskId);
        body.put("hitTypeId", posted.hitTypeId());
        body.put("hitId", posted.hitId());
        body.put("session", "/api/admin/sessions/" + posted.sessionId());
        body.put("view", "/admin/sessions/" + posted.sessionId());
        return ResponseEntity.created(URI.create("/api/admin/sessions/" + posted.sessionId())).body(body);
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

    private ActionResponse answer(LiveControls.Result r) {
        return new ActionResponse(r.action(), r.sessionId(), r.changed(), r.migrated(), r.message(),
                views.view(r.sessionId()));
    }
}
