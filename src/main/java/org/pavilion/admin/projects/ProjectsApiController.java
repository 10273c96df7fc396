package org.pavilion.admin.projects;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.pavilion.project.Project;
import org.pavilion.project.Task;
import org.pavilion.project.TaskSettings;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.responses.ApiResponses;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.JsonNode;

/**
 * The projects and tasks of the admin console as JSON (docs/admin-api.md):
 *
 * <pre>
 * GET  /api/admin/projects                 POST /api/admin/projects
 * GET  /api/admin/projects/{id}
 * GET  /api/admin/projects/{id}/tasks      POST /api/admin/projects/{id}/tasks
 * GET  /api/admin/tasks/{id}   PUT /api/admin/tasks/{id}   DELETE /api/admin/tasks/{id}
 * POST /api/admin/tasks/{id}/clone
 * </pre>
 *
 * A task body uses the task form's field names and units ({@link TaskForm#FIELDS}); numbers may be
 * JSON numbers or strings. POST starts from the form's defaults, PUT from the task's current
 * values: fields left out keep them. Errors are {@link ApiError}s (400, 404, 409).
 */
@RestController
@RequestMapping(path = "/api/admin", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Projects and tasks", description = "Create and list projects; create, edit, clone, list and delete "
        + "(when never posted) tasks")
@ApiResponses({
        @ApiResponse(responseCode = "400", description = "Invalid body: one message per bad field",
                content = @Content(schema = @Schema(implementation = ApiError.class))),
        @ApiResponse(responseCode = "404", description = "Unknown project or task",
                content = @Content(schema = @Schema(implementation = ApiError.class)))})
public class ProjectsApiController {

    /** Output-only task fields: accepted in a request body (so GET → PUT round-trips) and ignored. */
    static final Set<String> READ_ONLY_TASK_FIELDS = Set.of("id", "projectId", "rewardCents",
            "assignmentDurationSeconds", "lifetimeSeconds", "autoApprovalDelaySeconds", "waitingPayCentsPerHour",
            "posted", "sessions", "createdAt", "updatedAt", "spendCapCents", "defaultHireBudget", "sessionHireBudget");

    /** Task fields that take a JSON boolean only (a string such as "yes" is an error, not false). */
    static final Set<String> BOOLEAN_TASK_FIELDS = Set.of("allowRepeatWorkers", "autoCompensate");

    private final ProjectAdminService admin;

    public ProjectsApiController(ProjectAdminService admin) {
        this.admin = admin;
    }

    // ---- representations -----------------------------------------------------------------------

    public record ProjectJson(long id, String name, String description, Instant createdAt, int taskCount,
                              List<TaskSummaryJson> tasks) {
    }

    public record TaskSummaryJson(long id, String title, boolean posted, List<SessionJson> sessions) {
    }

    public record SessionJson(long id, String status, boolean started, Instant openedAt, Instant startedAt,
                              Instant stoppedAt, Instant endedAt, int waiting, int active) {
        static SessionJson of(SessionSummary s) {
            return new SessionJson(s.id(), s.status(), s.started(), s.openedAt(), s.startedAt(), s.stoppedAt(),
                    s.endedAt(), s.waiting(), s.active());
        }
    }

    public record TaskJson(long id, long projectId, String title, String description, String keywords,
                           BigDecimal reward, int rewardCents, BigDecimal timeLimitMinutes,
                           int assignmentDurationSeconds, BigDecimal lifetimeHours, int lifetimeSeconds,
                           BigDecimal autoApprovalDelayHours, int autoApprovalDelaySeconds, String country,
                           Integer minApprovalPercent, Integer minApprovedHits, String externalUrl, int frameHeight,
                           int minActive, int minWaiting, int maxActive, int maxWaiting, BigDecimal waitingPayRate,
                           int waitingPayCentsPerHour, boolean allowRepeatWorkers, int disconnectGraceSeconds,
                           Integer hireBudget, int defaultHireBudget, BigDecimal spendCapUsd, Integer spendCapCents,
                           int sessionHireBudget, int maxPaidWaitMinutes, String approvalPolicy,
                           boolean autoCompensate, boolean posted, List<SessionJson> sessions, Instant createdAt,
                           Instant updatedAt) {
    }

    private TaskJson taskJson(Task t) {
        TaskSettings s = t.settings();
        TaskForm f = TaskForm.of(s);
        List<SessionJson> sessions = admin.sessionsOfTask(t.id()).stream().map(SessionJson::of).toList();
        return new TaskJson(t.id(), t.projectId(), s.title(), s.description(), s.keywords(),
                new BigDecimal(f.getReward()), s.rewardCents(), new BigDecimal(f.getTimeLimitMinutes()),
                s.assignmentDurationSeconds(), new BigDecimal(f.getLifetimeHours()), s.lifetimeSeconds(),
                new BigDecimal(f.getAutoApprovalDelayHours()), s.autoApprovalDelaySeconds(), s.country(),
                s.minApprovalPercent(), s.minApprovedHits(), s.externalUrl(), s.frameHeight(),
                s.thresholds().minActive(), s.thresholds().minWaiting(), s.thresholds().maxActive(),
                s.thresholds().maxWaiting(), new BigDecimal(f.getWaitingPayRate()), s.waitingPayCentsPerHour(),
                s.allowRepeatWorkers(), s.disconnectGraceSeconds(), s.hireBudget(), s.defaultHireBudget(),
                s.spendCapCents() == null ? null : BigDecimal.valueOf(s.spendCapCents(), 2), s.spendCapCents(),
                s.sessionHireBudget(), s.maxPaidWaitMinutes(), TaskForm.policyName(s.approvalPolicy()),
                s.autoCompensate(), !sessions.isEmpty(), sessions, t.createdAt(), t.updatedAt());
    }

    private ProjectJson projectJson(Project p, boolean withTasks) {
        List<Task> tasks = admin.tasks(p.id());
        List<TaskSummaryJson> summaries = null;
        if (withTasks) {
            Map<Long, List<SessionSummary>> sessions = admin.sessionsByTask();
            summaries = tasks.stream().map(t -> {
                List<SessionJson> ss = sessions.getOrDefault(t.id(), List.of()).stream().map(SessionJson::of).toList();
                return new TaskSummaryJson(t.id(), t.title(), !ss.isEmpty(), ss);
            }).toList();
        }
        return new ProjectJson(p.id(), p.name(), p.description(), p.createdAt(), tasks.size(), summaries);
    }

    // ---- projects ------------------------------------------------------------------------------

    @Operation(summary = "Every project, oldest first, with its number of tasks")
    @GetMapping("/projects")
    public List<ProjectJson> projects() {
        return admin.projects().stream().map(p -> projectJson(p, false)).toList();
    }

    @Operation(summary = "Create a project (201, Location: /api/admin/projects/{id})",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = ApiSchemas.ProjectInput.class))))
    @PostMapping(path = "/projects", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<ProjectJson> createProject(@RequestBody JsonNode body) {
        ProjectForm form = new ProjectForm();
        Map<String, String> errors = new LinkedHashMap<>();
        requireObject(body);
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            String value = scalar(e.getKey(), e.getValue(), errors);
            switch (e.getKey()) {
                case "name" -> form.setName(value);
                case "description" -> form.setDescription(value);
                case "id", "createdAt", "taskCount", "tasks" -> { }
                default -> errors.put(e.getKey(), "'" + e.getKey() + "' is not a project field.");
            }
        }
        form.validate().forEach(errors::putIfAbsent);
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
        Project p = admin.createProject(form);
        return ResponseEntity.created(URI.create("/api/admin/projects/" + p.id())).body(projectJson(p, true));
    }

    @Operation(summary = "A project with its tasks and their sessions (status live, stopped or expired)")
    @GetMapping("/projects/{id}")
    public ProjectJson project(@PathVariable long id) {
        return projectJson(admin.project(id), true);
    }

    // ---- tasks ---------------------------------------------------------------------------------

    @Operation(summary = "The project's tasks, oldest first, with every field")
    @GetMapping("/projects/{id}/tasks")
    public List<TaskJson> tasks(@PathVariable long id) {
        return admin.tasks(id).stream().map(this::taskJson).toList();
    }

    @Operation(summary = "Create a task in the project (201, Location: /api/admin/tasks/{id})",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = ApiSchemas.TaskInput.class))))
    @PostMapping(path = "/projects/{id}/tasks", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<TaskJson> createTask(@PathVariable long id, @RequestBody JsonNode body) {
        admin.project(id);
        Task t = admin.createTask(id, form(TaskForm.defaults(TaskForm.waitingTaskUrl()), body));
        return ResponseEntity.created(URI.create("/api/admin/tasks/" + t.id())).body(taskJson(t));
    }

    @Operation(summary = "A task with every field and its sessions")
    @GetMapping("/tasks/{id}")
    public TaskJson task(@PathVariable long id) {
        return taskJson(admin.task(id));
    }

    @Operation(summary = "Change a task: fields left out keep their values; sessions already posted keep their copy",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = ApiSchemas.TaskInput.class))))
    @PutMapping(path = "/tasks/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    public TaskJson updateTask(@PathVariable long id, @RequestBody JsonNode body) {
        Task existing = admin.task(id);
        return taskJson(admin.updateTask(id, form(TaskForm.of(existing.settings()), body)));
    }

    @Operation(summary = "Delete a task that was never posted (204); a posted task is refused with 409 task_posted")
    @ApiResponse(responseCode = "409", description = "The task has sessions",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @DeleteMapping("/tasks/{id}")
    public ResponseEntity<Void> deleteTask(@PathVariable long id) {
        admin.deleteTask(id);
        return ResponseEntity.status(HttpStatus.NO_CONTENT).build();
    }

    @Operation(summary = "Copy a task into its project as \"Copy of …\" with the same settings (201)")
    @PostMapping("/tasks/{id}/clone")
    public ResponseEntity<TaskJson> cloneTask(@PathVariable long id) {
        Task copy = admin.cloneTask(id);
        return ResponseEntity.created(URI.create("/api/admin/tasks/" + copy.id())).body(taskJson(copy));
    }

    // ---- request bodies ------------------------------------------------------------------------

    /** The body's fields over {@code start}; a bad shape or unknown field is a field error like any other. */
    static TaskForm form(TaskForm start, JsonNode body) {
        requireObject(body);
        Map<String, String> errors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            String field = e.getKey();
            if (READ_ONLY_TASK_FIELDS.contains(field)) {
                continue;
            }
            if (!TaskForm.FIELDS.contains(field)) {
                errors.put(field, "'" + clip(field) + "' is not a task field.");
                continue;
            }
            JsonNode v = e.getValue();
            if (BOOLEAN_TASK_FIELDS.contains(field)) {
                if (v.isBoolean()) {
                    start.set(field, Boolean.toString(v.booleanValue()));
                } else {
                    errors.put(field, field + " must be true or false.");
                }
                continue;
            }
            String value = scalar(field, v, errors);
            if (value != null || v.isNull()) {
                start.set(field, value);
            }
        }
        TaskForm.Validation validation = start.validate();
        validation.errors().forEach(errors::putIfAbsent);
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
        return start;
    }

    private static void requireObject(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ValidationFailedException(Map.of("body", "The request body must be a JSON object."));
        }
    }

    /** A JSON string, number or null as text; anything else is a field error (and null is returned). */
    private static String scalar(String field, JsonNode v, Map<String, String> errors) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isString()) {
            return v.stringValue();
        }
        if (v.isNumber()) {
            return v.decimalValue().toPlainString();
        }
        errors.put(field, clip(field) + " must be a string or a number.");
        return null;
    }

    private static String clip(String v) {
        return v.length() <= 60 ? v : v.substring(0, 59) + "\u2026";
    }
}
