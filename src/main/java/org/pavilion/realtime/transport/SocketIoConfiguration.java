package org.pavilion.realtime.transport;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.socket.engineio.server.EngineIoServer;
import io.socket.engineio.server.EngineIoServerOptions;
import io.socket.engineio.server.EngineIoSocket;
import io.socket.socketio.server.SocketIoNamespace;
import io.socket.socketio.server.SocketIoServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Socket.IO on the same port as HTTP, inside Spring Boot's Tomcat (STACK.md, "Socket.IO inside
 * Spring Boot").
 *
 * <ul>
 *   <li>{@code engineIoServer}: the one {@link EngineIoServer}; ping interval and timeout, CORS
 *       origins and the handshake origin check come from {@link SocketIoProperties}. Engine.IO v3
 *       clients (socket.io-client 1.x and 2.x, the seed's crowd pages) are accepted as well as v4, and
 *       answered in the framing they read ({@link EngineIo3Framing}).</li>
 *   <li>{@code socketIoServer}: the {@link SocketIoServer} built on it.</li>
 *   <li>{@code chatNamespace}: the {@code /chat} {@link SocketIoNamespace} (SPEC.md §5).</li>
 *   <li>{@code engineIoServlet}: every request at {@code /socket.io/*} ({@link EngineIoServlet}): long
 *       polling, and WebSocket at {@code /socket.io/}, which the servlet upgrades itself to
 *       {@link EngineIoEndpoint} after the per-address checks.</li>
 *   <li>{@code connectionLimits}: per client address, open connections and new ones a second
 *       ({@link ConnectionLimits}); {@code writeBacklogLimit}: a polling client that does not collect
 *       what is sent to it is dropped ({@link WriteBacklogLimit}).</li>
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
 * async support, so none of them breaks long polling. Spring Security permits {@code /socket.io/**}
 * and leaves it out of CSRF protection (polling POSTs carry no token). WebSocket upgrades pass through
 * the same filters to the servlet, which upgrades them itself (Tomcat's {@code WsFilter} has no
 * endpoint deployed, so it lets them by).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SocketIoProperties.class)
public class SocketIoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SocketIoConfiguration.class);

    /** The connector's socket buffers, sized for many held connections ({@link TomcatBuffers}). */
    @Bean
    SocketBufferCustomizer socketBufferCustomizer(SocketIoProperties properties) {
        return new SocketBufferCustomizer(properties.socketBufferBytes());
    }

    @Bean
    OriginPolicy socketIoOriginPolicy(SocketIoProperties properties) {
        return new OriginPolicy(properties.allowedOrigins());
    }

    /** Sweeps of the limits, and the expiry of WebSocket upgrades that never opened. */
    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService realtimeLimitTimers() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pavilion-realtime-limits");
            t.setDaemon(true);
            return t;
        });
    }

    @Bean
    ConnectionLimits connectionLimits(SocketIoProperties properties, MeterRegistry registry,
                                      @Qualifier("realtimeLimitTimers") ScheduledExecutorService timers) {
        ConnectionLimits limits = new ConnectionLimits(properties.maxConnectionsPerAddress(),
                properties.handshakesPerSecond(), properties.handshakeBurst(), System::nanoTime, registry);
        timers.scheduleWithFixedDelay(quietly(limits::sweep), 10, 10, TimeUnit.SECONDS);
        return limits;
    }

    @Bean
    WriteBacklogLimit writeBacklogLimit(SocketIoProperties properties, MeterRegistry registry,
                                        @Qualifier("realtimeLimitTimers") ScheduledExecutorService timers) {
        WriteBacklogLimit limit = new WriteBacklogLimit(properties.maxQueuedFrames(), registry);
        timers.scheduleWithFixedDelay(quietly(limit::sweep), 1, 1, TimeUnit.SECONDS);
        return limit;
    }

    /** A periodic task that logs its failure instead of being cancelled by it. */
    private static Runnable quietly(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("real-time limit sweep failed", e);
            }
        };
    }

    @Bean(destroyMethod = "shutdown")
    public EngineIoServer engineIoServer(SocketIoProperties properties, OriginPolicy socketIoOriginPolicy,
                                         ConnectionLimits connectionLimits, WriteBacklogLimit writeBacklogLimit) {
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
        EngineIoServer server = new EngineIoServer(options);
        // Emitted on the handshake's own thread, inside ConnectionLimits.runAdmitted.
        server.on("connection", args -> {
            EngineIoSocket socket = (EngineIoSocket) args[0];
            connectionLimits.connected(socket);
            writeBacklogLimit.connected(socket);
        });
        return server;
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
                                                             OriginPolicy socketIoOriginPolicy,
                                                             ConnectionLimits connectionLimits,
                                                             WriteBacklogLimit writeBacklogLimit,
                                                             @Qualifier("realtimeLimitTimers") ScheduledExecutorService timers) {
        EngineIoEndpoint webSocket = new EngineIoEndpoint(engineIoServer, properties, connectionLimits);
        ServletRegistrationBean<EngineIoServlet> registration = new ServletRegistrationBean<>(
                new EngineIoServlet(engineIoServer, socketIoOriginPolicy, properties.maxMessageBytes(), connectionLimits,
                        writeBacklogLimit, webSocket, timers), "/socket.io/*");
        registration.setName("engineIoServlet");
        registration.setAsyncSupported(true);
        registration.setLoadOnStartup(1);
        return registration;
    }
}
