package org.pavilion.realtime.transport;

/**
 * Tomcat's per-connection buffers, sized for memory. Every worker page holds one connection open for
 * as long as it waits or works, so at 10,000 pages each kilobyte a connection keeps is 10 MB of heap.
 * Tomcat's defaults (8 KB socket read and write buffers, 8 KB WebSocket frame, binary and output buffers,
 * and a text-message buffer as large as the largest accepted message) cost about 95 KB a connection.
 * Pavilion's frames are small (most under 300 bytes, the largest a chat line of at most
 * {@value org.pavilion.tasklogic.GroupChat#MAX_TEXT} characters), and a bigger message or HTTP body
 * still passes: a buffer only sets how much is read or written at a time, never a limit.
 *
 * <ul>
 *   <li>{@code pavilion.realtime.socket-buffer-bytes}: the NIO connector's {@code socket.appReadBufSize}
 *       and {@code socket.appWriteBufSize} (HTTP and WebSocket alike), set by
 *       {@link SocketBufferCustomizer};</li>
 *   <li>{@code pavilion.realtime.websocket-buffer-bytes}: Tomcat's WebSocket buffers (system property
 *       {@value #WEBSOCKET_BUFFER_PROPERTY}), set by {@link WebSocketBufferEnvironmentPostProcessor}
 *       before Tomcat's WebSocket classes load, which read it once.</li>
 * </ul>
 */
public final class TomcatBuffers {

    /** Read once, when Tomcat's {@code org.apache.tomcat.websocket.Constants} class is initialised. */
    public static final String WEBSOCKET_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";
    public static final String WEBSOCKET_BUFFER_KEY = "pavilion.realtime.websocket-buffer-bytes";
    public static final String SOCKET_BUFFER_KEY = "pavilion.realtime.socket-buffer-bytes";
    /** Compile-time constants, for {@code @DefaultValue}. */
    public static final String DEFAULT_WEBSOCKET_BUFFER = "2048";
    public static final String DEFAULT_SOCKET_BUFFER = "2048";
    /** Smaller buffers save next to nothing and cost a system call per few frames. */
    public static final int MIN_BUFFER = 512;

    private TomcatBuffers() {
    }

    static int checked(String key, int bytes) {
        if (bytes < MIN_BUFFER) {
            throw new IllegalArgumentException(key + " must be at least " + MIN_BUFFER + " (was " + bytes + ")");
        }
        return bytes;
    }
}
