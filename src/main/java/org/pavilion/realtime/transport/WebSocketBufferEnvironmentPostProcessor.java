package org.pavilion.realtime.transport;

import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Sets Tomcat's WebSocket buffer size ({@value TomcatBuffers#WEBSOCKET_BUFFER_PROPERTY}) from
 * {@code pavilion.realtime.websocket-buffer-bytes}. Tomcat reads that system property once, when its
 * WebSocket classes load, which is when the embedded server starts: so it is set here, while the
 * environment is prepared, before the application context (and its server) exists. This runs for every
 * start through {@link SpringApplication} (the jar, {@code spring-boot:run}, tests, the benchmark server).
 *
 * <p>A value the user gave the JVM ({@code -Dorg.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE=...}) wins and
 * is left alone. A later start in the same JVM with another value cannot change Tomcat's (it has read it):
 * that is logged.
 */
public class WebSocketBufferEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    /** The value this class set, so that a second start in the same JVM can tell it from the user's. */
    private static volatile String setHere;

    private final Log log;

    public WebSocketBufferEnvironmentPostProcessor(DeferredLogFactory logFactory) {
        this.log = logFactory.getLog(WebSocketBufferEnvironmentPostProcessor.class);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE; // after application.properties and the environment are in
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        int bytes = TomcatBuffers.checked(TomcatBuffers.WEBSOCKET_BUFFER_KEY,
                Binder.get(environment).bind(TomcatBuffers.WEBSOCKET_BUFFER_KEY, Integer.class)
                        .orElse(Integer.parseInt(TomcatBuffers.DEFAULT_WEBSOCKET_BUFFER)));
        String wanted = Integer.toString(bytes);
        synchronized (WebSocketBufferEnvironmentPostProcessor.class) {
            String current = System.getProperty(TomcatBuffers.WEBSOCKET_BUFFER_PROPERTY);
            if (current == null) {
                System.setProperty(TomcatBuffers.WEBSOCKET_BUFFER_PROPERTY, wanted);
                setHere = wanted;
            } else if (!current.equals(setHere)) {
                log.info(TomcatBuffers.WEBSOCKET_BUFFER_PROPERTY + "=" + current + " was given to the JVM: it is used, not "
                        + TomcatBuffers.WEBSOCKET_BUFFER_KEY + "=" + wanted);
            } else if (!current.equals(wanted)) {
                log.warn(TomcatBuffers.WEBSOCKET_BUFFER_KEY + "=" + wanted + " is ignored: Tomcat's WebSocket buffers in "
                        + "this JVM were already sized at " + current + " bytes by an earlier start");
            }
        }
    }
}
