package org.pavilion.tasklogic;

import java.time.Instant;

import org.json.JSONObject;

/**
 * One task-data record: what a task logic recorded of one worker's event (issue 13 item 7).
 *
 * @param id        the store's id; records of a session are in the order of their ids
 * @param sessionId the live session
 * @param at        server time when the logic recorded it (microseconds)
 * @param workerId  the worker whose event it was (for the researcher; never shown to other workers)
 * @param alias     how other workers saw that worker ("Worker 2"), or null
 * @param kind      the logic's name for the record (GroupChat: {@code chat_message})
 * @param payload   a JSON object as text, at most {@link #MAX_PAYLOAD} characters
 */
public record TaskRecord(long id, long sessionId, Instant at, String workerId, String alias, String kind,
                         String payload) {

    /** The longest payload, as JSON text. */
    public static final int MAX_PAYLOAD = 4000;
    public static final int MAX_KIND = 64;
    public static final int MAX_ALIAS = 64;
    public static final int MAX_WORKER = 128;

    /** The payload as a JSON object. */
    public JSONObject json() {
        return new JSONObject(payload);
    }

    /**
     * Checks a record before anything is written; returns the payload's JSON text.
     *
     * @throws InvalidTaskDataException if the kind, alias or payload is missing, malformed or too long
     */
    public static String check(String kind, String alias, String workerId, JSONObject data) {
        if (kind == null || kind.isEmpty() || kind.length() > MAX_KIND || !kind.matches("[A-Za-z0-9_.:-]+")) {
            throw new InvalidTaskDataException("the record's kind must be 1-" + MAX_KIND
                    + " characters of letters, digits and _ . : -");
        }
        if (alias != null && (alias.isBlank() || alias.length() > MAX_ALIAS
                || alias.chars().anyMatch(Character::isISOControl))) {
            throw new InvalidTaskDataException("the record's alias must be 1-" + MAX_ALIAS
                    + " characters without control characters");
        }
        if (workerId == null || workerId.isEmpty() || workerId.length() > MAX_WORKER) {
            throw new InvalidTaskDataException("the record needs its worker");
        }
        if (data == null) {
            throw new InvalidTaskDataException("the record's data must be a JSON object");
        }
        String text;
        try {
            text = data.toString();
        } catch (RuntimeException e) {
            throw new InvalidTaskDataException("the record's data cannot be written as JSON");
        }
        if (text.length() > MAX_PAYLOAD) {
            throw new InvalidTaskDataException("the record's data is longer than " + MAX_PAYLOAD
                    + " characters of JSON (" + text.length() + "); nothing was stored");
        }
        return text;
    }
}
