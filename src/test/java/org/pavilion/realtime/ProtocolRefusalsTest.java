package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ProtocolRefusalsTest {

    @Test
    void eachRefusalIsCountedByItsCode() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProtocolRefusals refusals = new ProtocolRefusals(registry);
        refusals.refused("not_joined", "submit_active", "sid-1", "join first");
        refusals.refused("not_joined", "IAmReady", "sid-2", "join first");
        refusals.refused("unconfirmed_assignment", "connected", "sid-3", "not confirmed");
        refusals.refused("unknown_event", "x\n".repeat(100), "sid-4", "unknown event"); // a hostile name
        assertThat(registry.get("pavilion.protocol.refused").tag("code", "not_joined").counter().count())
                .isEqualTo(2.0);
        assertThat(registry.get("pavilion.protocol.refused").tag("code", "unconfirmed_assignment").counter()
                .count()).isEqualTo(1.0);
        assertThat(registry.get("pavilion.protocol.refused").tag("code", "unknown_event").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.find("pavilion.protocol.refused").counters()).hasSize(3);
    }

    @Test
    void theRefusalsSinceTheLastSummaryAreSummedUpByCode() {
        ProtocolRefusals refusals = new ProtocolRefusals(new SimpleMeterRegistry());
        assertThat(refusals.summarySinceLast()).isNull();
        refusals.refused("unconfirmed_assignment", "connected", "sid-3", "not confirmed");
        refusals.refused("not_joined", "submit_active", "sid-1", "join first");
        refusals.refused("not_joined", "IAmReady", "sid-2", "join first");
        assertThat(refusals.summarySinceLast()).isEqualTo("3 events refused: not_joined 2, unconfirmed_assignment 1");
        assertThat(refusals.summarySinceLast()).as("a new count starts").isNull();
        refusals.refused("invalid_payload", "IAmReady", "sid-2", "bad");
        assertThat(refusals.summarySinceLast()).isEqualTo("1 events refused: invalid_payload 1");
    }
}
