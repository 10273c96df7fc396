package org.pavilion.pay;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.pavilion.marketplace.Marketplaces;
import org.pavilion.marketplace.SessionMarketplace;
import org.pavilion.marketplace.WhenListening;
import org.pavilion.project.TaskRepository;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionStore;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Wires the pay dispatcher; once the web server listens ({@link WhenListening}) it starts with whatever
 * the ledger holds due.
 */
@Configuration(proxyBeanMethods = false)
class PayConfiguration {

    @Bean(destroyMethod = "close")
    PayDispatcher payDispatcher(ObjectProvider<Marketplaces> marketplaces, PayLedger ledger, Compensations compensations,
                                SessionStore store, TaskRepository tasks, Clock clock, MeterRegistry meters,
                                @Value("${pavilion.pay.poll:5s}") Duration poll,
                                @Value("${pavilion.pay.max-backoff:5m}") Duration maxBackoff,
                                @Value("${pavilion.pay.compensation-url:}") String compensationUrl,
                                @Value("${pavilion.pay.compensation-check:30s}") Duration compensationCheck) {
        SessionMarketplace marketplace = sessionId -> marketplaces.getObject().forSession(sessionId);
        CompensationDispatch compensation = new CompensationDispatch(marketplace, compensations, store, tasks, clock,
                Optional.ofNullable(compensationUrl).filter(u -> !u.isBlank()), compensationCheck);
        return new PayDispatcher(marketplace, ledger, compensation, clock, poll, maxBackoff, meters);
    }

    @Bean
    WhenListening payDispatcherStart(PayDispatcher dispatcher,
                                     @Value("${pavilion.pay.dispatch:true}") boolean dispatch) {
        if (!dispatch) {
            // Only for tests that move ledger rows by hand: nothing is ever paid like this.
            LoggerFactory.getLogger(PayConfiguration.class).warn("pavilion.pay.dispatch=false: pay is recorded, "
                    + "never sent to the marketplace");
            return new WhenListening("the pay outbox (off)", () -> { }, () -> { });
        }
        return new WhenListening("the pay outbox", dispatcher::start, dispatcher::close);
    }

    @Bean(destroyMethod = "close")
    SpendCapGuard spendCapGuard(JdbcTemplate jdbc, ObjectProvider<LiveSessionService> sessions) {
        return new SpendCapGuard(jdbc, sessions);
    }
}
