package org.pavilion.marketplace;

import java.util.concurrent.CompletionException;

import org.pavilion.marketplace.Marketplace.AssignmentInfo;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.PavilionException;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.UnknownAssignmentException;
import org.pavilion.storage.JdbcSessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Backs notifications up (SPEC §4.8): a slow poll of each live session's HITs that applies the
 * submissions a lost notification never reported. It only ever reports what the marketplace
 * lists as submitted (Submitted, Approved, Rejected); it never infers a return from a HIT's
 * passing status, and the engine ignores a submit of a worker who already left, so a finished
 * worker is never moved back.
 */
public final class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final SessionMarketplace marketplace;
    private final LiveSessionService sessions;
    private final JdbcSessionStore store;

    public Reconciler(SessionMarketplace marketplace, LiveSessionService sessions, JdbcSessionStore store) {
        this.marketplace = marketplace;
        this.sessions = sessions;
        this.store = store;
    }

    /** One pass over every live session; returns how many departures it applied. */
    public int reconcileAll() {
        int applied = 0;
        for (long sessionId : sessions.sessionIds()) {
            try {
                if (!sessions.hasEnded(sessionId)) { // without waking an ended, dormant session
                    applied += reconcile(sessionId);
                }
            } catch (MarketplaceException e) {
                log.warn("reconciliation of session {} postponed: {}", sessionId, e.getMessage());
            } catch (RuntimeException e) {
                log.error("reconciliation of session {} failed", sessionId, e);
            }
        }
        return applied;
    }

    int reconcile(long sessionId) {
        int applied = 0;
        for (String hitId : store.sessionHits(sessionId)) {
            for (AssignmentInfo a : marketplace.of(sessionId).listAssignments(hitId)) {
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
        }
        return applied;
    }
}
