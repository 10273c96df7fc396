package org.pavilion.realtime.transport;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.socket.engineio.server.EngineIoServer;
import io.socket.engineio.server.utils.ParseQS;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jakarta WebSocket endpoint for {@value #PATH} that hands every connection to
 * {@link EngineIoServer#handleWebSocket}. One instance serves all connections; per-connection state
 * lives in the {@link JakartaEngineIoWebSocket} kept in the session's user properties.
 *
 * <p>It is not deployed at a path: {@link EngineIoServlet} upgrades each WebSocket request itself
 * ({@code ServerContainer.upgradeHttpToWebSocket} with {@link #configFor}), after the same per-address
 * checks as a polling handshake, so that a refused handshake can be answered with a plain HTTP 429
 * and the connection's place ({@link ConnectionLimits.Admission}) travels with it to {@link #onOpen}.
 */
final class EngineIoEndpoint extends Endpoint {

    /** Socket.IO clients connect to {@code <path>/} with the default path {@code /socket.io}. */
    static final String PATH = "/socket.io/";

    private static final Logger log = LoggerFactory.getLogger(EngineIoEndpoint.class);
    private static final String HEADERS = EngineIoEndpoint.class.getName() + ".headers";
    private static final String SOCKET = EngineIoEndpoint.class.getName() + ".socket";
    private static final String ADMISSION = EngineIoEndpoint.class.getName() + ".admission";

    private final EngineIoServer engineIoServer;
    private final SocketIoProperties properties;
    private final ConnectionLimits limits;
    private final ServerEndpointConfig.Configurator configurator;

    EngineIoEndpoint(EngineIoServer engineIoServer, SocketIoProperties properties, ConnectionLimits limits) {
        this.engineIoServer = engineIoServer;
        this.properties = properties;
        this.limits = limits;
        this.configurator = new Configurator(this);
    }

    /**
     * The configuration of one upgrade; {@code admission} is the new connection's place (null for the
     * upgrade of an existing polling connection, which has its place already).
     */
    ServerEndpointConfig configFor(ConnectionLimits.Admission admission) {
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(EngineIoEndpoint.class, PATH)
                .configurator(configurator)
                .build();
        if (admission != null) {
            config.getUserProperties().put(ADMISSION, admission);
        }
        return config;
    }

    private static final class Configurator extends ServerEndpointConfig.Configurator {
        private final EngineIoEndpoint endpoint;

        Configurator(EngineIoEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(endpoint);
        }

        /*
         * permessage-deflate is refused: our frames are a few dozen bytes, so compressing
         * them saves next to nothing, while Tomcat keeps a zlib deflater and inflater (about
         * 300 KB of native memory) per connection and allocated a new buffer per frame: the
         * benchmark saw it cost most of the allocation and a large share of the handoff
         * latency (docs/benchmarks.md). Clients that offer it simply do without.
         */
        @Override
        public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
            return List.of();
        }

        @Override
        public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
            // Tomcat hands each handshake its own copy of the config's user properties.
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            if (request.getHeaders() != null) {
                request.getHeaders().forEach((name, values) -> {
                    if (name != null && values != null) {
                        headers.put(name, List.copyOf(values));
                    }
                });
            }
            sec.getUserProperties().put(HEADERS, Collections.unmodifiableMap(headers));
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onOpen(Session session, EndpointConfig config) {
        int max = properties.maxMessageBytes();
        session.setMaxTextMessageBufferSize(max);
        session.setMaxBinaryMessageBufferSize(max);
        // A send that cannot complete within the time Engine.IO gives a silent client fails the connection.
        session.getAsyncRemote().setSendTimeout(properties.pingInterval().plus(properties.pingTimeout()).toMillis());

        Object headers = config.getUserProperties().get(HEADERS);
        Map<String, String> query = ParseQS.decode(session.getQueryString());
        JakartaEngineIoWebSocket socket = new JakartaEngineIoWebSocket(session, query,
                headers instanceof Map ? (Map<String, List<String>>) headers : Map.of(),
                properties.maxQueuedFrames());
        session.getUserProperties().put(SOCKET, socket);
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) socket::receivedText);
        session.addMessageHandler(byte[].class, (MessageHandler.Whole<byte[]>) socket::receivedBinary);
        Object admission = config.getUserProperties().get(ADMISSION);
        try {
            limits.runAdmitted(admission instanceof ConnectionLimits.Admission a ? a : null,
                    () -> engineIoServer.handleWebSocket(socket));
        } catch (IOException | RuntimeException e) {
            log.warn("Engine.IO refused WebSocket {}", session.getId(), e);
            socket.close();
        }
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        JakartaEngineIoWebSocket socket = socketOf(session);
        if (socket != null) {
            socket.closedByContainer();
        }
    }

    @Override
    public void onError(Session session, Throwable error) {
        log.debug("WebSocket {} error", session.getId(), error);
        JakartaEngineIoWebSocket socket = socketOf(session);
        if (socket != null) {
            socket.errorFromContainer(error);
        }
    }

    private static JakartaEngineIoWebSocket socketOf(Session session) {
        Object socket = session.getUserProperties().get(SOCKET);
        return socket instanceof JakartaEngineIoWebSocket ? (JakartaEngineIoWebSocket) socket : null;
    }
}
