package org.pavilion.realtime.pages;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.pavilion.pay.Money;
import org.pavilion.pay.PayLedger;
import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.pay.PayoutState.Approval;
import org.pavilion.pay.PayoutState.Bonus;
import org.pavilion.realtime.SignedTokens;
import org.pavilion.realtime.WorkerIdentity;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * What a worker was paid for its assignment, for the worker itself (SPEC §4.9):
 *
 * <ul>
 * <li>{@code GET /worker_pay} with {@code Authorization: Bearer <page token>}: JSON, the payouts of the
 * token's worker assignment: its bonus ("Bonus $0.05 paid", "pending approval", …) and its approval;</li>
 * <li>{@code GET /my_pay}: the page that shows it. The worker pages link to it as {@code /my_pay#<token>}: the
 * token stays in the fragment, which the browser never sends, and reaches the server only in the header.</li>
 * </ul>
 *
 * Only the signed token says whose pay it is (the worker pages hand it out for a confirmed assignment): no
 * worker or assignment id from the request is believed. The answer holds nothing the worker cannot see on
 * MTurk anyway, and never the marketplace's error text.
 */
@Controller
public class WorkerPayController {

    private final SignedTokens tokens;
    private final PayLedger ledger;
    private final JdbcTemplate jdbc;
    private final Duration tokenTtl;

    public WorkerPayController(SignedTokens tokens, PayLedger ledger, JdbcTemplate jdbc,
                               @Value("${pavilion.worker-pages.token-ttl:PT24H}") Duration tokenTtl) {
        this.tokens = tokens;
        this.ledger = ledger;
        this.jdbc = jdbc;
        this.tokenTtl = tokenTtl;
    }

    @GetMapping("/my_pay")
    public String page(HttpServletResponse response) {
        WorkerPagesController.securityHeaders(response);
        return "worker/pay";
    }

    @GetMapping(value = "/worker_pay", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public ResponseEntity<Map<String, Object>> pay(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            return refuse("missing_token", "Open this page from the link on your task page (it carries your "
                    + "page's signed token).");
        }
        Optional<WorkerIdentity> who = tokens.verifyWorker(header.substring(7).strip());
        if (who.isEmpty()) {
            return refuse("invalid_token", "This link is not valid or has expired (a task page's link works for "
                    + hours(tokenTtl) + " after the page was opened). MTurk's dashboard lists your bonuses and "
                    + "approvals as well.");
        }
        WorkerIdentity w = who.get();
        List<Payout> own = ledger.forSession(w.sessionId()).stream()
                .filter(p -> p.workerId().equals(w.workerId()) && p.assignmentId().equals(w.assignmentId())).toList();
        // Task bonuses awarded and not yet fixed join the first bonus still to be sent (as the ledger will).
        Money pendingTasks = Money.ofCents(jdbc.queryForObject("select coalesce(sum(cents), 0) from bonus where "
                + "session_id = ? and worker_id = ? and state = 'REQUESTED' and payout_id is null", Long.class,
                w.sessionId(), w.workerId()));
        List<Map<String, Object>> payouts = new java.util.ArrayList<>();
        for (Payout p : own) {
            boolean takes = p.bonus() == null && pendingTasks.isPositive() && switch (p.bonusState()) {
                case PENDING, DUE, SENT, FAILED -> true;
                default -> false;
            };
            payouts.add(payout(p, takes ? pendingTasks : Money.ZERO));
            pendingTasks = takes ? Money.ZERO : pendingTasks;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("worker", w.workerId());
        body.put("assignmentId", w.assignmentId());
        body.put("payouts", payouts);
        body.put("message", payouts.isEmpty() ? "Nothing is settled yet: your pay is settled when your assignment "
                + "ends (when you submit or return the HIT) or when the task ends." : null);
        return ResponseEntity.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").body(body);
    }

    /** @param pendingTasks task bonuses not yet fixed that this payout's bonus will carry */
    private static Map<String, Object> payout(Payout p, Money pendingTasks) {
        Money bonus = p.bonus() != null ? p.bonus() : p.waitingPay().plus(pendingTasks);
        Money tasks = p.bonus() != null ? (p.taskBonuses() == null ? Money.ZERO : p.taskBonuses()) : pendingTasks;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("waited", minutesAndSeconds(p.waitedMillis() / 1000));
        m.put("waitingPay", p.waitingPay().display());
        m.put("taskBonuses", tasks.display());
        m.put("bonus", bonus.display());
        m.put("bonusState", bonusState(p.bonusState()));
        m.put("bonusText", bonusText(p, bonus));
        m.put("approvalText", approvalText(p));
        m.put("feedback", p.feedback());
        m.put("settled", settled(p));
        return m;
    }

    /** The bonus's state as the worker's page names it (a failure is only "delayed": the admin retries it). */
    static String bonusState(Bonus b) {
        return switch (b) {
            case PENDING -> "pending";
            case DUE, SENT, FAILED -> "sending";
            case PAID, COMPENSATED -> "paid";
            case NONE -> "none";
            case OWED, COMPENSATING -> "owed";
            case CANCELLED -> "cancelled";
        };
    }

    static String bonusText(Payout p, Money bonus) {
        String amount = bonus.display();
        return switch (p.bonusState()) {
            case PENDING -> p.approvalState() == Approval.REVIEW ? "Bonus " + amount + " pending approval"
                    : "Bonus " + amount + " pending";
            case DUE, SENT -> "Bonus " + amount + " being sent";
            case FAILED -> "Bonus " + amount + " delayed: it will be sent";
            case PAID -> "Bonus " + amount + " paid";
            case NONE -> "No bonus (nothing was earned while waiting)";
            case OWED -> amount + " owed: you will be paid through a separate HIT only you can see";
            case COMPENSATING -> amount + " owed: a HIT that pays it has been posted for you";
            case COMPENSATED -> amount + " paid through a separate HIT";
            case CANCELLED -> "No bonus: your submission was rejected";
        };
    }

    static String approvalText(Payout p) {
        return switch (p.approvalState()) {
            case PENDING -> "Your assignment is still open";
            case REVIEW -> "Your submission awaits the researcher's review";
            case DUE, FAILED -> "Your submission is being approved";
            case APPROVED -> "Your submission was approved";
            case REJECT_DUE, REJECTED -> "Your submission was rejected";
            case NONE -> "Nothing to approve (the HIT was returned or abandoned)";
        };
    }

    /** Nothing more will happen to this payout by itself: the page stops asking. */
    private static boolean settled(Payout p) {
        boolean bonusDone = switch (p.bonusState()) {
            case PAID, COMPENSATED, NONE, CANCELLED -> true;
            default -> false;
        };
        boolean approvalDone = switch (p.approvalState()) {
            case APPROVED, REJECTED, NONE -> true;
            default -> false;
        };
        return bonusDone && approvalDone;
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on (as the waiting page counts). */
    static String minutesAndSeconds(long seconds) {
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    private static String hours(Duration d) {
        long h = d.toHours();
        return h >= 1 ? h + (h == 1 ? " hour" : " hours") : Math.max(1, d.toMinutes()) + " minutes";
    }

    private static ResponseEntity<Map<String, Object>> refuse(String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        return ResponseEntity.status(401).header(HttpHeaders.CACHE_CONTROL, "no-store")
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
