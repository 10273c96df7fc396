package org.pavilion.admin.projects;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.servlet.http.HttpServletResponse;

import org.pavilion.eligibility.CustomQualification;
import org.pavilion.eligibility.Eligibility;
import org.pavilion.eligibility.EligibilityStore;
import org.pavilion.eligibility.ExcludedWorkers;
import org.pavilion.eligibility.ExcludedWorkers.ImportReport;
import org.pavilion.project.Project;
import org.pavilion.project.Task;
import org.pavilion.queue.InvalidConfigurationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The console's who-may-work pages (each form posted with its CSRF token through {@code th:action}):
 * {@code /admin/projects/{id}/excluded-workers} (the project's excluded workers: add, remove, import from
 * pasted text or a CSV file) and {@code /admin/tasks/{id}/eligibility} (a task's exclusion of the project's
 * past workers, Masters and its own qualification requirements). Bad input is refused with a message and
 * changes nothing; an import says what it added and what it refused.
 */
@Controller
public class EligibilityPagesController {

    private static final long MAX_UPLOAD_BYTES = ExcludedWorkers.MAX_TEXT;

    private final ProjectAdminService admin;
    private final EligibilityStore store;
    private final ExcludedWorkers excluded;
    private final Clock clock;

    public EligibilityPagesController(ProjectAdminService admin, EligibilityStore store, ExcludedWorkers excluded,
                                      Clock clock) {
        this.admin = admin;
        this.store = store;
        this.excluded = excluded;
        this.clock = clock;
    }

    // ---- a project's excluded workers -----------------------------------------------------------

    @GetMapping("/admin/projects/{id}/excluded-workers")
    public String excludedWorkers(@PathVariable long id, Model model) {
        return excludedPage(model, admin.project(id), null, "");
    }

    private String excludedPage(Model model, Project p, ImportReport report, String text) {
        model.addAttribute("project", p);
        model.addAttribute("workers", excluded.list(p.id()));
        model.addAttribute("report", report);
        model.addAttribute("text", text);
        return "admin/projects/excluded-workers";
    }

    @PostMapping("/admin/projects/{id}/excluded-workers")
    public String exclude(@PathVariable long id, @RequestParam(name = "workerId", required = false) String workerId,
                          RedirectAttributes redirect) {
        admin.project(id);
        try {
            ImportReport r = excluded.add(id, workerId, clock.instant());
            redirect.addFlashAttribute("notice", r.added().isEmpty()
                    ? "Worker " + workerId.strip() + " was excluded already."
                    : "Worker " + r.added().get(0) + " excluded: it cannot join this project's sessions.");
        } catch (InvalidConfigurationException bad) {
            redirect.addFlashAttribute("problem", "Not added: " + EligibilityApiController.message(bad) + ".");
        }
        return "redirect:/admin/projects/" + id + "/excluded-workers";
    }

    @PostMapping("/admin/projects/{id}/excluded-workers/{workerId}/remove")
    public String include(@PathVariable long id, @PathVariable String workerId, RedirectAttributes redirect) {
        admin.project(id);
        if (excluded.remove(id, workerId)) {
            redirect.addFlashAttribute("notice", "Worker " + workerId + " may work on this project again.");
        } else {
            redirect.addFlashAttribute("problem", "Worker " + workerId + " was not on the excluded list.");
        }
        return "redirect:/admin/projects/" + id + "/excluded-workers";
    }

    @PostMapping("/admin/projects/{id}/excluded-workers/import")
    public String importExcluded(@PathVariable long id, @RequestParam(name = "text", required = false) String text,
                                 @RequestParam(name = "file", required = false) MultipartFile file, Model model,
                                 HttpServletResponse response) {
        Project p = admin.project(id);
        String pasted = text == null ? "" : text;
        try {
            String uploaded = "";
            if (file != null && !file.isEmpty()) {
                if (file.getSize() > MAX_UPLOAD_BYTES) {
                    throw new InvalidConfigurationException("file", "the file is larger than " + MAX_UPLOAD_BYTES
                            + " bytes");
                }
                uploaded = new String(file.getBytes(), StandardCharsets.UTF_8);
            }
            // The file and the pasted text are read apart (each may have its own header line), added together.
            ImportReport r = excluded.importIds(id, clock.instant(), uploaded, pasted);
            model.addAttribute("notice", r.added().size() + " worker" + (r.added().size() == 1 ? "" : "s")
                    + " added, " + r.alreadyListed().size() + " excluded already, " + r.refused().size()
                    + " refused.");
            if (!r.refused().isEmpty()) {
                response.setStatus(HttpStatus.BAD_REQUEST.value()); // partly refused: the page lists why
            }
            return excludedPage(model, p, r, r.refused().isEmpty() ? "" : pasted);
        } catch (InvalidConfigurationException | IOException bad) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            model.addAttribute("problem", "Nothing imported: " + (bad instanceof InvalidConfigurationException i
                    ? EligibilityApiController.message(i) : "the file could not be read") + ".");
            return excludedPage(model, p, null, pasted);
        }
    }


    // ---- a task's settings ----------------------------------------------------------------------

    @GetMapping("/admin/tasks/{id}/eligibility")
    public String eligibility(@PathVariable long id, Model model) {
        Task t = admin.task(id);
        Eligibility e = store.find(id);
        return eligibilityPage(model, t, e.excludeProjectWorkers(), e.masters(), lines(e.qualifications()));
    }

    private String eligibilityPage(Model model, Task t, boolean excludeProject, boolean masters, String lines) {
        model.addAttribute("task", t);
        model.addAttribute("project", admin.project(t.projectId()));
        model.addAttribute("excludeProjectWorkers", excludeProject);
        model.addAttribute("masters", masters);
        model.addAttribute("qualifications", lines);
        model.addAttribute("comparators", CustomQualification.COMPARATORS.stream().sorted().toList());
        return "admin/projects/eligibility";
    }

    @PostMapping("/admin/tasks/{id}/eligibility")
    public String saveEligibility(@PathVariable long id,
                                  @RequestParam(name = "excludeProjectWorkers", defaultValue = "false") boolean excludeProject,
                                  @RequestParam(name = "masters", defaultValue = "false") boolean masters,
                                  @RequestParam(name = "qualifications", defaultValue = "") String lines, Model model,
                                  HttpServletResponse response, RedirectAttributes redirect) {
        Task t = admin.task(id);
        try {
            store.save(id, new Eligibility(excludeProject, masters, parseLines(lines)), clock.instant());
            redirect.addFlashAttribute("notice", "Who may work saved; HITs posted from now on carry it.");
            return "redirect:/admin/tasks/" + id + "/eligibility";
        } catch (InvalidConfigurationException bad) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            model.addAttribute("problem", "Not saved: " + EligibilityApiController.message(bad) + ".");
            return eligibilityPage(model, t, excludeProject, masters, lines);
        }
    }

    /** One requirement a line: {@code TYPEID Comparator [value,value,...]}. */
    static List<CustomQualification> parseLines(String lines) {
        List<CustomQualification> out = new ArrayList<>();
        int n = 0;
        for (String raw : lines.split("\r\n|\r|\n")) {
            n++;
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+", 3);
            if (parts.length < 2) {
                throw new InvalidConfigurationException("qualifications", "line " + n + " ('" + line
                        + "') needs a qualification type id and a comparator");
            }
            List<Integer> integers = new ArrayList<>();
            List<String> locales = new ArrayList<>();
            if (parts.length == 3) {
                for (String v : parts[2].split("[,\\s]+")) {
                    if (v.isEmpty()) {
                        continue;
                    }
                    if (v.matches("-?\\d{1,9}")) {
                        integers.add(Integer.valueOf(v));
                    } else {
                        locales.add(v.toUpperCase(Locale.ROOT));
                    }
                }
            }
            try {
                out.add(new CustomQualification(parts[0], parts[1], integers, locales));
            } catch (InvalidConfigurationException bad) {
                throw new InvalidConfigurationException("qualifications", "line " + n + ": "
                        + EligibilityApiController.message(bad));
            }
        }
        return out;
    }

    static String lines(List<CustomQualification> qualifications) {
        StringBuilder b = new StringBuilder();
        for (CustomQualification q : qualifications) {
            b.append(q.qualificationTypeId()).append(' ').append(q.comparator());
            List<String> values = new ArrayList<>(q.integerValues().stream().map(String::valueOf).toList());
            values.addAll(q.localeValues());
            if (!values.isEmpty()) {
                b.append(' ').append(String.join(",", values));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
