package org.pavilion.admin.pay;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.pavilion.admin.export.CsvWriter;
import org.pavilion.admin.projects.ApiError;
import org.pavilion.format.Formats;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The payments view as downloads, like the session exports:
 *
 * <pre>
 * GET /api/admin/sessions/{id}/export/payments.csv    payments.json
 * GET /api/admin/projects/{id}/export/payments.csv    payments.json
 * </pre>
 *
 * CSV is RFC 4180 with a header row (UTF-8, CRLF), written by {@link CsvWriter} (text that a spreadsheet
 * would run as a formula is neutralised); amounts are whole cents, states lower case. Each response is an
 * attachment named {@code pavilion-<session|project>-<id>-payments.<csv|json>}.
 */
@RestController
@Tag(name = "Exports", description = "A session's event log and per-worker summary as CSV or JSON downloads")
@ApiResponse(responseCode = "404", description = "Unknown session or project",
        content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
public class PaymentsExportController {
    // Times: ISO-8601 in the server's zone with its offset, to the second (the export convention of Formats).

    static final MediaType CSV = new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8);

    /** The columns of payments.csv, and the keys of each payout in payments.json. */
    public static final List<String> COLUMNS = List.of("session", "payout", "worker", "assignment", "hit",
            "hit_assignments", "ending", "waited_seconds", "waited", "waiting_pay_cents", "task_bonus_cents",
            "bonus_cents", "bonus_fixed", "reward_cents", "bonus_fee_cents", "reward_fee_cents", "fee_cents",
            "bonus_state", "approval_state", "last_error", "feedback", "attempts", "updated_at");

    private final PaymentViews views;

    public PaymentsExportController(PaymentViews views) {
        this.views = views;
    }

    @Operation(summary = "A session's payouts as CSV (header row; amounts in cents)")
    @GetMapping("/api/admin/sessions/{id}/export/payments.csv")
    public ResponseEntity<String> sessionCsv(@PathVariable long id) {
        return attachment("session", id, "payments.csv", CSV, csv(views.session(id)));
    }

    @Operation(summary = "A session's payouts as JSON: session, status, approval, as_of, totals, payouts[]")
    @GetMapping("/api/admin/sessions/{id}/export/payments.json")
    public ResponseEntity<Map<String, Object>> sessionJson(@PathVariable long id) {
        return attachment("session", id, "payments.json", MediaType.APPLICATION_JSON, json(views.session(id)));
    }

    @Operation(summary = "A project's payouts (every session) as CSV (header row; amounts in cents)")
    @GetMapping("/api/admin/projects/{id}/export/payments.csv")
    public ResponseEntity<String> projectCsv(@PathVariable long id) {
        return attachment("project", id, "payments.csv", CSV, csv(views.project(id)));
    }

    @Operation(summary = "A project's payouts (every session) as JSON: project, as_of, totals, payouts[]")
    @GetMapping("/api/admin/projects/{id}/export/payments.json")
    public ResponseEntity<Map<String, Object>> projectJson(@PathVariable long id) {
        return attachment("project", id, "payments.json", MediaType.APPLICATION_JSON, json(views.project(id)));
    }

    static String csv(PaymentsView v) {
        CsvWriter csv = new CsvWriter().row(COLUMNS);
        for (PaymentsView.Row r : v.rows()) {
            csv.row(values(r));
        }
        return csv.toString();
    }

    static Map<String, Object> json(PaymentsView v) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(v.scope(), v.id());
        body.put("project", v.projectId());
        body.put("title", v.title());
        if (v.sessionId() != null) {
            body.put("status", v.status());
            body.put("approval", v.approval());
        }
        body.put("as_of", Formats.server().isoTime(v.serverTime()));
        PaymentsView.Totals t = v.totals();
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("paid_cents", t.paid().cents());
        totals.put("due_cents", t.due().cents());
        totals.put("owed_cents", t.owed().cents());
        totals.put("fee_cents", t.fees().cents());
        totals.put("total_cents", t.grandTotal().cents());
        body.put("totals", totals);
        body.put("payouts", v.rows().stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            List<Object> values = values(r);
            for (int i = 0; i < COLUMNS.size(); i++) {
                m.put(COLUMNS.get(i), values.get(i));
            }
            return m;
        }).toList());
        return body;
    }

    private static List<Object> values(PaymentsView.Row r) {
        return Arrays.asList(r.sessionId(), r.payoutId(), r.worker(), r.assignmentId(), r.hitId(), r.hitAssignments(),
                r.ending(), BigDecimal.valueOf(r.waitedMillis(), 3), r.waited(), r.waitingPay().cents(),
                r.taskBonuses().cents(), r.bonus().cents(), r.bonusFixed(), r.reward().cents(), r.bonusFee().cents(),
                r.rewardFee().cents(), r.fees().cents(), r.bonusState(), r.approvalState(), r.lastError(),
                r.feedback(), r.attempts(), Formats.server().isoTime(r.updatedAt()));
    }

    private static <T> ResponseEntity<T> attachment(String scope, long id, String name, MediaType type, T body) {
        return ResponseEntity.ok()
                .contentType(type)
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("pavilion-" + scope + "-" + id + "-" + name).build().toString())
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(body);
    }
}
