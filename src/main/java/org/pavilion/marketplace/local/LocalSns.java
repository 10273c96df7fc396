package org.pavilion.marketplace.local;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tools.jackson.databind.json.JsonMapper;

/**
 * A small SNS for the local marketplace: topics are implicit (any topic ARN a HIT type's
 * notifications are sent to), and each has one HTTP subscriber, the notify URL
 * ({@code pavilion.marketplace.local.notify-url}, default this server's {@code /api/from_mturk}).
 *
 * <p>Subscription flow, as SNS's for HTTP endpoints: when a topic is first used, a signed
 * {@code SubscriptionConfirmation} (with {@code Token} and {@code SubscribeURL} =
 * {@code <base>/local-mturk/sns/confirm?Action=ConfirmSubscription&TopicArn=…&Token=…}) is
 * posted to the subscriber; notifications published before the subscriber GETs the SubscribeURL
 * are held and delivered, in order, once it does. {@code UnsubscribeURL} ends the subscription
 * (an {@code UnsubscribeConfirmation} follows; its SubscribeURL re-subscribes). If the
 * confirmation could not be delivered it is sent again with the next message.
 *
 * <p>Deliveries are HTTP POSTs ({@code Content-Type: text/plain; charset=UTF-8}, headers
 * {@code x-amz-sns-message-type}, {@code x-amz-sns-message-id}, {@code x-amz-sns-topic-arn},
 * {@code x-amz-sns-subscription-arn}), asynchronous, retried with doubling backoff on a network
 * error, HTTP 429 or 5xx; other 4xx answers are not retried (SNS treats them as the subscriber's
 * refusal).
 *
 * <p>Order and concurrency: SNS itself promises no order and delivers to an HTTP subscriber in
 * parallel. Here a message's ordering key (the HIT it is about) picks one of
 * {@code delivery-concurrency} lanes, each one thread: messages about one HIT arrive in the order
 * they were published (what tests of one HIT's story read most easily), messages about different
 * HITs in parallel. One sequential sender made every event wait for the previous one's answer,
 * which under load (hundreds of events a second) delayed confirmations by seconds. Messages are
 * signed on their lane, not by the publisher: {@code publish} runs under the marketplace's lock,
 * and an RSA signature there made every marketplace call wait for it.
 */
public class LocalSns implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalSns.class);
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int MAX_HELD = 10_000;
    private static final int LOG_SIZE = 1_000;
    private static final long MAX_BACKOFF_MS = 10_000;

    public enum State { PENDING, CONFIRMED, UNSUBSCRIBED }

    public record SubscriptionView(String subscriptionArn, String topicArn, URI endpoint, State state, int held) {
    }

    /**
     * One message's delivery outcome: {@code status} is the subscriber's last HTTP status (0 when
     * it could not be reached), {@code delivered} whether it answered 2xx.
     */
    public record Delivery(Instant time, String type, String messageId, String topicArn, URI endpoint,
                           int attempts, int status, boolean delivered, String error) {
    }

    private final class Subscription {
        final String topicArn;
        final String arn;
        final URI endpoint;
        final List<Held> held = new ArrayList<>();
        final ExecutorService[] lanes;
        String token;
        State state = State.PENDING;
        boolean confirmationFailed;

        Subscription(String topicArn, URI endpoint, int laneCount) {
            this.topicArn = topicArn;
            this.arn = topicArn + ":" + UUID.randomUUID();
            this.endpoint = endpoint;
            this.lanes = new ExecutorService[laneCount];
            for (int i = 0; i < laneCount; i++) {
                String name = "local-sns-" + endpoint.getPort() + "-" + i;
                // One thread per lane, gone when idle: a quiet topic costs no thread.
                ThreadPoolExecutor lane = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(), r -> {
                            Thread t = new Thread(r, name);
                            t.setDaemon(true);
                            return t;
                        });
                lane.allowCoreThreadTimeOut(true);
                lanes[i] = lane;
            }
        }

        ExecutorService lane(String orderingKey) {
            return lanes[LocalSns.lane(orderingKey, lanes.length)];
        }
    }

    /** The lane of an ordering key among {@code lanes}: the same key always the same lane (null: the first). */
    static int lane(String orderingKey, int lanes) {
        return orderingKey == null ? 0 : Math.floorMod(orderingKey.hashCode(), lanes);
    }

    /** A notification published while its subscription waits for confirmation, with its ordering key. */
    private record Held(Map<String, String> message, String orderingKey) {
    }

    private final SnsSigner signer;
    private final LocalBaseUrl base;
    private final Supplier<URI> subscriberUrl;
    private final LocalMarketplaceProperties props;
    private final Clock clock;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();
    private final SecureRandom random = new SecureRandom();

    private final Map<String, Subscription> byTopic = new LinkedHashMap<>();
    private final Map<String, Subscription> byToken = new HashMap<>();
    private final Map<String, Subscription> byArn = new HashMap<>();
    private final Deque<Delivery> deliveries = new ArrayDeque<>();

    public LocalSns(SnsSigner signer, LocalBaseUrl base, Supplier<URI> subscriberUrl,
                    LocalMarketplaceProperties props, Clock clock) {
        this.signer = signer;
        this.base = base;
        this.subscriberUrl = subscriberUrl;
        this.props = props;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public SnsSigner signer() {
        return signer;
    }

    /** The URL the messages name as SigningCertURL. */
    public String signingCertUrl() {
        return base.base() + "/local-mturk/sns/cert.pem";
    }

    /** Makes sure the topic has its subscriber (sending the SubscriptionConfirmation when new). */
    public synchronized void subscribe(String topicArn) {
        Subscription s = subscription(topicArn);
        if (s.state == State.PENDING && s.confirmationFailed) {
            sendConfirmation(s, "SubscriptionConfirmation");
        }
    }

    /** Publishes a Notification to the topic's subscriber: delivered now if confirmed, else held. */
    public String publish(String topicArn, String subject, String message) {
        return publish(topicArn, subject, message, null);
    }

    /**
     * Publishes a Notification to the topic's subscriber: delivered now if confirmed, else held.
     * Messages with the same {@code orderingKey} are delivered in the order published; others may
     * overtake them (see the class comment).
     */
    public synchronized String publish(String topicArn, String subject, String message, String orderingKey) {
        Subscription s = subscription(topicArn);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Type", "Notification");
        m.put("MessageId", UUID.randomUUID().toString());
        m.put("TopicArn", topicArn);
        if (subject != null) {
            m.put("Subject", subject);
        }
        m.put("Message", message);
        m.put("Timestamp", TIMESTAMP.format(clock.instant()));
        m.put("SignatureVersion", signer.signatureVersion());
        m.put("Signature", null); // signed on its lane (send), in this place of the message
        m.put("SigningCertURL", signingCertUrl());
        m.put("UnsubscribeURL", base.base() + "/local-mturk/sns/unsubscribe?Action=Unsubscribe&SubscriptionArn="
                + encode(s.arn));
        switch (s.state) {
            case CONFIRMED:
                send(s, m, orderingKey);
                break;
            case PENDING:
                if (s.held.size() >= MAX_HELD) {
                    Held dropped = s.held.remove(0);
                    log.warn("local SNS: {} unconfirmed, dropping held message {}", s.endpoint,
                            dropped.message().get("MessageId"));
                }
                s.held.add(new Held(m, orderingKey));
                if (s.confirmationFailed) {
                    sendConfirmation(s, "SubscriptionConfirmation");
                }
                break;
            default:
                log.info("local SNS: {} unsubscribed from {}, message {} not delivered", s.endpoint, topicArn,
                        m.get("MessageId"));
        }
        return m.get("MessageId");
    }

    /**
     * The subscriber GOT the SubscribeURL: the subscription is confirmed and held notifications
     * are delivered in order. Returns the SubscriptionArn, or empty for an unknown token.
     */
    public synchronized Optional<String> confirm(String token) {
        Subscription s = token == null ? null : byToken.get(token);
        if (s == null) {
            return Optional.empty();
        }
        if (s.state != State.CONFIRMED) {
            s.state = State.CONFIRMED;
            s.confirmationFailed = false;
            for (Held h : s.held) {
                send(s, h.message(), h.orderingKey());
            }
            s.held.clear();
        }
        return Optional.of(s.arn);
    }

    /** The subscriber GOT the UnsubscribeURL; an UnsubscribeConfirmation follows. */
    public synchronized boolean unsubscribe(String subscriptionArn) {
        Subscription s = subscriptionArn == null ? null : byArn.get(subscriptionArn);
        if (s == null) {
            return false;
        }
        if (s.state != State.UNSUBSCRIBED) {
            s.state = State.UNSUBSCRIBED;
            s.held.clear();
            sendConfirmation(s, "UnsubscribeConfirmation");
        }
        return true;
    }

    public synchronized List<SubscriptionView> subscriptions() {
        return byTopic.values().stream()
                .map(s -> new SubscriptionView(s.arn, s.topicArn, s.endpoint, s.state, s.held.size())).toList();
    }

    /** The last deliveries' outcomes, oldest first. */
    public synchronized List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    @Override
    public synchronized void close() {
        for (Subscription s : byTopic.values()) {
            for (ExecutorService lane : s.lanes) {
                lane.shutdownNow();
            }
        }
    }

    private Subscription subscription(String topicArn) {
        Subscription s = byTopic.get(topicArn);
        if (s == null) {
            s = new Subscription(topicArn, subscriberUrl.get(), props.deliveryConcurrency());
            byTopic.put(topicArn, s);
            byArn.put(s.arn, s);
            sendConfirmation(s, "SubscriptionConfirmation");
        }
        return s;
    }

    private void sendConfirmation(Subscription s, String type) {
        if (s.token != null) {
            byToken.remove(s.token);
        }
        byte[] bytes = new byte[64];
        random.nextBytes(bytes);
        s.token = HexFormat.of().formatHex(bytes);
        byToken.put(s.token, s);
        s.confirmationFailed = false;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Type", type);
        m.put("MessageId", UUID.randomUUID().toString());
        m.put("Token", s.token);
        m.put("TopicArn", s.topicArn);
        m.put("Message", "SubscriptionConfirmation".equals(type)
                ? "You have chosen to subscribe to the topic " + s.topicArn
                + ".\nTo confirm the subscription, visit the SubscribeURL included in this message."
                : "You have chosen to deactivate subscription " + s.arn
                + ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in "
                + "this message.");
        m.put("SubscribeURL", base.base() + "/local-mturk/sns/confirm?Action=ConfirmSubscription&TopicArn="
                + encode(s.topicArn) + "&Token=" + s.token);
        m.put("Timestamp", TIMESTAMP.format(clock.instant()));
        m.put("SignatureVersion", signer.signatureVersion());
        m.put("Signature", null);
        m.put("SigningCertURL", signingCertUrl());
        send(s, m, null);
    }

    /** Signs the message and posts it, on its key's lane. */
    private void send(Subscription s, Map<String, String> message, String orderingKey) {
        s.lane(orderingKey).execute(() -> {
            message.put("Signature", signer.sign(message));
            post(s, message, json.writeValueAsString(message));
        });
    }

    /** Runs on the message's lane: deliveries about one HIT never overtake each other. */
    private void post(Subscription s, Map<String, String> message, String body) {
        String type = message.get("Type");
        HttpRequest.Builder request = HttpRequest.newBuilder(s.endpoint)
                .timeout(props.deliveryTimeout())
                .header("Content-Type", "text/plain; charset=UTF-8")
                .header("User-Agent", "Amazon Simple Notification Service Agent (Pavilion local marketplace)")
                .header("x-amz-sns-message-type", type)
                .header("x-amz-sns-message-id", message.get("MessageId"))
                .header("x-amz-sns-topic-arn", s.topicArn)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (!"SubscriptionConfirmation".equals(type)) {
            request.header("x-amz-sns-subscription-arn", s.arn);
        }
        HttpRequest built = request.build();
        long backoff = Math.max(1, props.deliveryBackoff().toMillis());
        int status = 0;
        String error = null;
        int attempt = 0;
        while (attempt < props.deliveryAttempts()) {
            attempt++;
            try {
                HttpResponse<Void> response = http.send(built, HttpResponse.BodyHandlers.discarding());
                status = response.statusCode();
                if (status >= 200 && status < 300) {
                    record(new Delivery(Instant.now(), type, message.get("MessageId"), s.topicArn, s.endpoint,
                            attempt, status, true, null));
                    return;
                }
                error = "HTTP " + status;
                if (status != 429 && status < 500) {
                    break; // the subscriber refused it: SNS does not retry client errors
                }
            } catch (IOException e) {
                status = 0;
                error = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (attempt < props.deliveryAttempts()) {
                try {
                    TimeUnit.MILLISECONDS.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
        log.warn("local SNS: {} {} to {} not delivered after {} attempt(s): {}", type, message.get("MessageId"),
                s.endpoint, attempt, error);
        record(new Delivery(Instant.now(), type, message.get("MessageId"), s.topicArn, s.endpoint, attempt, status,
                false, error));
        if ("SubscriptionConfirmation".equals(type)) {
            synchronized (this) {
                if (s.state == State.PENDING && message.get("Token").equals(s.token)) {
                    s.confirmationFailed = true;
                }
            }
        }
    }

    private synchronized void record(Delivery delivery) {
        deliveries.addLast(delivery);
        while (deliveries.size() > LOG_SIZE) {
            deliveries.removeFirst();
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
