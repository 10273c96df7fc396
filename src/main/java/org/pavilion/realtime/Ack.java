package org.pavilion.realtime;

import java.util.concurrent.CompletableFuture;

import io.socket.socketio.server.SocketIoSocket;
import io.socket.socketio.server.SocketIoSocket.ReceivedByLocalAcknowledgementCallback;
import org.json.JSONObject;

/**
 * The acknowledgement a client asked for with its event, if it did: answered {@code {ok: true}}
 * once the event's effect is durable (a page may then leave or post to MTurk safely), or
 * {@code {ok: false, code, message}} when refused.
 */
final class Ack {

    private static final Ack NONE = new Ack(null, null, null);

    private final SocketIoSocket socket;
    private final ReceivedByLocalAcknowledgementCallback callback;
    private final Outbound outbound;

    private Ack(SocketIoSocket socket, ReceivedByLocalAcknowledgementCallback callback, Outbound outbound) {
        this.socket = socket;
        this.callback = callback;
        this.outbound = outbound;
    }

    /** No acknowledgement asked for. */
    static Ack none() {
        return NONE;
    }

    static Ack from(SocketIoSocket socket, Object[] args, Outbound outbound) {
        if (args != null && args.length > 0 && args[args.length - 1] instanceof ReceivedByLocalAcknowledgementCallback c) {
            return new Ack(socket, c, outbound);
        }
        return NONE;
    }

    /** Acknowledges when the future completes, either way; returns the same future. */
    <T> CompletableFuture<T> after(CompletableFuture<T> future) {
        if (callback != null) {
            future.whenComplete((value, failure) -> {
                if (failure == null) {
                    send(new JSONObject().put("ok", true));
                } else {
                    ProtocolMessages.Failure why = ProtocolMessages.failure(failure);
                    refused(why.code(), why.message());
                }
            });
        }
        return future;
    }

    void refused(String code, String message) {
        if (callback != null) {
            send(new JSONObject().put("ok", false).put("code", code).put("message", message));
        }
    }

    private void send(JSONObject answer) {
        outbound.onConnection(socket, () -> callback.sendAcknowledgement(answer)); // after what was sent to it before
    }
}
