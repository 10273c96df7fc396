package org.pavilion.realtime;

import java.util.ArrayList;
import java.util.List;

import org.pavilion.queue.Decision;
import org.pavilion.queue.Message;
import org.pavilion.queue.Outcome;
import org.pavilion.session.OutcomeListener;

/** Delivers each committed outcome's messages: worker messages to that worker, the rest to its session. */
final class RealtimeDelivery implements OutcomeListener {

    private final Outbound outbound;
    private final Connections connections;
    private final Admission admission;
    private final DisconnectGrace grace;

    RealtimeDelivery(Outbound outbound, Connections connections, Admission admission, DisconnectGrace grace) {
        this.grace = grace;
        this.outbound = outbound;
        this.connections = connections;
        this.admission = admission;
    }

    @Override
    public void committed(long sessionId, Outcome outcome) {
        admission.committed(sessionId, outcome); // binds admitted pages before their messages go out
        for (Decision d : outcome.decisions()) {
            if (d instanceof Decision.StatusChange c && !c.to().inQueue()) {
                // A worker who left is no longer one of the session's workers: it hears no more of it.
                var sockets = connections.socketsOf(new Connections.WorkerKey(sessionId, c.workerId()));
                String room = Rooms.session(sessionId);
                outbound.rooms(() -> sockets.forEach(socket -> socket.leaveRoom(room)));
            }
        }
        // Targeted messages first: they are never held behind a session's broadcasts.
        for (Decision d : outcome.decisions()) {
            if (d instanceof Decision.TellWorker tell) {
                var key = new Connections.WorkerKey(sessionId, tell.workerId());
                if (tell.message() instanceof Message.StartYourTask && !connections.requiresToken(key)) {
                    grace.promoted(key); // a seed page may leave at once, losing its IAmReady on the way
                }
                ProtocolMessages.Wire wire = ProtocolMessages.toWire(tell.message(), tell.workerId());
                outbound.toRoom(Rooms.worker(sessionId, tell.workerId()), wire.event(), wire.payload());
            }
        }
        // The counts are the session's state: only the outcome's last pair matters, and it is coalesced.
        Message.WorkerCount count = null;
        Message.WorkersStatus status = null;
        for (Decision d : outcome.decisions()) {
            if (d instanceof Decision.TellSession tell) {
                if (tell.message() instanceof Message.WorkerCount c) {
                    count = c;
                } else if (tell.message() instanceof Message.WorkersStatus s) {
                    status = s;
                } else {
                    sendCounts(sessionId, count, status); // what the session heard before it, first
                    count = null;
                    status = null;
                    ProtocolMessages.Wire wire = ProtocolMessages.toWire(tell.message(), null);
                    outbound.toRoom(Rooms.session(sessionId), wire.event(), wire.payload());
                }
            }
        }
        sendCounts(sessionId, count, status);
    }

    private void sendCounts(long sessionId, Message.WorkerCount count, Message.WorkersStatus status) {
        List<ProtocolMessages.Wire> state = new ArrayList<>(2);
        if (count != null) {
            state.add(ProtocolMessages.toWire(count, null));
        }
        if (status != null) {
            state.add(ProtocolMessages.toWire(status, null));
        }
        if (!state.isEmpty()) {
            outbound.latest(Rooms.session(sessionId), state);
        }
    }
}
