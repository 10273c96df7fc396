package org.pavilion.realtime.transport;

import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open a Socket.IO connection.
 *
 * <p>A request without an {@code Origin} header is not a cross-site browser request (the Java and
 * Node clients send none) and is allowed. A request whose origin names the same host and port as
 * the request's {@code Host} (or {@code X-Forwarded-Host}) is same-origin and allowed. Any other
 * origin must be listed in {@code pavilion.realtime.allowed-origins}, or that list must hold {@code *}.
 *
 * <p>Browsers enforce CORS for polling, but not for WebSocket, so the handshake of both transports
 * is checked here (see {@link SocketIoConfiguration}).
 */
final class OriginPolicy {

    private final boolean allowAll;
    private final Set<String> allowed;

    OriginPolicy(Collection<String> allowedOrigins) {
        this.allowAll = allowedOrigins.contains("*");
        this.allowed = allowedOrigins.stream()
                .filter(o -> !o.equals("*"))
                .map(OriginPolicy::normalise)
                .collect(Collectors.toUnmodifiableSet());
    }

    boolean allowsAll() {
        return allowAll;
    }

    /** The listed origins, lower case, without a trailing slash. */
    Set<String> listed() {
        return allowed;
    }

    boolean permits(String origin, String host, String forwardedHost) {
        if (origin == null) {
            return true;
        }
        if (allowAll) {
            return true;
        }
        String normalised = normalise(origin);
        if (allowed.contains(normalised)) {
            return true;
        }
        return sameAuthority(normalised, host) || sameAuthority(normalised, firstValue(forwardedHost));
    }

    /** Checks a handshake by its headers (names in any case), as given to the Engine.IO interceptor. */
    boolean permits(Map<String, List<String>> headers) {
        return permits(header(headers, "Origin"), header(headers, "Host"), header(headers, "X-Forwarded-Host"));
    }

    private static String header(Map<String, List<String>> headers, String name) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)
                    && e.getValue() != null && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    private static String firstValue(String headerValue) {
        if (headerValue == null) {
            return null;
        }
        int comma = headerValue.indexOf(',');
        return (comma < 0 ? headerValue : headerValue.substring(0, comma)).trim();
    }

    private static boolean sameAuthority(String origin, String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return false;
        }
        try {
            URI o = URI.create(origin);
            String scheme = o.getScheme();
            if (scheme == null || o.getHost() == null) {
                return false;
            }
            int originPort = o.getPort() >= 0 ? o.getPort() : defaultPort(scheme);
            URI h = URI.create("http://" + hostHeader.trim());
            if (h.getHost() == null) {
                return false;
            }
            int hostPort = h.getPort() >= 0 ? h.getPort() : defaultPort(scheme);
            return o.getHost().equalsIgnoreCase(h.getHost()) && originPort == hostPort;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int defaultPort(String scheme) {
        return switch (scheme.toLowerCase(Locale.ROOT)) {
            case "https", "wss" -> 443;
            default -> 80;
        };
    }

    private static String normalise(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        while (o.endsWith("/")) {
            o = o.substring(0, o.length() - 1);
        }
        return o;
    }
}
