package org.pavilion.marketplace;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Starts work that talks to the marketplace or the network (the hire and pay outboxes, reconciliation,
 * the local marketplace's sweep) once the web server listens on its configured address and port, and
 * stops it before the web server stops.
 *
 * <p>Before the web server has started, nothing may reach for it: in local mode the marketplace is this
 * very server, and asking an embedded Tomcat for its port before it has started makes it open a default
 * connector on port 8080, on every address. So this lifecycle runs in a phase after Spring Boot's web
 * server start ({@code WebServerStartStopLifecycle}, {@code Integer.MAX_VALUE - 2048}) and its graceful
 * shutdown ({@code Integer.MAX_VALUE - 1024}): started after the server listens, stopped before it
 * stops taking requests. In an application without a web server it starts once the context has
 * refreshed. It starts at most once, and stops only when the context closes: a lifecycle stop without
 * a close (a context paused, as Spring's test context cache pauses the contexts it is not using) leaves
 * the work running, since what it stops (executors) cannot be started again.
 */
public final class WhenListening implements SmartLifecycle, ApplicationListener<ContextClosedEvent> {

    /** After the web server's start (and graceful shutdown) phases. */
    public static final int PHASE = Integer.MAX_VALUE - 512;

    private static final Logger log = LoggerFactory.getLogger(WhenListening.class);

    private final String name;
    private final Runnable start;
    private final Runnable stop;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean running;
    private volatile boolean closing;

    /**
     * @param name  what is started, for the log
     * @param start starts it (called once)
     * @param stop  stops it (may be called again by the bean's own destroy method)
     */
    public WhenListening(String name, Runnable start, Runnable stop) {
        this.name = name;
        this.start = start;
        this.stop = stop;
    }

    @Override
    public void start() {
        if (started.compareAndSet(false, true)) {
            log.debug("starting {}: the web server listens", name);
            start.run();
        }
        running = true;
    }

    /** Published before the lifecycle stop of a closing context (not of a paused one). */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        closing = true;
    }

    @Override
    public void stop() {
        if (running) {
            running = false;
            if (closing) {
                stop.run();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
