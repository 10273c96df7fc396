package org.pavilion.tasklogic;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.json.JSONObject;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.realtime.TokenBucket;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Sample task logic: a group chat among a session's active workers. A worker sends
 * {@code chat_message {text}}; every active worker of the session receives
 * {@code chat_message {from, text, mine}}, where {@code from} is an alias ("Worker 2") so that
 * no worker learns another's MTurk id.
 *
 * <p>Every message is copied to every active worker, so each worker may send at most
 * {@value #MESSAGES_PER_SECOND} messages a second ({@value #MESSAGE_BURST} at once; faster than anyone
 * types) of at most {@value #MAX_TEXT} characters. A refused message gets {@code error {code:
 * "refused"}} and reaches no one; refusals are counted in
 * {@code pavilion_realtime_refused_total{reason="chat_rate"}}.
 *
 * <p>Every delivered message is recorded as task data ({@code chat_message}: {@code text}, {@code from}
 * = the sender's alias, {@code recipients} = how many active workers it went to; the sender's worker id
 * and the server's time are columns of the record) before any copy leaves: the transcript is kept,
 * exported with the session and shown in its live view.
 */
@Component
public final class GroupChat implements TaskLogic {

    public static final String EVENT = "chat_message";
    public static final int MAX_TEXT = 500;
    public static final int MESSAGES_PER_SECOND = 2;
    public static final int MESSAGE_BURST = 5;

    private final Map<Long, Map<String, String>> aliases = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> counters = new ConcurrentHashMap<>();
    /** Per session, per worker: the worker's chat allowance. */
    private final Map<Long, Map<String, TokenBucket>> allowances = new ConcurrentHashMap<>();
    private final LongSupplier nanos;
    private final Counter refused;

    @Autowired
    public GroupChat(MeterRegistry registry) {
        this(registry, System::nanoTime);
    }

    GroupChat(MeterRegistry registry, LongSupplier nanos) {
        this.nanos = nanos;
        this.refused = Counter.builder("pavilion.realtime.refused")
                .description("Chat messages refused: over the worker's chat rate")
                .tag("reason", "chat_rate").register(registry);
    }

    @Override
    public Set<String> events() {
        return Set.of(EVENT);
    }

    @Override
    public void onEvent(TaskContext context, String event, JSONObject payload) {
        // First, before anything reads the session: a refused message must cost next to nothing.
        long now = nanos.getAsLong();
        TokenBucket allowance = allowances.computeIfAbsent(context.sessionId(), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(context.workerId(), k -> new TokenBucket(MESSAGES_PER_SECOND, MESSAGE_BURST, now));
        if (!allowance.tryTake(now)) {
            refused.increment();
            context.refuse("chat_message: at most " + MESSAGES_PER_SECOND + " messages a second ("
                    + MESSAGE_BURST + " at once); this one was not sent");
            return;
        }
        Object value = payload.opt("text");
        if (!(value instanceof String text) || text.isBlank()) {
            context.refuse("chat_message: 'text' must be a non-empty string");
            return;
        }
        if (text.length() > MAX_TEXT) {
            context.refuse("chat_message: 'text' is longer than " + MAX_TEXT + " characters");
            return;
        }
        if (context.status() != WorkerStatus.ACTIVE) {
            context.refuse("chat_message: only active workers can chat");
            return;
        }
        String from = alias(context.sessionId(), context.workerId());
        String said = text.strip();
        List<String> recipients = context.activeWorkers();
        // Stored first: the copies below leave once the message is durable (TaskContext#record).
        context.record(EVENT, from, new JSONObject().put("text", said).put("from", from)
                .put("recipients", recipients.size()));
        for (String worker : recipients) {
            context.sendTo(worker, EVENT, new JSONObject().put("from", from).put("text", said)
                    .put("mine", worker.equals(context.workerId())));
        }
    }

    @Override
    public void sessionEnded(long sessionId) {
        aliases.remove(sessionId);
        counters.remove(sessionId);
        allowances.remove(sessionId);
    }

    /** Sessions it keeps aliases or allowances for (for tests of what an ended session leaves behind). */
    public int sessionsKept() {
        java.util.Set<Long> ids = new java.util.HashSet<>(aliases.keySet());
        ids.addAll(allowances.keySet());
        return ids.size();
    }

    private String alias(long sessionId, String workerId) {
        return aliases.computeIfAbsent(sessionId, k -> new ConcurrentHashMap<>()).computeIfAbsent(workerId,
                k -> "Worker " + counters.computeIfAbsent(sessionId, s -> new AtomicInteger()).incrementAndGet());
    }
}
