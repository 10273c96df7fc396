package org.pavilion.realtime.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import io.socket.engineio.server.EngineIoWebSocket;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Jakarta WebSocket connection seen as an Engine.IO {@link EngineIoWebSocket}.
 *
 * <p>Writes never block the caller: a frame is queued and sent with the session's <em>async</em>
 * remote. At most one frame is in flight; the next one starts when the previous one has completed,
 * so frames reach the client in the order they were written (the async remote would refuse a second
 * concurrent send anyway). A client that lets more than {@code maxQueuedFrames} frames pile up, or
 * whose send does not complete within the session's async send timeout, is dropped: the failure is
 * reported to Engine.IO as a transport error, which closes the Engine.IO socket.
 *
 * <p>Engine.IO calls {@link #write} while holding its per-connection lock, so this class must not
 * call back into Engine.IO while holding its own lock; it never does.
 */
final class JakartaEngineIoWebSocket extends EngineIoWebSocket {

    private static final Logger log = LoggerFactory.getLogger(JakartaEngineIoWebSocket.class);

    private static final String BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";
    private static final Long CLOSE_FRAME_TIMEOUT_MILLIS = 1000L;
    /**
     * Closes dropped connections: the close frame to a client that stopped reading waits (up to
     * {@link #CLOSE_FRAME_TIMEOUT_MILLIS}), and the thread that found the overflow is a sender that other
     * connections wait on.
     */
    private static final ExecutorService CLOSER = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "pavilion-ws-closer");
        t.setDaemon(true);
        return t;
    });

    private final Session session;
    private final RemoteEndpoint.Async remote;
    private final Map<String, String> query;
    private final Map<String, List<String>> headers;
    private final int maxQueuedFrames;
    /** An Engine.IO 3 client: CONNECT answers go without payload ({@link EngineIo3Framing}). */
    private final boolean engineIo3;

    private final Object lock = new Object();
    /** Frames not yet handed to the async remote: {@code String} (text) or {@code byte[]} (binary). */
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private boolean sending;        // a frame is in flight (guarded by lock)
    private boolean closeRequested; // close once the queue has drained (guarded by lock)
    private boolean closed;         // nothing more is written (guarded by lock)
    private final AtomicBoolean failed = new AtomicBoolean();
    private final AtomicBoolean closeReported = new AtomicBoolean();

    JakartaEngineIoWebSocket(Session session, Map<String, String> query, Map<String, List<String>> headers,
                             int maxQueuedFrames) {
        this.session = session;
        // The only blocking write is the close frame (Tomcat sends it so): to a client that stopped reading it
        // would wait 20 s by default; a second is plenty for one that reads.
        session.getUserProperties().put(BLOCKING_SEND_TIMEOUT, CLOSE_FRAME_TIMEOUT_MILLIS);
        this.remote = session.getAsyncRemote();
        this.query = query;
        this.headers = headers;
        this.maxQueuedFrames = maxQueuedFrames;
        this.engineIo3 = EngineIo3Framing.isEngineIo3(query);
    }

    @Override
    public Map<String, String> getQuery() {
        return query;
    }

    @Override
    public Map<String, List<String>> getConnectionHeaders() {
        return headers;
    }

    @Override
    public void write(String message) throws IOException {
        enqueue(engineIo3 ? EngineIo3Framing.connectWithoutPayload(message) : message);
    }

    @Override
    public void write(byte[] message) throws IOException {
        enqueue(message);
    }

    /** Closes after the frames already written have been sent. */
    @Override
    public void close() {
        boolean now;
        synchronized (lock) {
            if (closeRequested || closed) {
                return;
            }
            closeRequested = true;
            now = !sending && queue.isEmpty();
            if (now) {
                closed = true;
            }
        }
        if (now) {
            closeSession(CloseReason.CloseCodes.NORMAL_CLOSURE, "");
        }
    }

    // ---- callbacks from the endpoint (container threads) ----------------------------------------

    void receivedText(String text) {
        emit("message", text);
    }

    void receivedBinary(byte[] data) {
        emit("message", (Object) data);
    }

    /** The connection is gone (closed by either side). Reported to Engine.IO once. */
    void closedByContainer() {
        synchronized (lock) {
            closed = true;
            queue.clear();
        }
        if (closeReported.compareAndSet(false, true)) {
            emit("close");
        }
    }

    void errorFromContainer(Throwable error) {
        synchronized (lock) {
            closed = true;
            queue.clear();
        }
        if (failed.compareAndSet(false, true)) {
            emit("error", "websocket error", String.valueOf(error));
        }
    }

    // ---- ordered asynchronous sending -------------------------------------------------------------

    private void enqueue(Object frame) throws IOException {
        boolean overflow = false;
        synchronized (lock) {
            if (closed || closeRequested) {
                throw new IOException("WebSocket connection is closed");
            }
            if (queue.size() >= maxQueuedFrames) {
                overflow = true;
                closed = true;
                queue.clear();
            } else {
                queue.addLast(frame);
            }
        }
        if (overflow) {
            failed.set(true);
            log.info("Dropping WebSocket {}: more than {} frames waiting for a slow client", session.getId(), maxQueuedFrames);
            CLOSER.execute(() -> closeSession(CloseReason.CloseCodes.TRY_AGAIN_LATER, "client too slow"));
            // Engine.IO turns an IOException from write into a transport error and closes the socket.
            throw new IOException("client too slow: more than " + maxQueuedFrames + " frames queued");
        }
        pump();
    }

    /** Per send: did the send call return, did its completion arrive (both guarded by lock). */
    private static final class InFlight {
        boolean returned;
        boolean completed;
    }

    /**
     * Starts sending queued frames, one at a time. A completion that arrives on another thread
     * continues the pump there; one that arrives inline (inside the send call) lets this loop go on,
     * so a long queue does not grow the stack.
     */
    private void pump() {
        while (true) {
            Object frame;
            boolean closeNow = false;
            synchronized (lock) {
                if (sending || closed) {
                    return;
                }
                frame = queue.pollFirst();
                if (frame == null) {
                    if (!closeRequested) {
                        return;
                    }
                    closed = true;
                    closeNow = true;
                } else {
                    sending = true;
                }
            }
            if (closeNow) {
                closeSession(CloseReason.CloseCodes.NORMAL_CLOSURE, "");
                return;
            }
            InFlight inFlight = new InFlight();
            try {
                if (frame instanceof String) {
                    remote.sendText((String) frame, result -> sent(inFlight, result));
                } else {
                    remote.sendBinary(ByteBuffer.wrap((byte[]) frame), result -> sent(inFlight, result));
                }
            } catch (RuntimeException e) { // e.g. IllegalStateException when the session closed meanwhile
                fail(e);
                return;
            }
            synchronized (lock) {
                inFlight.returned = true;
                if (!inFlight.completed) {
                    return; // still in flight, or failed: the completion handler takes it from here
                }
            }
        }
    }

    private void sent(InFlight inFlight, SendResult result) {
        if (!result.isOK()) {
            fail(result.getException());
            return;
        }
        boolean continueHere;
        synchronized (lock) {
            sending = false;
            inFlight.completed = true;
            continueHere = inFlight.returned;
        }
        if (continueHere) {
            pump();
        }
    }

    private void fail(Throwable error) {
        synchronized (lock) {
            sending = false;
            closed = true;
            queue.clear();
        }
        if (failed.compareAndSet(false, true)) {
            log.debug("WebSocket {} send failed", session.getId(), error);
            emit("error", "write error", String.valueOf(error));
            closeSession(CloseReason.CloseCodes.GOING_AWAY, "write failed");
        }
    }

    private void closeSession(CloseReason.CloseCode code, String reason) {
        try {
            if (session.isOpen()) {
                session.close(new CloseReason(code, reason));
            }
        } catch (IOException | RuntimeException e) {
            log.debug("Closing WebSocket {} failed", session.getId(), e);
        }
    }
}
