package org.pavilion.realtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.socket.socketio.server.SocketIoSocket;
import org.json.JSONObject;
import org.pavilion.eligibility.EligibilityStore;
import org.pavilion.queue.Decision;
import org.pavilion.queue.Message;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.PavilionException;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.SessionEndedException;
import org.pavilion.realtime.Connections.AdminBinding;
import org.pavilion.realtime.Connections.Binding;
import org.pavilion.realtime.Connections.WorkerBinding;
import org.pavilion.realtime.Connections.WorkerKey;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who gets into a session (SPEC §4.1.0): a page's claim of a worker and assignment is decided by the
 * session's single writer (the engine), which admits it only once the marketplace has confirmed the
 * assignment. Until then the page waits, told so; when the confirmation lands the claim is decided
 * again; after {@link #confirmationTimeout} it gets a clear error and nothing has changed.
 *
 * <p>A page is bound to its worker only when the engine admits it ({@link Decision.Admit}), so a claim
 * alone never joins a worker's rooms, hears its messages or acts for it. Binding happens in
 * {@link #committed}, which runs on the commit thread before the outcome's messages are delivered, so
 * an admitted page hears its own {@code start_your_task}. Every step of a pending claim runs there
 * too, in the session's order, so a confirmation can never slip between a claim's "wait" answer and
 * its registration.
 */
final class Admission {

    private static final Logger log = LoggerFactory.getLogger(Admission.class);

    static final String AWAITING_CONFIRMATION = "awaiting_confirmation";

    /** One page's claim waiting for the engine's answer or for the marketplace's confirmation. */
    private static final class Claim {
        final SocketIoSocket socket;
        final WorkerBinding binding;
        // What the page asked for before it was admitted (the seed's main page joins with its submit).
        final List<Consumer<WorkerBinding>> whenAdmitted = new CopyOnWriteArrayList<>();
        volatile boolean waiting; // the engine answered AwaitConfirmation
        volatile ScheduledFuture<?> timeout;

        Claim(SocketIoSocket socket, WorkerBinding binding) {
            this.socket = socket;
            this.binding = binding;
        }
    }

    private record ClaimKey(long sessionId, String workerId, String assignmentId) {
    }

    private final Supplier<LiveSessionService> sessions;
    private final SessionStore store;
    private final Connections connections;
    private final Outbound outbound;
    private final ScheduledExecutorService timers;
    private final Duration confirmationTimeout;
    private final ProtocolRefusals refusals;
    private final DisconnectGrace grace;
    private final EligibilityStore eligibility;
    private final Map<ClaimKey, List<Claim>> claims = new ConcurrentHashMap<>();
    // The session each connection last claimed a place in, admitted or not: isJobFull asks about it.
    private final Map<String, Long> claimedSessions = new ConcurrentHashMap<>();

    Admission(Supplier<LiveSessionService> sessions, SessionStore store, Connections connections, Outbound outbound,
              ScheduledExecutorService timers, Duration confirmationTimeout, ProtocolRefusals refusals,
              DisconnectGrace grace, EligibilityStore eligibility) {
        this.refusals = refusals;
        this.eligibility = eligibility;
        this.grace = grace;
        this.sessions = sessions;
        this.store = store;
        this.connections = connections;
        this.outbound = outbound;
        this.timers = timers;
        this.confirmationTimeout = confirmationTimeout;
    }

    /**
     * A page claims a worker and assignment ({@code connected}). {@code presented} is the identity its
     * signed token proves, if it has one. Refusals throw a {@link PavilionException} (nothing changed);
     * the engine's answer reaches the page asynchronously.
     */
    void claim(SocketIoSocket socket, WorkerIdentity presented, String workerId, String assignmentId, String hitId) {
        claim(socket, presented, workerId, assignmentId, hitId, null);
    }

    /**
     * A claim whose page also asked for something to be done once it is admitted ({@code whenAdmitted},
     * run on the commit thread right after the page is bound; it must only hand work off). A second claim
     * of the same place from the same connection while the first is pending adds its action to it. The
     * action runs even if the page closed in the meantime: it asked while connected, and the seed's main
     * page emits its {@code submit_active} and disconnects at once.
     */
    void claim(SocketIoSocket socket, WorkerIdentity presented, String workerId, String assignmentId, String hitId,
               Consumer<WorkerBinding> whenAdmitted) {
        Binding current = connections.of(socket.getId());
        long sessionId;
        boolean verified;
        if (current instanceof AdminBinding) {
            throw new ProtocolException("not_your_worker", "this is an admin's connection; it cannot join as a worker");
        } else if (current instanceof WorkerBinding bound) {
            if (!bound.workerId().equals(workerId) || !bound.assignmentId().equals(assignmentId)) {
                throw notYours(bound);
            }
            sessionId = bound.sessionId();
            verified = bound.verified();
        } else if (presented != null) {
            if (!presented.workerId().equals(workerId) || !presented.assignmentId().equals(assignmentId)) {
                throw new ProtocolException("not_your_worker", "this page was served for worker '"
                        + presented.workerId() + "' and assignment '" + presented.assignmentId() + "'");
            }
            sessionId = presented.sessionId();
            verified = true;
        } else {
            if (hitId == null) {
                throw new ProtocolException("invalid_payload", "connected: 'hit_id' is required");
            }
            sessionId = store.findSessionByHit(hitId).orElseThrow(() -> new ProtocolException("unknown_hit",
                    "HIT '" + hitId + "' is not part of any Pavilion session"));
            verified = false;
        }
        LiveSessionService service = sessions.get();
        // An unknown or ended session is refused before anything is registered.
        if (service.hasEnded(sessionId)) {
            throw new SessionEndedException("session " + sessionId + ": a worker joining");
        }
        WorkerKey key = new WorkerKey(sessionId, workerId);
        if (!verified && connections.requiresToken(key)) {
            throw new ProtocolException("not_your_worker", "worker '" + workerId
                    + "' joined from a page signed by Pavilion; only such a page can act for it");
        }
        // Who may work (past sessions of the task or project, the project's excluded list) is decided here,
        // before anything is registered: a refused page leaves the queues, claims and log as they were.
        eligibility.refusalFor(sessionId, workerId).ifPresent(why -> {
            throw new ProtocolException(why.code(), why.message());
        });
        claimedSessions.put(socket.getId(), sessionId);
        connections.claimed(key); // before the arrival is submitted: a grace timer's leave after this is stale
        ClaimKey claimKey = new ClaimKey(sessionId, workerId, assignmentId);
        List<Claim> pendingHere = claims.get(claimKey);
        if (whenAdmitted != null && pendingHere != null) {
            for (Claim earlier : pendingHere) {
                if (earlier.socket.getId().equals(socket.getId())) {
                    earlier.whenAdmitted.add(whenAdmitted); // decided (or waiting) already: nothing to resubmit
                    return;
                }
            }
        }
        // A page claims one place: a new claim replaces the connection's earlier pending one, so that one
        // connection cannot keep many claims (and their timers) waiting at once.
        forgetClaimsOtherThan(socket.getId(), claimKey);
        Claim claim = new Claim(socket, new WorkerBinding(sessionId, workerId, assignmentId, verified));
        if (whenAdmitted != null) {
            claim.whenAdmitted.add(whenAdmitted);
        }
        claims.compute(claimKey, (k, list) -> { // atomic with drop(), which removes emptied lists
            List<Claim> pending = list == null ? new CopyOnWriteArrayList<>() : list;
            pending.add(claim);
            return pending;
        });
        submit(claimKey, claim);
    }

    private void submit(ClaimKey key, Claim claim) {
        CompletableFuture<Outcome> done;
        try {
            done = sessions.get().submit(key.sessionId(), new QueueEvent.Arrive(key.workerId(), key.assignmentId()),
                    "worker:" + key.workerId(), null);
        } catch (RuntimeException e) {
            drop(key, claim);
            throw e;
        }
        done.whenComplete((outcome, failure) -> {
            if (failure != null) {
                drop(key, claim);
                refuse(claim.socket, failure);
            }
        });
    }

    /**
     * Called with every committed outcome, on the commit thread, before its messages are delivered:
     * binds admitted pages, tells waiting ones, answers refused ones, and re-decides claims whose
     * assignment the marketplace just confirmed.
     */
    void committed(long sessionId, Outcome outcome) {
        if (claims.isEmpty()) {
            return;
        }
        for (Decision d : outcome.decisions()) {
            if (d instanceof Decision.Admit admit) {
                admitted(new ClaimKey(sessionId, admit.workerId(), admit.assignmentId()));
            } else if (d instanceof Decision.AwaitConfirmation wait) {
                awaiting(new ClaimKey(sessionId, wait.workerId(), wait.assignmentId()));
            } else if (d instanceof Decision.TellWorker tell && tell.message() instanceof Message.JobIsFull full) {
                notAdmitted(sessionId, tell.workerId(), full);
            } else if (d instanceof Decision.AssignmentConfirmed confirmed) {
                confirmed(sessionId, confirmed.assignmentId());
            }
        }
    }

    private void admitted(ClaimKey key) {
        List<Claim> admitted = claims.remove(key);
        if (admitted == null) {
            return;
        }
        for (Claim claim : admitted) {
            cancelTimeout(claim);
            if (!claim.socket.isConnected()) {
                // Closed while it waited: nothing to bind, but what it asked for while connected still runs.
                claim.whenAdmitted.forEach(action -> action.accept(claim.binding));
                continue;
            }
            if (!connections.bindWorker(claim.socket, claim.binding)) {
                Binding other = connections.of(claim.socket.getId());
                error(claim.socket, "not_your_worker",
                        other instanceof WorkerBinding w ? notYours(w).getMessage() : "this connection is bound already");
                continue;
            }
            if (!claim.socket.isConnected()) {
                // Closed between the check above and the end of the bind: its disconnect may have found
                // nothing (or half a binding) to free, so free it here (a dead connection must not keep the
                // worker looking connected).
                if (connections.unbindClosed(claim.socket.getId(), claim.binding)) {
                    grace.connectionLost(claim.binding);
                }
                claim.whenAdmitted.forEach(action -> action.accept(claim.binding));
                continue;
            }
            long sessionId = key.sessionId();
            outbound.rooms(() -> claim.socket.joinRoom(Rooms.session(sessionId), Rooms.worker(sessionId, key.workerId())));
            claim.whenAdmitted.forEach(action -> action.accept(claim.binding));
        }
    }

    private void awaiting(ClaimKey key) {
        List<Claim> waiting = claims.get(key);
        if (waiting == null) {
            return;
        }
        for (Claim claim : waiting) {
            if (claim.waiting) {
                continue;
            }
            claim.waiting = true;
            outbound.toSocket(claim.socket, AWAITING_CONFIRMATION, new JSONObject()
                    .put("message", "Confirming your assignment with MTurk…")
                    .put("timeout_seconds", confirmationTimeout.toSeconds()));
            claim.timeout = timers.schedule(() -> timedOut(key, claim), confirmationTimeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void timedOut(ClaimKey key, Claim claim) {
        if (!drop(key, claim)) {
            return; // admitted or refused in the meantime
        }
        error(claim.socket, "unconfirmed_assignment", "the marketplace has not confirmed assignment '"
                + key.assignmentId() + "' for worker '" + key.workerId() + "' in session " + key.sessionId()
                + " within " + confirmationTimeout.toSeconds() + " s; accept the HIT on MTurk and reload this page");
    }

    /** The engine answered a claim with job_is_full: the page is not admitted and hears it directly. */
    private void notAdmitted(long sessionId, String workerId, Message.JobIsFull full) {
        claims.forEach((key, list) -> {
            if (key.sessionId() != sessionId || !key.workerId().equals(workerId)) {
                return;
            }
            for (Claim claim : list) {
                if (!claim.waiting && drop(key, claim)) {
                    ProtocolMessages.Wire wire = ProtocolMessages.toWire(full, workerId);
                    outbound.toSocket(claim.socket, wire.event(), wire.payload());
                }
            }
        });
    }

    /** The marketplace confirmed an assignment: claims that were told to wait for it are decided again. */
    private void confirmed(long sessionId, String assignmentId) {
        claims.forEach((key, list) -> {
            if (key.sessionId() != sessionId || !key.assignmentId().equals(assignmentId)) {
                return;
            }
            for (Claim claim : list) {
                if (claim.waiting) {
                    claim.waiting = false;
                    cancelTimeout(claim);
                    try {
                        submit(key, claim);
                    } catch (RuntimeException e) {
                        refuse(claim.socket, e);
                    }
                }
            }
        });
    }

    /** The session a connection last claimed a place in, admitted or not. */
    java.util.Optional<Long> claimedSession(String socketId) {
        return java.util.Optional.ofNullable(claimedSessions.get(socketId));
    }

    /**
     * A connection closed: its pending claims go, except one that carries an event the page sent (it is
     * decided as usual, and ends by the confirmation timeout at the latest).
     */
    void forget(String socketId) {
        claimedSessions.remove(socketId);
        forgetClaims(socketId, null, true);
    }

    private void forgetClaimsOtherThan(String socketId, ClaimKey keep) {
        forgetClaims(socketId, keep, false);
    }

    private void forgetClaims(String socketId, ClaimKey keep, boolean keepThoseWithEvents) {
        claims.forEach((key, list) -> {
            if (key.equals(keep)) {
                return;
            }
            for (Claim claim : list) {
                if (claim.socket.getId().equals(socketId) && !(keepThoseWithEvents && !claim.whenAdmitted.isEmpty())) {
                    drop(key, claim);
                }
            }
        });
    }

    /** Removes a pending claim; false if it was no longer pending. */
    private boolean drop(ClaimKey key, Claim claim) {
        boolean[] removed = {false};
        claims.computeIfPresent(key, (k, list) -> {
            removed[0] = list.remove(claim);
            return list.isEmpty() ? null : list;
        });
        if (removed[0]) {
            cancelTimeout(claim);
        }
        return removed[0];
    }

    private static void cancelTimeout(Claim claim) {
        ScheduledFuture<?> timeout = claim.timeout;
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    private void refuse(SocketIoSocket socket, Throwable failure) {
        ProtocolMessages.Failure why = ProtocolMessages.failure(failure);
        if (why.unexpected()) {
            log.warn("a join from connection {} failed", socket.getId(), failure);
        }
        error(socket, why.code(), why.message());
    }

    /** Tells a page why its join was refused, and counts and logs it. */
    private void error(SocketIoSocket socket, String code, String message) {
        refusals.refused(code, "connected", socket.getId(), message);
        outbound.toSocket(socket, ChatProtocol.ERROR, ProtocolMessages.error(code, message, "connected"));
    }

    /** Pending claims now (for tests and metrics). */
    int pendingClaims() {
        return claims.values().stream().mapToInt(List::size).sum();
    }

    static ProtocolException notYours(WorkerBinding bound) {
        return new ProtocolException("not_your_worker", "this connection acts only for worker '" + bound.workerId()
                + "' and assignment '" + bound.assignmentId() + "'");
    }
}
