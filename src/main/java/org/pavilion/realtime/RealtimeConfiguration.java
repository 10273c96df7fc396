package org.pavilion.realtime;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.micrometer.core.instrument.MeterRegistry;
import io.socket.socketio.server.SocketIoNamespace;
import org.pavilion.pay.BonusLedger;
import org.pavilion.realtime.transport.SocketIoProperties;
import org.pavilion.session.LiveSessionService;
import org.pavilion.eligibility.EligibilityStore;
import org.pavilion.session.SessionStore;
import org.pavilion.storage.TaskDataStore;
import org.pavilion.tasklogic.TaskLogic;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The real-time worker channel: tokens, the /chat protocol, and delivery of committed outcomes. */
@Configuration(proxyBeanMethods = false)
class RealtimeConfiguration {

    @Bean
    SignedTokens signedTokens(@Value("${pavilion.secret:}") String secret,
                              @Value("${pavilion.data-dir:./data}") Path dataDir, Clock clock) {
        return new SignedTokens(ServerSecret.resolve(secret, dataDir), clock);
    }

    @Bean(destroyMethod = "close")
    Outbound outbound(@Qualifier("chatNamespace") SocketIoNamespace chatNamespace,
                      @Value("${pavilion.realtime.send-threads:0}") int sendThreads,
                      @Value("${pavilion.realtime.counts-window:25ms}") Duration countsWindow) {
        // 0: one sender per core (at least 2), so frames to different pages are written in parallel
        int threads = sendThreads != 0 ? sendThreads : Math.max(2, Runtime.getRuntime().availableProcessors());
        return new Outbound(chatNamespace, threads, countsWindow);
    }

    @Bean
    Connections connections() {
        return new Connections();
    }

    /*
     * The service is looked up when first needed: it is built with the outcome listeners, of which the
     * real-time delivery (and so admission) is one.
     */
    @Bean
    Admission admission(ObjectProvider<LiveSessionService> sessions, SessionStore store, Connections connections,
                        Outbound outbound, @Qualifier("disconnectTimers") ScheduledExecutorService timers,
                        @Value("${pavilion.realtime.confirmation-timeout:30s}") Duration confirmationTimeout,
                        ProtocolRefusals refusals, DisconnectGrace grace, EligibilityStore eligibility) {
        if (confirmationTimeout.isNegative() || confirmationTimeout.isZero()) {
            throw new IllegalArgumentException("pavilion.realtime.confirmation-timeout must be positive");
        }
        return new Admission(sessions::getObject, store, connections, outbound, timers, confirmationTimeout,
                refusals, grace, eligibility);
    }

    @Bean
    DisconnectGrace disconnectGrace(ObjectProvider<LiveSessionService> sessions, Connections connections,
                                    @Qualifier("disconnectTimers") ScheduledExecutorService timers) {
        return new DisconnectGrace(sessions::getObject, connections, timers);
    }

    @Bean
    WorkerPresence workerPresence(Connections connections, DisconnectGrace grace, Clock clock) {
        return new WorkerPresence(connections, grace, clock);
    }

    /** After a restart, workers in live sessions' queues get their grace period once pages can reconnect. */
    @Bean
    ApplicationListener<ApplicationReadyEvent> graceAfterRestart(DisconnectGrace grace) {
        return ready -> grace.startAfterRestart();
    }

    @Bean
    ProtocolRefusals protocolRefusals(MeterRegistry registry,
                                      @Qualifier("disconnectTimers") ScheduledExecutorService timers) {
        ProtocolRefusals refusals = new ProtocolRefusals(registry);
        // Once a minute, at info, how many events were refused and why (nothing when there were none).
        timers.scheduleAtFixedRate(refusals::logSummary, 60, 60, java.util.concurrent.TimeUnit.SECONDS);
        return refusals;
    }

    @Bean
    RealtimeDelivery realtimeDelivery(Outbound outbound, Connections connections, Admission admission,
                                      DisconnectGrace grace) {
        return new RealtimeDelivery(outbound, connections, admission, grace);
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService disconnectTimers() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pavilion-disconnect-grace");
            t.setDaemon(true);
            return t;
        });
    }

    @Bean
    EventLimits eventLimits(SocketIoProperties properties, Outbound outbound, MeterRegistry registry) {
        return new EventLimits(new EventRateLimit(properties.eventsPerSecond(), properties.eventBurst(), System::nanoTime),
                outbound, registry);
    }

    @Bean(destroyMethod = "close")
    TaskDataWriter taskDataWriter(TaskDataStore store) {
        return new TaskDataWriter(store);
    }

    @Bean
    ChatProtocol chatProtocol(@Qualifier("chatNamespace") SocketIoNamespace chatNamespace,
                              LiveSessionService sessions, SessionStore store, SignedTokens tokens,
                              Outbound outbound, Connections connections, Admission admission, BonusLedger bonuses,
                              ObjectProvider<TaskLogic> taskLogic, DisconnectGrace grace, Clock clock,
                              EventLimits eventLimits, ProtocolRefusals refusals, TaskDataWriter taskData) {
        ChatProtocol protocol = new ChatProtocol(chatNamespace, sessions, store, tokens, outbound, connections,
                admission, bonuses, taskLogic.orderedStream().toList(), grace, clock, eventLimits, refusals, taskData);
        protocol.start();
        return protocol;
    }
}
