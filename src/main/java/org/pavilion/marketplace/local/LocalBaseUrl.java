package org.pavilion.marketplace.local;

import java.net.URI;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * This server's base URL as the local marketplace names it in what it sends (SigningCertURL,
 * SubscribeURL, UnsubscribeURL, the default subscriber {@code /api/from_mturk}, turkSubmitTo for
 * the Java API): {@code pavilion.marketplace.local.base-url} when set, otherwise
 * {@code http(s)://<host>:<port>} plus the context path, where the port is the one the server really
 * listens on (known once the web server has started, so a random test port works; never a default)
 * and the host is {@code server.address} when the server is bound to one address, else
 * {@code localhost}.
 */
public class LocalBaseUrl implements ApplicationListener<WebServerInitializedEvent> {

    private final URI configured;
    private final Environment environment;
    private volatile String resolved;

    public LocalBaseUrl(URI configured, Environment environment) {
        this.configured = configured;
        this.environment = environment;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null) {
            return; // a management server, not the application's
        }
        resolved = build(event.getWebServer().getPort());
    }

    /**
     * The base URL without a trailing slash, e.g. {@code http://localhost:8080}.
     *
     * @throws LocalMarketplaceException (503, retryable) before the web server has started, unless the
     *                                   base URL is configured
     */
    public String base() {
        if (configured != null) {
            String s = configured.toString();
            return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        }
        String r = resolved;
        if (r == null) {
            throw new LocalMarketplaceException(LocalMarketplaceException.Kind.SERVICE_FAULT, "ServiceUnavailable",
                    503, "the local marketplace does not know its base URL yet: the web server has not started");
        }
        return r;
    }

    private String build(int port) {
        boolean ssl = environment.getProperty("server.ssl.enabled", Boolean.class, false);
        String context = environment.getProperty("server.servlet.context-path", "");
        if (context.endsWith("/")) {
            context = context.substring(0, context.length() - 1);
        }
        return (ssl ? "https" : "http") + "://" + host(environment.getProperty("server.address")) + ":" + port
                + context;
    }

    /** {@code localhost} for a server on every address, else the one address it is bound to (IPv6 in brackets). */
    public static String host(String serverAddress) {
        if (serverAddress == null || serverAddress.isBlank()) {
            return "localhost";
        }
        String a = serverAddress.strip();
        if (a.equals("0.0.0.0") || a.equals("::") || a.equals("[::]") || a.equals("0:0:0:0:0:0:0:0")) {
            return "localhost";
        }
        return a.contains(":") && !a.startsWith("[") ? "[" + a + "]" : a;
    }
}
