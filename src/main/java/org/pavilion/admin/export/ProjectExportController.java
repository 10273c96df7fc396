package org.pavilion.admin.export;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pavilion.admin.export.SessionExportService.EventRow;
import org.pavilion.admin.export.SessionExportService.SessionExport;
import org.pavilion.admin.export.SessionExportService.WorkerRow;
import org.pavilion.admin.live.SessionQueries;
import org.pavilion.admin.projects.ApiError;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.UnknownProjectException;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * Every session of a project in one download (issue 14 item 6): the event logs and the per-worker
 * summaries of the sessions of all its tasks, oldest session first, each row led by its {@code session}
 * and {@code task}. The columns after those are the single-session exports' ({@link SessionExportController}).
 *
 * <pre>
 * GET /api/admin/projects/{id}/export/events.csv    events.json
 * GET /api/admin/projects/{id}/export/workers.csv   workers.json
 * </pre>
 *
 * An unknown project is a 404 JSON error; a project without sessions gives the header row only (JSON: no
 * sessions).
 */
@RestController
@RequestMapping("/api/admin/projects/{id}/export")
@Tag(name = "Exports")
@ApiResponse(responseCode = "404", description = "Unknown project",
        content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
public class ProjectExportController {

    private final SessionExportService exports;
    private final SessionQueries queries;
    private final ProjectRepository projects;
    private final Clock clock;

    public ProjectExportController(SessionExportService exports, SessionQueries queries, ProjectRepository projects,
                                   Clock clock) {
        this.exports = exports;
        this.queries = queries;
        this.projects = projects;
        this.clock = clock;
    }

    private List<SessionExport> sessions(long projectId) {
        projects.find(projectId).orElseThrow(() -> new UnknownProjectException(projectId));
        List<SessionExport> all = new ArrayList<>();
        for (long sessionId : queries.sessionIdsOfProject(projectId)) {
            all.add(exports.export(sessionId));
        }
        return all;
    }

    private static List<String> columns(List<String> own) {
        List<String> c = new ArrayList<>(List.of("session", "task"));
        c.addAll(own);
        return c;
    }

    private static List<Object> prefixed(SessionExport e, List<Object> values) {
        List<Object> row = new ArrayList<>(values.size() + 2);
        row.add(e.sessionId());
        row.add(e.taskId());
        row.addAll(values);
        return row;
    }

    @Operation(summary = "Every session's event log as one CSV: session, task, then the columns of a session's events.csv")
    @GetMapping("/events.csv")
    public ResponseEntity<String> eventsCsv(@PathVariable long id) {
        CsvWriter csv = new CsvWriter().row(columns(SessionExportService.EVENT_COLUMNS));
        for (SessionExport e : sessions(id)) {
            for (EventRow row : e.events()) {
                csv.row(prefixed(e, row.csv()));
            }
        }
        return attachment(id, "events.csv", SessionExportController.CSV, csv.toString());
    }

    @Operation(summary = "Every session's event log as JSON: project, as_of, sessions[] (each: session, task, status, "
            + "as_of, waiting_pay_cents_per_hour, events[])")
    @GetMapping("/events.json")
    public ResponseEntity<Map<String, Object>> eventsJson(@PathVariable long id) {
        return json(id, "events.json", "events", e -> e.events().stream().map(EventRow::json).toList());
    }

    @Operation(summary = "Every session's per-worker summary as one CSV: session, task, then the columns of a "
            + "session's workers.csv")
    @GetMapping("/workers.csv")
    public ResponseEntity<String> workersCsv(@PathVariable long id) {
        CsvWriter csv = new CsvWriter().row(columns(SessionExportService.WORKER_COLUMNS));
        for (SessionExport e : sessions(id)) {
            for (WorkerRow row : e.workers()) {
                csv.row(prefixed(e, row.csv()));
            }
        }
        return attachment(id, "workers.csv", SessionExportController.CSV, csv.toString());
    }

    @Operation(summary = "Every session's per-worker summary as JSON: project, as_of, sessions[] (each: session, "
            + "task, status, as_of, waiting_pay_cents_per_hour, workers[])")
    @GetMapping("/workers.json")
    public ResponseEntity<Map<String, Object>> workersJson(@PathVariable long id) {
        return json(id, "workers.json", "workers", e -> e.workers().stream().map(WorkerRow::json).toList());
    }

    private ResponseEntity<Map<String, Object>> json(long id, String name, String key,
                                                     java.util.function.Function<SessionExport, Object> rows) {
        List<SessionExport> all = sessions(id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("project", id);
        body.put("as_of", SessionExportService.time(clock.instant()));
        List<Map<String, Object>> sessions = new ArrayList<>(all.size());
        for (SessionExport e : all) {
            Map<String, Object> s = new LinkedHashMap<>(e.header());
            s.put(key, rows.apply(e));
            sessions.add(s);
        }
        body.put("sessions", sessions);
        return attachment(id, name, MediaType.APPLICATION_JSON, body);
    }

    private static <T> ResponseEntity<T> attachment(long id, String name, MediaType type, T body) {
        return ResponseEntity.ok()
                .contentType(type)
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename("pavilion-project-" + id + "-" + name).build().toString())
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(body);
    }
}
