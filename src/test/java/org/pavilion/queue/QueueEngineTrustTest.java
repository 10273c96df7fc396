package org.pavilion.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.queue.Decision.Admit;
import org.pavilion.queue.Decision.AssignmentConfirmed;
import org.pavilion.queue.Decision.AssignmentReleased;
import org.pavilion.queue.Decision.AwaitConfirmation;
import org.pavilion.queue.Decision.Cause;
import org.pavilion.queue.Decision.Ending;
import org.pavilion.queue.Decision.PayDue;
import org.pavilion.queue.Decision.Hire;
import org.pavilion.queue.Decision.HireBudgetChanged;
import org.pavilion.queue.Decision.HireWithheld;
import org.pavilion.queue.Decision.StatusChange;
import org.pavilion.queue.Decision.SubmissionConfirmed;
import org.pavilion.queue.QueueEngine.TimedFact;
import org.pavilion.queue.QueueEvent.Arrive;
import org.pavilion.queue.QueueEvent.Confirm;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueEvent.Leave;
import org.pavilion.queue.QueueEvent.Release;
import org.pavilion.queue.QueueEvent.SetHireBudget;

/**
 * SPEC §4.1.0 and §4.2 as an attacker tries them: only assignments the marketplace confirmed admit
 * anyone, a worker is bound by its assignment, a page's submit spends no money until the marketplace
 * confirms it, and the hire budget stops hiring visibly.
 */
class QueueEngineTrustTest {

    static final Thresholds SMALL = new Thresholds(1, 0, 1, 1);
    static final String HIT = "HIT-1";

    QueueEngine engine;
    Instant clock;
    final List<TimedFact> log = new ArrayList<>();

    @BeforeEach
    void setUp() {
        use(QueueEngine.UNLIMITED_HIRES);
    }

    void use(int budget) {
        engine = new QueueEngine(SMALL, false, budget);
        clock = Instant.parse("2025-03-01T12:00:00Z");
        log.clear();
    }

    Outcome apply(QueueEvent event) {
        clock = clock.plusSeconds(1);
        Outcome outcome = engine.apply(event, clock);
        outcome.facts().forEach(f -> log.add(new TimedFact(f, clock)));
        return outcome;
    }

    void assertReplayMatches() {
        QueueEngine replayed = QueueEngine.replay(SMALL, false, initialBudget, log);
        assertThat(replayed.snapshot()).isEqualTo(engine.snapshot());
    }

    int initialBudget = QueueEngine.UNLIMITED_HIRES;

    @Test
    void anUnconfirmedClaimWaitsAndChangesNothing() {
        QueueSnapshot before = engine.snapshot();
        Outcome o = apply(new Arrive("w1", "A1"));
        assertThat(o.decisions()).containsExactly(new AwaitConfirmation("w1", "A1"));
        assertThat(o.changesState()).isFalse();
        assertThat(engine.snapshot()).isEqualTo(before);
        assertThat(engine.statusOf("w1")).isNull();
    }

    @Test
    void aConfirmedAssignmentAdmitsItsWorker() {
        Outcome c = apply(new Confirm("A1", HIT, "w1"));
        assertThat(c.facts()).containsExactly(new AssignmentConfirmed("A1", HIT, "w1"));
        Outcome o = apply(new Arrive("w1", "A1"));
        assertThat(o.decisions()).contains(new Admit("w1", "A1"));
        assertThat(engine.statusOf("w1")).isEqualTo(WorkerStatus.ACTIVE); // minActive 1: starts at once
        // A repeated notification changes nothing.
        assertThat(apply(new Confirm("A1", HIT, "w1")).changesState()).isFalse();
        assertReplayMatches();
    }

    @Test
    void anAssignmentConfirmedForOneWorkerAdmitsNoOther() {
        apply(new Confirm("A1", HIT, "victim"));
        QueueSnapshot before = engine.snapshot();
        assertThatThrownBy(() -> apply(new Arrive("attacker", "A1"))).isInstanceOf(NotYourAssignmentException.class);
        assertThat(engine.snapshot()).isEqualTo(before);
        assertThat(apply(new Arrive("victim", "A1")).decisions()).contains(new Admit("victim", "A1"));
    }

    @Test
    void withoutAWorkerNamedTheFirstArrivalHoldsTheAssignment() {
        apply(new Confirm("A1", HIT, null)); // MTurk's notifications need not name the worker
        apply(new Arrive("w1", "A1"));
        assertThat(engine.isConfirmedFor("w1", "A1", HIT)).isTrue();
        assertThat(engine.isConfirmedFor("w2", "A1", HIT)).isFalse();
        QueueSnapshot before = engine.snapshot();
        assertThatThrownBy(() -> apply(new Arrive("w2", "A1"))).isInstanceOf(NotYourAssignmentException.class);
        assertThat(engine.snapshot()).isEqualTo(before);
    }

    @Test
    void aVictimsWorkerIdWithAMadeUpAssignmentNeitherLocksOutNorActs() {
        apply(new Confirm("A-victim", HIT, null));
        apply(new Arrive("victim", "A-victim"));
        QueueSnapshot before = engine.snapshot();
        // The attacker knows the victim's WorkerId (and the public HIT id), not a confirmed assignment.
        Outcome o = apply(new Arrive("victim", "A-made-up"));
        assertThat(o.decisions()).containsExactly(new AwaitConfirmation("victim", "A-made-up"));
        assertThat(engine.snapshot()).isEqualTo(before);
        // A departure naming the made-up assignment is about an assignment the victim does not hold.
        assertThat(apply(new Leave("victim", "A-made-up", Departure.RETURN)).changesState()).isFalse();
        // The victim's own page still gets in (a reload): re-admitted, not refused.
        assertThat(apply(new Arrive("victim", "A-victim")).decisions()).contains(new Admit("victim", "A-victim"));
        assertThat(engine.snapshot()).isEqualTo(before);
    }

    @Test
    void aWorkerWithTwoConfirmedAssignmentsIsAdmittedOnce() {
        apply(new Confirm("A1", HIT, "w1"));
        apply(new Confirm("A2", "HIT-2", "w1"));
        apply(new Arrive("w1", "A1"));
        QueueSnapshot before = engine.snapshot();
        assertThatThrownBy(() -> apply(new Arrive("w1", "A2"))).isInstanceOf(DuplicateAssignmentException.class);
        assertThat(engine.snapshot()).isEqualTo(before);
    }

    @Test
    void aPagesSubmitFreesTheSlotAtOnceButHiresOnlyOnConfirmation() {
        admit("w1", "A1"); // active
        admit("w2", "A2"); // waiting
        Outcome claimed = apply(Leave.claimedByPage("w1", "A1", Departure.SUBMIT));
        assertThat(claimed.hires()).isEmpty();
        assertThat(engine.statusOf("w1")).isEqualTo(WorkerStatus.SUBMITTED);
        assertThat(engine.statusOf("w2")).isEqualTo(WorkerStatus.ACTIVE); // promoted at once

        Outcome confirmed = apply(new Leave("w1", "A1", Departure.SUBMIT));
        assertThat(confirmed.facts()).containsExactly(new SubmissionConfirmed("w1", "A1"),
                new PayDue("w1", "A1", Ending.SUBMITTED, 0, 0), new Hire(1, "w1", Cause.SUBMITTED));
        // Reconciliation or a duplicate notification reports it again: nothing more.
        assertThat(apply(new Leave("w1", "A1", Departure.SUBMIT)).changesState()).isFalse();
        assertReplayMatches();
    }

    @Test
    void aPageThatSubmitsAndThenReturnsTheHitHiresNobody() {
        admit("w1", "A1");
        apply(Leave.claimedByPage("w1", "A1", Departure.SUBMIT));
        Outcome returned = apply(new Leave("w1", "A1", Departure.RETURN));
        assertThat(returned.facts()).containsExactly(new StatusChange("w1", "A1", WorkerStatus.SUBMITTED,
                WorkerStatus.RETURNED, Cause.RETURNED, 0), new PayDue("w1", "A1", Ending.RETURNED, 0, 0));
        assertThat(returned.hires()).isEmpty();
        assertThat(apply(new Leave("w1", "A1", Departure.SUBMIT)).hires()).isEmpty();
        assertThat(engine.snapshot().hires()).isZero();
        assertReplayMatches();
    }

    @Test
    void claimsOfPagesNeverHireHowEverManyTheyAre() {
        for (int i = 0; i < 100; i++) {
            String worker = "fake" + i;
            Outcome o = apply(new Arrive(worker, "A-" + worker));
            assertThat(o.decisions()).containsExactly(new AwaitConfirmation(worker, "A-" + worker));
            assertThatThrownBy(() -> apply(Leave.claimedByPage(worker, "A-" + worker, Departure.SUBMIT)))
                    .isInstanceOf(UnknownWorkerException.class);
        }
        assertThat(engine.snapshot().hires()).isZero();
        assertThat(log).isEmpty();
    }

    @Test
    void theHireBudgetWithholdsHiresVisiblyAndRaisingItMakesThem() {
        initialBudget = 1;
        use(1);
        admit("w1", "A1");
        admit("w2", "A2");
        assertThat(apply(new Leave("w1", "A1", Departure.SUBMIT)).hires()).containsExactly(new Hire(1, "w1",
                Cause.SUBMITTED));
        Outcome over = apply(new Leave("w2", "A2", Departure.SUBMIT));
        assertThat(over.hires()).isEmpty();
        assertThat(over.facts()).contains(new HireWithheld("w2", 1));
        assertThat(engine.snapshot().withheldHires()).isEqualTo(1);

        QueueSnapshot before = engine.snapshot();
        assertThatThrownBy(() -> apply(new SetHireBudget(0, "admin"))).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("lower than the 1 hires already made");
        assertThat(engine.snapshot()).isEqualTo(before);
        Outcome raised = apply(new SetHireBudget(5, "admin"));
        assertThat(raised.facts()).containsExactly(new HireBudgetChanged(5), new Hire(2, "w2", Cause.BUDGET_RAISED));
        assertThat(engine.snapshot().withheldHires()).isZero();
        assertThat(engine.hireBudget()).isEqualTo(5);
        assertReplayMatches();
    }

    @Test
    void aDisconnectIsReplacedWithinTheHireBudgetAndNeverTwice() {
        initialBudget = 1;
        use(1);
        admit("w1", "A1"); // active
        admit("w2", "A2"); // waiting
        Outcome first = apply(new Leave("w1", "A1", Departure.DISCONNECT));
        assertThat(first.hires()).containsExactly(new Hire(1, "w1", Cause.DISCONNECTED));
        assertThat(engine.statusOf("w2")).isEqualTo(WorkerStatus.ACTIVE);

        // The budget is used up: the next disconnect's replacement is withheld, visibly.
        Outcome over = apply(new Leave("w2", "A2", Departure.DISCONNECT));
        assertThat(over.hires()).isEmpty();
        assertThat(over.facts()).contains(new HireWithheld("w2", 1));
        assertThat(engine.snapshot().withheldHires()).isEqualTo(1);

        // The marketplace reports their submissions later: the replacements are decided already.
        for (String[] w : new String[][] {{"w1", "A1"}, {"w2", "A2"}}) {
            Outcome late = apply(new Leave(w[0], w[1], Departure.SUBMIT));
            assertThat(late.facts()).contains(new SubmissionConfirmed(w[0], w[1]));
            assertThat(late.facts()).noneMatch(f -> f instanceof Hire || f instanceof HireWithheld);
        }
        assertThat(engine.snapshot().withheldHires()).isEqualTo(1);

        Outcome raised = apply(new SetHireBudget(5, "admin"));
        assertThat(raised.facts()).containsExactly(new HireBudgetChanged(5), new Hire(2, "w2", Cause.BUDGET_RAISED));
        assertThat(engine.snapshot().hires()).isEqualTo(2);
        assertReplayMatches();
    }

    @Test
    void aWorkerWhoRejoinsBeforeItsWithheldReplacementIsMadeNeedsNone() {
        initialBudget = 0;
        use(0);
        admit("w1", "A1");
        assertThat(apply(new Leave("w1", "A1", Departure.DISCONNECT)).facts()).contains(new HireWithheld("w1", 0));
        assertThat(engine.snapshot().withheldHires()).isEqualTo(1);

        // It comes back with its assignment: nobody need replace it, so the withheld hire is dropped.
        Outcome back = apply(new Arrive("w1", "A1"));
        assertThat(back.statusChanges().get(0).cause()).isEqualTo(Cause.REJOINED);
        assertThat(engine.snapshot().withheldHires()).isZero();
        assertThat(engine.statusOf("w1")).isEqualTo(WorkerStatus.ACTIVE);

        // Its submission is then replaced as any other: withheld now, made when the budget is raised, once.
        assertThat(apply(new Leave("w1", "A1", Departure.SUBMIT)).facts()).contains(new HireWithheld("w1", 0));
        Outcome raised = apply(new SetHireBudget(3, "admin"));
        assertThat(raised.facts()).containsExactly(new HireBudgetChanged(3), new Hire(1, "w1", Cause.BUDGET_RAISED));
        assertThat(engine.snapshot().withheldHires()).isZero();
        assertReplayMatches();
    }

    @Test
    void aReleasedConfirmationAdmitsNobody() {
        apply(new Confirm("A1", HIT, null));
        assertThat(apply(new Release("A1")).facts()).containsExactly(new AssignmentReleased("A1"));
        assertThat(apply(new Arrive("w1", "A1")).decisions()).containsExactly(new AwaitConfirmation("w1", "A1"));
        assertReplayMatches();
    }

    @Test
    void aHeldAssignmentIsNotReleasedButAReturnFreesItForItsNextWorker() {
        admit("w1", "A1");
        assertThat(apply(new Release("A1")).changesState()).isFalse();
        apply(new Leave("w1", "A1", Departure.RETURN));
        assertThat(engine.isConfirmed("A1")).isFalse();
        apply(new Confirm("A1", HIT, "w2")); // MTurk hands the assignment id to another worker
        assertThat(apply(new Arrive("w2", "A1")).decisions()).contains(new Admit("w2", "A1"));
        assertReplayMatches();
    }

    private void admit(String worker, String assignment) {
        apply(new Confirm(assignment, HIT, worker));
        assertThat(apply(new Arrive(worker, assignment)).decisions()).contains(new Admit(worker, assignment));
    }
}
