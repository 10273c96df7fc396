package org.pavilion.marketplace;

import java.util.List;
import java.util.concurrent.CompletionException;

import org.pavilion.marketplace.Marketplace.AssignmentInfo;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.PavilionException;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.UnknownAssignmentException;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.storage.JdbcSessionStore.SessionHit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backs notifications up (SPEC §4.8): a slow poll of live sessions' HITs that applies the
 * submissions a lost notification never reported. It only ever reports what the marketplace
 * lists as submitted (Submitted, Approved, Rejected); it never infers a return from a HIT's
 * passing status, and the engine ignores a submit of a worker who already left, so a finished
 * worker is never moved back.
 *
 * <p><b>Bounded per call (issue 15).</b> The HITs of all sessions not expired are walked in (session, HIT)
 * order by a cursor, {@link #batch()} HITs per call ({@link #reconcileNext()}): each call reads one indexed
 * slice of at most that many HITs and lists the assignments of each, so its cost does not grow with the
 * number of HITs or sessions. The walk wraps around, so a HIT recorded when a call runs is visited within
 * {@code ceil(N / batch) + 1} calls, N being the HITs of live sessions then. A marketplace outage postpones
 * the rest of a slice: the next call resumes after the last HIT visited.
 *
 * <p>No HIT is skipped: whether a HIT may still hold an unreported submission depends on the workers on it,
 * and Pavilion ties a worker's assignment to its HIT only in the session's event log (the confirmation), not in
 * an indexed table; a worker whose page submitted but whose submission the marketplace has not confirmed yet
 * is exactly the case this loop is for, so skipping by worker status alone would not be sound.
 */
public final class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    /** HITs listed per call by default: see {@code pavilion.marketplace.reconcile-batch}. */
    public static final int DEFAULT_BATCH = 100;

    private final SessionMarketplace marketplace;
    private final LiveSessionService sessions;
    private final JdbcSessionStore store;
    private final int batch;
    /** The last HIT visited; null: the next call starts from the first. Guarded by this. */
    private SessionHit cursor;

    public Reconciler(SessionMarketplace marketplace, LiveSessionService sessions, JdbcSessionStore store) {
        this(marketplace, sessions, store, DEFAULT_BATCH);
    }

    public Reconciler(SessionMarketplace marketplace, LiveSessionService sessions, JdbcSessionStore store, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("pavilion.marketplace.reconcile-batch must be at least 1");
        }
        this.marketplace = marketplace;
        this.sessions = sessions;
        this.store = store;
        this.batch = batch;
    }

    /** How many HITs one call lists at most. */
    public int batch() {
        return batch;
    }

    /**
     * One bounded step of the walk: lists the assignments of at most {@link #batch()} HITs, the ones after the
     * HIT the previous call stopped at (from the first once the walk reached the end); returns how many
     * departures it applied.
     */
    public synchronized int reconcileNext() {
        List<SessionHit> slice = store.liveSessionHitsAfter(cursor, batch);
        int applied = 0;
        for (SessionHit hit : slice) {
            try {
                applied += reconcile(hit);
            } catch (MarketplaceException e) {
                // the marketplace is unwell: the rest of the slice waits for the next call
                log.warn("reconciliation postponed at HIT {} of session {}: {}", hit.hitId(), hit.sessionId(),
                        e.getMessage());
                return applied;
            } catch (RuntimeException e) {
                log.error("reconciliation of HIT {} of session {} failed", hit.hitId(), hit.sessionId(), e);
            }
            cursor = hit;
        }
        if (slice.size() < batch) {
            cursor = null; // the end of the walk: the next call starts over
        }
        return applied;
    }

    /**
     * A whole walk, from the first HIT to the last, in {@link #reconcileNext()} steps (for tests and an admin's
     * "now"); returns how many departures it applied. The scheduled loop never calls it.
     */
    public synchronized int reconcileAll() {
        cursor = null;
        int applied = 0;
        SessionHit before;
        do {
            before = cursor;
            applied += reconcileNext();
        } while (cursor != null && !cursor.equals(before)); // stops at the end, or where an outage postponed it
        return applied;
    }

    private int reconcile(SessionHit hit) {
        long sessionId = hit.sessionId();
        int applied = 0;
        for (AssignmentInfo a : marketplace.of(sessionId).listAssignments(hit.hitId())) {
            if (a.workerId() == null) {
                continue;
            }
            try {
                Outcome outcome = sessions.submitForAssignment(a.assignmentId(), a.workerId(), Departure.SUBMIT,
                        "reconciliation", "listed by the marketplace as " + a.status()).join();
                if (outcome.changesState()) {
                    applied++;
                    log.info("session {}: reconciliation applied the submission of assignment {}", sessionId,
                            a.assignmentId());
                }
            } catch (UnknownAssignmentException e) {
                // accepted and submitted without ever opening the page: not one of the session's workers
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof PavilionException)) {
                    throw e;
                }
            }
        }
        return applied;
    }
}
