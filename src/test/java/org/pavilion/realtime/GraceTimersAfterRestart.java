package org.pavilion.realtime;

import java.util.concurrent.ScheduledExecutorService;

import org.pavilion.session.LiveSessionService;

/**
 * What {@code RealtimeConfiguration} does once a restarted server is ready, for tests that restart Pavilion
 * without Spring (the kill tests of the marketplace package): a {@link DisconnectGrace} over no connections
 * yet (no page has come back) starts every queued worker's grace period.
 */
public final class GraceTimersAfterRestart {

    private GraceTimersAfterRestart() {
    }

    /** Starts the grace period of every worker in a live session's queues, on {@code timers}; returns how many. */
    public static int start(LiveSessionService sessions, ScheduledExecutorService timers) {
        return new DisconnectGrace(() -> sessions, new Connections(), timers).startAfterRestart();
    }
}
