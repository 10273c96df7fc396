package org.pavilion.tasklogic;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.json.JSONObject;
import org.pavilion.queue.WorkerStatus;
import org.springframework.stereotype.Component;

/**
 * Sample task logic: a group chat among a session's active workers. A worker sends
 * {@code chat_message {text}}; every active worker of the session receives
 * {@code chat_message {from, text, mine}}, where {@code from} is an alias ("Worker 2") so that
 * no worker learns another's MTurk id.
 */
@Component
public final class GroupChat implements TaskLogic {

    public static final String EVENT = "chat_message";
    public static final int MAX_TEXT = 500;

    private final Map<Long, Map<String, String>> aliases = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> counters = new ConcurrentHashMap<>();

    @Override
    public Set<String> events() {
        return Set.of(EVENT);
    }

    @Override
    public void onEvent(TaskContext context, String event, JSONObject payload) {
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
        for (String worker : context.activeWorkers()) {
            context.sendTo(worker, EVENT, new JSONObject().put("from", from).put("text", text.strip())
                    .put("mine", worker.equals(context.workerId())));
        }
    }

    private String alias(long sessionId, String workerId) {
        return aliases.computeIfAbsent(sessionId, k -> new ConcurrentHashMap<>()).computeIfAbsent(workerId,
                k -> "Worker " + counters.computeIfAbsent(sessionId, s -> new AtomicInteger()).incrementAndGet());
    }
}
