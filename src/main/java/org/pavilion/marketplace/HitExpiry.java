package org.pavilion.marketplace;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.pavilion.queue.Decision;
import org.pavilion.queue.Outcome;
import org.pavilion.session.OutcomeListener;
import org.pavilion.storage.JdbcSessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * When a session expires (SPEC §4.5), every HIT posted for it (the first and each hire's) is
 * expired at the marketplace, so no new worker can accept one. Runs off the commit thread.
 */
public final class HitExpiry implements OutcomeListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HitExpiry.class);

    private final ObjectProvider<Marketplace> marketplace;
    private final JdbcSessionStore store;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pavilion-hit-expiry");
        t.setDaemon(true);
        return t;
    });

    public HitExpiry(ObjectProvider<Marketplace> marketplace, JdbcSessionStore store) {
        this.marketplace = marketplace;
        this.store = store;
    }

    @Override
    public void committed(long sessionId, Outcome outcome) {
        boolean expired = outcome.facts().stream().anyMatch(f -> f instanceof Decision.PhaseChange p
                && p.phase() == Decision.Phase.EXPIRED);
        if (expired) {
            worker.execute(() -> expireHits(sessionId));
        }
    }

    /** Expires the session's HITs; returns how many the marketplace confirmed. */
    public int expireHits(long sessionId) {
        int done = 0;
        for (String hitId : store.sessionHits(sessionId)) {
            try {
                marketplace.getObject().expireHit(hitId);
                done++;
            } catch (MarketplaceException e) {
                log.error("session {}: HIT {} could not be expired: {}", sessionId, hitId, e.getMessage());
            }
        }
        log.info("session {}: {} HIT(s) expired at the marketplace", sessionId, done);
        return done;
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
