package org.pavilion.session;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.pavilion.queue.Outcome;

/** An in-process listener that keeps every committed outcome in delivery order. */
public final class RecordingListener implements OutcomeListener {

    public record Delivery(long sessionId, Outcome outcome) {
    }

    private final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();

    @Override
    public void committed(long sessionId, Outcome outcome) {
        deliveries.add(new Delivery(sessionId, outcome));
    }

    public List<Outcome> outcomes(long sessionId) {
        return deliveries.stream().filter(d -> d.sessionId() == sessionId).map(Delivery::outcome).toList();
    }
}
