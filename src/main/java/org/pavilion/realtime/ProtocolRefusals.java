package org.pavilion.realtime;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every refusal the real-time channel answers with an {@code error} event, made visible to the admin:
 * logged at debug (an expected refusal is no news, but a stuck page needs its reason findable) and
 * counted per code in {@code pavilion_protocol_refused_total{code}} (the rates are the news), and
 * summed up at info once a minute when there were any, so that the log alone tells an admin why pages
 * are stuck.
 */
final class ProtocolRefusals {

    private static final Logger log = LoggerFactory.getLogger(ProtocolRefusals.class);

    private final MeterRegistry registry;
    // Codes are the server's own words (a small, fixed set), so one counter each stays bounded.
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> sinceSummary = new ConcurrentHashMap<>();

    ProtocolRefusals(MeterRegistry registry) {
        this.registry = registry;
    }

    void refused(String code, String event, String connectionId, String message) {
        counters.computeIfAbsent(code, c -> Counter.builder("pavilion.protocol.refused")
                .description("Client events answered with an error, by code").tag("code", c).register(registry))
                .increment();
        sinceSummary.computeIfAbsent(code, c -> new LongAdder()).increment();
        if (log.isDebugEnabled()) {
            log.debug("refused {} from connection {}: {} ({})", clip(event), connectionId, code, message);
        }
    }

    /**
     * The refusals since the last summary, by code, most frequent first ("12 events refused: not_joined 9,
     * unconfirmed_assignment 3"), or null if there were none; starts a new count.
     */
    String summarySinceLast() {
        Map<String, Long> counts = new TreeMap<>();
        for (String code : sinceSummary.keySet()) {
            long n = sinceSummary.get(code).sumThenReset();
            if (n > 0) {
                counts.put(code, n);
            }
        }
        if (counts.isEmpty()) {
            return null;
        }
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        return total + " events refused: " + counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    void logSummary() {
        String summary = summarySinceLast();
        if (summary != null) {
            log.info("in the last minute, {} (pavilion_protocol_refused_total; each at debug)", summary);
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
