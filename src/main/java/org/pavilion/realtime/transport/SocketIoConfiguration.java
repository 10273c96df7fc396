package org.pavilion.realtime.transport;

import io.socket.engineio.server.EngineIoServer;
import io.socket.engineio.server.EngineIoServerOptions;
import io.socket.socketio.server.SocketIoNamespace;
import io.socket.socketio.server.SocketIoServer;
import jakarta.websocket.server.ServerEndpointConfig;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.server.standard.ServerEndpointExporter;

/**
 * Socket.IO on the same port as HTTP, inside Spring Boot's Tomcat (STACK.md, "Socket.IO inside
 * Spring Boot").
 *
 * <ul>
 *   <li>{@code engineIoServer}: the one {@link EngineIoServer}; ping interval and timeout, CORS
 *       origins and the handshake origin check come from {@link SocketIoProperties}. Engine.IO v3
 *       clients (socket.io-client 2.x, the seed's crowd pages) are accepted as well as v4.</li>
 *   <li>{@code socketIoServer}: the {@link SocketIoServer} built on it.</li>
 *   <li>{@code chatNamespace}: the {@code /chat} {@link SocketIoNamespace} (SPEC.md §5).</li>
 *   <li>{@code engineIoServlet}: long polling at {@code /socket.io/*} ({@link EngineIoServlet}).</li>
 *   <li>{@code engineIoWebSocketEndpoint} + {@code serverEndpointExporter}: WebSocket at
 *       {@code /socket.io/} ({@link EngineIoEndpoint}).</li>
 * </ul>
 *
 * <p><b>Threads.</b> {@code SocketIoSocket.send(event, args...)} (no acknowledgement callback) and
 * {@code SocketIoNamespace.broadcast(...)} may be called from any thread: a send encodes the packet
 * with a stateless encoder and ends in {@code EngineIoSocket.send}, which appends to the connection's
 * write buffer under a per-connection lock (documented as thread safe in the engine.io-server-java
 * source and confirmed by its maintainer in engine.io-server-java issue #19); {@code broadcast} goes
 * through {@code SocketIoMemoryAdapter.broadcast}, which is {@code synchronized}, over concurrent maps.
 * Order is kept per connection for sends made from one thread: the engine lock serialises the write
 * buffer and {@link JakartaEngineIoWebSocket} sends WebSocket frames one at a time in order. Not
 * thread safe: {@code send} <em>with</em> an acknowledgement callback (a plain {@code HashMap} of
 * callbacks, also touched by the receiving thread), so do not use acks from several threads.
 * Listeners ({@code socket.on(event, ...)}, {@code namespace.on("connection", ...)}) run on the
 * container thread that received the message (a Tomcat request or WebSocket thread); "disconnect"
 * after a ping timeout runs on an {@code engineIo-threadPool} thread. A sender never waits for a slow
 * WebSocket client (frames are queued and sent asynchronously); a send to a polling client writes its
 * small pending poll response, if one is open, on the sender's thread.
 *
 * <p><b>Filters.</b> The servlet is async-supported and Spring Boot registers its filters with
 * async support, so none of them breaks long polling. Should Spring Security be added, permit
 * {@code /socket.io/**} and leave it out of CSRF protection (polling POSTs carry no token); the
 * WebSocket upgrade is taken by Tomcat's {@code WsFilter}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SocketIoProperties.class)
public class SocketIoConfiguration {

    @Bean
    OriginPolicy socketIoOriginPolicy(SocketIoProperties properties) {
        return new OriginPolicy(properties.allowedOrigins());
    }

    @Bean(destroyMethod = "shutdown")
    public EngineIoServer engineIoServer(SocketIoProperties properties, OriginPolicy socketIoOriginPolicy) {
        EngineIoServerOptions options = EngineIoServerOptions.newFromDefault();
        options.setPingInterval(properties.pingInterval().toMillis());
        options.setPingTimeout(properties.pingTimeout().toMillis());
        options.setCorsHandlingDisabled(false);
        options.setAllowedCorsOrigins(socketIoOriginPolicy.allowsAll()
                ? EngineIoServerOptions.ALLOWED_CORS_ORIGIN_ALL
                : socketIoOriginPolicy.listed().isEmpty()
                        ? EngineIoServerOptions.ALLOWED_CORS_ORIGIN_NONE
                        : socketIoOriginPolicy.listed().stream().sorted().toArray(String[]::new));
        // Polls are held with startAsync; the servlet is async-supported, so no synchronous polling.
        options.setAllowSyncPolling(false);
        // Only the origin is checked: Engine.IO v3 and v4 clients are both let in. Handshakes without
        // a sid (new connections, either transport) pass here; upgrades need the secret sid.
        options.setHandshakeInterceptor((query, headers) -> socketIoOriginPolicy.permits(headers));
        return new EngineIoServer(options);
    }

    @Bean
    public SocketIoServer socketIoServer(EngineIoServer engineIoServer) {
        return new SocketIoServer(engineIoServer);
    }

    @Bean
    public SocketIoNamespace chatNamespace(SocketIoServer socketIoServer) {
        return socketIoServer.namespace("/chat");
    }

    @Bean
    ServletRegistrationBean<EngineIoServlet> engineIoServlet(EngineIoServer engineIoServer, SocketIoProperties properties,
                                                             OriginPolicy socketIoOriginPolicy) {
        ServletRegistrationBean<EngineIoServlet> registration = new ServletRegistrationBean<>(
                new EngineIoServlet(engineIoServer, socketIoOriginPolicy, properties.maxMessageBytes()), "/socket.io/*");
        registration.setName("engineIoServlet");
        registration.setAsyncSupported(true);
        registration.setLoadOnStartup(1);
        return registration;
    }

    @Bean
    ServerEndpointConfig engineIoWebSocketEndpoint(EngineIoServer engineIoServer, SocketIoProperties properties) {
        return new EngineIoEndpoint(engineIoServer, properties).config();
    }

    @Bean
    ServerEndpointExporter serverEndpointExporter() {
        return new ContainerServerEndpointExporter();
    }
}
