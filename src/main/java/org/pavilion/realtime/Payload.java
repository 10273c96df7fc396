package org.pavilion.realtime;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.json.JSONArray;
import org.json.JSONObject;

/**
 * A client event's payload, read defensively: every getter checks presence, type and size, and
 * refuses with a {@link ProtocolException} that names the event and the field.
 */
final class Payload {

    /** The seed's waiting page timer: hours, minutes and seconds joined by dashes. */
    private static final Pattern SEED_TIMER = Pattern.compile("(\\d{1,4})-(\\d{1,2})-(\\d{1,2})");

    static final int MAX_ID = 128;

    private final String event;
    private final JSONObject json;

    private Payload(String event, JSONObject json) {
        this.event = event;
        this.json = json;
    }

    /** The first argument of an event: must be a JSON object (or absent when none is needed). */
    static Payload of(String event, Object[] args) {
        Object first = args == null || args.length == 0 ? null : args[0];
        if (first == null || first == JSONObject.NULL) {
            return new Payload(event, new JSONObject());
        }
        if (first instanceof JSONObject object) {
            return new Payload(event, object);
        }
        throw new ProtocolException("invalid_payload", event + ": the payload must be a JSON object, not "
                + describe(first));
    }

    /** A required identifier: a non-blank string of at most 128 printable characters. */
    String id(String field) {
        String value = optionalId(field);
        if (value == null) {
            throw invalid(field, "is required");
        }
        return value;
    }

    String optionalId(String field) {
        Object value = json.opt(field);
        if (value == null || value == JSONObject.NULL) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw invalid(field, "must be a string, not " + describe(value));
        }
        if (s.isBlank() || s.length() > MAX_ID || !s.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw invalid(field, "must be 1–" + MAX_ID + " printable characters without spaces");
        }
        return s;
    }

    /** Optional free text, at most {@code max} characters. */
    String text(String field, int max, boolean required) {
        Object value = json.opt(field);
        if (value == null || value == JSONObject.NULL) {
            if (required) {
                throw invalid(field, "is required");
            }
            return null;
        }
        if (!(value instanceof String s)) {
            throw invalid(field, "must be a string, not " + describe(value));
        }
        if (required && s.isBlank()) {
            throw invalid(field, "must not be empty");
        }
        if (s.length() > max) {
            throw invalid(field, "is longer than " + max + " characters");
        }
        return s;
    }

    /** An optional number reported by the client (kept for comparison only, never trusted). */
    Double number(String field) {
        Object value = json.opt(field);
        if (value == null || value == JSONObject.NULL) {
            return null;
        }
        if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        if (value instanceof String s) {
            try {
                double d = Double.parseDouble(s.strip());
                if (Double.isFinite(d) && s.length() <= 32) {
                    return d;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the refusal
            }
        }
        throw invalid(field, "must be a number");
    }

    /**
     * A waiting time reported by the client, in seconds: a number, a numeric string, or the seed's own
     * timer text {@code "hh-mm-ss"} (e.g. {@code "00-01-07"}). Kept for comparison only, never trusted.
     */
    Double clientSeconds(String field) {
        Object value = json.opt(field);
        if (value instanceof String s) {
            Matcher m = SEED_TIMER.matcher(s.strip());
            if (m.matches()) {
                int minutes = Integer.parseInt(m.group(2));
                int seconds = Integer.parseInt(m.group(3));
                if (minutes < 60 && seconds < 60) {
                    return Integer.parseInt(m.group(1)) * 3600.0 + minutes * 60.0 + seconds;
                }
                throw invalid(field, "must be a number of seconds or \"hh-mm-ss\"");
            }
        }
        try {
            return number(field);
        } catch (ProtocolException e) {
            throw invalid(field, "must be a number of seconds or \"hh-mm-ss\"");
        }
    }

    JSONObject json() {
        return json;
    }

    private ProtocolException invalid(String field, String problem) {
        return new ProtocolException("invalid_payload", event + ": '" + field + "' " + problem);
    }

    private static String describe(Object value) {
        if (value instanceof JSONArray) {
            return "an array";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        return value.getClass().getSimpleName();
    }
}
