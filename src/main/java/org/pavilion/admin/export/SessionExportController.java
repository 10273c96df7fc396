package org.pavilion.admin.export;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pavilion.admin.export.SessionExportService.EventRow;
import org.pavilion.admin.export.SessionExportService.SessionExport;
import org.pavilion.admin.export.SessionExportService.TaskDataExport;
import org.pavilion.admin.export.SessionExportService.TaskDataRow;
import org.pavilion.admin.export.SessionExportService.WorkerRow;
import org.pavilion.admin.projects.ApiError;
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
 * A session's data as downloads (docs/admin-api.md):
 *
 * <pre>
 * GET /api/admin/sessions/{id}/export/events.csv    events.json    the full event log
 * GET /api/admin/sessions/{id}/export/workers.csv   workers.json   the per-worker summary
 * GET /api/admin/sessions/{id}/export/taskdata.csv  taskdata.json  what the task logic recorded (chat messages, ...)
 * </pre>
 *
 * CSV is RFC 4180 with a header row (UTF-8, CRLF); every response is an attachment named
 * {@code pavilion-session-<id>-<events|workers|taskdata>.<csv|json>}. An unknown session is a 404 JSON error.
 */
@RestController
@RequestMapping("/api/admin/sessions/{id}/export")
@Tag(name = "Exports", description = "A session's event log, per-worker summary and task data as CSV or JSON downloads")
@ApiResponse(responseCode = "404", description = "Unknown session",
        content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
public class SessionExportController {

    static final MediaType CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);

    private final SessionExportService exports;

    public SessionExportController(SessionExportService exports) {
        this.exports = exports;
    }

    @Operation(summary = "The full event log as CSV (header row; seq, at, kind, worker, assignment, from, to, cause, phase, hire_number, actor, detail, hit, budget)")
    @GetMapping("/events.csv")
    public ResponseEntity<String> eventsCsv(@PathVariable long id) {
        SessionExport e = exports.export(id);
        CsvWriter csv = new CsvWriter().row(SessionExportService.EVENT_COLUMNS);
        for (EventRow row : e.events()) {
            csv.row(row.csv());
        }
        return attachment(id, "events.csv", CSV, csv.toString());
    }

    @Operation(summary = "The full event log as JSON: session, task, status, as_of, waiting_pay_cents_per_hour, events[]")
    @GetMapping("/events.json")
    public ResponseEntity<Map<String, Object>> eventsJson(@PathVariable long id) {
        SessionExport e = exports.export(id);
        Map<String, Object> body = new LinkedHashMap<>(e.header());
        body.put("events", e.events().stream().map(EventRow::json).toList());
        return attachment(id, "events.json", MediaType.APPLICATION_JSON, body);
    }

    @Operation(summary = "The per-worker summary as CSV, replayed from the log (joined, promoted, ready, left, final status, waiting/active seconds, waiting pay)")
    @GetMapping("/workers.csv")
    public ResponseEntity<String> workersCsv(@PathVariable long id) {
        SessionExport e = exports.export(id);
        CsvWriter csv = new CsvWriter().row(SessionExportService.WORKER_COLUMNS);
        for (WorkerRow row : e.workers()) {
            csv.row(row.csv());
        }
        return attachment(id, "workers.csv", CSV, csv.toString());
    }

    @Operation(summary = "The per-worker summary as JSON: session, task, status, as_of, waiting_pay_cents_per_hour, workers[]")
    @GetMapping("/workers.json")
    public ResponseEntity<Map<String, Object>> workersJson(@PathVariable long id) {
        SessionExport e = exports.export(id);
        Map<String, Object> body = new LinkedHashMap<>(e.header());
        List<Map<String, Object>> workers = e.workers().stream().map(WorkerRow::json).toList();
        body.put("workers", workers);
        return attachment(id, "workers.json", MediaType.APPLICATION_JSON, body);
    }

    @Operation(summary = "The task data as CSV (header row; seq, at, worker, alias, kind, payload): what the task logic recorded, e.g. every chat message")
    @GetMapping("/taskdata.csv")
    public ResponseEntity<String> taskDataCsv(@PathVariable long id) {
        TaskDataExport e = exports.taskData(id);
        CsvWriter csv = new CsvWriter().row(SessionExportService.TASK_DATA_COLUMNS);
        for (TaskDataRow row : e.records()) {
            csv.row(row.csv());
        }
        return attachment(id, "taskdata.csv", CSV, csv.toString());
    }

    @Operation(summary = "The task data as JSON: session, task, as_of, records[] (seq, at, worker, alias, kind, payload as an object)")
    @GetMapping("/taskdata.json")
    public ResponseEntity<Map<String, Object>> taskDataJson(@PathVariable long id) {
        TaskDataExport e = exports.taskData(id);
        Map<String, Object> body = new LinkedHashMap<>(e.header());
        body.put("records", e.records().stream().map(TaskDataRow::json).toList());
        return attachment(id, "taskdata.json", MediaType.APPLICATION_JSON, body);
    }

    private static <T> ResponseEntity<T> attachment(long id, String name, MediaType type, T body) {
        return ResponseEntity.ok()
                .contentType(type)
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename("pavilion-session-" + id + "-" + name).build().toString())
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(body);
    }
}
