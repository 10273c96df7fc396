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
 * @param maxMessageBytes   largest accepted WebSocket message and largest polling POST body, in bytes
 * @param allowedOrigins    browser origins (for example {@code https://workersandbox.mturk.com}) that
 *                          may open a connection from another site; empty means same origin only;
 *                          {@code *} allows every origin
 * @param maxQueuedFrames   WebSocket frames that may wait for a slow client before its connection is
 *                          dropped (writes are asynchronous, so a slow client never blocks the sender)
 */
@ConfigurationProperties("pavilion.realtime")
public record SocketIoProperties(
        @DefaultValue("10s") Duration pingInterval,
        @DefaultValue("10s") Duration pingTimeout,
        @DefaultValue("16384") int maxMessageBytes,
        @DefaultValue List<String> allowedOrigins,
        @DefaultValue("1000") int maxQueuedFrames) {

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
        allowedOrigins = allowedOrigins == null ? List.of()
                : allowedOrigins.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
