package org.pavilion.realtime.transport;

import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Sizes the NIO connector's per-connection socket buffers ({@code socket.appReadBufSize},
 * {@code socket.appWriteBufSize}; Tomcat's default is 8 KB each) to
 * {@code pavilion.realtime.socket-buffer-bytes}. Every open connection keeps both for its whole life, and
 * a worker page's connection lives as long as the page: see {@link TomcatBuffers}. Reads and writes larger
 * than the buffer are done in several steps (or directly from the caller's buffer), so request and
 * response bodies of any size still pass.
 */
record SocketBufferCustomizer(int bytes) implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> {

    SocketBufferCustomizer {
        TomcatBuffers.checked(TomcatBuffers.SOCKET_BUFFER_KEY, bytes);
    }

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        factory.addConnectorCustomizers(connector -> {
            for (String property : new String[] {"socket.appReadBufSize", "socket.appWriteBufSize"}) {
                if (!connector.setProperty(property, Integer.toString(bytes))) {
                    // Another protocol than NIO (whose endpoint has these) was configured: say so at start.
                    throw new IllegalStateException("Tomcat connector " + connector.getProtocolHandlerClassName()
                            + " does not take " + property);
                }
            }
        });
    }
}
