package org.pavilion.admin.live;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.queue.Decision;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.QueueEvent;
import org.pavilion.session.LiveSessionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/**
 * The admin's live controls (SPEC §4.4–4.6 and going live). Each is applied through the session
 * service with the actor {@code admin:<email>} and the admin in the event itself, so the event log
 * records who did it. Refusals are the service's own exceptions (unknown session, ended session,
 * bad count); marketplace refusals of a go-live are {@link org.pavilion.marketplace.MarketplaceException}s.
 */
@Service
public class LiveControls {

    private static final Logger log = LoggerFactory.getLogger(LiveControls.class);

    private final MarketplaceService marketplace;
    private final LiveSessionService sessions;
    private final ApplicationEventPublisher events;

    public LiveControls(MarketplaceService marketplace, LiveSessionService sessions, ApplicationEventPublisher events) {
        this.marketplace = marketplace;
        this.sessions = sessions;
        this.events = events;
    }

    /** Published once a session went live (the metrics start watching it at once). */
    public record SessionWentLive(long sessionId, long taskId, String admin) {
    }

    /** What an action did: {@code changed} is false when the session already was that way. */
    public record Result(String action, long sessionId, boolean changed, int migrated, String message) {
    }

    /** The actor recorded in the event log for an admin. */
    public static String actor(String admin) {
        return "admin:" + admin;
    }

    public MarketplaceService.Posted goLive(long taskId, String admin) {
        MarketplaceService.Posted posted = marketplace.goLive(taskId, admin);
        log.info("admin {} took task {} live: session {}", admin, taskId, posted.sessionId());
        events.publishEvent(new SessionWentLive(posted.sessionId(), taskId, admin));
        return posted;
    }

    /** SPEC §4.4: hiring off, every connected worker told to submit. */
    public Result stop(long sessionId, String admin) {
        Outcome outcome = await(sessions.submit(sessionId, new QueueEvent.Stop(admin), actor(admin), "stop"));
        boolean changed = outcome.changesState();
        log.info("admin {} stopped session {}{}", admin, sessionId, changed ? "" : " (already stopped)");
        return new Result("stop", sessionId, changed, 0, changed
                ? "The job is stopped: hiring is off and every connected worker was told to submit."
                : "The job was already stopped.");
    }

    /** SPEC §4.5: the session ends; its HITs are expired at the marketplace. */
    public Result expire(long sessionId, String admin) {
        await(sessions.submit(sessionId, new QueueEvent.Expire(admin), actor(admin), "expire"));
        log.info("admin {} expired session {}", admin, sessionId);
        return new Result("expire", sessionId, true, 0,
                "The session has ended: its HITs are being expired at the marketplace.");
    }

    /** SPEC §4.6: up to {@code count} oldest waiting workers to active, within maxActive unless forced. */
    public Result migrate(long sessionId, int count, boolean force, String admin) {
        if (count < 1) {
            throw BadCountException.of(count);
        }
        String detail = "migrate " + count + (force ? " (force past maxActive)" : "");
        Outcome outcome = await(sessions.submit(sessionId, new QueueEvent.Migrate(count, force, admin), actor(admin),
                detail));
        int moved = (int) outcome.statusChanges().stream()
                .filter(c -> c.cause() == Decision.Cause.MIGRATED).count();
        log.info("admin {} migrated {} of {} asked in session {}{}", admin, moved, count, sessionId,
                force ? " (forced)" : "");
        String message;
        if (moved == 0) {
            message = "No worker was moved: the waiting queue is empty" + (force ? "." : " or the active queue is at maxActive.");
        } else {
            message = String.format(Locale.ROOT, "%d worker%s moved to the active queue%s.", moved,
                    moved == 1 ? "" : "s", moved < count ? " (" + count + " asked)" : "");
        }
        return new Result("migrate", sessionId, moved > 0 || outcome.changesState(), moved, message);
    }

    /** A migrate count below 1. */
    public static final class BadCountException extends RuntimeException {
        public BadCountException(String message) {
            super(message);
        }

        public static BadCountException of(long count) {
            return new BadCountException("count must be a whole number of at least 1 (was " + count + ")");
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }
}
