package org.pavilion.realtime;

import org.json.JSONArray;
import org.json.JSONObject;
import org.pavilion.queue.Message;
import org.pavilion.queue.PavilionException;
import org.pavilion.session.SessionStorageException;

/** The server→client events of SPEC §5, with the seed's event names and payload keys. */
final class ProtocolMessages {

    private ProtocolMessages() {
    }

    record Wire(String event, JSONObject payload) {
    }

    /** {@code workerId} is the addressee for worker messages, null for session messages. */
    static Wire toWire(Message message, String workerId) {
        if (message instanceof Message.StartYourTask) {
            // The seed's shape: a list of ids, here only the addressee's own (no one learns another's id).
            return new Wire("start_your_task", new JSONObject().put("message", new JSONArray().put(workerId)));
        }
        if (message instanceof Message.JobIsFull full) {
            return new Wire("job_is_full", new JSONObject().put("message", full.reason()).put("id", workerId));
        }
        if (message instanceof Message.WorkerCount count) {
            return new Wire("update_worker_count",
                    new JSONObject().put("count", count.count()).put("max_count", count.maxCount()));
        }
        if (message instanceof Message.WorkersStatus status) {
            return new Wire("workers_status",
                    new JSONObject().put("waiting", status.waiting()).put("active", status.active()));
        }
        if (message instanceof Message.Stop) {
            return new Wire("stop", new JSONObject());
        }
        throw new IllegalArgumentException("no wire form for " + message);
    }

    /** What a page is told when its event failed: a code and a message, and whether it is worth a log line. */
    record Failure(String code, String message, boolean unexpected) {
    }

    /**
     * The one mapping from a failure to what the page hears: a refusal says why; a write the database could
     * not take (a stall, a lock held too long) or a read that timed out says {@code try_again}, since nothing
     * was done; anything else is {@code internal_error}.
     */
    static Failure failure(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof PavilionException refused) {
            return new Failure(refused.code(), refused.getMessage(), false);
        }
        if (cause instanceof SessionStorageException) {
            return new Failure("try_again", "the server could not store this event just now; nothing was done, "
                    + "try again in a moment", false);
        }
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return new Failure("try_again", "the server is busy; nothing was done, try again in a moment", false);
        }
        return new Failure("internal_error", "the server could not complete this event; try again", true);
    }

    static JSONObject error(String code, String message, String event) {
        return new JSONObject().put("code", code).put("message", message).put("event", event == null ? "" : event);
    }
}
