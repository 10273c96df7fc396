package org.pavilion.admin.pay;

import java.security.Principal;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.pavilion.project.UnknownProjectException;
import org.pavilion.queue.PavilionException;
import org.pavilion.session.UnknownSessionException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The admin's payments pages, per session and per project, and their forms: approve or reject submissions
 * under review (one, or all of a session), retry a failed step. Each form posts with its CSRF token and
 * comes back to the page it was sent from with a notice, or an error naming the field at fault (a
 * rejection without feedback).
 */
@Controller
public class PaymentsPageController {

    /** The flash attribute naming the feedback field at fault and why: {@code {"field": id, "message": text}}. */
    static final String FIELD_ERROR = "fieldError";

    private final PaymentViews views;
    private final PaymentDecisions decisions;
    private final PaymentQueries queries;

    public PaymentsPageController(PaymentViews views, PaymentDecisions decisions, PaymentQueries queries) {
        this.views = views;
        this.decisions = decisions;
        this.queries = queries;
    }

    @GetMapping("/admin/sessions/{sessionId}/payments")
    public String session(@PathVariable long sessionId, Model model) {
        model.addAttribute("p", views.session(sessionId));
        return "admin/pay/payments";
    }

    @GetMapping("/admin/projects/{projectId}/payments")
    public String project(@PathVariable long projectId, Model model) {
        model.addAttribute("p", views.project(projectId));
        return "admin/pay/payments";
    }

    @PostMapping("/admin/sessions/{sessionId}/payments/approve")
    public String approve(@PathVariable long sessionId, @RequestParam(name = "payoutId", required = false) String payoutId,
                          @RequestParam(name = "feedback", required = false) String feedback,
                          @RequestParam(name = "from", required = false) String from, Principal principal,
                          RedirectAttributes redirect) {
        return decide(sessionId, payoutId, from, redirect,
                id -> () -> decisions.approve(sessionId, id, feedback, PaymentsApiController.admin(principal)));
    }

    @PostMapping("/admin/sessions/{sessionId}/payments/reject")
    public String reject(@PathVariable long sessionId, @RequestParam(name = "payoutId", required = false) String payoutId,
                         @RequestParam(name = "feedback", required = false) String feedback,
                         @RequestParam(name = "from", required = false) String from, Principal principal,
                         RedirectAttributes redirect) {
        return decide(sessionId, payoutId, from, redirect,
                id -> () -> decisions.reject(sessionId, id, feedback, PaymentsApiController.admin(principal)));
    }

    @PostMapping("/admin/sessions/{sessionId}/payments/{payoutId}/retry")
    public String retry(@PathVariable long sessionId, @PathVariable long payoutId,
                        @RequestParam(name = "from", required = false) String from, Principal principal,
                        RedirectAttributes redirect) {
        String back = back(sessionId, from);
        PaymentDecisions.Result r = decisions.retry(sessionId, payoutId, PaymentsApiController.admin(principal));
        redirect.addFlashAttribute(r.changed() > 0 ? "notice" : "problem", r.message());
        return back;
    }

    @PostMapping("/admin/sessions/{sessionId}/payments/pay-owed")
    public String payOwed(@PathVariable long sessionId, @RequestParam(name = "from", required = false) String from,
                          Principal principal, RedirectAttributes redirect) {
        String back = back(sessionId, from);
        PaymentDecisions.Result r = decisions.payOwed(sessionId, PaymentsApiController.admin(principal));
        redirect.addFlashAttribute(r.changed() > 0 ? "notice" : "problem", r.message());
        return back;
    }

    private String decide(long sessionId, String rawPayoutId, String from, RedirectAttributes redirect,
                          java.util.function.Function<Optional<Long>, Supplier<PaymentDecisions.Result>> decision) {
        String back = back(sessionId, from);
        String text = rawPayoutId == null ? "" : rawPayoutId.strip();
        if (!text.isEmpty() && !text.matches("\\d{1,18}")) {
            redirect.addFlashAttribute("problem", "That payout id is not valid; nothing changed.");
            return back;
        }
        Optional<Long> payoutId = text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
        try {
            PaymentDecisions.Result r = decision.apply(payoutId).get();
            redirect.addFlashAttribute(r.changed() > 0 ? "notice" : "problem", r.message());
        } catch (BadDecisionException e) {
            redirect.addFlashAttribute("problem", e.getMessage() + " Nothing changed.");
            redirect.addFlashAttribute(FIELD_ERROR, Map.of("field",
                    "feedback-" + payoutId.map(String::valueOf).orElse("all"), "message", e.getMessage()));
        }
        return back;
    }

    /** Back to the page the form was on: the session's payments, or its project's ({@code from=project}). */
    private String back(long sessionId, String from) {
        PaymentQueries.SessionPay s = queries.session(sessionId).orElseThrow(() -> new UnknownSessionException(sessionId));
        return "project".equals(from) ? "redirect:/admin/projects/" + s.projectId() + "/payments"
                : "redirect:/admin/sessions/" + sessionId + "/payments";
    }

    @ExceptionHandler({UnknownSessionException.class, UnknownProjectException.class, UnknownPayoutException.class})
    ModelAndView unknown(PavilionException e) {
        ModelAndView mav = new ModelAndView("admin/live/error");
        mav.setStatus(HttpStatus.NOT_FOUND);
        mav.addObject("title", e instanceof UnknownProjectException ? "No such project"
                : e instanceof UnknownPayoutException ? "No such payout" : "No such session");
        mav.addObject("message", e.getMessage());
        mav.addObject("status", HttpStatus.NOT_FOUND.value());
        return mav;
    }
}
