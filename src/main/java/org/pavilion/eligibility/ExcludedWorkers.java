package org.pavilion.eligibility;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
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
        return importIds(projectId, at, text);
    }

    /**
     * {@link #importIds(long, String, Instant)} for several texts at once (an uploaded file and pasted text, each
     * with its own header line, if any): all their valid ids are added together, in one transaction, or none.
     */
    public ImportReport importIds(long projectId, Instant at, String... texts) {
        List<String> given = java.util.Arrays.stream(texts).filter(t -> t != null && !t.isBlank()).toList();
        if (given.isEmpty()) {
            throw new InvalidConfigurationException("workerIds", "no worker ids given: paste them one a line, "
                    + "or upload a CSV file");
        }
        int length = given.stream().mapToInt(String::length).sum();
        if (length > MAX_TEXT) {
            throw new InvalidConfigurationException("workerIds", "at most " + MAX_TEXT + " characters at once, not "
                    + length);
        }
        Set<String> valid = new LinkedHashSet<>();
        List<Refused> refused = new ArrayList<>();
        for (Line line : given.stream().flatMap(t -> lines(t.replace("\uFEFF", "")).stream()).toList()) {
            for (String cell : line.cells()) {
                if (cell.isEmpty()) {
                    continue;
                }
                if (WorkerIds.valid(cell)) {
                    valid.add(cell);
                } else {
                    refused.add(new Refused(line.number(), cell.length() > 80 ? cell.substring(0, 80) + "…" : cell,
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

    /** A line of the text (counted from 1) and the cells to read in it. */
    private record Line(int number, List<String> cells) {
    }

    /**
     * The text's lines and their cells. A CSV whose first record names a worker id column ("WorkerId",
     * "Worker ID", as MTurk's batch results do) is read as CSV (quoted cells may hold commas and line breaks),
     * and only that column; anything else is a list, its ids separated by line breaks, commas, semicolons,
     * tabs or spaces.
     */
    private static List<Line> lines(String text) {
        try {
            List<CSVRecord> records = CSVFormat.DEFAULT.parse(new StringReader(text)).getRecords();
            int column = records.isEmpty() ? -1 : headerColumn(records.get(0));
            if (column >= 0) {
                List<Line> out = new ArrayList<>();
                int line = 1;
                int at = 0;
                for (CSVRecord r : records.subList(1, records.size())) {
                    for (; at < r.getCharacterPosition() && at < text.length(); at++) { // records come in order
                        line += text.charAt(at) == '\n' ? 1 : 0;
                    }
                    out.add(new Line(line, column < r.size() ? List.of(r.get(column).strip()) : List.of()));
                }
                return out;
            }
        } catch (IOException | UncheckedIOException e) {
            // not well-formed CSV (an unclosed quote): read as a list below
        }
        String[] lines = text.split("\r\n|\r|\n");
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            List<String> cells = new ArrayList<>();
            for (String cell : lines[i].split("[,;\\t ]+")) {
                String c = cell.strip();
                if (c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"")) {
                    c = c.substring(1, c.length() - 1).strip();
                }
                cells.add(c);
            }
            out.add(new Line(i + 1, cells));
        }
        return out;
    }

    /** The index of a header record's worker id column, or -1 if it names none. */
    private static int headerColumn(CSVRecord header) {
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i).toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
            if (name.equals("workerid")) {
                return i;
            }
        }
        return -1;
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
