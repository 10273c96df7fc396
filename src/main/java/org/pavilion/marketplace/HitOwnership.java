package org.pavilion.marketplace;

import java.util.Objects;
import java.util.Optional;

import org.pavilion.marketplace.Marketplace.Hit;
import org.pavilion.session.RequestTokens;
import org.pavilion.storage.JdbcSessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Which session a HIT was posted for. Pavilion records a HIT once the marketplace has answered its
 * CreateHIT, but a worker can accept a just-posted HIT, and its AssignmentAccepted notification
 * arrive, before that record is written (a hire's HIT most of all). For such a HIT the marketplace's
 * own record decides: every HIT Pavilion posts carries its request token, {@code
 * pav-<installation>-s<session>-…}, as its RequesterAnnotation. A HIT found that way is recorded for
 * its session at once. Only signed notifications come here, never a page's claim: looking up ids a
 * page names would let anyone make Pavilion call the marketplace at will.
 */
public final class HitOwnership {

    private static final Logger log = LoggerFactory.getLogger(HitOwnership.class);

    private final JdbcSessionStore store;
    private final ObjectProvider<Marketplace> marketplace;

    public HitOwnership(JdbcSessionStore store, ObjectProvider<Marketplace> marketplace) {
        this.store = Objects.requireNonNull(store, "store");
        this.marketplace = Objects.requireNonNull(marketplace, "marketplace");
    }

    /**
     * The session of a HIT, from Pavilion's records or else from the HIT's annotation at the marketplace.
     * Empty when the HIT is not Pavilion's. Throws {@link MarketplaceException} when the marketplace could
     * not be asked (a caller should try again later).
     */
    public Optional<Long> sessionOf(String hitId) {
        Optional<Long> recorded = store.findSessionByHit(hitId);
        if (recorded.isPresent()) {
            return recorded;
        }
        Hit hit;
        try {
            hit = marketplace.getObject().getHit(hitId);
        } catch (MarketplaceException e) {
            if (e.retryable()) {
                throw e;
            }
            return Optional.empty(); // the marketplace does not know it either
        }
        Optional<Long> session = sessionOfAnnotation(hit.annotation());
        if (session.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> type = store.hitTypeOf(session.get());
        if (type.isPresent() && !type.get().equals(hit.hitTypeId())) {
            log.warn("HIT {} names session {} in its annotation but is of type {}, not the session's {}", hitId,
                    session.get(), hit.hitTypeId(), type.get());
            return Optional.empty();
        }
        store.addSessionHit(session.get(), hit.hitTypeId(), hitId);
        log.info("session {}: HIT {} recorded from its annotation (its notification came before its record)",
                session.get(), hitId);
        return session;
    }

    /** The session a request token of this installation names, if it is one. */
    Optional<Long> sessionOfAnnotation(String annotation) {
        return RequestTokens.sessionOf(store.instanceId(), annotation).filter(store::sessionExists);
    }
}
