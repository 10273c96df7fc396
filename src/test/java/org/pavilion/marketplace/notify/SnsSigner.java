package org.pavilion.marketplace.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.json.JSONArray;
import org.json.JSONObject;

/** Builds SNS HTTP deliveries and signs them exactly as SNS does (or, on purpose, wrongly). */
final class SnsSigner {

    static final String TOPIC = "arn:aws:sns:us-east-1:000000000000:pavilion-local";
    static final String CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem";

    private final PrivateKey key;

    SnsSigner(PrivateKey key) {
        this.key = key;
    }

    /** The fields of a Notification, before signing; Subject left out when null. */
    static Map<String, String> notification(String message, String messageId, String subject, Instant at, String topic) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("Type", "Notification");
        f.put("MessageId", messageId);
        f.put("TopicArn", topic);
        if (subject != null) {
            f.put("Subject", subject);
        }
        f.put("Message", message);
        f.put("Timestamp", at.toString());
        f.put("UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + topic
                + ":sub");
        return f;
    }

    static Map<String, String> confirmation(String type, String subscribeUrl, Instant at, String topic) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("Type", type);
        f.put("MessageId", UUID.randomUUID().toString());
        f.put("Token", "token-" + UUID.randomUUID());
        f.put("TopicArn", topic);
        f.put("Message", "You have chosen to subscribe to the topic " + topic + ".");
        f.put("SubscribeURL", subscribeUrl);
        f.put("Timestamp", at.toString());
        return f;
    }

    /** Signs in SNS's documented order. */
    Map<String, String> sign(Map<String, String> fields, String version, String certUrl) {
        List<String> order = "Notification".equals(fields.get("Type")) ? SnsMessage.NOTIFICATION_SIGNED
                : SnsMessage.CONFIRMATION_SIGNED;
        return signInOrder(fields, version, certUrl, order);
    }

    /** Signs the present keys of {@code order} in that order (a wrong order makes a bad signature). */
    Map<String, String> signInOrder(Map<String, String> fields, String version, String certUrl, List<String> order) {
        StringBuilder s = new StringBuilder();
        for (String k : order) {
            if (fields.containsKey(k)) {
                s.append(k).append('\n').append(fields.get(k)).append('\n');
            }
        }
        try {
            Signature sig = Signature.getInstance("1".equals(version) ? "SHA1withRSA" : "SHA256withRSA");
            sig.initSign(key);
            sig.update(s.toString().getBytes(StandardCharsets.UTF_8));
            Map<String, String> out = new LinkedHashMap<>(fields);
            out.put("SignatureVersion", version);
            out.put("Signature", Base64.getEncoder().encodeToString(sig.sign()));
            out.put("SigningCertURL", certUrl);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String json(Map<String, String> fields) {
        return new JSONObject(fields).toString(2);
    }

    /** An MTurk event document. Each event: {type, assignmentId, workerId or null[, hitId (default HIT-1)]}. */
    static String eventDocument(String eventDocId, String[]... events) {
        JSONArray array = new JSONArray();
        for (String[] e : events) {
            JSONObject o = new JSONObject().put("EventType", e[0]).put("EventTimestamp", Instant.now().toString())
                    .put("HITId", e.length > 3 && e[3] != null ? e[3] : "HIT-1").put("HITTypeId", "TYPE-1");
            if (e.length > 1 && e[1] != null) {
                o.put("AssignmentId", e[1]);
            }
            if (e.length > 2 && e[2] != null) {
                o.put("WorkerId", e[2]);
            }
            array.put(o);
        }
        return new JSONObject().put("EventDocId", eventDocId).put("EventDocVersion", "2014-08-15")
                .put("SourceAccount", "000000000000").put("CustomerId", "A1CUSTOMER").put("Events", array).toString();
    }
}
