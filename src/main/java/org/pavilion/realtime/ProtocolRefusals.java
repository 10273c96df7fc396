package org.pavilion.realtime;

import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every refusal the real-time channel answers with an {@code error} event, made visible to the admin:
 * logged at debug (an expected refusal is no news, but a stuck page needs its reason findable) and
 * counted per code in {@code pavilion_protocol_refused_total{code}} (the rates are the news).
 */
final class ProtocolRefusals {

    private static final Logger log = LoggerFactory.getLogger(ProtocolRefusals.class);

    private final MeterRegistry registry;
    // Codes are the server's own words (a small, fixed set), so one counter each stays bounded.
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    ProtocolRefusals(MeterRegistry registry) {
        this.registry = registry;
    }

    void refused(String code, String event, String connectionId, String message) {
        counters.computeIfAbsent(code, c -> Counter.builder("pavilion.protocol.refused")
                .description("Client events answered with an error, by code").tag("code", c).register(registry))
                .increment();
        if (log.isDebugEnabled()) {
            log.debug("refused {} from connection {}: {} ({})", clip(event), connectionId, code, message);
        }
    }

    private static String clip(String event) {
        if (event == null) {
            return null;
        }
        String s = event.length() > 64 ? event.substring(0, 64) + "…" : event;
        return s.replaceAll("\\p{Cntrl}", "?"); // a client-chosen name: no log forging
    }
}
