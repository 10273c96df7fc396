package org.pavilion.marketplace;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Live sessions whose HITs were on the local marketplace of an earlier run of Pavilion (issue 13 item 8).
 * The local marketplace keeps its HITs in memory only, so after a restart a session recovered from the
 * database may name HITs it no longer knows: no worker can join it. Filled once the web server listens, in
 * local mode (see {@code LocalMarketplaceConfiguration}); in memory, since it is about this process's local
 * marketplace. Empty in MTurk mode.
 */
@Component
public class LocalHitsGone {

    /** What the admin session view says of such a session, next to its expire control. */
    public static final String NOTICE = "This session's HITs were on the local marketplace, which keeps them in "
            + "memory only: they are gone since Pavilion restarted. No worker can join. Expire the session.";

    private final Set<Long> sessions = ConcurrentHashMap.newKeySet();

    public void add(long sessionId) {
        sessions.add(sessionId);
    }

    public boolean contains(long sessionId) {
        return sessions.contains(sessionId);
    }

    public Set<Long> sessionIds() {
        return Set.copyOf(sessions);
    }
}
