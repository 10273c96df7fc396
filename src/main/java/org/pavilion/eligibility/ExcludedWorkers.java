package org.pavilion.eligibility;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.pavilion.queue.InvalidConfigurationException;
import org.springframework.stereotype.Service;

/**
 * A project's excluded workers as the admin edits them: one id at a time, or many at once from pasted
 * text or a CSV file. Ids are checked as MTurk worker ids; repeats, in the text or on the list already,
 * are merged; the answer says what was added, what was there already and what was refused and why.
 */
@Service
public class ExcludedWorkers {

    /** The most ids one import takes (a project's past workers fit; a wrong file does not go unnoticed). */
    public static final int MAX_IMPORT = 10_000;
    /** The most characters of text one import reads. */
    public static final int MAX_TEXT = 1_000_000;

    private final EligibilityStore store;

    public ExcludedWorkers(EligibilityStore store) {
        this.store = store;
    }

    /** One value that was not taken, where it was, and why. */
    public record Refused(int line, String value, String reason) {
    }

    /** What an import did. {@code alreadyListed}: valid ids that were on the list before. */
    public record ImportReport(List<String> added, List<String> alreadyListed, List<Refused> refused) {
        public ImportReport {
            added = List.copyOf(added);
            alreadyListed = List.copyOf(alreadyListed);
            refused = List.copyOf(refused);
        }
    }

    public List<String> list(long projectId) {
        return store.excludedWorkers(projectId);
    }

    /** Adds one id; a value that is not an MTurk worker id is refused with a clear error, nothing changed. */
    public ImportReport add(long projectId, String workerId, Instant at) {
        String id = workerId == null ? "" : workerId.strip();
        if (!WorkerIds.valid(id)) {
            throw new InvalidConfigurationException("workerId", invalidReason(id));
        }
        return importIds(projectId, id, at);
    }

    /** Removes one id; false if it was not on the list. */
    public boolean remove(long projectId, String workerId) {
        return store.removeExcluded(projectId, workerId == null ? "" : workerId.strip());
    }

    /**
     * Adds every valid id in {@code text}: one id a line, or a CSV whose cells are ids, or one with a header
     * line naming a worker id column (as MTurk's exports have), of which only that column is read. Invalid
     * values are refused and reported; the valid ones are added together, in one transaction.
     */
    public ImportReport importIds(long projectId, String text, Instant at) {
        if (text == null || text.isBlank()) {
            throw new InvalidConfigurationException("workerIds", "no worker ids given: paste them one a line, "
                    + "or upload a CSV file");
        }
        if (text.length() > MAX_TEXT) {
            throw new InvalidConfigurationException("workerIds", "at most " + MAX_TEXT + " characters at once, not "
                    + text.length());
        }
        String[] lines = text.replace("\uFEFF", "").split("\r\n|\r|\n");
        int column = headerColumn(lines[0]);
        Set<String> valid = new LinkedHashSet<>();
        List<Refused> refused = new ArrayList<>();
        for (int i = column >= 0 ? 1 : 0; i < lines.length; i++) {
            List<String> cells = cells(lines[i]);
            if (column >= 0) {
                cells = column < cells.size() ? List.of(cells.get(column)) : List.of();
            }
            for (String cell : cells) {
                if (cell.isEmpty()) {
                    continue;
                }
                if (WorkerIds.valid(cell)) {
                    valid.add(cell);
                } else {
                    refused.add(new Refused(i + 1, cell.length() > 80 ? cell.substring(0, 80) + "…" : cell,
                            invalidReason(cell)));
                }
            }
        }
        if (valid.size() > MAX_IMPORT) {
            throw new InvalidConfigurationException("workerIds", "at most " + MAX_IMPORT + " ids at once, not "
                    + valid.size());
        }
        List<String> added = valid.isEmpty() ? List.of() : store.addExcluded(projectId, valid, at);
        List<String> already = valid.stream().filter(id -> !added.contains(id)).toList();
        return new ImportReport(added, already, refused);
    }

    /** The index of a header line's worker id column, or -1 if the line holds no such header. */
    private static int headerColumn(String line) {
        List<String> cells = cells(line);
        for (int i = 0; i < cells.size(); i++) {
            String name = cells.get(i).toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
            if (name.equals("workerid")) {
                return i;
            }
        }
        return -1;
    }

    /** A line's cells: separated by commas, semicolons, tabs or spaces; quotes around a cell dropped. */
    private static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        for (String cell : line.split("[,;\\t ]+")) {
            String c = cell.strip();
            if (c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"")) {
                c = c.substring(1, c.length() - 1).strip();
            }
            out.add(c);
        }
        return out;
    }

    static String invalidReason(String value) {
        if (value.isEmpty()) {
            return "a worker id is required";
        }
        if (value.length() > 64) {
            return "not an MTurk worker id: longer than 64 characters";
        }
        if (WorkerIds.valid(value.toUpperCase(Locale.ROOT))) {
            return "not an MTurk worker id: '" + value + "' has lower-case letters (MTurk's ids are upper-case: '"
                    + value.toUpperCase(Locale.ROOT) + "'?)";
        }
        return "not an MTurk worker id: '" + value + "' (upper-case letters and digits only)";
    }
}
