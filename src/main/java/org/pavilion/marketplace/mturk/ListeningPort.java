package org.pavilion.marketplace.mturk;

import java.util.OptionalInt;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * The port the application's web server listens on, as it reports once it has started (a random one
 * for {@code server.port=0}). Never asked of the server before then: an embedded Tomcat asked for its
 * port before it has started opens a default connector on port 8080 to answer.
 */
public final class ListeningPort implements ApplicationListener<WebServerInitializedEvent> {

    private volatile int port = -1;

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null) {
            return; // a management server, not the application's
        }
        port = event.getWebServer().getPort();
    }

    /** The port, once the web server has started. */
    public OptionalInt port() {
        int p = port;
        return p > 0 ? OptionalInt.of(p) : OptionalInt.empty();
    }
}
