package org.pavilion.queue;

import java.util.List;

/** The decisions the engine made for one event, in the order they were made. */
public record Outcome(List<Decision> decisions) {

    public Outcome {
        decisions = List.copyOf(decisions);
    }

    /** The state-changing part: what the event log records. */
    public List<Decision.Fact> facts() {
        return decisions.stream().filter(Decision.Fact.class::isInstance).map(Decision.Fact.class::cast).toList();
    }

    public List<Decision.Hire> hires() {
        return decisions.stream().filter(Decision.Hire.class::isInstance).map(Decision.Hire.class::cast).toList();
    }

    public List<Decision.StatusChange> statusChanges() {
        return decisions.stream().filter(Decision.StatusChange.class::isInstance)
                .map(Decision.StatusChange.class::cast).toList();
    }

    /** The messages addressed to one worker's own connections (not those sent to the whole session). */
    public List<Message> toldWorker(String workerId) {
        return decisions.stream().filter(Decision.TellWorker.class::isInstance).map(Decision.TellWorker.class::cast)
                .filter(t -> t.workerId().equals(workerId)).map(Decision.TellWorker::message).toList();
    }

    public List<Message> toldSession() {
        return decisions.stream().filter(Decision.TellSession.class::isInstance)
                .map(Decision.TellSession.class::cast).map(Decision.TellSession::message).toList();
    }

    public boolean changesState() {
        return decisions.stream().anyMatch(Decision.Fact.class::isInstance);
    }
}
