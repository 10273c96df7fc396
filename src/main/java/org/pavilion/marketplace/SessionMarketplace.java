package org.pavilion.marketplace;

import org.springframework.beans.factory.ObjectProvider;

/** The marketplace a session's calls go to: the one it went live on ({@link Marketplaces#forSession}). */
@FunctionalInterface
public interface SessionMarketplace {

    Marketplace of(long sessionId);

    /** Every session on one marketplace (tools and tests that run one). */
    static SessionMarketplace single(ObjectProvider<? extends Marketplace> marketplace) {
        return sessionId -> marketplace.getObject();
    }
}
