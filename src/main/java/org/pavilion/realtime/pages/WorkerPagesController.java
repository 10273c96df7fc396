package org.pavilion.realtime.pages;

import org.pavilion.pay.Money;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.servlet.http.HttpServletResponse;

import org.pavilion.project.Task;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.PavilionException;
import org.pavilion.queue.QueueSnapshot.WorkerView;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.realtime.SignedTokens;
import org.pavilion.realtime.WorkerIdentity;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionConfig;
import org.pavilion.session.SessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The worker-facing pages at the seed's URLs, opened by MTurk (in its frame) with its query
 * parameters {@code assignmentId}, {@code hitId}, {@code workerId}, {@code turkSubmitTo}:
 *
 * <ul>
 * <li>{@code GET /waiting_task}: the paid waiting room (SPEC §4.1, §4.3, §4.9);</li>
 * <li>{@code GET /main_task}: the live task, with the sample group chat among active workers.</li>
 * </ul>
 *
 * In preview ({@code assignmentId} missing or {@code ASSIGNMENT_ID_NOT_AVAILABLE}) both show what
 * the task is and carry no token and no script that joins. Otherwise the page carries a signed
 * worker token for its worker and assignment that its real-time connection presents. Every value
 * reaches the page through Thymeleaf's escaping, as a {@code data-} attribute read by a static
 * script, so the pages run under a Content-Security-Policy that forbids inline script.
 */
@Controller
public class WorkerPagesController {

    /** What MTurk puts in {@code assignmentId} while a worker only previews the HIT. */
    public static final String PREVIEW_ASSIGNMENT = "ASSIGNMENT_ID_NOT_AVAILABLE";

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'";

    private static final Logger log = LoggerFactory.getLogger(WorkerPagesController.class);
    /** As the real-time protocol takes them: 1–128 printable ASCII characters without spaces. */
    private static final int MAX_ID_LENGTH = 128;
    private static final int MAX_URL_LENGTH = 2000;

    private final SessionStore store;
    private final LiveSessionService sessions;
    private final TaskRepository tasks;
    private final SignedTokens tokens;
    private final Duration tokenTtl;

    public WorkerPagesController(SessionStore store, LiveSessionService sessions, TaskRepository tasks,
                                 SignedTokens tokens,
                                 @Value("${pavilion.worker-pages.token-ttl:PT24H}") Duration tokenTtl) {
        this.store = store;
        this.sessions = sessions;
        this.tasks = tasks;
        this.tokens = tokens;
        this.tokenTtl = tokenTtl;
    }

    @GetMapping("/waiting_task")
    public String waitingTask(@RequestParam(required = false) String assignmentId,
                              @RequestParam(required = false) String hitId,
                              @RequestParam(required = false) String workerId,
                              @RequestParam(required = false) String turkSubmitTo,
                              Model model, HttpServletResponse response) {
        return page(Stage.WAITING, assignmentId, hitId, workerId, turkSubmitTo, model, response);
    }

    @GetMapping("/main_task")
    public String mainTask(@RequestParam(required = false) String assignmentId,
                           @RequestParam(required = false) String hitId,
                           @RequestParam(required = false) String workerId,
                           @RequestParam(required = false) String turkSubmitTo,
                           Model model, HttpServletResponse response) {
        return page(Stage.MAIN, assignmentId, hitId, workerId, turkSubmitTo, model, response);
    }

    private String page(Stage stage, String rawAssignmentId, String rawHitId, String rawWorkerId,
                        String rawTurkSubmitTo, Model model, HttpServletResponse response) {
        securityHeaders(response);
        String assignmentId = trimToNull(rawAssignmentId);
        String hitId = trimToNull(rawHitId);
        String workerId = trimToNull(rawWorkerId);
        String turkSubmitTo = trimToNull(rawTurkSubmitTo);

        if (assignmentId == null || PREVIEW_ASSIGNMENT.equals(assignmentId)) {
            return preview(stage, hitId, model);
        }

        requireId("workerId", workerId);
        requireId("assignmentId", assignmentId);
        requireId("hitId", hitId);
        String submitTo = submitUrl(turkSubmitTo);
        long sessionId = store.findSessionByHit(hitId).orElseThrow(() -> new PageException(HttpStatus.BAD_REQUEST,
                "Unknown HIT", "This HIT (" + hitId + ") is not a task Pavilion knows. "
                + "Please check the link, or return the HIT."));
        SessionConfig config = liveConfig(sessionId);
        Optional<Task> task = tasks.find(config.taskId());

        // Send the worker to the page that matches where the session has them.
        Seen seen = workerView(sessionId, workerId, assignmentId, hitId);
        WorkerView view = seen.worker();
        WorkerStatus status = view == null ? null : view.status();
        String query = query(assignmentId, hitId, workerId, turkSubmitTo);
        if (stage == Stage.MAIN && (status == null || status == WorkerStatus.WAITING)) {
            return "redirect:/waiting_task" + query;
        }
        if (stage == Stage.WAITING && status == WorkerStatus.ACTIVE) {
            return "redirect:/main_task" + query;
        }

        // A token is proof that the marketplace confirmed this worker's assignment (SPEC §4.1.0): none is
        // minted for ids a link merely claims. Such a page joins without one and waits for the confirmation.
        String token = seen.confirmed()
                ? tokens.workerToken(new WorkerIdentity(sessionId, workerId, assignmentId, hitId), tokenTtl) : null;
        taskModel(model, task);
        model.addAttribute("token", token);
        model.addAttribute("workerId", workerId);
        model.addAttribute("assignmentId", assignmentId);
        model.addAttribute("hitId", hitId);
        model.addAttribute("turkSubmitTo", submitTo);
        model.addAttribute("centsPerHour", config.waitingPayCentsPerHour());
        model.addAttribute("ratePerHour", org.pavilion.format.Formats.perHour(config.waitingPayCentsPerHour()));
        model.addAttribute("maxWaiting", config.thresholds().maxWaiting()); // update_worker_count's max_count
        model.addAttribute("mainUrl", "main_task" + query);
        model.addAttribute("ready", view != null && view.ready());
        return stage == Stage.WAITING ? "worker/waiting" : "worker/main";
    }

    private String preview(Stage stage, String hitId, Model model) {
        Optional<Task> task = Optional.empty();
        if (hitId != null && hitId.length() <= MAX_ID_LENGTH) {
            try {
                task = store.findSessionByHit(hitId).flatMap(s -> tasks.find(sessions.config(s).taskId()));
            } catch (PavilionException e) {
                // an ended or unknown session: show the generic preview
            }
        }
        taskModel(model, task);
        model.addAttribute("stage", stage == Stage.WAITING ? "waiting" : "main");
        return "worker/preview";
    }

    private void taskModel(Model model, Optional<Task> task) {
        model.addAttribute("title", task.map(Task::title).orElse("A live crowd task"));
        model.addAttribute("description", task.map(t -> t.settings().description()).orElse(""));
        model.addAttribute("reward", task.map(t -> Money.ofCents(t.settings().rewardCents()).display()).orElse(null));
        model.addAttribute("ratePerHour", task.map(t -> org.pavilion.format.Formats.perHour(t.settings().waitingPayCentsPerHour())).orElse(null));
    }

    private SessionConfig liveConfig(long sessionId) {
        try {
            return sessions.config(sessionId);
        } catch (PavilionException e) {
            throw ended();
        }
    }

    /**
     * The worker as the session knows it (null if it never joined) and whether the marketplace confirmed
     * its assignment; an ended session is refused.
     */
    private Seen workerView(long sessionId, String workerId, String assignmentId, String hitId) {
        Seen seen;
        try {
            seen = sessions.read(sessionId, engine -> {
                WorkerView worker = engine.statusOf(workerId) == null ? null : engine.snapshot().workers().get(workerId);
                boolean admitted = worker != null && worker.status().inQueue() && assignmentId.equals(worker.assignmentId());
                return new Seen(engine.isExpired(), worker,
                        admitted || engine.isConfirmedFor(workerId, assignmentId, hitId));
            }).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PavilionException) {
                throw ended();
            }
            throw new IllegalStateException("cannot read session " + sessionId, e.getCause());
        } catch (TimeoutException e) {
            throw new PageException(HttpStatus.SERVICE_UNAVAILABLE, "Busy",
                    "Pavilion is busy right now. Please reload this page in a moment.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (seen.expired()) {
            throw ended();
        }
        return seen;
    }

    private record Seen(boolean expired, WorkerView worker, boolean confirmed) {
    }

    private static PageException ended() {
        return new PageException(HttpStatus.GONE, "This task has ended",
                "The live session of this HIT has ended. Please return the HIT.");
    }

    private static void requireId(String name, String value) {
        if (value == null) {
            throw new PageException(HttpStatus.BAD_REQUEST, "Missing " + name,
                    "This page needs MTurk's " + name + " in its address. Open it from the HIT on MTurk.");
        }
        if (value.length() > MAX_ID_LENGTH || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new PageException(HttpStatus.BAD_REQUEST, "Invalid " + name,
                    "The " + name + " in this page's address is not valid.");
        }
    }

    /** {@code {turkSubmitTo}/mturk/externalSubmit}; only an absolute http(s) URL is accepted. */
    public static String submitUrl(String turkSubmitTo) {
        if (turkSubmitTo == null) {
            throw new PageException(HttpStatus.BAD_REQUEST, "Missing turkSubmitTo",
                    "This page needs MTurk's turkSubmitTo in its address. Open it from the HIT on MTurk.");
        }
        try {
            if (turkSubmitTo.length() > MAX_URL_LENGTH) {
                throw new IllegalArgumentException("too long");
            }
            URI uri = new URI(turkSubmitTo);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            String base = turkSubmitTo;
            while (base.endsWith("/")) {
                base = base.substring(0, base.length() - 1);
            }
            return base + "/mturk/externalSubmit";
        } catch (Exception e) {
            throw new PageException(HttpStatus.BAD_REQUEST, "Invalid turkSubmitTo",
                    "The turkSubmitTo in this page's address is not an http(s) address.");
        }
    }

    private static String query(String assignmentId, String hitId, String workerId, String turkSubmitTo) {
        UriComponentsBuilder b = UriComponentsBuilder.newInstance()
                .queryParam("assignmentId", "{a}").queryParam("hitId", "{h}").queryParam("workerId", "{w}");
        if (turkSubmitTo != null) {
            b.queryParam("turkSubmitTo", "{t}");
        }
        return b.encode().buildAndExpand(assignmentId, hitId, workerId, turkSubmitTo).toUriString();
    }

    private static String trimToNull(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        return t.isEmpty() ? null : t;
    }

    static void securityHeaders(HttpServletResponse response) {
        // The page carries a token: never cache it. MTurk shows it in a frame: no frame restrictions.
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Content-Security-Policy", CSP);
        response.setHeader("Referrer-Policy", "same-origin");
        response.setHeader("X-Content-Type-Options", "nosniff");
    }

    @ExceptionHandler(PageException.class)
    public String pageError(PageException e, Model model, HttpServletResponse response) {
        securityHeaders(response);
        response.setStatus(e.status.value());
        model.addAttribute("heading", e.heading);
        model.addAttribute("message", e.getMessage());
        log.debug("worker page refused: {} ({})", e.heading, e.status);
        return "worker/error";
    }

    private enum Stage { WAITING, MAIN }

    /** A request the worker pages refuse with a page that says why. */
    static final class PageException extends RuntimeException {
        final HttpStatus status;
        final String heading;

        PageException(HttpStatus status, String heading, String message) {
            super(message, null, false, false);
            this.status = status;
            this.heading = heading;
        }
    }
}
