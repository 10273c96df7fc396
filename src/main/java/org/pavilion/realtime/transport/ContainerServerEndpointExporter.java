package org.pavilion.realtime.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.server.standard.ServerEndpointExporter;

/**
 * Spring's {@link ServerEndpointExporter} that registers the endpoints with the servlet container's
 * WebSocket {@code ServerContainer} when there is one (the embedded Tomcat of the application and
 * of {@code @SpringBootTest(webEnvironment = RANDOM_PORT|DEFINED_PORT)}) and does nothing when there
 * is none (a mock servlet environment, the default of {@code @SpringBootTest}), where the plain
 * exporter would fail the context. There is no real network in such a context, so nothing is lost.
 */
final class ContainerServerEndpointExporter extends ServerEndpointExporter {

    private static final Logger log = LoggerFactory.getLogger(ContainerServerEndpointExporter.class);

    @Override
    public void afterPropertiesSet() {
        if (getServerContainer() != null) {
            super.afterPropertiesSet();
        }
    }

    @Override
    protected void registerEndpoints() {
        if (getServerContainer() == null) {
            log.info("No WebSocket ServerContainer (not running in a servlet container): "
                    + "the Socket.IO WebSocket endpoint is not registered");
            return;
        }
        super.registerEndpoints();
    }
}
