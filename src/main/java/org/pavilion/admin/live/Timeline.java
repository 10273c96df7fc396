package org.pavilion.admin.live;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.pavilion.admin.live.SessionQueries.EventRow;
import org.pavilion.queue.PavilionException;
import org.pavilion.session.UnknownSessionException;
import org.springframework.stereotype.Service;

/**
 * The session's event timeline a page at a time, newest first, filtered by worker and event kind
 * (issue 14 item 6). Pages are keyed by the log's seq, not by number: "older" is {@code before=<the
 * oldest seq shown>}, "newer" {@code after=<the newest seq shown>}; events that arrive while an admin
 * reads an older page do not shift it, so its links keep pointing where they did.
 */
@Service
public class Timeline {

    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 200;
    /** The kinds of log rows (SessionExportService.EVENT_COLUMNS explains each). */
    public static final List<String> KINDS = List.of("status", "phase", "ready", "hire", "confirm", "release",
            "subok", "withheld", "budget", "paydue", "capped");

    private final SessionQueries queries;

    public Timeline(SessionQueries queries) {
        this.queries = queries;
    }

    /**
     * One page. {@code newest}: it is the newest page (live updates replace it); {@code olderBefore} /
     * {@code newerAfter}: the cursors of the next older / newer page (null when there is none);
     * {@code matching}: rows that match the filter in all; {@code total}: rows in the log.
     */
    public record Page(long sessionId, String worker, String kind, int size, Long before, Long after, boolean newest,
                       List<SessionView.EventView> events, long matching, long total, Long olderBefore,
                       Long newerAfter, List<String> workers, List<String> kinds) {
    }

    /** A query the timeline cannot answer (400 in the API, a 400 page on the pages); nothing was read. */
    public static final class BadTimelineQueryException extends PavilionException {
        public BadTimelineQueryException(String message) {
            super(message);
        }

        @Override
        public String code() {
            return "bad_timeline_query";
        }
    }

    /** The parameters as they came (text, null when absent), checked here so every caller refuses alike. */
    public Page page(long sessionId, String worker, String kind, String before, String after, String size) {
        String w = blankToNull(worker);
        String k = blankToNull(kind);
        if (k != null && !KINDS.contains(k)) {
            throw new BadTimelineQueryException("kind must be one of " + String.join(", ", KINDS) + " (was "
                    + clip(k) + ")");
        }
        Long b = cursor("before", before);
        Long a = cursor("after", after);
        if (b != null && a != null) {
            throw new BadTimelineQueryException("give before or after, not both");
        }
        int n = size(size);
        queries.session(sessionId).orElseThrow(() -> new UnknownSessionException(sessionId));

        List<EventRow> rows;
        boolean newest;
        if (a != null) {
            rows = new ArrayList<>(queries.eventPage(sessionId, w, k, null, a, n + 1));
            if (rows.size() <= n) {
                // Nothing newer beyond a page: this is the newest page, shown in full and kept live.
                rows = queries.eventPage(sessionId, w, k, null, null, n);
                newest = true;
            } else {
                rows = rows.subList(0, n);
                Collections.reverse(rows);
                newest = false;
            }
        } else {
            rows = queries.eventPage(sessionId, w, k, b, null, n);
            newest = b == null || queries.countEvents(sessionId, w, k, b - 1, null) == 0;
        }
        Long olderBefore = null;
        Long newerAfter = null;
        if (!rows.isEmpty()) {
            long first = rows.get(0).seq();
            long last = rows.get(rows.size() - 1).seq();
            olderBefore = queries.countEvents(sessionId, w, k, null, last) > 0 ? last : null;
            newerAfter = queries.countEvents(sessionId, w, k, first, null) > 0 ? first : null;
            newest = newerAfter == null;
        }
        List<SessionView.EventView> events = rows.stream().map(SessionViews::event).toList();
        long matching = w == null && k == null ? -1 : queries.countEvents(sessionId, w, k, null, null);
        long total = queries.countEvents(sessionId, null, null, null, null);
        return new Page(sessionId, w, k, n, newest ? null : b, newest ? null : a, newest, events,
                matching < 0 ? total : matching, total, olderBefore, newerAfter, queries.workersInLog(sessionId),
                KINDS);
    }

    private static Long cursor(String name, String text) {
        String t = blankToNull(text);
        if (t == null) {
            return null;
        }
        if (!t.matches("\\d{1,18}") || Long.parseLong(t) < 1) {
            throw new BadTimelineQueryException(name + " must be an event number (seq) of at least 1 (was "
                    + clip(t) + ")");
        }
        return Long.parseLong(t);
    }

    private static int size(String text) {
        String t = blankToNull(text);
        if (t == null) {
            return DEFAULT_SIZE;
        }
        if (!t.matches("\\d{1,4}") || Integer.parseInt(t) < 1 || Integer.parseInt(t) > MAX_SIZE) {
            throw new BadTimelineQueryException("size must be a whole number of events from 1 to " + MAX_SIZE
                    + " (was " + clip(t) + ")");
        }
        return Integer.parseInt(t);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String clip(String v) {
        return v.length() <= 40 ? v : v.substring(0, 39) + "\u2026";
    }
}
