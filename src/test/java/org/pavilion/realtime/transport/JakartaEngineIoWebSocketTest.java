package org.pavilion.realtime.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.junit.jupiter.api.Test;

/** The ordered, non-blocking writer against a fake async remote that completes when told to. */
class JakartaEngineIoWebSocketTest {

    /** A fake connection: records frames, refuses overlapping sends like Tomcat does. */
    static final class FakeConnection {
        final List<Object> sent = new ArrayList<>();
        final List<SendHandler> pending = new ArrayList<>();
        boolean completeInline;
        volatile boolean open = true;
        volatile Thread closedOn;
        final java.util.Map<String, Object> userProperties = new java.util.HashMap<>();
        volatile CloseReason closedWith;
        int maxDepth;
        private int depth;

        final RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "sendText":
                            send(args[0], (SendHandler) args[1]);
                            return null;
                        case "sendBinary":
                            ByteBuffer buffer = (ByteBuffer) args[0];
                            byte[] bytes = new byte[buffer.remaining()];
                            buffer.get(bytes);
                            send(bytes, (SendHandler) args[1]);
                            return null;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });

        final Session session = (Session) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {Session.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getAsyncRemote":
                            return remote;
                        case "getId":
                            return "fake";
                        case "isOpen":
                            return open;
                        case "close":
                            closedOn = Thread.currentThread();
                            closedWith = args == null ? null : (CloseReason) args[0];
                            open = false; // last: a test that waits for it sees the rest
                            return null;
                        case "getUserProperties":
                            return userProperties;
                        case "toString":
                            return "FakeSession";
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });

        private void send(Object frame, SendHandler handler) {
            if (!pending.isEmpty()) {
                throw new IllegalStateException("a message is already being sent");
            }
            sent.add(frame);
            if (completeInline) {
                depth++;
                maxDepth = Math.max(maxDepth, depth);
                handler.onResult(new SendResult(session));
                depth--;
            } else {
                pending.add(handler);
            }
        }

        void completeNext() {
            pending.remove(0).onResult(new SendResult(session));
        }

        void failNext(Throwable error) {
            pending.remove(0).onResult(new SendResult(session, error));
        }
    }

    private final FakeConnection connection = new FakeConnection();

    private JakartaEngineIoWebSocket socket(int maxQueued) {
        return new JakartaEngineIoWebSocket(connection.session, Map.of("EIO", "4"), Map.of(), maxQueued);
    }

    @Test
    void oneFrameInFlightAndFramesLeaveInOrder() throws IOException {
        JakartaEngineIoWebSocket socket = socket(100);
        socket.write("a");
        socket.write(new byte[] {1, 2});
        socket.write("c");
        assertThat(connection.sent).containsExactly("a");

        connection.completeNext();
        assertThat(connection.sent).hasSize(2);
        assertThat((byte[]) connection.sent.get(1)).containsExactly(1, 2);
        connection.completeNext();
        assertThat(connection.sent.get(2)).isEqualTo("c");
        connection.completeNext();
        assertThat(connection.pending).isEmpty();
    }

    @Test
    void aLongBacklogCompletingInlineDoesNotGrowTheStack() throws IOException {
        JakartaEngineIoWebSocket socket = socket(200_000);
        for (int i = 0; i < 100_000; i++) {
            socket.write(Integer.toString(i));
        }
        connection.completeInline = true;
        connection.completeNext();
        assertThat(connection.sent).hasSize(100_000);
        for (int i = 0; i < 100_000; i++) {
            assertThat(connection.sent.get(i)).isEqualTo(Integer.toString(i));
        }
        assertThat(connection.maxDepth).isLessThanOrEqualTo(1);
    }

    @Test
    void aClientThatFallsTooFarBehindIsDropped() throws IOException {
        JakartaEngineIoWebSocket socket = socket(2);
        socket.write("in flight");
        socket.write("queued 1");
        socket.write("queued 2");
        assertThatThrownBy(() -> socket.write("one too many")).isInstanceOf(IOException.class);
        // Closed on another thread: the close frame to a client that stopped reading may wait, the writer must not.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !connection.open);
        assertThat(connection.closedOn).isNotSameAs(Thread.currentThread());
        assertThat(connection.closedWith.getCloseCode()).isEqualTo(CloseReason.CloseCodes.TRY_AGAIN_LATER);
        assertThatThrownBy(() -> socket.write("after")).isInstanceOf(IOException.class);
    }

    @Test
    void closeWaitsForTheFramesAlreadyWritten() throws IOException {
        JakartaEngineIoWebSocket socket = socket(100);
        socket.write("a");
        socket.write("b");
        socket.close();
        assertThat(connection.open).isTrue();
        connection.completeNext();
        assertThat(connection.open).isTrue();
        connection.completeNext();
        assertThat(connection.sent).containsExactly("a", "b");
        assertThat(connection.open).isFalse();
        assertThat(connection.closedWith.getCloseCode()).isEqualTo(CloseReason.CloseCodes.NORMAL_CLOSURE);
    }

    @Test
    void aFailedSendIsReportedToEngineIoOnceAndClosesTheConnection() throws IOException {
        JakartaEngineIoWebSocket socket = socket(100);
        List<Object[]> errors = new ArrayList<>();
        socket.on("error", errors::add);
        socket.write("a");
        socket.write("b");
        connection.failNext(new IOException("timed out"));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)[0]).isEqualTo("write error");
        assertThat(connection.open).isFalse();
        assertThat(connection.sent).containsExactly("a");
        socket.errorFromContainer(new IOException("again"));
        assertThat(errors).hasSize(1);
    }

    @Test
    void incomingMessagesAndCloseAreEmittedForEngineIo() {
        JakartaEngineIoWebSocket socket = socket(100);
        List<Object> messages = new ArrayList<>();
        List<Object[]> closes = new ArrayList<>();
        socket.on("message", args -> messages.add(args[0]));
        socket.on("close", closes::add);
        socket.receivedText("4hello");
        socket.receivedBinary(new byte[] {4});
        socket.closedByContainer();
        socket.closedByContainer();
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0)).isEqualTo("4hello");
        assertThat(closes).hasSize(1);
    }
}
