package org.pavilion.marketplace.notify;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.pavilion.queue.QueueEvent.Departure;

/**
 * The MTurk event notification document carried in an SNS Notification's {@code Message}:
 * {@code EventDocId}, {@code EventDocVersion}, {@code SourceAccount}, {@code CustomerId} and
 * {@code Events[]}. Every event of {@code Events} is kept, in order.
 */
public record MturkEventDocument(String eventDocId, String eventDocVersion, String sourceAccount, String customerId,
                                 List<Event> events) {

    /** Bounds a document may not exceed (MTurk sends a handful of events per document). */
    static final int MAX_EVENTS = 1000;
    static final int MAX_ID = 128;

    public MturkEventDocument {
        events = List.copyOf(events);
    }

    /** One event; {@code workerId} and the assignment/HIT ids may be null. */
    public record Event(String eventType, String eventTimestamp, String hitId, String assignmentId, String hitTypeId,
                        String workerId) {

        /** MTurk's AssignmentAccepted: an assignment of a HIT was taken by a worker. */
        public boolean isAcceptance() {
            return "AssignmentAccepted".equals(eventType);
        }

        /** The departure this event reports, if it reports one. */
        public Optional<Departure> departure() {
            switch (eventType) {
                case "AssignmentReturned":
                    return Optional.of(Departure.RETURN);
                case "AssignmentAbandoned":
                    return Optional.of(Departure.ABANDON);
                case "AssignmentSubmitted":
                    return Optional.of(Departure.SUBMIT);
                default:
                    return Optional.empty();
            }
        }
    }

    /** @throws MalformedNotificationException when {@code message} is not an MTurk event document */
    public static MturkEventDocument parse(String message) {
        JSONObject json;
        try {
            String trimmed = message == null ? "" : message.strip();
            if (!trimmed.startsWith("{")) {
                throw new MalformedNotificationException("Message is not an MTurk event document");
            }
            json = new JSONObject(trimmed);
        } catch (JSONException e) {
            throw new MalformedNotificationException("Message is not an MTurk event document");
        }
        String docId = string(json, "EventDocId", true);
        Object rawEvents = json.opt("Events");
        if (!(rawEvents instanceof JSONArray array)) {
            throw new MalformedNotificationException("event document has no Events array");
        }
        if (array.length() > MAX_EVENTS) {
            throw new MalformedNotificationException("event document has too many events");
        }
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < array.length(); i++) {
            if (!(array.get(i) instanceof JSONObject e)) {
                throw new MalformedNotificationException("event " + i + " is not an object");
            }
            events.add(new Event(string(e, "EventType", true), string(e, "EventTimestamp", false),
                    string(e, "HITId", false), string(e, "AssignmentId", false), string(e, "HITTypeId", false),
                    string(e, "WorkerId", false)));
        }
        return new MturkEventDocument(docId, string(json, "EventDocVersion", false),
                string(json, "SourceAccount", false), string(json, "CustomerId", false), events);
    }

    private static String string(JSONObject json, String key, boolean required) {
        Object value = json.opt(key);
        if (value == null || value == JSONObject.NULL) {
            if (required) {
                throw new MalformedNotificationException("event document has no " + key);
            }
            return null;
        }
        String s;
        if (value instanceof String text) {
            s = text;
        } else if (!required && (value instanceof Number || value instanceof Boolean)) {
            s = String.valueOf(value);
        } else {
            throw new MalformedNotificationException("event document field " + key + " is not a string");
        }
        if (s.isBlank()) {
            if (required) {
                throw new MalformedNotificationException("event document has an empty " + key);
            }
            return null;
        }
        if (s.length() > MAX_ID) {
            throw new MalformedNotificationException("event document field " + key + " is too long");
        }
        return s;
    }
}
