package org.pavilion.marketplace.local;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pavilion.pay.Money;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The local marketplace's API for programs (the simulator drives many workers through it), JSON
 * under {@code /local-mturk/api/}. POSTs take {@code application/json} only (so a cross-site form
 * cannot forge them). Errors: {@code {"error": "<TurkErrorCode>", "message": "…"}} with 400 (bad
 * input), 403 (the worker does not meet the HIT's qualification requirements), 404 (unknown HIT or
 * assignment) or 409 (not allowed in the current state).
 *
 * <ul>
 * <li>{@code GET hits} (the acceptable ones; {@code ?workerId=…} only those that worker may see, by
 * their qualification requirements; {@code ?all=true} every HIT), {@code GET hits/{hitId}}</li>
 * <li>{@code POST accept {workerId, hitId}} → the assignment with {@code url}: the task page with
 * MTurk's parameters</li>
 * <li>{@code POST return|submit|abandon {assignmentId}} ({@code submit} may carry {@code answers})</li>
 * <li>{@code GET assignments?workerId=…|hitId=…}, {@code GET assignments/{assignmentId}}</li>
 * <li>{@code GET balance}, {@code GET bonuses} ({@code ?workerId=…} one worker's), {@code GET transactions}
 * (every change of the balance), {@code POST funds {amount: "25.00"}}: add play money to the balance</li>
 * <li>{@code GET qualifications?workerId=…}: the requester's qualifications the worker holds</li>
 * <li>{@code GET subscriptions}, {@code GET deliveries}</li>
 * <li>{@code POST sweep}: run the time-based rules now; {@code POST faults {operation, times, fault}}
 * and {@code DELETE faults}: plan MTurk API failures</li>
 * </ul>
 */
@RestController
@ConditionalOnLocalMarketplace
@RequestMapping(path = "/local-mturk/api", produces = MediaType.APPLICATION_JSON_VALUE)
public class WorkerApiController {

    public record AcceptRequest(String workerId, String hitId) {
    }

    public record AssignmentRequest(String assignmentId, Map<String, String> answers) {
    }

    public record FundsRequest(String amount) {
    }

    public record FaultRequest(String operation, Integer times, FaultInjector.Fault fault) {
    }

    private final LocalMarketplace marketplace;
    private final LocalSns sns;
    private final FaultInjector faults;

    public WorkerApiController(LocalMarketplace marketplace, LocalSns sns, FaultInjector faults) {
        this.marketplace = marketplace;
        this.sns = sns;
        this.faults = faults;
    }

    @GetMapping("/hits")
    public List<Map<String, Object>> hits(@RequestParam(defaultValue = "false") boolean all,
                                          @RequestParam(required = false) String workerId) {
        if (workerId != null) {
            LocalMarketplace.requireWorkerId(workerId);
            if (all) {
                throw LocalMarketplaceException.invalid("all=true lists every HIT, whoever may see it: give no "
                        + "workerId with it");
            }
            return marketplace.openHitsFor(workerId).stream().map(h -> hit(h, workerId)).toList();
        }
        return (all ? marketplace.hits() : marketplace.openHits()).stream().map(this::hit).toList();
    }

    @GetMapping("/hits/{hitId}")
    public Map<String, Object> hit(@PathVariable String hitId) {
        return hit(marketplace.getHit(hitId));
    }

    @PostMapping(path = "/accept", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> accept(@RequestBody AcceptRequest body) {
        if (body == null || body.hitId() == null) {
            throw LocalMarketplaceException.invalid("hitId is required");
        }
        return assignment(marketplace.accept(body.workerId(), body.hitId()));
    }

    @PostMapping(path = "/return", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> returnAssignment(@RequestBody AssignmentRequest body) {
        return assignment(marketplace.returnAssignment(id(body)));
    }

    @PostMapping(path = "/submit", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> submit(@RequestBody AssignmentRequest body) {
        return assignment(marketplace.submit(id(body), body.answers()));
    }

    @PostMapping(path = "/abandon", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> abandon(@RequestBody AssignmentRequest body) {
        return assignment(marketplace.abandon(id(body)));
    }

    @GetMapping("/assignments")
    public List<Map<String, Object>> assignments(@RequestParam(required = false) String workerId,
                                                 @RequestParam(required = false) String hitId) {
        if ((workerId == null) == (hitId == null)) {
            throw LocalMarketplaceException.invalid("give exactly one of workerId and hitId");
        }
        return (workerId != null ? marketplace.assignmentsOf(workerId) : marketplace.assignmentsOfHit(hitId))
                .stream().map(this::assignment).toList();
    }

    @GetMapping("/assignments/{assignmentId}")
    public Map<String, Object> assignment(@PathVariable String assignmentId) {
        return assignment(marketplace.assignment(assignmentId).orElseThrow(() -> LocalMarketplaceException.notFound(
                "AWS.MechanicalTurk.AssignmentDoesNotExist", "Assignment " + assignmentId + " does not exist")));
    }

    @GetMapping("/balance")
    public Map<String, Object> balance() {
        return Map.of("AvailableBalance", marketplace.balance().usd());
    }

    /** Adds play money to the requester's balance (loopback or admins only, as all of the local marketplace). */
    @PostMapping(path = "/funds", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> addFunds(@RequestBody FundsRequest body) {
        if (body == null || body.amount() == null) {
            throw LocalMarketplaceException.invalid("amount is required, a USD amount such as \"25.00\"");
        }
        Money amount;
        try {
            amount = Money.parseUsd(body.amount());
        } catch (NumberFormatException e) {
            throw LocalMarketplaceException.invalid("amount must be a USD amount such as \"25.00\", not \""
                    + body.amount() + "\"");
        }
        return Map.of("AvailableBalance", marketplace.addFunds(amount).usd());
    }

    @GetMapping("/bonuses")
    public List<Map<String, Object>> bonuses(@RequestParam(required = false) String workerId) {
        return (workerId == null ? marketplace.bonuses() : marketplace.bonusesOf(workerId)).stream().map(b -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workerId", b.workerId());
            m.put("assignmentId", b.assignmentId());
            m.put("hitId", b.hitId());
            m.put("amount", b.amount().usd());
            m.put("fee", b.fee().usd());
            m.put("reason", b.reason());
            m.put("grantTime", time(b.grantTime()));
            return m;
        }).toList();
    }

    @GetMapping("/transactions")
    public List<Map<String, Object>> transactions() {
        return marketplace.transactions().stream().map(t -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", t.kind());
            m.put("workerId", t.workerId());
            m.put("assignmentId", t.assignmentId());
            m.put("amount", t.amount().usd());
            m.put("fee", t.fee().usd());
            m.put("change", t.change().usd());
            m.put("balanceAfter", t.balanceAfter().usd());
            m.put("time", time(t.time()));
            return m;
        }).toList();
    }

    @GetMapping("/qualifications")
    public List<Map<String, Object>> qualifications(@RequestParam String workerId) {
        LocalMarketplace.requireWorkerId(workerId);
        return marketplace.qualificationsOf(workerId).stream().map(q -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("qualificationTypeId", q.qualificationTypeId());
            m.put("name", q.name());
            m.put("value", q.value());
            m.put("grantTime", time(q.grantTime()));
            return m;
        }).toList();
    }

    @GetMapping("/subscriptions")
    public List<LocalSns.SubscriptionView> subscriptions() {
        return sns.subscriptions();
    }

    @GetMapping("/deliveries")
    public List<LocalSns.Delivery> deliveries() {
        return sns.deliveries();
    }

    @PostMapping(path = "/sweep")
    public Map<String, Object> sweep() {
        marketplace.sweep();
        return Map.of("swept", true);
    }

    @PostMapping(path = "/faults", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> fault(@RequestBody FaultRequest body) {
        if (body == null || body.operation() == null || body.fault() == null) {
            throw LocalMarketplaceException.invalid("operation (an MTurk operation or \"*\") and fault ("
                    + List.of(FaultInjector.Fault.values()) + ") are required");
        }
        int times = body.times() == null ? 1 : body.times();
        if (times < 1 || times > 10_000) {
            throw LocalMarketplaceException.invalid("times must be between 1 and 10000");
        }
        faults.failNext(body.operation(), times, body.fault());
        return Map.of("operation", body.operation(), "times", times, "fault", body.fault().name());
    }

    @DeleteMapping("/faults")
    public Map<String, Object> clearFaults() {
        faults.clear();
        return Map.of("cleared", true);
    }

    @ExceptionHandler(LocalMarketplaceException.class)
    public ResponseEntity<Map<String, Object>> refused(LocalMarketplaceException e) {
        return error(HttpStatus.valueOf(e.httpStatus()), e.turkErrorCode(), e.getMessage());
    }

    @ExceptionHandler({HttpMessageNotReadableException.class, MissingServletRequestParameterException.class})
    public ResponseEntity<Map<String, Object>> unreadable(Exception e) {
        return error(HttpStatus.BAD_REQUEST, "BadRequest", "the request is not valid: " + e.getMessage());
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body);
    }

    private static String id(AssignmentRequest body) {
        if (body == null || body.assignmentId() == null || body.assignmentId().isBlank()) {
            throw LocalMarketplaceException.invalid("assignmentId is required");
        }
        return body.assignmentId();
    }

    /** A HIT as a worker sees it: no preview URL when its requirements keep this worker from previewing. */
    private Map<String, Object> hit(LocalMarketplace.HitView h, String workerId) {
        Map<String, Object> m = hit(h);
        m.put("previewUrl", marketplace.previewUrl(h.hitId(), workerId).orElse(null));
        m.put("canAccept", marketplace.allows(workerId, h.hitId(), LocalMarketplace.WorkerAction.ACCEPT));
        return m;
    }

    private Map<String, Object> hit(LocalMarketplace.HitView h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hitId", h.hitId());
        m.put("hitTypeId", h.hitTypeId());
        m.put("title", h.title());
        m.put("description", h.description());
        m.put("reward", h.reward().toPlainString());
        m.put("status", h.status());
        m.put("maxAssignments", h.maxAssignments());
        m.put("available", h.available());
        m.put("pending", h.pending());
        m.put("completed", h.completed());
        m.put("creationTime", time(h.creationTime()));
        m.put("expiration", time(h.expiration()));
        m.put("assignmentDurationInSeconds", h.assignmentDurationSeconds());
        m.put("requesterAnnotation", h.requesterAnnotation());
        m.put("externalUrl", h.externalUrl());
        m.put("previewUrl", marketplace.previewUrl(h.hitId()).orElse(null));
        return m;
    }

    private Map<String, Object> assignment(LocalMarketplace.AssignmentView a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("assignmentId", a.assignmentId());
        m.put("hitId", a.hitId());
        m.put("hitTypeId", a.hitTypeId());
        m.put("workerId", a.workerId());
        m.put("status", a.status().wire());
        m.put("acceptTime", time(a.acceptTime()));
        m.put("deadline", time(a.deadline()));
        m.put("submitTime", time(a.submitTime()));
        m.put("approvalTime", time(a.approvalTime()));
        m.put("rejectionTime", time(a.rejectionTime()));
        m.put("releaseTime", time(a.releaseTime()));
        m.put("url", a.status() == LocalMarketplace.AssignmentStatus.ACCEPTED
                ? marketplace.workUrl(a.assignmentId(), currentBase()).orElse(null) : null);
        return m;
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    private static String currentBase() {
        return ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
    }
}
