package org.pavilion.admin.live;

import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;

import org.json.JSONObject;
import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.UnknownTaskException;
import org.pavilion.queue.InvalidConfigurationException;
import org.pavilion.queue.PavilionException;
import org.pavilion.queue.SessionEndedException;
import org.pavilion.session.SessionStorageException;
import org.pavilion.session.UnknownSessionException;
import org.pavilion.storage.TaskDataStore;
import org.pavilion.tasklogic.TaskRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import org.springframework.web.servlet.support.RequestContextUtils;

/**
 * The admin's live pages: the sessions list, one session's live view, and the POST forms of the
 * live controls (stop, expire, migrate, the hire budget) (each confirmed in the browser first; CSRF-protected by the security layer).
 * After an action the browser is sent back to the session's view with a notice or an error.
 */
@Controller
public class LiveSessionPageController {

    private static final Logger log = LoggerFactory.getLogger(LiveSessionPageController.class);

    private final LiveControls controls;
    private final SessionViews views;
    private final TaskRepository tasks;
    private final TaskDataStore taskData;
    private final Timeline timeline;
    private final WorkerViews workers;
    private final BulkActions bulk;

    /** How many of the latest task-data records the live view shows. */
    static final int TASK_DATA_SHOWN = 50;

    public LiveSessionPageController(LiveControls controls, SessionViews views, TaskRepository tasks,
                                     TaskDataStore taskData, Timeline timeline, WorkerViews workers,
                                     BulkActions bulk) {
        this.controls = controls;
        this.views = views;
        this.tasks = tasks;
        this.taskData = taskData;
        this.timeline = timeline;
        this.workers = workers;
        this.bulk = bulk;
    }

    /** One task-data record as the live view shows it: text only (the template escapes it). */
    public record TaskDataView(java.time.Instant at, String worker, String alias, String kind, String text) {

        static TaskDataView of(TaskRecord r) {
            String text;
            try {
                JSONObject data = r.json();
                text = data.opt("text") instanceof String t ? t : r.payload(); // a chat message: its text
            } catch (RuntimeException e) {
                text = r.payload();
            }
            return new TaskDataView(r.at(), r.workerId(), r.alias(), r.kind(), text);
        }
    }

    @GetMapping("/admin/sessions")
    public String sessions(@RequestParam(name = "task", required = false) Long taskId, Model model) {
        model.addAttribute("sessions", views.list(taskId));
        model.addAttribute("tasks", taskId == null ? tasks.list()
                : tasks.find(taskId).map(java.util.List::of).orElse(java.util.List.of()));
        model.addAttribute("taskFilter", taskId);
        return "admin/live/sessions";
    }

    @GetMapping("/admin/sessions/{sessionId}")
    public String session(@PathVariable long sessionId,
                          @RequestParam(name = "worker", required = false) String worker,
                          @RequestParam(name = "kind", required = false) String kind,
                          @RequestParam(name = "before", required = false) String before,
                          @RequestParam(name = "after", required = false) String after,
                          @RequestParam(name = "size", required = false) String size, Model model) {
        // The timeline first: a bad page or filter is refused before anything else is read.
        Timeline.Page page = timeline.page(sessionId, worker, kind, before, after, size);
        model.addAttribute("s", views.view(sessionId));
        model.addAttribute("timeline", page);
        model.addAttribute("taskData", taskData.latest(sessionId, TASK_DATA_SHOWN).stream().map(TaskDataView::of).toList());
        model.addAttribute("taskDataCount", taskData.count(sessionId));
        return "admin/live/session";
    }

    /** One worker of the session: status, pay, connection, and its own events (paged like the timeline). */
    @GetMapping("/admin/sessions/{sessionId}/workers/{workerId}")
    public String worker(@PathVariable long sessionId, @PathVariable String workerId,
                         @RequestParam(name = "kind", required = false) String kind,
                         @RequestParam(name = "before", required = false) String before,
                         @RequestParam(name = "after", required = false) String after,
                         @RequestParam(name = "size", required = false) String size, Model model) {
        model.addAttribute("d", workers.view(sessionId, workerId, kind, before, after, size));
        return "admin/live/worker";
    }

    /**
     * Stop or expire the sessions ticked on the sessions list (confirmed in the browser first). Back on the
     * list, each session's result is listed; a request naming no session or no known action changes nothing.
     */
    @PostMapping("/admin/sessions/bulk")
    public String bulk(@RequestParam(name = "action", required = false) String action,
                       @RequestParam(name = "session", required = false) List<String> sessionIds,
                       @RequestParam(name = "back", required = false) String back,
                       Principal principal, RedirectAttributes redirect) {
        String admin = AdminNames.of(principal);
        // Back to where the form was (the sessions list or a project page); nowhere else.
        String target = back != null && back.matches("/admin/(sessions|projects/\\d+)") ? back : "/admin/sessions";
        List<Long> ids = new ArrayList<>();
        for (String id : sessionIds == null ? List.<String>of() : sessionIds) {
            if (id == null || !id.strip().matches("\\d{1,18}")) {
                redirect.addFlashAttribute("problem", "Nothing done: \u201c" + id + "\u201d is not a session number.");
                return "redirect:" + target;
            }
            ids.add(Long.parseLong(id.strip()));
        }
        try {
            List<BulkActions.Result> results = bulk.apply(action, ids, admin);
            redirect.addFlashAttribute("bulkResults", results);
            long done = results.stream().filter(r -> r.outcome() == BulkActions.Outcome.DONE).count();
            redirect.addFlashAttribute("notice", ("stop".equals(action) ? "Stop" : "Expire") + ": " + done + " of "
                    + results.size() + " session(s) done; each one below.");
        } catch (BulkActions.BadBulkRequestException e) {
            redirect.addFlashAttribute("problem", "Nothing done: " + e.getMessage() + ".");
        }
        return "redirect:" + target;
    }

    /**
     * Go live from the task page's Go live dialog. A balance that is short or unknown sends the admin back to
     * the task page, where the dialog shows the figures and asks for the confirmation (the checkbox
     * {@code confirmLowBalance}).
     */
    @PostMapping("/admin/tasks/{taskId}/go-live")
    public String goLive(@PathVariable long taskId,
                         @RequestParam(name = "confirmLowBalance", required = false) String confirmLowBalance,
                         @RequestParam(name = "nonce", required = false) String nonce,
                         @RequestParam(name = "name", required = false) String name,
                         @RequestParam(name = "minActive", required = false) String minActive,
                         @RequestParam(name = "maxActive", required = false) String maxActive,
                         @RequestParam(name = "minWaiting", required = false) String minWaiting,
                         @RequestParam(name = "maxWaiting", required = false) String maxWaiting,
                         @RequestParam(name = "marketplace", required = false) String marketplace,
                         Principal principal, RedirectAttributes redirect) {
        String admin = AdminNames.of(principal);
        String back = "redirect:/admin/tasks/" + taskId + "#go-live";
        MarketplaceService.Posted posted;
        try {
            posted = controls.goLive(taskId, admin, GoLiveBudget.confirmation(confirmLowBalance), nonce,
                    new GoLiveChoices(name, minActive, maxActive, minWaiting, maxWaiting, marketplace));
        } catch (InvalidConfigurationException e) {
            redirect.addFlashAttribute("problem", "Not posted: " + e.getMessage() + ".");
            return back;
        } catch (GoLiveBudget.LowBalanceException e) {
            redirect.addFlashAttribute("problem", "Not posted. " + e.getMessage()
                    + " Add funds, or tick \u201cGo live anyway\u201d and go live again.");
            return back;
        } catch (GoLiveBudget.BadConfirmationException e) {
            redirect.addFlashAttribute("problem", "Not posted: " + e.getMessage() + ".");
            return back;
        }
        redirect.addFlashAttribute("notice", "Task " + taskId + " is live: session " + posted.sessionId()
                + ", HIT " + posted.hitId() + ".");
        return "redirect:/admin/sessions/" + posted.sessionId();
    }

    @PostMapping("/admin/sessions/{sessionId}/stop")
    public String stop(@PathVariable long sessionId, Principal principal, RedirectAttributes redirect) {
        String admin = AdminNames.of(principal);
        return act(sessionId, redirect, () -> controls.stop(sessionId, admin));
    }

    @PostMapping("/admin/sessions/{sessionId}/expire")
    public String expire(@PathVariable long sessionId, Principal principal, RedirectAttributes redirect) {
        String admin = AdminNames.of(principal);
        return act(sessionId, redirect, () -> controls.expire(sessionId, admin));
    }

    @PostMapping("/admin/sessions/{sessionId}/migrate")
    public String migrate(@PathVariable long sessionId, @RequestParam(name = "count", required = false) String count,
                          @RequestParam(name = "force", required = false) String force, Principal principal,
                          RedirectAttributes redirect) {
        String admin = AdminNames.of(principal);
        int n;
        try {
            n = Integer.parseInt(count == null ? "" : count.trim());
        } catch (NumberFormatException e) {
            redirect.addFlashAttribute("problem", "Migrate: the number of workers must be a whole number of at least 1.");
            return "redirect:/admin/sessions/" + sessionId;
        }
        boolean forced = force != null && !force.isBlank() && !"false".equalsIgnoreCase(force);
        return act(sessionId, redirect, () -> controls.migrate(sessionId, n, forced, admin));
    }

    @PostMapping("/admin/sessions/{sessionId}/hire-budget")
    public String hireBudget(@PathVariable long sessionId, @RequestParam(name = "budget", required = false) String budget,
                             Principal principal, RedirectAttributes redirect) {
        String admin = AdminNames.of(principal);
        String text = budget == null ? "" : budget.strip();
        if (!text.matches("-?\\d{1,9}")) {
            redirect.addFlashAttribute("problem", "Hire budget: enter a whole number of hires from 0 to "
                    + LiveControls.MAX_HIRE_BUDGET + ".");
            return "redirect:/admin/sessions/" + sessionId;
        }
        int n = Integer.parseInt(text);
        return act(sessionId, redirect, () -> controls.setHireBudget(sessionId, n, admin));
    }

    private String act(long sessionId, RedirectAttributes redirect, java.util.function.Supplier<LiveControls.Result> action) {
        try {
            LiveControls.Result r = action.get();
            // A migrate that moved nobody did not do what was asked: told as a problem, not in the success style
            // (a second stop or expire already has what it asked for, and says so as a notice).
            boolean refused = r.action().equals("migrate") && r.migrated() == 0;
            redirect.addFlashAttribute(refused ? "problem" : "notice", r.message());
        } catch (SessionEndedException e) {
            redirect.addFlashAttribute("problem", "This session has ended (expired); it takes no more actions.");
        } catch (LiveControls.BadCountException e) {
            redirect.addFlashAttribute("problem", "Migrate: the number of workers must be a whole number of at least 1.");
        } catch (LiveControls.BadBudgetException e) {
            redirect.addFlashAttribute("problem", "Hire budget: " + e.getMessage() + ".");
        } catch (UnknownSessionException e) {
            throw e;
        } catch (PavilionException e) {
            redirect.addFlashAttribute("problem", e.getMessage());
        } catch (SessionStorageException e) {
            log.warn("live control on session {} could not be stored", sessionId, e);
            redirect.addFlashAttribute("problem", "The action could not be stored; nothing changed. Try again.");
        }
        return "redirect:/admin/sessions/" + sessionId;
    }

    // ---- error pages -------------------------------------------------------------------------

    @ExceptionHandler(UnknownSessionException.class)
    ModelAndView unknownSession(UnknownSessionException e) {
        return error(HttpStatus.NOT_FOUND, "No such session", e.getMessage(), null);
    }

    @ExceptionHandler(UnknownWorkerException.class)
    ModelAndView unknownWorker(UnknownWorkerException e) {
        return error(HttpStatus.NOT_FOUND, "No such worker", e.getMessage(), null);
    }

    @ExceptionHandler(Timeline.BadTimelineQueryException.class)
    ModelAndView badTimeline(Timeline.BadTimelineQueryException e) {
        return error(HttpStatus.BAD_REQUEST, "This page of the timeline cannot be shown", e.getMessage(),
                "Go back to the newest events of the session, or change the filter.");
    }

    @ExceptionHandler(UnknownTaskException.class)
    ModelAndView unknownTask(UnknownTaskException e) {
        return error(HttpStatus.NOT_FOUND, "No such task", e.getMessage(), null);
    }

    /**
     * A marketplace refusal. Of a Go live: back to the task page's Go live section (not an error page at the
     * POST's address) with what was refused and what to change ({@link MarketplaceRefusal}), as a low balance
     * is told; nothing was posted, and the session it opened is already expired.
     */
    @ExceptionHandler(MarketplaceException.class)
    ModelAndView marketplace(MarketplaceException e, HttpServletRequest request) {
        log.warn("go-live refused by the marketplace: {} {}", e.errorCode(), e.getMessage());
        MarketplaceRefusal refusal = MarketplaceRefusal.of(e);
        Matcher goLive = GO_LIVE.matcher(request.getRequestURI().substring(request.getContextPath().length()));
        if (goLive.matches()) {
            RequestContextUtils.getOutputFlashMap(request).put("problem", refusal.message());
            if (refusal.field() != null) { // the task page links to that field of the task form
                RequestContextUtils.getOutputFlashMap(request).put("goLiveField", refusal.field());
            }
            return new ModelAndView("redirect:/admin/tasks/" + goLive.group(1) + "#go-live");
        }
        return error(HttpStatus.BAD_GATEWAY, "The marketplace refused", refusal.message(), null);
    }

    private static final Pattern GO_LIVE = Pattern.compile("/admin/tasks/(\\d+)/go-live/?");

    @ExceptionHandler(AdminNames.NotLoggedInException.class)
    ModelAndView notLoggedIn(AdminNames.NotLoggedInException e) {
        return error(HttpStatus.UNAUTHORIZED, "Not logged in", e.getMessage(), null);
    }

    private static ModelAndView error(HttpStatus status, String title, String message, String detail) {
        ModelAndView mav = new ModelAndView("admin/live/error");
        mav.setStatus(status);
        mav.addObject("title", title);
        mav.addObject("message", message);
        mav.addObject("detail", detail);
        mav.addObject("status", status.value());
        return mav;
    }
}
