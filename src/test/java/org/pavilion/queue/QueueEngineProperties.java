package org.pavilion.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.pavilion.queue.Decision.Cause;
import org.pavilion.queue.Decision.Hire;
import org.pavilion.queue.Decision.Ignored;
import org.pavilion.queue.Decision.Phase;
import org.pavilion.queue.Decision.PhaseChange;
import org.pavilion.queue.Decision.StatusChange;
import org.pavilion.queue.Decision.TellWorker;
import org.pavilion.queue.Decision.WaitingClosed;
import org.pavilion.queue.QueueEngine.TimedFact;
import org.pavilion.queue.QueueEvent.Arrive;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueEvent.Expire;
import org.pavilion.queue.QueueEvent.Leave;
import org.pavilion.queue.QueueEvent.Migrate;
import org.pavilion.queue.QueueEvent.Ready;
import org.pavilion.queue.QueueEvent.Stop;
import org.pavilion.queue.QueueSnapshot.WorkerView;

/**
 * Random sessions: random valid thresholds, random repeat policy, random event sequences over a
 * small worker pool. After every event the SPEC §4 invariants, a rule-by-rule model of what the
 * event must do (decided from the snapshot before it), the hires, the waiting-pay periods, and the
 * equality with a replay of the logged facts are checked. A refused event must change nothing.
 */
class QueueEngineProperties {

    static final List<String> WORKERS = List.of("w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8");
    static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

    @Property(tries = 500)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF) // the coverage checks below still apply
    void everyEventFollowsTheRules(@ForAll("thresholds") Thresholds thresholds, @ForAll boolean allowRepeat,
                                   @ForAll("events") List<QueueEvent> events) {
        Run run = new Run(thresholds, allowRepeat);
        for (QueueEvent event : events) {
            run.step(event);
        }
        Statistics.label("session full (an arrival refused as full)").collect(run.sawFullRefusal);
        Statistics.label("started").collect(run.engine.isStarted());
        Statistics.label("hires").collect(run.hires == 0 ? "0" : run.hires < 3 ? "1-2" : "3+");
        Statistics.label("promotion on an active departure").collect(run.sawPromotionOnLeave);
        Statistics.label("rejoin").collect(run.sawRejoin);
        Statistics.label("forced migrate past maxActive").collect(run.sawForcedOverflow);
        Statistics.label("disconnect replaced").collect(run.sawDisconnectHire);
        Statistics.label("late submit of a replaced worker hired nobody").collect(run.sawLateSubmitCovered);
        Statistics.label("stale assignment id ignored").collect(run.sawStaleLeave);

        // The generators must reach the interesting states often enough for the checks to mean something.
        Statistics.label("session full (an arrival refused as full)")
                .coverage(c -> c.check(true).percentage(p -> p >= 5));
        Statistics.label("promotion on an active departure").coverage(c -> c.check(true).percentage(p -> p >= 10));
        Statistics.label("rejoin").coverage(c -> c.check(true).percentage(p -> p >= 5));
        Statistics.label("forced migrate past maxActive").coverage(c -> c.check(true).percentage(p -> p >= 3));
        Statistics.label("hires").coverage(c -> c.check("0").percentage(p -> p <= 75));
        Statistics.label("disconnect replaced").coverage(c -> c.check(true).percentage(p -> p >= 10));
        Statistics.label("late submit of a replaced worker hired nobody")
                .coverage(c -> c.check(true).percentage(p -> p >= 2));
        Statistics.label("stale assignment id ignored").coverage(c -> c.check(true).percentage(p -> p >= 10));
    }

    // ---- generators -----------------------------------------------------------------------------

    @Provide
    Arbitrary<Thresholds> thresholds() {
        // 1..6 (0..6 for minWaiting), weighted towards small values so that sessions often fill up
        // with the small worker pool.
        Arbitrary<Integer> positive = Arbitraries.frequency(Tuple.of(6, 1), Tuple.of(6, 2), Tuple.of(4, 3),
                Tuple.of(2, 4), Tuple.of(1, 5), Tuple.of(1, 6));
        Arbitrary<Integer> natural = Arbitraries.oneOf(Arbitraries.just(0), positive);
        // Sorting each pair makes every combination valid: min <= max, maxWaiting >= 1.
        return Combinators.combine(positive, positive, natural, positive).as((a, b, c, d) ->
                new Thresholds(Math.min(a, b), Math.min(c, d), Math.max(a, b), Math.max(c, d)));
    }

    @Provide
    Arbitrary<List<QueueEvent>> events() {
        Arbitrary<String> worker = Arbitraries.of(WORKERS);
        // Mostly one assignment per worker, sometimes the other: stale ids and repeats both occur.
        Arbitrary<String> assignment = Arbitraries.frequency(Tuple.of(4, "a"), Tuple.of(1, "b"));
        Arbitrary<QueueEvent> arrive = Combinators.combine(worker, assignment).as((w, a) -> new Arrive(w, w + "-" + a));
        Arbitrary<QueueEvent> ready = worker.map(Ready::new);
        Arbitrary<Departure> how = Arbitraries.frequency(Tuple.of(3, Departure.SUBMIT), Tuple.of(2, Departure.RETURN),
                Tuple.of(1, Departure.ABANDON), Tuple.of(2, Departure.DISCONNECT));
        Arbitrary<String> leaveAssignment = Arbitraries.frequency(Tuple.of(3, ""), Tuple.of(3, "a"), Tuple.of(1, "b"));
        Arbitrary<QueueEvent> leave = Combinators.combine(worker, leaveAssignment, how)
                .as((w, a, h) -> new Leave(w, a.isEmpty() ? null : w + "-" + a, h));
        Arbitrary<QueueEvent> migrate = Combinators.combine(Arbitraries.integers().between(1, 4),
                Arbitraries.of(false, true)).as((n, force) -> new Migrate(n, force, "admin"));
        Arbitrary<List<QueueEvent>> body = Arbitraries.frequencyOf(
                        Tuple.of(10, arrive),
                        Tuple.of(2, ready),
                        Tuple.of(8, leave),
                        Tuple.of(1, migrate))
                .list().ofMinSize(1).ofMaxSize(60).withSizeDistribution(RandomDistribution.uniform());
        // Stop and expire end most of what is interesting, so each is placed at most once, at a random
        // position, in about half the sessions (an index past the end means "not in this session").
        // Repeated stops/expires are still generated: the second copy lands right after the first.
        Arbitrary<Integer> position = Arbitraries.integers().between(0, 120).withDistribution(RandomDistribution.uniform());
        return Combinators.combine(body, position, position, Arbitraries.integers().between(0, 3))
                .as((events, stopAt, expireAt, twice) -> {
                    List<QueueEvent> list = new ArrayList<>(events);
                    if (stopAt <= list.size()) {
                        list.add(stopAt, new Stop("admin"));
                        if (twice == 0) {
                            list.add(stopAt, new Stop("admin"));
                        }
                    }
                    if (expireAt <= list.size()) {
                        list.add(expireAt, new Expire("admin"));
                        if (twice == 1) {
                            list.add(expireAt, new Expire("admin"));
                        }
                    }
                    return list;
                })
                // Edge cases (tiny lists) would crowd out long sessions.
                .withoutEdgeCases();
    }

    // ---- one random session --------------------------------------------------------------------

    static final class Run {
        final Thresholds t;
        final boolean allowRepeat;
        final QueueEngine engine;
        final List<TimedFact> log = new ArrayList<>();
        /** Every worker that ever entered the session (a StatusChange was decided for it). */
        final Set<String> joined = new HashSet<>();
        /** Independent model of the waiting-pay periods: open since, and closed milliseconds. */
        final Map<String, Instant> openSince = new HashMap<>();
        final Map<String, Long> waited = new HashMap<>();
        Instant now = T0;
        int step;
        int hires;
        boolean forcedEver;
        boolean sawFullRefusal;
        boolean sawPromotionOnLeave;
        boolean sawRejoin;
        boolean sawForcedOverflow;
        boolean sawDisconnectHire;
        boolean sawLateSubmitCovered;
        /** Workers whose current assignment was replaced at a disconnect (SPEC §4.7): it is never replaced again. */
        final Set<String> replaced = new HashSet<>();
        boolean sawStaleLeave;

        Run(Thresholds t, boolean allowRepeat) {
            this.t = t;
            this.allowRepeat = allowRepeat;
            this.engine = new QueueEngine(t, allowRepeat);
        }

        QueueSnapshot before() {
            return engine.snapshot();
        }

        void step(QueueEvent event) {
            step++;
            now = now.plusMillis(1_000L + 37L * step); // strictly increasing, uneven gaps
            if (event instanceof Arrive a && !before().expired() && !engine.isConfirmed(a.assignmentId())) {
                // SPEC §4.1.0: the marketplace confirms an assignment before a page can arrive with it.
                for (Decision.Fact f : engine.apply(new QueueEvent.Confirm(a.assignmentId(), "HIT-1", null), now).facts()) {
                    log.add(new TimedFact(f, now));
                }
            }
            QueueSnapshot before = engine.snapshot();
            Class<? extends PavilionException> refusal = expectedRefusal(before, event);
            Outcome outcome;
            try {
                outcome = engine.apply(event, now);
            } catch (PavilionException e) {
                assertThat(engine.snapshot()).as("a refused %s changes nothing", event).isEqualTo(before);
                assertThat(refusal).as("%s was refused with %s", event, e).isNotNull();
                assertThat(e).isInstanceOf(refusal);
                return;
            }
            assertThat(refusal).as("%s should have been refused", event).isNull();
            for (Decision.Fact f : outcome.facts()) {
                log.add(new TimedFact(f, now));
            }
            outcome.statusChanges().forEach(c -> joined.add(c.workerId()));
            QueueSnapshot after = engine.snapshot();
            String context = "after " + event + " in " + t + " allowRepeat=" + allowRepeat;

            checkInvariants(event, before, after, context);
            checkFifoPromotions(before, after, outcome, context);
            checkEvent(event, before, after, outcome, context);
            checkMessages(event, before, after, outcome, context);
            checkHires(event, before, after, outcome, context);
            checkWaitingPay(after, outcome, context);
            assertThat(QueueEngine.replay(t, allowRepeat, log).snapshot()).as("replay " + context).isEqualTo(after);
        }

        /** The exception an event must be refused with, or null if it must be accepted. */
        Class<? extends PavilionException> expectedRefusal(QueueSnapshot b, QueueEvent event) {
            if (b.expired()) {
                // SPEC §4.9: the marketplace's reports of departures are still recorded after expiry
                if (event instanceof Leave l && l.confirmed() && l.how() != Departure.DISCONNECT) {
                    return b.workers().containsKey(l.workerId()) ? null : UnknownWorkerException.class;
                }
                return SessionEndedException.class;
            }
            if (event instanceof Ready r) {
                WorkerView w = b.workers().get(r.workerId());
                if (w == null) {
                    return UnknownWorkerException.class;
                }
                return w.status() == WorkerStatus.ACTIVE ? null : InvalidEventException.class;
            }
            if (event instanceof Leave l && !b.workers().containsKey(l.workerId())) {
                return UnknownWorkerException.class;
            }
            if (event instanceof Arrive e && b.workers().containsKey(e.workerId())) {
                WorkerView w = b.workers().get(e.workerId());
                if (w.status().inQueue() && !w.assignmentId().equals(e.assignmentId())) {
                    return DuplicateAssignmentException.class; // two confirmed assignments of one worker
                }
            }
            return null;
        }

        // §4: the invariants that hold after every event.
        void checkInvariants(QueueEvent event, QueueSnapshot b, QueueSnapshot a, String context) {
            boolean forcedNow = event instanceof Migrate m && m.force();
            forcedEver |= forcedNow;
            if (!forcedEver) {
                assertThat(a.active().size()).as("active <= maxActive " + context).isLessThanOrEqualTo(t.maxActive());
            }
            if (!forcedNow) { // only a forced migrate may take active past maxActive, or further past it
                assertThat(a.active().size()).as("active grew past maxActive " + context)
                        .isLessThanOrEqualTo(Math.max(t.maxActive(), b.active().size()));
            }
            sawForcedOverflow |= a.active().size() > t.maxActive();

            // SPEC conflict (reported): with minActive > maxWaiting + 1 the queue must hold minActive
            // workers before arrivals can start the session, so it passes maxWaiting before the start;
            // no event may make it grow past maxWaiting otherwise.
            boolean conflict = t.minActive() > t.maxWaiting() + 1;
            if (a.waiting().size() > t.maxWaiting()) {
                assertThat(conflict && (!b.started() || a.waiting().size() <= b.waiting().size()))
                        .as("waiting %s > maxWaiting %s", a.waiting(), context).isTrue();
                assertThat(a.waiting().size()).as("before the start " + context).isLessThan(t.minActive());
            }

            assertThat(a.waiting()).as("no duplicates " + context).doesNotHaveDuplicates();
            assertThat(a.active()).as("no duplicates " + context).doesNotHaveDuplicates();
            assertThat(java.util.Collections.disjoint(a.waiting(), a.active())).as("in both queues " + context).isTrue();

            assertThat(a.workers().keySet()).as("every worker who joined is accounted for " + context)
                    .isEqualTo(joined);
            assertThat(a.workers().values()).allSatisfy(v -> assertThat(v.status()).isNotNull());
            assertThat(Set.copyOf(a.waiting())).as("waiting list == status WAITING " + context)
                    .isEqualTo(withStatus(a, WorkerStatus.WAITING));
            assertThat(Set.copyOf(a.active())).as("active list == status ACTIVE " + context)
                    .isEqualTo(withStatus(a, WorkerStatus.ACTIVE));
            assertThat(orders(a, a.waiting())).as("waiting queue in order of joining " + context).isSorted();
            assertThat(orders(a, a.active())).as("active queue in order of promotion " + context).isSorted();

            assertThat(!b.started() || a.started()).as("started never reverts " + context).isTrue();
            assertThat(!b.stopped() || a.stopped()).as("stopped never reverts " + context).isTrue();
        }

        /**
         * Walks the event's status changes over the waiting queue as it was before the event: each
         * promoted worker must be the oldest waiting at that moment, and the walk must end in the
         * engine's waiting queue.
         */
        void checkFifoPromotions(QueueSnapshot b, QueueSnapshot a, Outcome o, String context) {
            List<String> queue = new ArrayList<>(b.waiting());
            for (StatusChange c : o.statusChanges()) {
                if (c.from() == WorkerStatus.WAITING && c.to() == WorkerStatus.ACTIVE) {
                    assertThat(queue).as("promoted " + c.workerId() + " " + context).isNotEmpty();
                    assertThat(queue.get(0)).as("promotion is FIFO " + context).isEqualTo(c.workerId());
                    queue.remove(0);
                } else if (c.from() == WorkerStatus.WAITING) {
                    queue.remove(c.workerId());
                }
                if (c.to() == WorkerStatus.WAITING) {
                    queue.add(c.workerId());
                }
            }
            assertThat(a.waiting()).as("waiting queue " + context).containsExactlyElementsOf(queue);
        }

        /** What this particular event must have decided, derived from the state before it. */
        void checkEvent(QueueEvent event, QueueSnapshot b, QueueSnapshot a, Outcome o, String context) {
            List<String> promoted = promoted(o);
            if (b.stopped() && !(event instanceof Migrate)) {
                assertThat(promoted).as("no promotion after stop " + context).isEmpty();
            }
            if (event instanceof Arrive e) {
                checkArrive(e, b, a, o, promoted, context);
            } else if (event instanceof Ready e) {
                if (b.workers().get(e.workerId()).ready()) {
                    assertIgnored(o, context);
                } else {
                    assertThat(o.decisions()).as(context).containsExactly(new WaitingClosed(e.workerId()));
                    assertThat(a.workers().get(e.workerId()).ready()).isTrue();
                }
            } else if (event instanceof Leave e) {
                checkLeave(e, b, a, o, promoted, context);
            } else if (event instanceof Stop) {
                if (b.stopped()) {
                    assertIgnored(o, context);
                } else {
                    assertThat(o.facts()).as(context).containsExactly(new PhaseChange(Phase.STOPPED));
                    assertThat(a.stopped()).isTrue();
                }
            } else if (event instanceof Expire) {
                // SPEC §4.9: every open assignment's waiting pay is fixed at expiry
                List<String> expected = new ArrayList<>();
                expected.add("EXPIRED");
                b.workers().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .filter(w -> w.getValue().status().inQueue() || w.getValue().status() == WorkerStatus.DISCONNECTED)
                        .forEach(w -> expected.add(w.getKey() + "/" + w.getValue().assignmentId() + "/SESSION_ENDED"));
                assertThat(o.facts().stream().map(f -> f instanceof Decision.PayDue p
                        ? p.workerId() + "/" + p.assignmentId() + "/" + p.ending() : ((PhaseChange) f).phase().name()))
                        .as(context).containsExactlyElementsOf(expected);
                for (Decision.Fact f : o.facts()) {
                    if (f instanceof Decision.PayDue p) { // never more than the worker waited in all
                        long open = openSince.containsKey(p.workerId())
                                ? Duration.between(openSince.get(p.workerId()), now).toMillis() : 0;
                        assertThat(p.waitedMillis()).as(context).isBetween(0L,
                                waited.getOrDefault(p.workerId(), 0L) + open);
                    }
                }
                assertThat(a.expired()).isTrue();
                assertThat(a.waiting()).isEqualTo(b.waiting());
                assertThat(a.active()).isEqualTo(b.active());
            } else if (event instanceof Migrate e) {
                int room = e.force() ? Integer.MAX_VALUE : Math.max(0, t.maxActive() - b.active().size());
                int expected = Math.min(e.count(), Math.min(room, b.waiting().size()));
                assertThat(promoted).as("migrated " + context).hasSize(expected);
                assertThat(o.statusChanges()).allSatisfy(c -> assertThat(c.cause()).isEqualTo(Cause.MIGRATED));
                assertThat(a.started()).as("migrate marks the session started").isTrue();
                assertThat(o.facts().contains(new PhaseChange(Phase.STARTED))).isEqualTo(!b.started());
            }
        }

        void checkArrive(Arrive e, QueueSnapshot b, QueueSnapshot a, Outcome o, List<String> promoted,
                         String context) {
            String id = e.workerId();
            WorkerView known = b.workers().get(id);
            if (known != null && known.status().inQueue()) { // 4.1.1
                assertThat(o.changesState()).as("a reload changes nothing " + context).isFalse();
                assertThat(a).isEqualTo(b);
                return;
            }
            boolean full = b.waiting().size() >= t.maxWaiting() && b.active().size() >= t.maxActive();
            boolean rejoin = known != null && known.status() == WorkerStatus.DISCONNECTED
                    && known.assignmentId().equals(e.assignmentId());
            boolean repeatRefused = known != null && !rejoin && !allowRepeat;
            if (b.stopped() || full || repeatRefused) { // after stop, 4.1.2, 4.1.3
                sawFullRefusal |= full && !b.stopped();
                assertThat(o.changesState()).as("refused arrival " + context).isFalse();
                assertThat(a).isEqualTo(b);
                return;
            }
            // 4.1.4: appended, with the given assignment; 4.7 rejoin keeps its assignment
            sawRejoin |= rejoin;
            StatusChange joinedNow = o.statusChanges().get(0);
            assertThat(joinedNow.workerId()).isEqualTo(id);
            assertThat(joinedNow.assignmentId()).isEqualTo(e.assignmentId());
            assertThat(joinedNow.from()).isEqualTo(known == null ? null : known.status());
            assertThat(joinedNow.to()).isEqualTo(WorkerStatus.WAITING);
            assertThat(joinedNow.cause()).as(context).isEqualTo(rejoin ? Cause.REJOINED : Cause.ARRIVED);
            assertThat(a.workers().get(id).assignmentId()).isEqualTo(e.assignmentId());

            int waitingNow = b.waiting().size() + 1;
            if (!b.started() && waitingNow >= t.minActive()) { // 4.1.5
                assertThat(o.facts()).as(context).contains(new PhaseChange(Phase.STARTED));
                assertThat(promoted).as("start promotes up to maxActive " + context)
                        .hasSize(Math.min(waitingNow, t.maxActive() - b.active().size()));
            } else { // 4.1.6: exactly one if a move is possible, else none
                boolean movePossible = b.started() && waitingNow > t.minWaiting() && b.active().size() < t.maxActive();
                assertThat(promoted).as("4.1.6 " + context).hasSize(movePossible ? 1 : 0);
                assertThat(a.started()).isEqualTo(b.started());
            }
        }

        void checkLeave(Leave e, QueueSnapshot b, QueueSnapshot a, Outcome o, List<String> promoted,
                        String context) {
            WorkerView w = b.workers().get(e.workerId());
            if (e.assignmentId() != null && !e.assignmentId().equals(w.assignmentId())) {
                assertIgnored(o, context); // a stale notification about an earlier assignment
                sawStaleLeave = true;
                return;
            }
            Cause cause = Cause.valueOf(e.how().status().name());
            boolean open = w.status().inQueue() || w.status() == WorkerStatus.DISCONNECTED;
            if (open && e.how() != Departure.DISCONNECT) {
                Decision.Ending ending = Decision.Ending.valueOf(e.how().status().name());
                assertThat(o.facts()).as("pay settled " + context).anySatisfy(f -> assertThat(f)
                        .isInstanceOf(Decision.PayDue.class)
                        .matches(p -> ((Decision.PayDue) p).workerId().equals(e.workerId())
                                && ((Decision.PayDue) p).ending() == ending));
            }
            if (b.expired()) { // SPEC §4.9: status only, no promotion, no hire
                if (!open) {
                    assertIgnored(o, context);
                    return;
                }
                assertThat(o.statusChanges()).as(context).containsExactly(new StatusChange(e.workerId(),
                        w.assignmentId(), w.status(), e.how().status(), cause, 0));
                assertThat(promoted).as("no promotion after expiry " + context).isEmpty();
            } else if (w.status().inQueue()) {
                assertThat(o.statusChanges().get(0)).as(context).isEqualTo(new StatusChange(e.workerId(),
                        w.assignmentId(), w.status(), e.how().status(), cause, 0));
                boolean movePossible = w.status() == WorkerStatus.ACTIVE && !b.stopped() && b.started()
                        && b.waiting().size() > t.minWaiting() && b.active().size() - 1 < t.maxActive();
                assertThat(promoted).as("4.2.2(a)/4.2.3 promote one if possible " + context)
                        .hasSize(movePossible ? 1 : 0);
                sawPromotionOnLeave |= movePossible;
            } else if (w.status() == WorkerStatus.DISCONNECTED && e.how() != Departure.DISCONNECT) {
                // the final status of a worker that dropped out earlier: no queue changes
                assertThat(o.statusChanges()).as(context).containsExactly(new StatusChange(e.workerId(),
                        w.assignmentId(), WorkerStatus.DISCONNECTED, e.how().status(), cause, 0));
                assertThat(a.waiting()).isEqualTo(b.waiting());
                assertThat(a.active()).isEqualTo(b.active());
            } else {
                assertIgnored(o, context); // a duplicate
                return;
            }
            assertThat(a.workers().get(e.workerId()).status()).isEqualTo(e.how().status());
        }

        /** Start messages go to promoted workers (and to an active worker's reload), counts after any change. */
        void checkMessages(QueueEvent event, QueueSnapshot b, QueueSnapshot a, Outcome o, String context) {
            List<String> promoted = promoted(o);
            Map<String, List<Message>> told = new HashMap<>();
            for (Decision d : o.decisions()) {
                if (d instanceof TellWorker tw) {
                    told.computeIfAbsent(tw.workerId(), k -> new ArrayList<>()).add(tw.message());
                }
            }
            Message.WorkerCount count = new Message.WorkerCount(a.waiting().size(), t.maxWaiting()); // SPEC §5
            Message.WorkersStatus status = new Message.WorkersStatus(a.waiting().size(), a.active().size());
            if (event instanceof Arrive e && b.workers().containsKey(e.workerId())
                    && b.workers().get(e.workerId()).status().inQueue()) {
                List<Message> expected = new ArrayList<>(List.of(count, status));
                if (b.workers().get(e.workerId()).status() == WorkerStatus.ACTIVE) {
                    expected.add(new Message.StartYourTask());
                }
                if (b.stopped()) {
                    expected.add(new Message.Stop());
                }
                assertThat(told).as("4.1.1 resend " + context).isEqualTo(Map.of(e.workerId(), expected));
            } else if (event instanceof Arrive e && !a.workers().equals(b.workers())) {
                assertThat(told).as("told on an admitted arrival " + context).isEqualTo(startMessages(promoted));
            } else if (event instanceof Arrive e) {
                assertThat(told.keySet()).as(context).containsExactly(e.workerId());
                assertThat(told.get(e.workerId())).singleElement().isInstanceOf(Message.JobIsFull.class);
            } else {
                assertThat(told).as("told " + context).isEqualTo(startMessages(promoted));
            }

            List<Message> session = new ArrayList<>();
            boolean queuesChanged = !a.waiting().equals(b.waiting()) || !a.active().equals(b.active());
            if (event instanceof Stop && !b.stopped() || event instanceof Expire) {
                session.add(new Message.Stop());
            }
            if (queuesChanged && !b.expired()) {
                session.add(count);
                session.add(status);
            }
            assertThat(o.toldSession()).as("told the session " + context).isEqualTo(session);
        }

        /**
         * Hires, unless stopped or expired, numbered 1, 2, ...: one per assignment a worker held in a queue and
         * left with, decided at the first of its submit (SPEC §4.2) or its disconnect (§4.7, the assignment
         * stays held); a disconnected worker's later submit, and a rejoined one's second disconnect or
         * submit, hire nobody. A new admission (another assignment) starts afresh.
         */
        void checkHires(QueueEvent event, QueueSnapshot b, QueueSnapshot a, Outcome o, String context) {
            Cause hire = null;
            if (event instanceof Leave e && !b.stopped() && !b.expired()) {
                WorkerView w = b.workers().get(e.workerId());
                boolean current = e.assignmentId() == null || e.assignmentId().equals(w.assignmentId());
                boolean wasReplaced = replaced.contains(e.workerId());
                if (current && e.how() == Departure.SUBMIT
                        && (w.status().inQueue() || w.status() == WorkerStatus.DISCONNECTED)) {
                    hire = wasReplaced ? null : Cause.SUBMITTED;
                    sawLateSubmitCovered |= wasReplaced && w.status() == WorkerStatus.DISCONNECTED;
                } else if (current && e.how() == Departure.DISCONNECT && w.status().inQueue()) {
                    hire = wasReplaced ? null : Cause.DISCONNECTED;
                }
            }
            if (hire != null) {
                hires++;
                String worker = ((Leave) event).workerId();
                if (hire == Cause.DISCONNECTED) {
                    replaced.add(worker);
                    sawDisconnectHire = true;
                }
                assertThat(o.hires()).as("hire " + context).containsExactly(new Hire(hires, worker, hire));
            } else {
                assertThat(o.hires()).as("no hire " + context).isEmpty();
            }
            o.statusChanges().stream().filter(c -> c.cause() == Cause.ARRIVED)
                    .forEach(c -> replaced.remove(c.workerId()));
            assertThat(a.hires()).as("hires so far " + context).isEqualTo(hires);
        }

        /**
         * SPEC §4.3: a waiting-pay period runs from entering WAITING to leaving it (a promotion or a
         * departure), or to expiry; IAmReady changes nothing in it. Modelled here independently from
         * the engine's facts.
         */
        void checkWaitingPay(QueueSnapshot a, Outcome o, String context) {
            for (Decision.Fact f : o.facts()) {
                if (f instanceof StatusChange c) {
                    close(c.workerId());
                    if (c.to() == WorkerStatus.WAITING) {
                        openSince.put(c.workerId(), now);
                    }
                } else if (f instanceof PhaseChange p && p.phase() == Phase.EXPIRED) {
                    List.copyOf(openSince.keySet()).forEach(this::close);
                }
            }
            for (Map.Entry<String, WorkerView> e : a.workers().entrySet()) {
                String id = e.getKey();
                assertThat(e.getValue().waitingSince()).as("waiting since, " + id + " " + context)
                        .isEqualTo(openSince.get(id));
                assertThat(e.getValue().waitedMillis()).as("waited, " + id + " " + context)
                        .isEqualTo(waited.getOrDefault(id, 0L));
                long open = openSince.containsKey(id) ? Duration.between(openSince.get(id), now).toMillis() : 0;
                assertThat(engine.waitedMillis(id, now)).isEqualTo(waited.getOrDefault(id, 0L) + open);
            }
        }

        void close(String id) {
            Instant since = openSince.remove(id);
            if (since != null) {
                waited.merge(id, Duration.between(since, now).toMillis(), Long::sum);
            }
        }

        static Map<String, List<Message>> startMessages(List<String> promoted) {
            return promoted.stream().collect(Collectors.toMap(w -> w, w -> List.of(new Message.StartYourTask())));
        }

        static List<String> promoted(Outcome o) {
            return o.statusChanges().stream()
                    .filter(c -> c.from() == WorkerStatus.WAITING && c.to() == WorkerStatus.ACTIVE)
                    .map(StatusChange::workerId).toList();
        }

        static void assertIgnored(Outcome o, String context) {
            assertThat(o.decisions()).as("ignored " + context).singleElement().isInstanceOf(Ignored.class);
        }

        static Set<String> withStatus(QueueSnapshot s, WorkerStatus status) {
            return s.workers().entrySet().stream().filter(e -> e.getValue().status() == status)
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
        }

        static List<Long> orders(QueueSnapshot s, List<String> queue) {
            return queue.stream().map(id -> s.workers().get(id).order()).toList();
        }
    }
}
