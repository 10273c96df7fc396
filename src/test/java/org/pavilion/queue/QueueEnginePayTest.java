package org.pavilion.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pavilion.queue.Decision.Ending;
import org.pavilion.queue.Decision.PayDue;
import org.pavilion.queue.Decision.TellWorker;
import org.pavilion.queue.Decision.WaitCapped;
import org.pavilion.queue.QueueEngine.TimedFact;
import org.pavilion.queue.QueueEvent.Arrive;
import org.pavilion.queue.QueueEvent.CapWaits;
import org.pavilion.queue.QueueEvent.Confirm;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueEvent.Leave;
import org.pavilion.queue.QueueEvent.Ready;

/**
 * SPEC §4.9 in the engine: what each assignment earned by waiting is settled once, from the server's
 * clock, closed at promotion (whatever the page says), capped at the session's longest paid wait, and
 * fixed at expiry for assignments still open.
 */
class QueueEnginePayTest {

    static final Thresholds ONE_ACTIVE = new Thresholds(1, 0, 1, 2);
    static final PayRules RULES = new PayRules(725, Duration.ofMinutes(1)); // $7.25/h, at most a minute paid
    static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

    final QueueEngine engine = new QueueEngine(ONE_ACTIVE, true, QueueEngine.UNLIMITED_HIRES, RULES);
    final List<TimedFact> log = new ArrayList<>();

    Outcome at(long seconds, QueueEvent event) {
        Instant t = T0.plusMillis(seconds * 1000);
        Outcome o = engine.apply(event, t);
        o.facts().forEach(f -> log.add(new TimedFact(f, t)));
        return o;
    }

    void join(long seconds, String worker, String assignment) {
        at(seconds, new Confirm(assignment, "HIT", worker));
        at(seconds, new Arrive(worker, assignment));
    }

    List<PayDue> paid(Outcome o) {
        return o.facts().stream().filter(PayDue.class::isInstance).map(PayDue.class::cast).toList();
    }

    @Test
    void aPageThatNeverSendsIAmReadyIsPaidOnlyUpToItsPromotion() {
        join(0, "w1", "A1"); // starts the session: active at once
        join(10, "w2", "A2"); // waits
        at(35, new Leave("w1", "A1", Departure.SUBMIT)); // w2 promoted at 35 s: waited 25 s
        // w2's page never says IAmReady; it works 100 s more and submits
        Outcome o = at(135, new Leave("w2", "A2", Departure.SUBMIT));
        // 25 s at $7.25/h = 5.03 cents: 5, rounded once
        assertThat(paid(o)).containsExactly(new PayDue("w2", "A2", Ending.SUBMITTED, 25_000, 5));
    }

    @Test
    void iAmReadyChangesNothingInPay() {
        join(0, "w1", "A1");
        join(10, "w2", "A2");
        at(35, new Leave("w1", "A1", Departure.SUBMIT));
        at(80, new Ready("w2")); // late: the wait closed at 35 s anyway
        assertThat(paid(at(90, new Leave("w2", "A2", Departure.SUBMIT))))
                .containsExactly(new PayDue("w2", "A2", Ending.SUBMITTED, 25_000, 5));
    }

    @Test
    void aWaitReachingTheLongestPaidWaitIsCappedOnceAndThePageAskedToSubmit() {
        join(0, "w1", "A1");
        join(10, "w2", "A2");
        assertThat(at(60, new CapWaits()).facts()).isEmpty(); // 50 s: not yet
        Outcome o = at(75, new CapWaits()); // 65 s
        assertThat(o.facts()).containsExactly(new WaitCapped("w2"));
        assertThat(o.decisions()).contains(new TellWorker("w2", new Message.Stop()));
        assertThat(at(90, new CapWaits()).decisions()).isEmpty(); // told once
        // promoted later, it is paid exactly the longest paid wait
        at(100, new Leave("w1", "A1", Departure.SUBMIT));
        Outcome submitted = at(120, new Leave("w2", "A2", Departure.SUBMIT));
        assertThat(paid(submitted)).containsExactly(new PayDue("w2", "A2", Ending.SUBMITTED, 60_000, 12));
        assertReplayAgrees("w2", T0.plusSeconds(500));
    }

    @Test
    void aReturnedAssignmentIsSettledAsReturnedWithWhatItEarned() {
        join(0, "w1", "A1");
        join(0, "w2", "A2");
        Outcome o = at(40, new Leave("w2", "A2", Departure.RETURN));
        assertThat(paid(o)).containsExactly(new PayDue("w2", "A2", Ending.RETURNED, 40_000, 8));
    }

    @Test
    void expiryFixesOpenAssignmentsAndTheirLaterEndingKeepsTheAmount() {
        join(0, "w1", "A1");
        join(0, "w2", "A2");
        Outcome expired = at(30, new QueueEvent.Expire("admin"));
        assertThat(paid(expired)).containsExactly(new PayDue("w1", "A1", Ending.SESSION_ENDED, 0, 0),
                new PayDue("w2", "A2", Ending.SESSION_ENDED, 30_000, 6));
        // the page obeys "stop" and submits long after: the same amount, now payable
        assertThat(paid(at(600, new Leave("w2", "A2", Departure.SUBMIT))))
                .containsExactly(new PayDue("w2", "A2", Ending.SUBMITTED, 30_000, 6));
        assertReplayAgrees("w2", T0.plusSeconds(900));
    }

    @Test
    void aRepeatWorkersSecondAssignmentIsPaidOnlyItsOwnWait() {
        join(0, "w1", "A1");
        join(0, "w2", "A2");
        assertThat(paid(at(20, new Leave("w2", "A2", Departure.SUBMIT))))
                .containsExactly(new PayDue("w2", "A2", Ending.SUBMITTED, 20_000, 4));
        join(100, "w2", "A2b"); // allowed to repeat; waits again
        assertThat(paid(at(130, new Leave("w2", "A2b", Departure.SUBMIT))))
                .containsExactly(new PayDue("w2", "A2b", Ending.SUBMITTED, 30_000, 6));
    }

    void assertReplayAgrees(String worker, Instant at) {
        QueueEngine replayed = QueueEngine.replay(ONE_ACTIVE, true, QueueEngine.UNLIMITED_HIRES, RULES, log);
        assertThat(replayed.snapshot()).isEqualTo(engine.snapshot());
        assertThat(replayed.paidWaitMillis(worker, at)).isEqualTo(engine.paidWaitMillis(worker, at));
    }
}
