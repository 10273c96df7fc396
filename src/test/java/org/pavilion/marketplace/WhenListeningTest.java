package org.pavilion.marketplace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.GenericApplicationContext;

/**
 * A paused context (Spring's test context cache pauses the contexts it is not using: a lifecycle stop,
 * then a start when it is used again) keeps its outboxes running; only a closing context stops them.
 */
class WhenListeningTest {

    @Test
    void aPauseLeavesTheWorkRunningAndOnlyACloseStopsIt() {
        AtomicInteger starts = new AtomicInteger();
        AtomicInteger stops = new AtomicInteger();
        WhenListening work = new WhenListening("test work", starts::incrementAndGet, stops::incrementAndGet);

        work.start();
        assertThat(work.isRunning()).isTrue();
        work.stop(); // paused
        assertThat(stops).hasValue(0);
        work.start(); // resumed: what was started is still running
        assertThat(starts).hasValue(1);
        assertThat(work.isRunning()).isTrue();

        try (GenericApplicationContext context = new GenericApplicationContext()) {
            work.onApplicationEvent(new ContextClosedEvent(context));
        }
        work.stop();
        assertThat(stops).hasValue(1);
        assertThat(work.isRunning()).isFalse();
    }
}
