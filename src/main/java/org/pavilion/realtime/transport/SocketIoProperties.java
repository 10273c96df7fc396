package org.pavilion.realtime.transport;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the Socket.IO transport ({@code pavilion.realtime.*}).
 *
 * @param pingInterval      how often the server pings an Engine.IO v4 client (a v3 client pings the
 *                          server at this interval). With the default 10 s + 10 s a dead connection is
 *                          noticed within about 20 s, inside the 30 s disconnect grace.
 * @param pingTimeout       how long to wait for the answer to a ping before the connection is closed
 * @param maxMessageBytes   largest accepted WebSocket message (in characters: Tomcat's text-message buffer,
 *                          which every connection keeps at this size, twice as many bytes) and largest polling
 *                          POST body, in bytes. 4096 holds the largest message a page sends, a chat line of 500
 *                          characters, even with every character escaped as JSON's six-character
 *                          backslash-u escape (3,000) plus its packet (about 60)
 * @param allowedOrigins    browser origins (for example {@code https://workersandbox.mturk.com}) that
 *                          may open a connection from another site; empty means same origin only;
 *                          {@code *} allows every origin
 * @param maxQueuedFrames   frames that may wait for a slow client before its connection is dropped: on
 *                          WebSocket, frames not yet sent (writes are asynchronous, so a slow client never
 *                          blocks the sender); on polling, packets waiting for a poll that does not come
 * @param eventsPerSecond   events a connection may send a second, sustained; over it events are not
 *                          handled and the client gets {@code error {code: "rate_limited"}} at most once a
 *                          second; a connection that keeps flooding is disconnected. A page sends a
 *                          handful of events a minute (join, pay polls, ready, submit, a few chat lines),
 *                          so 20 is ten times the busiest one and still keeps one connection from costing
 *                          its session's single writer more than 20 reads a second. 0 turns it off
 * @param eventBurst        events a connection may send at once before the rate applies (a page that
 *                          reconnects sends two or three at once)
 * @param maxConnectionsPerAddress open Socket.IO connections (both transports) one client address may
 *                          hold; more are refused at the handshake with HTTP 429. A lab or classroom of
 *                          workers behind one NAT address is plausible, one page each plus a reload
 *                          overlapping, so 50. IPv6 addresses count by their /64 network. 0 turns it off
 * @param handshakesPerSecond new connections one address may open a second, sustained (HTTP 429 over
 *                          it): a client that reconnects in a loop costs a handshake, a token check and
 *                          a session lookup each time. 0 turns it off
 * @param handshakeBurst    new connections one address may open at once (a lab starting together)
 * @param socketBufferBytes the connector's socket read and write buffers, each ({@link TomcatBuffers})
 * @param websocketBufferBytes Tomcat's WebSocket frame, binary-message and output buffers, each; applied at
 *                          start by {@link WebSocketBufferEnvironmentPostProcessor} ({@link TomcatBuffers})
 */
@ConfigurationProperties("pavilion.realtime")
public record SocketIoProperties(
        @DefaultValue("10s") Duration pingInterval,
        @DefaultValue("10s") Duration pingTimeout,
        @DefaultValue("4096") int maxMessageBytes,
        @DefaultValue List<String> allowedOrigins,
        @DefaultValue("1000") int maxQueuedFrames,
        @DefaultValue("20") double eventsPerSecond,
        @DefaultValue("40") int eventBurst,
        @DefaultValue("50") int maxConnectionsPerAddress,
        @DefaultValue("20") double handshakesPerSecond,
        @DefaultValue("40") int handshakeBurst,
        @DefaultValue(TomcatBuffers.DEFAULT_SOCKET_BUFFER) int socketBufferBytes,
        @DefaultValue(TomcatBuffers.DEFAULT_WEBSOCKET_BUFFER) int websocketBufferBytes) {

    public SocketIoProperties {
        if (pingInterval.isNegative() || pingInterval.isZero()) {
            throw new IllegalArgumentException("pavilion.realtime.ping-interval must be positive");
        }
        if (pingTimeout.isNegative() || pingTimeout.isZero()) {
            throw new IllegalArgumentException("pavilion.realtime.ping-timeout must be positive");
        }
        if (maxMessageBytes < 64) {
            throw new IllegalArgumentException("pavilion.realtime.max-message-bytes must be at least 64");
        }
        if (maxQueuedFrames < 1) {
            throw new IllegalArgumentException("pavilion.realtime.max-queued-frames must be at least 1");
        }
        if (!offOrPositive(eventsPerSecond) || eventsPerSecond > 0 && eventBurst < 1) {
            throw new IllegalArgumentException("pavilion.realtime.events-per-second must be 0 (off) or positive, "
                    + "with pavilion.realtime.event-burst at least 1");
        }
        if (maxConnectionsPerAddress < 0) {
            throw new IllegalArgumentException("pavilion.realtime.max-connections-per-address must be 0 (off) or positive");
        }
        if (!offOrPositive(handshakesPerSecond) || handshakesPerSecond > 0 && handshakeBurst < 1) {
            throw new IllegalArgumentException("pavilion.realtime.handshakes-per-second must be 0 (off) or positive, "
                    + "with pavilion.realtime.handshake-burst at least 1");
        }
        TomcatBuffers.checked(TomcatBuffers.SOCKET_BUFFER_KEY, socketBufferBytes);
        TomcatBuffers.checked(TomcatBuffers.WEBSOCKET_BUFFER_KEY, websocketBufferBytes);
        allowedOrigins = allowedOrigins == null ? List.of()
                : allowedOrigins.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static boolean offOrPositive(double rate) {
        return rate >= 0 && Double.isFinite(rate);
    }
}
