package org.pavilion.admin.live;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.pavilion.queue.PavilionException;
import org.pavilion.queue.SessionEndedException;
import org.pavilion.session.SessionStorageException;
import org.pavilion.session.UnknownSessionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Stop or expire several sessions in one go (issue 14 item 5). Each session is acted on alone, through
 * the same live control as its own button; one that has already ended, or is unknown, is reported as
 * such and the others still go ahead. A request that names no session or an unknown action changes
 * nothing.
 */
@Service
public class BulkActions {

    private static final Logger log = LoggerFactory.getLogger(BulkActions.class);

    /** At most this many sessions in one request. */
    public static final int MAX_SESSIONS = 100;

    private final LiveControls controls;
    private final SessionQueries queries;

    public BulkActions(LiveControls controls, SessionQueries queries) {
        this.controls = controls;
        this.queries = queries;
    }

    /** What happened to each session. */
    public enum Outcome {
        /** The action was done. */
        DONE,
        /** Nothing to do: a stop of a session already stopped. */
        UNCHANGED,
        /** The session had already ended (expired): it takes no more actions. */
        ENDED,
        /** No such session. */
        UNKNOWN,
        /** The action could not be stored or was refused; the session is as it was. */
        FAILED
    }

    /** One session's result; {@code message} says it in words. */
    public record Result(long sessionId, String action, Outcome outcome, String message) {
    }

    /** A bulk request that cannot be carried out at all (400); nothing was changed. */
    public static final class BadBulkRequestException extends PavilionException {
        public BadBulkRequestException(String message) {
            super(message);
        }

        @Override
        public String code() {
            return "bad_bulk_request";
        }
    }

    /** {@code action} is {@code stop} or {@code expire}; {@code sessionIds} in the order given (repeats once). */
    public List<Result> apply(String action, List<Long> sessionIds, String admin) {
        String a = action == null ? "" : action.strip();
        if (!a.equals("stop") && !a.equals("expire")) {
            throw new BadBulkRequestException("action must be stop or expire (was \"" + (a.length() > 20
                    ? a.substring(0, 19) + "\u2026" : a) + "\")");
        }
        Set<Long> ids = new LinkedHashSet<>(sessionIds == null ? List.of() : sessionIds);
        ids.remove(null);
        if (ids.isEmpty()) {
            throw new BadBulkRequestException("select at least one session");
        }
        if (ids.size() > MAX_SESSIONS) {
            throw new BadBulkRequestException("at most " + MAX_SESSIONS + " sessions at once (were " + ids.size()
                    + ")");
        }
        List<Result> results = new ArrayList<>(ids.size());
        for (long id : ids) {
            results.add(one(a, id, admin));
        }
        return results;
    }

    private Result one(String action, long id, String admin) {
        if (queries.session(id).isEmpty()) {
            return new Result(id, action, Outcome.UNKNOWN, "Session " + id + ": no such session.");
        }
        try {
            LiveControls.Result r = action.equals("stop") ? controls.stop(id, admin) : controls.expire(id, admin);
            return new Result(id, action, r.changed() ? Outcome.DONE : Outcome.UNCHANGED,
                    "Session " + id + ": " + r.message());
        } catch (SessionEndedException | UnknownSessionException e) {
            return new Result(id, action, Outcome.ENDED, "Session " + id + ": already ended (expired); nothing done.");
        } catch (PavilionException e) {
            return new Result(id, action, Outcome.FAILED, "Session " + id + ": refused: " + e.getMessage());
        } catch (SessionStorageException e) {
            log.warn("bulk {} of session {} could not be stored", action, id, e);
            return new Result(id, action, Outcome.FAILED,
                    "Session " + id + ": could not be stored; nothing changed. Try again.");
        }
    }
}
