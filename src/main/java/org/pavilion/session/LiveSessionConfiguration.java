package org.pavilion.session;

import java.time.Clock;
import java.time.Duration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the live session service and rebuilds the live sessions from storage at start. */
@Configuration(proxyBeanMethods = false)
class LiveSessionConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean(destroyMethod = "close")
    LiveSessionService liveSessionService(SessionStore store, ObjectProvider<OutcomeListener> listeners, Clock clock,
            @Value("${pavilion.pay.wait-cap-check:5s}") Duration waitCapCheck) {
        LiveSessionService service = new LiveSessionService(store, listeners.orderedStream().toList(), clock);
        service.recover();
        service.checkWaitCapsEvery(waitCapCheck);
        return service;
    }
}
