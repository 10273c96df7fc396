package org.pavilion.marketplace.local;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.pavilion.pay.Money;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.springframework.web.servlet.view.RedirectView;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The worker board at {@code GET /local-mturk/board}: a person plays a worker — chooses a worker
 * id, sees the open HITs, previews one (its ExternalQuestion URL with
 * {@code assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE}), accepts one (an assignment is made and the
 * browser goes to the task page with {@code assignmentId}, {@code hitId}, {@code workerId} and
 * {@code turkSubmitTo} = this server's {@code /local-mturk}), returns it, and sees its
 * assignments with their approval state and the requester's feedback, the bonuses it received
 * (amount and reason), its qualifications and what it earned. HITs whose qualification
 * requirements the worker does not meet are hidden ({@code DiscoverPreviewAndAccept}), shown
 * without a preview ({@code PreviewAndAccept}) or shown without an Accept button; accepting one
 * anyway is refused (403). The task page's submission lands on
 * {@code POST /local-mturk/mturk/externalSubmit}, which marks the assignment Submitted and shows a
 * "submitted" page.
 *
 * <p>The board's POST forms carry a per-process token and a cross-origin {@code Origin} is
 * refused, which is enough for a loopback tool. {@code externalSubmit} takes no token, like
 * MTurk's: it needs the assignment id.
 */
@Controller
@ConditionalOnLocalMarketplace
public class WorkerBoardController {

    static final String CSRF_FIELD = "_csrf";

    /** One HIT on the board. */
    public record HitRow(String hitId, String title, String description, String reward, int available,
                         int maxAssignments, String expiration, String previewUrl, String heldAssignmentId,
                         boolean qualified) {
    }

    /** One of the worker's assignments; {@code reward}: what approving it pays the worker. */
    public record AssignmentRow(String assignmentId, String hitId, String title, String status, String acceptTime,
                                String deadline, String workUrl, boolean open, String reward, String feedback) {
    }

    /** A bonus the worker received. */
    public record BonusRow(String amount, String reason, String assignmentId, String grantTime) {
    }

    /** A qualification the worker holds. */
    public record QualificationRow(String name, String qualificationTypeId, int value) {
    }

    private final LocalMarketplace marketplace;
    private final String csrfToken;
    private final org.pavilion.format.Formats formats;

    public WorkerBoardController(LocalMarketplace marketplace, org.pavilion.format.Formats formats) {
        this.marketplace = marketplace;
        this.formats = formats;
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        this.csrfToken = HexFormat.of().formatHex(bytes);
    }

    /** A browser opening the local marketplace's root lands on the board. */
    @GetMapping({"/local-mturk", "/local-mturk/"})
    public ModelAndView root() {
        RedirectView view = new RedirectView("/local-mturk/board", true);
        view.setStatusCode(HttpStatus.SEE_OTHER);
        return new ModelAndView(view);
    }

    @GetMapping("/local-mturk/board")
    public String board(@RequestParam(required = false) String workerId,
                        @RequestParam(required = false) String notice, Model model, HttpServletResponse response) {
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        String error = null;
        if (workerId != null && !workerId.isBlank()) {
            try {
                LocalMarketplace.requireWorkerId(workerId.strip());
                workerId = workerId.strip();
            } catch (LocalMarketplaceException e) {
                error = e.getMessage();
                workerId = null;
            }
        } else {
            workerId = null;
        }
        fill(model, workerId, notice, error);
        return "local/board";
    }

    @PostMapping("/local-mturk/board/accept")
    public ModelAndView accept(@RequestParam String workerId, @RequestParam String hitId,
                         @RequestParam(name = CSRF_FIELD, required = false) String csrf, HttpServletRequest request,
                         HttpServletResponse response, Model model) {
        Optional<String> refused = checkForm(request, csrf);
        if (refused.isPresent()) {
            return refuse(model, response, workerId, refused.get());
        }
        try {
            LocalMarketplace.AssignmentView a = marketplace.accept(workerId, hitId);
            Optional<String> url = marketplace.workUrl(a.assignmentId(), currentBase());
            if (url.isPresent()) {
                return redirect(url.get());
            }
            return redirect(boardUrl(workerId, "Accepted " + a.assignmentId()
                    + "; this HIT has no ExternalQuestion page to open."));
        } catch (LocalMarketplaceException e) {
            response.setStatus(e.httpStatus());
            fill(model, validOrNull(workerId), null, e.getMessage());
            return new ModelAndView("local/board");
        }
    }

    @PostMapping("/local-mturk/board/return")
    public ModelAndView returnAssignment(@RequestParam String workerId, @RequestParam String assignmentId,
                                   @RequestParam(name = CSRF_FIELD, required = false) String csrf,
                                   HttpServletRequest request, HttpServletResponse response, Model model) {
        Optional<String> refused = checkForm(request, csrf);
        if (refused.isPresent()) {
            return refuse(model, response, workerId, refused.get());
        }
        try {
            ownedBy(assignmentId, workerId);
            marketplace.returnAssignment(assignmentId);
            return redirect(boardUrl(workerId, "Returned assignment " + assignmentId + "."));
        } catch (LocalMarketplaceException e) {
            response.setStatus(e.httpStatus());
            fill(model, validOrNull(workerId), null, e.getMessage());
            return new ModelAndView("local/board");
        }
    }

    /** MTurk's submission endpoint: {@code turkSubmitTo} is {@code <base>/local-mturk}. */
    @PostMapping("/local-mturk/mturk/externalSubmit")
    public String externalSubmit(@RequestParam Map<String, String> form, HttpServletResponse response, Model model) {
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        String assignmentId = form.get("assignmentId");
        Map<String, String> answers = new LinkedHashMap<>(form);
        answers.remove("assignmentId");
        model.addAttribute("assignmentId", assignmentId);
        try {
            if (assignmentId == null || assignmentId.isBlank()
                    || LocalMarketplace.PREVIEW_ASSIGNMENT.equals(assignmentId)) {
                throw LocalMarketplaceException.invalid("assignmentId is missing (or the page was only a preview): "
                        + "accept the HIT before submitting");
            }
            LocalMarketplace.AssignmentView a = marketplace.submit(assignmentId, answers);
            model.addAttribute("assignment", a);
            model.addAttribute("submitTime", formats.time(a.submitTime()));
            model.addAttribute("title", marketplace.getHit(a.hitId()).title());
            model.addAttribute("boardUrl", boardUrl(a.workerId(), null));
            return "local/submitted";
        } catch (LocalMarketplaceException e) {
            response.setStatus(e.httpStatus());
            model.addAttribute("error", e.getMessage());
            marketplace.assignment(assignmentId == null ? "" : assignmentId)
                    .ifPresent(a -> model.addAttribute("boardUrl", boardUrl(a.workerId(), null)));
            return "local/submitted";
        }
    }

    private void fill(Model model, String workerId, String notice, String error) {
        model.addAttribute("workerId", workerId);
        model.addAttribute("notice", notice);
        model.addAttribute("error", error);
        model.addAttribute("csrf", csrfToken);
        model.addAttribute("csrfField", CSRF_FIELD);
        Map<String, String> held = new LinkedHashMap<>();
        List<AssignmentRow> mine = List.of();
        List<BonusRow> bonuses = List.of();
        List<QualificationRow> qualifications = List.of();
        Money rewards = Money.ZERO;
        Money bonusTotal = Money.ZERO;
        String base = currentBase();
        if (workerId != null) {
            List<LocalMarketplace.AssignmentView> all = marketplace.assignmentsOf(workerId);
            for (LocalMarketplace.AssignmentView a : all) {
                if (!a.status().released()) {
                    held.put(a.hitId(), a.assignmentId());
                }
            }
            List<AssignmentRow> rows = new ArrayList<>();
            for (LocalMarketplace.AssignmentView a : all) {
                boolean open = a.status() == LocalMarketplace.AssignmentStatus.ACCEPTED;
                LocalMarketplace.HitView hit = marketplace.getHit(a.hitId());
                Money reward = LocalMarketplace.toMoney(hit.reward());
                if (a.status() == LocalMarketplace.AssignmentStatus.APPROVED) {
                    rewards = rewards.plus(reward);
                }
                rows.add(new AssignmentRow(a.assignmentId(), a.hitId(), hit.title(), a.status().wire(),
                        formats.time(a.acceptTime()), formats.time(a.deadline()),
                        open ? marketplace.workUrl(a.assignmentId(), base).orElse(null) : null, open,
                        reward.display(), a.requesterFeedback()));
            }
            mine = rows;
            List<LocalMarketplace.Bonus> received = marketplace.bonusesOf(workerId);
            for (LocalMarketplace.Bonus b : received) {
                bonusTotal = bonusTotal.plus(b.amount());
            }
            bonuses = received.stream().map(b -> new BonusRow(b.amount().display(), b.reason(), b.assignmentId(),
                    formats.time(b.grantTime()))).toList();
            qualifications = marketplace.qualificationsOf(workerId).stream()
                    .map(q -> new QualificationRow(q.name(), q.qualificationTypeId(), q.value())).toList();
        }
        String viewer = workerId;
        List<HitRow> hits = marketplace.openHitsFor(viewer).stream().map(h -> new HitRow(h.hitId(), h.title(),
                h.description(), LocalMarketplace.toMoney(h.reward()).display(), h.available(), h.maxAssignments(),
                formats.time(h.expiration()), marketplace.previewUrl(h.hitId(), viewer).orElse(null),
                held.get(h.hitId()), marketplace.allows(viewer, h.hitId(), LocalMarketplace.WorkerAction.ACCEPT)))
                .toList();
        model.addAttribute("hits", hits);
        model.addAttribute("bonuses", bonuses);
        model.addAttribute("qualifications", qualifications);
        model.addAttribute("earnedRewards", rewards.display());
        model.addAttribute("earnedBonuses", bonusTotal.display());
        model.addAttribute("earnedTotal", rewards.plus(bonusTotal).display());
        model.addAttribute("assignments", mine);
    }

    private void ownedBy(String assignmentId, String workerId) {
        LocalMarketplace.AssignmentView a = marketplace.assignment(assignmentId).orElseThrow(() ->
                LocalMarketplaceException.notFound("AWS.MechanicalTurk.AssignmentDoesNotExist",
                        "Assignment " + assignmentId + " does not exist"));
        if (!a.workerId().equals(workerId)) {
            throw LocalMarketplaceException.conflict("AWS.MechanicalTurk.NotYourAssignment",
                    "Assignment " + assignmentId + " is not worker " + workerId + "'s");
        }
    }

    /** The form's token must match, and a browser's Origin (when sent) must be this server's. */
    private Optional<String> checkForm(HttpServletRequest request, String csrf) {
        if (csrf == null || !MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8),
                csrfToken.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of("The form is out of date or did not come from the board: reload the board and try "
                    + "again.");
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin != null && !"null".equals(origin)) {
            try {
                URI o = URI.create(origin);
                URI self = URI.create(currentBase());
                if (!o.getHost().equalsIgnoreCase(self.getHost()) || port(o) != port(self)) {
                    return Optional.of("Cross-origin form posts are refused.");
                }
            } catch (RuntimeException e) {
                return Optional.of("Cross-origin form posts are refused.");
            }
        }
        return Optional.empty();
    }

    private ModelAndView refuse(Model model, HttpServletResponse response, String workerId, String message) {
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        fill(model, validOrNull(workerId), null, message);
        return new ModelAndView("local/board");
    }

    /** 303 See Other to an absolute URL, taken as it is (no template expansion). */
    private static ModelAndView redirect(String url) {
        RedirectView view = new RedirectView(url);
        view.setStatusCode(HttpStatus.SEE_OTHER);
        view.setExpandUriTemplateVariables(false);
        view.setExposeModelAttributes(false);
        return new ModelAndView(view);
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static String validOrNull(String workerId) {
        try {
            LocalMarketplace.requireWorkerId(workerId);
            return workerId;
        } catch (LocalMarketplaceException e) {
            return null;
        }
    }

    private static String boardUrl(String workerId, String notice) {
        UriComponentsBuilder b = ServletUriComponentsBuilder.fromCurrentContextPath().path("/local-mturk/board")
                .queryParam("workerId", "{w}");
        if (notice != null) {
            b.queryParam("notice", "{n}");
            return b.encode().buildAndExpand(workerId, notice).toUriString();
        }
        return b.encode().buildAndExpand(workerId).toUriString();
    }

    private static String currentBase() {
        return ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
    }
}
