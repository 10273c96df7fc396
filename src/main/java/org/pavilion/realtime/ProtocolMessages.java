package org.pavilion.realtime;

import org.json.JSONArray;
import org.json.JSONObject;
import org.pavilion.queue.Message;

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

    static JSONObject error(String code, String message, String event) {
        return new JSONObject().put("code", code).put("message", message).put("event", event == null ? "" : event);
    }
}
