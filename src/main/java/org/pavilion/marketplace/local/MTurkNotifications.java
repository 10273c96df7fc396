package org.pavilion.marketplace.local;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns the local marketplace's events into MTurk's notifications: for a HIT type whose
 * notification settings (UpdateNotificationSettings) are active, name the event's type and use
 * Transport SNS, an MTurk event document is published to the Destination topic:
 *
 * <pre>
 * {"EventDocId": "&lt;uuid&gt;", "SourceAccount": "&lt;the topic's account&gt;", "CustomerId": "&lt;requester&gt;",
 *  "EventDocVersion": "2014-08-15",
 *  "Events": [{"EventType": "AssignmentReturned", "EventTimestamp": "2026-01-31T00:19:04Z",
 *              "HITId": "…", "AssignmentId": "…", "HITTypeId": "…"}]}
 * </pre>
 *
 * {@code WorkerId} is left out on purpose (MTurk does not guarantee it); HIT events carry no
 * AssignmentId; the Ping of SendTestEventNotification carries only its type and time. Email and
 * SQS transports are accepted but not delivered.
 */
public class MTurkNotifications implements LocalMarketplace.Listener {

    private static final Logger log = LoggerFactory.getLogger(MTurkNotifications.class);
    public static final String EVENT_DOC_VERSION = "2014-08-15";
    public static final String SUBJECT = "Amazon Mechanical Turk event notification";

    private final LocalSns sns;
    private final String customerId;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, LocalMarketplace.NotificationSettings> settings = new ConcurrentHashMap<>();

    public MTurkNotifications(LocalSns sns, String customerId) {
        this.sns = sns;
        this.customerId = customerId;
    }

    @Override
    public void onNotificationSettings(String hitTypeId, LocalMarketplace.NotificationSettings s) {
        settings.put(hitTypeId, s);
        if (s.active() && "SNS".equals(s.transport())) {
            sns.subscribe(s.destination());
        }
    }

    @Override
    public void onEvent(LocalMarketplace.Event event) {
        LocalMarketplace.NotificationSettings s = event.testDestination();
        if (s == null) {
            s = event.hitTypeId() == null ? null : settings.get(event.hitTypeId());
            if (s == null || !s.delivers(event.eventType())) {
                return;
            }
        }
        if (!"SNS".equals(s.transport())) {
            log.info("local marketplace: {} notification for {} not sent (transport {} is not delivered locally)",
                    event.eventType(), s.destination(), s.transport());
            return;
        }
        // Ordered per HIT: one HIT's events arrive in the order they happened (LocalSns).
        sns.publish(s.destination(), SUBJECT, eventDocument(List.of(event), s.destination()), event.hitId());
    }

    /** MTurk's event document (EventDocVersion 2014-08-15) for these events. */
    public String eventDocument(List<LocalMarketplace.Event> events, String topicArn) {
        ObjectNode doc = json.createObjectNode();
        doc.put("EventDocId", UUID.randomUUID().toString());
        doc.put("SourceAccount", account(topicArn));
        doc.put("CustomerId", customerId);
        doc.put("EventDocVersion", EVENT_DOC_VERSION);
        ArrayNode list = doc.putArray("Events");
        for (LocalMarketplace.Event e : events) {
            ObjectNode item = list.addObject();
            item.put("EventType", e.eventType());
            item.put("EventTimestamp", timestamp(e.timestamp()));
            if (e.hitId() != null) {
                item.put("HITId", e.hitId());
            }
            if (e.assignmentId() != null) {
                item.put("AssignmentId", e.assignmentId());
            }
            if (e.hitTypeId() != null) {
                item.put("HITTypeId", e.hitTypeId());
            }
        }
        return json.writeValueAsString(doc);
    }

    /** MTurk's EventTimestamp: ISO-8601 in UTC, to the second. */
    static String timestamp(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    /** The account of {@code arn:aws:sns:<region>:<account>:<topic>}. */
    static String account(String topicArn) {
        String[] parts = topicArn == null ? new String[0] : topicArn.split(":", 6);
        return parts.length >= 6 && !parts[4].isEmpty() ? parts[4] : "000000000000";
    }
}
