package org.pavilion.realtime.transport;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.socket.engineio.server.EngineIoSocket;
import io.socket.engineio.server.ReadyState;
import org.pavilion.realtime.TokenBucket;

/**
 * Limits per client address, checked at the handshake of a new connection (either transport, before
 * Engine.IO sees it): at most {@code maxPerAddress} open connections, and at most
 * {@code handshakesPerSecond} new ones a second (a burst of {@code handshakeBurst}). A refused
 * handshake gets HTTP 429 (see {@link EngineIoServlet}).
 *
 * <p><b>Which address.</b> The TCP peer address ({@code request.getRemoteAddr()}).
 * {@code X-Forwarded-For} is never read here: any client can write that header, so trusting it would
 * let one client name a new address for every connection and escape both limits, or spend another
 * address's allowance. Behind a reverse proxy every client arrives from the proxy's address; set
 * {@code server.forward-headers-strategy=native} (and {@code server.tomcat.remoteip.internal-proxies}
 * to the proxy's addresses) and Tomcat replaces the peer address with the forwarded one only for
 * requests that really came through that proxy. An IPv6 client counts by its /64 network, since one
 * host is usually given a whole /64 and could otherwise pick a new address per connection.
 *
 * <p><b>Accounting.</b> {@link #admit} reserves a place; the handshake runs inside
 * {@link #runAdmitted}, where Engine.IO's {@code connection} event ({@link #connected}) ties the place
 * to the new connection, which gives it back when it closes. A handshake that made no connection
 * gives its place back at once; a WebSocket upgrade whose endpoint never opened gives it back after
 * {@link #PENDING_LIMIT_SECONDS} s ({@link Admission#expireIfPending}).
 */
final class ConnectionLimits {

    static final long PENDING_LIMIT_SECONDS = 30;

    /** The answer to a handshake: go ahead ({@link Admission}) or not ({@link Refusal}). */
    sealed interface Decision permits Admission, Refusal {
    }

    /** A refused handshake: the JSON code and message, and when to try again. */
    record Refusal(String code, String message, long retryAfterSeconds) implements Decision {
    }

    private final int maxPerAddress;
    private final double handshakesPerSecond;
    private final int handshakeBurst;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TokenBucket> handshakes = new ConcurrentHashMap<>();
    private final AtomicInteger openTotal = new AtomicInteger();
    private final ThreadLocal<Admission> handshaking = new ThreadLocal<>();
    private final Counter refusedConnections;
    private final Counter refusedHandshakes;

    ConnectionLimits(int maxPerAddress, double handshakesPerSecond, int handshakeBurst, LongSupplier nanos,
                     MeterRegistry registry) {
        this.maxPerAddress = maxPerAddress;
        this.handshakesPerSecond = handshakesPerSecond;
        this.handshakeBurst = handshakeBurst;
        this.nanos = nanos;
        this.refusedConnections = Counter.builder("pavilion.realtime.refused")
                .description("Handshakes refused: the address holds the most connections allowed")
                .tag("reason", "address_connections").register(registry);
        this.refusedHandshakes = Counter.builder("pavilion.realtime.refused")
                .description("Handshakes refused: the address opens connections too fast")
                .tag("reason", "handshake_rate").register(registry);
        Gauge.builder("pavilion.realtime.connections", openTotal, AtomicInteger::get)
                .description("Open real-time connections (Engine.IO sessions, both transports)")
                .strongReference(true).register(registry);
        Gauge.builder("pavilion.realtime.addresses", open, ConcurrentHashMap::size)
                .description("Client addresses with open real-time connections")
                .strongReference(true).register(registry);
    }

    /** A new connection from {@code remoteAddress} (the TCP peer): reserve its place, or refuse. */
    Decision admit(String remoteAddress) {
        String key = addressKey(remoteAddress);
        if (handshakesPerSecond > 0) {
            long now = nanos.getAsLong();
            TokenBucket bucket = handshakes.computeIfAbsent(key,
                    k -> new TokenBucket(handshakesPerSecond, handshakeBurst, now));
            if (!bucket.tryTake(now)) {
                refusedHandshakes.increment();
                return new Refusal("too_many_handshakes", "too many new connections from your address: at most "
                        + format(handshakesPerSecond) + " a second; try again shortly", bucket.secondsUntilNext(now));
            }
        }
        boolean[] admitted = {false};
        open.compute(key, (k, n) -> {
            int count = n == null ? 0 : n;
            if (maxPerAddress > 0 && count >= maxPerAddress) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0]) {
            refusedConnections.increment();
            return new Refusal("too_many_connections", "too many open connections from your address: at most "
                    + maxPerAddress + "; close one (or wait for one to time out) and try again", 10);
        }
        openTotal.incrementAndGet();
        return new Admission(key);
    }

    /** Runs a handshake; a connection it opens takes the admission's place. Unused places are given back. */
    void runAdmitted(Admission admission, HandshakeStep step) throws IOException {
        if (admission == null) {
            step.run();
            return;
        }
        Admission outer = handshaking.get();
        handshaking.set(admission);
        try {
            step.run();
        } finally {
            if (outer == null) {
                handshaking.remove();
            } else {
                handshaking.set(outer);
            }
            admission.releaseIfPending();
        }
    }

    /** Engine.IO's {@code connection} event: the connection the current handshake opened. */
    void connected(EngineIoSocket socket) {
        Admission admission = handshaking.get();
        if (admission == null || !admission.claim()) {
            return; // not opened by an admitted handshake (cannot happen: every handshake passes admit)
        }
        socket.on("close", args -> admission.release());
        if (socket.getReadyState() == ReadyState.CLOSED) {
            admission.release(); // closed before the listener was added
        }
    }

    /** Open connections counted for the address (or its /64 network). */
    int openFrom(String remoteAddress) {
        Integer n = open.get(addressKey(remoteAddress));
        return n == null ? 0 : n;
    }

    /** Forgets the handshake buckets that have refilled: keeping them would change nothing. */
    void sweep() {
        long now = nanos.getAsLong();
        handshakes.values().removeIf(bucket -> bucket.isFull(now));
    }

    int handshakeBucketCount() {
        return handshakes.size();
    }

    /**
     * The key an address counts under: an IPv4 address as it is, an IPv6 address by its /64 network.
     * Only literal addresses are parsed (no name lookup); anything else counts as it is.
     */
    static String addressKey(String remoteAddress) {
        if (remoteAddress == null || remoteAddress.isEmpty()) {
            return "unknown";
        }
        if (remoteAddress.indexOf(':') < 0) {
            return remoteAddress; // IPv4 (a host name, should a connector give one, has no ':' either)
        }
        String literal = remoteAddress;
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        try {
            InetAddress address = InetAddress.getByName(literal); // a literal with ':' is parsed, never looked up
            if (!(address instanceof Inet6Address)) {
                return address.getHostAddress(); // an IPv4-mapped IPv6 address is that IPv4 address
            }
            byte[] bytes = address.getAddress();
            StringBuilder network = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                network.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
            }
            return network.append(":/64").toString();
        } catch (UnknownHostException | RuntimeException e) {
            return remoteAddress;
        }
    }

    private static String format(double perSecond) {
        return perSecond == Math.rint(perSecond) ? String.valueOf((long) perSecond) : String.valueOf(perSecond);
    }

    @FunctionalInterface
    interface HandshakeStep {
        void run() throws IOException;
    }

    /** A reserved place: pending until a connection takes it, given back once. */
    final class Admission implements Decision {
        private static final int PENDING = 0;
        private static final int CLAIMED = 1;
        private static final int RELEASED = 2;

        private final String key;
        private final AtomicInteger state = new AtomicInteger(PENDING);

        private Admission(String key) {
            this.key = key;
        }

        boolean claim() {
            return state.compareAndSet(PENDING, CLAIMED);
        }

        void releaseIfPending() {
            if (state.compareAndSet(PENDING, RELEASED)) {
                giveBack();
            }
        }

        /** For a WebSocket upgrade whose endpoint never opened (the client went away during the upgrade). */
        void expireIfPending() {
            releaseIfPending();
        }

        void release() {
            int previous = state.getAndSet(RELEASED);
            if (previous != RELEASED) {
                giveBack();
            }
        }

        private void giveBack() {
            open.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
            openTotal.decrementAndGet();
        }
    }
}
