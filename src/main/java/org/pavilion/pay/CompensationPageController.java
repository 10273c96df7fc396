package org.pavilion.pay;

import java.util.Optional;

import org.pavilion.pay.Compensations.Compensation;
import org.pavilion.realtime.pages.WorkerPagesController;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import jakarta.servlet.http.HttpServletResponse;

/**
 * The page of a compensation HIT (its ExternalQuestion): says what it pays and lets the worker submit.
 * It shows nothing secret (the amount is the HIT's public reward); only the owed worker can accept the
 * HIT, which the marketplace enforces with the qualification.
 */
@Controller
public class CompensationPageController {

    static final String NOT_ACCEPTED = "ASSIGNMENT_ID_NOT_AVAILABLE";

    private final Compensations compensations;

    public CompensationPageController(Compensations compensations) {
        this.compensations = compensations;
    }

    @GetMapping("/compensation")
    public String page(@RequestParam(required = false) String assignmentId, @RequestParam(required = false) String hitId,
                       @RequestParam(required = false) String turkSubmitTo, Model model, HttpServletResponse response) {
        Optional<Compensation> c = hitId == null || hitId.length() > 128 ? Optional.empty() : compensations.byHit(hitId);
        if (c.isEmpty()) {
            return error(model, response, HttpStatus.NOT_FOUND, "No such payment",
                    "This page belongs to a HIT that pays a worker what Pavilion owes it; this HIT is not one of them.");
        }
        model.addAttribute("amount", c.get().amount().display());
        boolean accepted = assignmentId != null && !assignmentId.isBlank() && !NOT_ACCEPTED.equals(assignmentId);
        model.addAttribute("accepted", accepted);
        if (accepted) {
            String submitTo;
            try {
                submitTo = WorkerPagesController.submitUrl(turkSubmitTo);
            } catch (RuntimeException e) {
                return error(model, response, HttpStatus.BAD_REQUEST, "Invalid address",
                        "This page needs MTurk's turkSubmitTo (an http(s) address). Open it from the HIT on MTurk.");
            }
            model.addAttribute("submitTo", submitTo);
            model.addAttribute("assignmentId", assignmentId);
        }
        return "worker/compensation";
    }

    private static String error(Model model, HttpServletResponse response, HttpStatus status, String heading,
                                String message) {
        response.setStatus(status.value());
        model.addAttribute("heading", heading);
        model.addAttribute("message", message);
        return "worker/error";
    }
}
