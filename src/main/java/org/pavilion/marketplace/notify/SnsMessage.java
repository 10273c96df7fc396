package org.pavilion.marketplace.notify;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.json.JSONException;
import org.json.JSONObject;

/**
 * An SNS HTTP(S) delivery: the JSON body SNS posts (as {@code text/plain}) to a subscribed
 * endpoint. Only the documented string fields are kept; a JSON {@code null} counts as absent.
 */
public final class SnsMessage {

    public enum Type {
        NOTIFICATION("Notification"),
        SUBSCRIPTION_CONFIRMATION("SubscriptionConfirmation"),
        UNSUBSCRIBE_CONFIRMATION("UnsubscribeConfirmation");

        private final String wire;

        Type(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        static Optional<Type> ofWire(String value) {
            for (Type t : values()) {
                if (t.wire.equals(value)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    /** The fields signed for a Notification, in signing order; Subject only when present. */
    public static final List<String> NOTIFICATION_SIGNED =
            List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type");
    /** The fields signed for SubscriptionConfirmation and UnsubscribeConfirmation, in signing order. */
    public static final List<String> CONFIRMATION_SIGNED =
            List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type");

    private static final List<String> KNOWN = List.of("Type", "MessageId", "Token", "TopicArn", "Subject", "Message",
            "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "SubscribeURL", "UnsubscribeURL");

    private final Type type;
    private final Map<String, String> fields;

    private SnsMessage(Type type, Map<String, String> fields) {
        this.type = type;
        this.fields = fields;
    }

    /**
     * Parses a delivery's body. {@code headerType} is the {@code x-amz-sns-message-type} header
     * (may be null); when given it must agree with the body's Type.
     *
     * @throws MalformedNotificationException when the body is not an SNS message
     */
    public static SnsMessage parse(String body, String headerType) {
        if (body == null || body.isBlank()) {
            throw new MalformedNotificationException("empty body");
        }
        JSONObject json;
        try {
            String trimmed = body.strip();
            if (!trimmed.startsWith("{")) {
                throw new MalformedNotificationException("the body is not a JSON object");
            }
            json = new JSONObject(trimmed);
        } catch (JSONException e) {
            throw new MalformedNotificationException("the body is not a JSON object");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String key : KNOWN) {
            if (!json.has(key) || json.isNull(key)) {
                continue;
            }
            Object value = json.get(key);
            if (!(value instanceof String s)) {
                throw new MalformedNotificationException("field " + key + " is not a string");
            }
            fields.put(key, s);
        }
        requireLength(fields, "MessageId", 128);
        requireLength(fields, "TopicArn", 256);
        String typeValue = fields.get("Type");
        if (typeValue == null) {
            throw new MalformedNotificationException("no Type: not an SNS message");
        }
        Type type = Type.ofWire(typeValue)
                .orElseThrow(() -> new MalformedNotificationException("unknown SNS message Type"));
        if (headerType != null && !headerType.isBlank() && !headerType.strip().equals(type.wire())) {
            throw new MalformedNotificationException("x-amz-sns-message-type does not match the body's Type");
        }
        return new SnsMessage(type, Map.copyOf(fields));
    }

    private static void requireLength(Map<String, String> fields, String key, int max) {
        String value = fields.get(key);
        if (value != null && (value.isBlank() || value.length() > max)) {
            throw new MalformedNotificationException(key + " is empty or longer than " + max + " characters");
        }
    }

    public Type type() {
        return type;
    }

    /** A field's value, or null when absent. */
    public String field(String name) {
        return fields.get(name);
    }

    public String messageId() {
        return fields.get("MessageId");
    }

    public String topicArn() {
        return fields.get("TopicArn");
    }

    public String message() {
        return fields.get("Message");
    }

    public String timestamp() {
        return fields.get("Timestamp");
    }

    public String subscribeUrl() {
        return fields.get("SubscribeURL");
    }

    /** The keys signed for this message's type, in order (Subject dropped when absent). */
    public List<String> signedKeys() {
        if (type == Type.NOTIFICATION) {
            return NOTIFICATION_SIGNED.stream().filter(k -> !k.equals("Subject") || fields.containsKey(k)).toList();
        }
        return CONFIRMATION_SIGNED;
    }

    /** The first signed key that is absent, if any. */
    public Optional<String> missingSignedKey() {
        return signedKeys().stream().filter(k -> !fields.containsKey(k)).findFirst();
    }

    /** The string SNS signs: {@code Key\nValue\n} for each signed key, in the documented order. */
    public byte[] stringToSign() {
        StringBuilder s = new StringBuilder();
        for (String key : signedKeys()) {
            String value = fields.get(key);
            if (value == null) {
                throw new SnsVerificationException("missing signed field " + key);
            }
            s.append(key).append('\n').append(value).append('\n');
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }
}
