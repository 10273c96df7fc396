package org.pavilion.admin.projects;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pavilion.eligibility.CustomQualification;
import org.pavilion.eligibility.Eligibility;
import org.pavilion.eligibility.EligibilityStore;
import org.pavilion.eligibility.ExcludedWorkers;
import org.pavilion.eligibility.ExcludedWorkers.ImportReport;
import org.pavilion.queue.InvalidConfigurationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.JsonNode;

/**
 * Who may work, as JSON (docs/admin-api.md):
 *
 * <pre>
 * GET  /api/admin/tasks/{id}/eligibility          PUT  /api/admin/tasks/{id}/eligibility
 * GET  /api/admin/projects/{id}/excluded-workers  POST /api/admin/projects/{id}/excluded-workers
 * POST /api/admin/projects/{id}/excluded-workers/import (text/plain or text/csv)
 * DELETE /api/admin/projects/{id}/excluded-workers/{workerId}
 * </pre>
 */
@RestController
@RequestMapping(path = "/api/admin", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Who may work", description = "A task's exclusion of past participants, Masters and qualification "
        + "requirements; a project's excluded workers")
public class EligibilityApiController {

    private final ProjectAdminService admin;
    private final EligibilityStore store;
    private final ExcludedWorkers excluded;
    private final Clock clock;

    public EligibilityApiController(ProjectAdminService admin, EligibilityStore store, ExcludedWorkers excluded,
                                    Clock clock) {
        this.admin = admin;
        this.store = store;
        this.excluded = excluded;
        this.clock = clock;
    }

    public record ExcludedWorkersJson(long projectId, List<String> workerIds) {
    }

    public record RefusedJson(int line, String value, String reason) {
    }

    public record ImportJson(int addedCount, List<String> added, List<String> alreadyListed, List<RefusedJson> refused) {
        static ImportJson of(ImportReport r) {
            return new ImportJson(r.added().size(), r.added(), r.alreadyListed(), r.refused().stream()
                    .map(x -> new RefusedJson(x.line(), x.value(), x.reason())).toList());
        }
    }

    // ---- a task's settings ----------------------------------------------------------------------

    @Operation(summary = "A task's who-may-work settings (allowRepeatWorkers stays a task field)")
    @GetMapping("/tasks/{id}/eligibility")
    public Eligibility eligibility(@PathVariable long id) {
        admin.task(id);
        return store.find(id);
    }

    @Operation(summary = "Replace a task's who-may-work settings; fields left out are false or empty; they reach "
            + "HITs posted from now on")
    @PutMapping(path = "/tasks/{id}/eligibility", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Eligibility updateEligibility(@PathVariable long id, @RequestBody JsonNode body) {
        admin.task(id);
        Eligibility e = parse(body);
        store.save(id, e, clock.instant());
        return store.find(id);
    }

    static Eligibility parse(JsonNode body) {
        Map<String, String> errors = new LinkedHashMap<>();
        if (body == null || !body.isObject()) {
            throw new ValidationFailedException(Map.of("body", "The request body must be a JSON object."));
        }
        boolean excludeProject = false;
        boolean masters = false;
        List<CustomQualification> qualifications = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : body.properties()) {
            JsonNode v = f.getValue();
            switch (f.getKey()) {
                case "excludeProjectWorkers", "masters" -> {
                    if (!v.isBoolean()) {
                        errors.put(f.getKey(), f.getKey() + " must be true or false.");
                    } else if (f.getKey().equals("masters")) {
                        masters = v.booleanValue();
                    } else {
                        excludeProject = v.booleanValue();
                    }
                }
                case "qualifications" -> {
                    if (!v.isArray()) {
                        errors.put("qualifications", "qualifications must be a list of {qualificationTypeId, "
                                + "comparator, integerValues, localeValues}.");
                        break;
                    }
                    int i = 0;
                    for (JsonNode q : v) {
                        try {
                            qualifications.add(qualification(q));
                        } catch (InvalidConfigurationException bad) {
                            errors.putIfAbsent("qualifications[" + i + "]", message(bad));
                        }
                        i++;
                    }
                }
                default -> errors.put(f.getKey(), "'" + f.getKey() + "' is not a who-may-work field.");
            }
        }
        if (errors.isEmpty()) {
            try {
                return new Eligibility(excludeProject, masters, qualifications);
            } catch (InvalidConfigurationException bad) {
                errors.put("qualifications", message(bad));
            }
        }
        throw new ValidationFailedException(errors);
    }

    private static CustomQualification qualification(JsonNode q) {
        if (!q.isObject()) {
            throw new InvalidConfigurationException("qualifications", "each requirement must be an object");
        }
        for (Map.Entry<String, JsonNode> f : q.properties()) {
            if (!List.of("qualificationTypeId", "comparator", "integerValues", "localeValues").contains(f.getKey())) {
                throw new InvalidConfigurationException("qualifications", "'" + f.getKey()
                        + "' is not a requirement field");
            }
        }
        List<Integer> integers = new ArrayList<>();
        for (JsonNode n : list(q.get("integerValues"), "integerValues")) {
            if (!n.canConvertToInt() || !n.isIntegralNumber()) {
                throw new InvalidConfigurationException("qualifications", "integerValues must be whole numbers");
            }
            integers.add(n.intValue());
        }
        List<String> locales = new ArrayList<>();
        for (JsonNode n : list(q.get("localeValues"), "localeValues")) {
            if (!n.isString()) {
                throw new InvalidConfigurationException("qualifications", "localeValues must be strings such as "
                        + "\"US\" or \"US-NY\"");
            }
            locales.add(n.stringValue().strip().toUpperCase(java.util.Locale.ROOT));
        }
        return new CustomQualification(text(q.get("qualificationTypeId")), text(q.get("comparator")), integers,
                locales);
    }

    private static List<JsonNode> list(JsonNode n, String name) {
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new InvalidConfigurationException("qualifications", name + " must be a list");
        }
        List<JsonNode> out = new ArrayList<>();
        n.forEach(out::add);
        return out;
    }

    private static String text(JsonNode n) {
        return n == null || !n.isString() ? null : n.stringValue().strip();
    }

    /** The message without the field prefix the exception adds. */
    static String message(InvalidConfigurationException e) {
        String m = e.getMessage();
        String prefix = e.field() + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    // ---- a project's excluded workers -----------------------------------------------------------

    @Operation(summary = "The project's excluded workers: refused on arrival at any of its sessions")
    @GetMapping("/projects/{id}/excluded-workers")
    public ExcludedWorkersJson excludedWorkers(@PathVariable long id) {
        return new ExcludedWorkersJson(id, excluded.list(id));
    }

    @Operation(summary = "Exclude one worker: body {\"workerId\": \"A1B2C3...\"}; an invalid id is refused (400)")
    @PostMapping(path = "/projects/{id}/excluded-workers", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ImportJson exclude(@PathVariable long id, @RequestBody JsonNode body) {
        if (body == null || !body.isObject() || body.size() != 1 || body.get("workerId") == null
                || !body.get("workerId").isString()) {
            throw new ValidationFailedException(Map.of("workerId",
                    "The body must be {\"workerId\": \"...\"} with one MTurk worker id."));
        }
        try {
            return ImportJson.of(excluded.add(id, body.get("workerId").stringValue(), clock.instant()));
        } catch (InvalidConfigurationException bad) {
            throw new ValidationFailedException(Map.of("workerId", message(bad)));
        }
    }

    @Operation(summary = "Exclude many workers: a text body, one id a line or a CSV (a header cell 'WorkerId' "
            + "picks that column); valid ids are added, repeats merged, invalid values reported as refused")
    @PostMapping(path = "/projects/{id}/excluded-workers/import",
            consumes = {MediaType.TEXT_PLAIN_VALUE, "text/csv"})
    public ImportJson importExcluded(@PathVariable long id, @RequestBody String text) {
        admin.project(id);
        try {
            return ImportJson.of(excluded.importIds(id, text, clock.instant()));
        } catch (InvalidConfigurationException bad) {
            throw new ValidationFailedException(Map.of("workerIds", message(bad)));
        }
    }

    @Operation(summary = "Take a worker off the excluded list (204); 404 if it is not on it")
    @DeleteMapping("/projects/{id}/excluded-workers/{workerId}")
    public ResponseEntity<?> include(@PathVariable long id, @PathVariable String workerId) {
        if (!excluded.remove(id, workerId)) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.APPLICATION_JSON)
                    .body(ApiError.of("not_excluded", "worker '" + workerId + "' is not on project " + id
                            + "'s excluded list"));
        }
        return ResponseEntity.noContent().build();
    }
}
