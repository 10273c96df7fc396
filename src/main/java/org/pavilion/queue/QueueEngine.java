package org.pavilion.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.pavilion.queue.Decision.Admit;
import org.pavilion.queue.Decision.AssignmentConfirmed;
import org.pavilion.queue.Decision.AssignmentReleased;
import org.pavilion.queue.Decision.AwaitConfirmation;
import org.pavilion.queue.Decision.Cause;
import org.pavilion.queue.Decision.Ending;
import org.pavilion.queue.Decision.Fact;
import org.pavilion.queue.Decision.Hire;
import org.pavilion.queue.Decision.HireBudgetChanged;
import org.pavilion.queue.Decision.HireWithheld;
import org.pavilion.queue.Decision.Ignored;
import org.pavilion.queue.Decision.Phase;
import org.pavilion.queue.Decision.PayDue;
import org.pavilion.queue.Decision.PhaseChange;
import org.pavilion.queue.Decision.StatusChange;
import org.pavilion.queue.Decision.SubmissionConfirmed;
import org.pavilion.queue.Decision.TellSession;
import org.pavilion.queue.Decision.TellWorker;
import org.pavilion.queue.Decision.WaitCapped;
import org.pavilion.queue.Decision.WaitingClosed;
import org.pavilion.queue.QueueEvent.Arrive;
import org.pavilion.queue.QueueEvent.CapWaits;
import org.pavilion.queue.QueueEvent.Confirm;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.QueueEvent.Expire;
import org.pavilion.queue.QueueEvent.Leave;
import org.pavilion.queue.QueueEvent.Migrate;
import org.pavilion.queue.QueueEvent.Ready;
import org.pavilion.queue.QueueEvent.Release;
import org.pavilion.queue.QueueEvent.SetHireBudget;
import org.pavilion.queue.QueueEvent.Stop;

/**
 * The queue rules of one live session (SPEC §3–4.7): a pure state machine, no I/O, no clock,
 * no locks. It is not thread-safe on purpose: exactly one thread (the session's writer) drives it.
 *
 * <p>Each event is <em>decided</em> against the current state, and every {@link Fact} decided is
 * <em>evolved</em> into the state at once through {@link #evolve}, the only code that mutates it.
 * Replaying the logged facts through the same method rebuilds the state exactly
 * ({@link #replay}), which is how a restart recovers a session.
 */
public final class QueueEngine {

    /** No budget: as many hires as the rules call for. */
    public static final int UNLIMITED_HIRES = Integer.MAX_VALUE;

    private final Thresholds thresholds;
    private final boolean allowRepeatWorkers;
    private final PayRules pay;

    // Insertion order is queue order: a worker is appended when it enters a queue and never re-inserted.
    private final LinkedHashSet<String> waiting = new LinkedHashSet<>();
    private final LinkedHashSet<String> active = new LinkedHashSet<>();
    private final Map<String, Worker> workers = new HashMap<>();
    // Assignments the marketplace confirmed (SPEC §4.1.0), by assignment id.
    private final Map<String, Confirmation> confirmations = new HashMap<>();
    // Workers whose departures called for a hire the budget did not allow, oldest first.
    private final ArrayDeque<String> withheld = new ArrayDeque<>();
    private int hireBudget;
    private boolean started;
    private boolean stopped;
    private boolean expired;
    private int hires;
    private long lastOrder;

    // Decisions of the event being applied; only non-null inside apply().
    private List<Decision> pending;
    private Instant now;

    public QueueEngine(Thresholds thresholds, boolean allowRepeatWorkers) {
        this(thresholds, allowRepeatWorkers, UNLIMITED_HIRES);
    }

    /** {@code hireBudget}: how many hires the session may make in all, until the admin changes it. */
    public QueueEngine(Thresholds thresholds, boolean allowRepeatWorkers, int hireBudget) {
        this(thresholds, allowRepeatWorkers, hireBudget, PayRules.UNPAID);
    }

    /** {@code pay}: the session's waiting pay rate and longest paid wait (SPEC §4.9). */
    public QueueEngine(Thresholds thresholds, boolean allowRepeatWorkers, int hireBudget, PayRules pay) {
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
        this.allowRepeatWorkers = allowRepeatWorkers;
        this.pay = Objects.requireNonNull(pay, "pay");
        if (hireBudget < 0) {
            throw new InvalidConfigurationException("hireBudget", "hireBudget must be 0 or more (was " + hireBudget + ")");
        }
        this.hireBudget = hireBudget;
    }

    /** Rebuilds a session from its logged facts, each with the server time it was recorded at. */
    public static QueueEngine replay(Thresholds thresholds, boolean allowRepeatWorkers, Iterable<TimedFact> log) {
        return replay(thresholds, allowRepeatWorkers, UNLIMITED_HIRES, log);
    }

    /** {@link #replay(Thresholds, boolean, Iterable)} with the session's initial hire budget. */
    public static QueueEngine replay(Thresholds thresholds, boolean allowRepeatWorkers, int hireBudget,
                                     Iterable<TimedFact> log) {
        return replay(thresholds, allowRepeatWorkers, hireBudget, PayRules.UNPAID, log);
    }

    /** {@link #replay(Thresholds, boolean, int, Iterable)} with the session's pay rules. */
    public static QueueEngine replay(Thresholds thresholds, boolean allowRepeatWorkers, int hireBudget,
                                     PayRules pay, Iterable<TimedFact> log) {
        QueueEngine engine = new QueueEngine(thresholds, allowRepeatWorkers, hireBudget, pay);
        for (TimedFact entry : log) {
            engine.evolve(entry.fact(), entry.at());
        }
        return engine;
    }

    /** A logged fact and when it happened. */
    public record TimedFact(Fact fact, Instant at) {
    }

    /**
     * Applies one event and returns what was decided. A refused event throws a
     * {@link PavilionException} and leaves the state untouched (every check precedes every change).
     */
    public Outcome apply(QueueEvent event, Instant at) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(at, "at");
        pending = new ArrayList<>(4);
        now = at;
        try {
            if (event instanceof Arrive e) {
                arrive(e);
            } else if (event instanceof Ready e) {
                ready(e);
            } else if (event instanceof Leave e) {
                leave(e);
            } else if (event instanceof Stop) {
                stop();
            } else if (event instanceof Expire) {
                expire();
            } else if (event instanceof Migrate e) {
                migrate(e);
            } else if (event instanceof Confirm e) {
                confirm(e);
            } else if (event instanceof Release e) {
                release(e);
            } else if (event instanceof SetHireBudget e) {
                setHireBudget(e);
            } else if (event instanceof CapWaits) {
                capWaits();
            } else {
                throw new IllegalArgumentException("unknown event " + event);
            }
            return new Outcome(pending);
        } finally {
            pending = null;
            now = null;
        }
    }

    // ---- SPEC §4.1 arrival -------------------------------------------------------------------

    private void arrive(Arrive e) {
        requireNotEnded("an arrival");
        String id = e.workerId();
        String aid = e.assignmentId();
        Worker known = workers.get(id);
        if (known != null && known.status.inQueue() && known.assignmentId.equals(aid)) {
            pending.add(new Admit(id, aid));
            resendState(id, known); // 4.1.1 reload or second tab: never added twice
            return;
        }
        // 4.1.0: only an assignment the marketplace confirmed admits anyone, and only its own worker.
        Confirmation confirmation = confirmations.get(aid);
        if (confirmation == null) {
            pending.add(new AwaitConfirmation(id, aid));
            return;
        }
        if (confirmation.workerId != null && !confirmation.workerId.equals(id)) {
            throw new NotYourAssignmentException("assignment '" + aid + "' was accepted by another worker");
        }
        String holder = confirmation.heldBy;
        if (holder != null && !holder.equals(id)) {
            throw new NotYourAssignmentException("assignment '" + aid + "' is already in use by another worker");
        }
        if (known != null && known.status.inQueue()) {
            // A worker already in a queue with another assignment holds two: this one must be returned.
            throw new DuplicateAssignmentException(id);
        }
        if (stopped) {
            tell(id, new Message.JobIsFull("the job has been stopped; please return the HIT"));
            return;
        }
        if (isFull()) { // 4.1.2
            tell(id, new Message.JobIsFull("the session is full; please return the HIT"));
            return;
        }
        boolean rejoin = known != null && known.status == WorkerStatus.DISCONNECTED
                && known.assignmentId.equals(e.assignmentId());
        if (known != null && !rejoin && !allowRepeatWorkers) { // 4.1.3
            tell(id, new Message.JobIsFull("you already took part in this session; please return the HIT"));
            return;
        }
        // 4.1.4; a disconnected worker re-joins at the back (4.7)
        pending.add(new Admit(id, aid));
        record(new StatusChange(id, e.assignmentId(), known == null ? null : known.status, WorkerStatus.WAITING,
                rejoin ? Cause.REJOINED : Cause.ARRIVED, lastOrder + 1));
        if (!started && waiting.size() >= thresholds.minActive()) { // 4.1.5
            record(new PhaseChange(Phase.STARTED));
            promote(Math.min(waiting.size(), thresholds.maxActive() - active.size()), Cause.PROMOTED);
        } else {
            promoteOneIfPossible(); // 4.1.6
        }
        announceCounts(); // 4.1.7
    }

    private void resendState(String id, Worker known) {
        tell(id, workerCount());
        tell(id, new Message.WorkersStatus(waiting.size(), active.size()));
        if (known.status == WorkerStatus.ACTIVE) {
            tell(id, new Message.StartYourTask());
        }
        if (stopped) {
            tell(id, new Message.Stop());
        }
    }

    // ---- SPEC §4.3 IAmReady ------------------------------------------------------------------

    private void ready(Ready e) {
        requireNotEnded("IAmReady");
        Worker w = requireWorker(e.workerId());
        if (w.status != WorkerStatus.ACTIVE) {
            throw new InvalidEventException("IAmReady from worker '" + e.workerId() + "' whose status is "
                    + w.status.name().toLowerCase() + "; only a worker told start_your_task may send it");
        }
        if (w.ready) {
            pending.add(new Ignored("worker '" + e.workerId() + "' already sent IAmReady"));
            return;
        }
        record(new WaitingClosed(e.workerId()));
    }

    // ---- SPEC §4.2 the four turnover conditions, abandon, §4.7 disconnect ---------------------

    private void leave(Leave e) {
        if (expired && (!e.confirmed() || e.how() == Departure.DISCONNECT)) {
            throw new SessionEndedException("a departure"); // after expiry only the marketplace's reports count
        }
        String id = e.workerId();
        Worker w = requireWorker(id);
        if (e.assignmentId() != null && !e.assignmentId().equals(w.assignmentId)) {
            pending.add(new Ignored("assignment '" + e.assignmentId() + "' is not worker '" + id
                    + "''s current assignment"));
            return;
        }
        Departure how = e.how();
        WorkerStatus from = w.status;
        if (from == WorkerStatus.SUBMITTED && !w.submitConfirmed && e.confirmed()) {
            confirmClaimedSubmit(w, id, how);
            return;
        }
        if (expired) {
            leaveAfterExpiry(e, w, from);
            return;
        }
        boolean lateSubmitOfDisconnected = from == WorkerStatus.DISCONNECTED && how == Departure.SUBMIT;
        boolean finalStatusOfDisconnected = from == WorkerStatus.DISCONNECTED && how != Departure.DISCONNECT
                && e.confirmed();
        if (!from.inQueue() && !finalStatusOfDisconnected) {
            pending.add(new Ignored("worker '" + id + "' already left (" + from.name().toLowerCase() + ")"));
            return;
        }
        record(new StatusChange(id, w.assignmentId, from, how.status(), causeOf(how), 0));
        if (from == WorkerStatus.ACTIVE) {
            promoteOneIfPossible(); // 4.2.2(a), 4.2.3
        }
        // 4.2.1, 4.2.2(b): a submitted assignment is used up, so hire one to make up for it, once the
        // marketplace confirms the submission (a page's claim alone spends no money: SPEC §4.2).
        // Returned/abandoned assignments go back to the marketplace's pool by themselves (4.2.3, 4.2.4).
        // A disconnected worker who later submits used up its assignment too, but its replacement was
        // hired at the disconnect already (hireFor hires at most once per assignment).
        if (how == Departure.SUBMIT && e.confirmed() && (from.inQueue() || lateSubmitOfDisconnected)) {
            record(new SubmissionConfirmed(id, w.assignmentId));
            payDue(id, w, Ending.SUBMITTED);
            hireFor(id, Cause.SUBMITTED);
        } else if (e.confirmed() && (how == Departure.RETURN || how == Departure.ABANDON)) {
            payDue(id, w, endingOf(how));
        } else if (how == Departure.DISCONNECT && from.inQueue()) {
            // 4.7: a disconnected worker's assignment stays held ("Accepted") at the marketplace until its
            // time limit and does not return to the pool meanwhile, so it is replaced now, like a submit.
            hireFor(id, Cause.DISCONNECTED);
        }
        if (from.inQueue()) {
            announceCounts();
        }
    }

    /**
     * The marketplace reports on a submission a page claimed earlier: a confirmed submit makes the hire
     * the claim deferred; a return or abandon corrects the claim (the page submitted, then returned the
     * HIT) and hires nobody. The slot was freed and refilled at the claim already.
     */
    private void confirmClaimedSubmit(Worker w, String id, Departure how) {
        switch (how) {
            case SUBMIT -> {
                record(new SubmissionConfirmed(id, w.assignmentId));
                payDue(id, w, Ending.SUBMITTED);
                hireFor(id, Cause.SUBMITTED);
            }
            case RETURN, ABANDON -> {
                record(new StatusChange(id, w.assignmentId, WorkerStatus.SUBMITTED, how.status(), causeOf(how), 0));
                payDue(id, w, endingOf(how));
            }
            case DISCONNECT -> pending.add(new Ignored("worker '" + id + "' already submitted"));
        }
    }

    /**
     * SPEC §4.9: after expiry the queues are closed, but what the marketplace reports about an assignment
     * is still recorded, status only (no promotion, no hire, no counts), so that pay and approval know who
     * submitted. A page's claim changes nothing then: only the marketplace's word settles pay.
     */
    private void leaveAfterExpiry(Leave e, Worker w, WorkerStatus from) {
        String id = e.workerId();
        Departure how = e.how();
        if (!from.inQueue() && from != WorkerStatus.DISCONNECTED) {
            pending.add(new Ignored("worker '" + id + "' already left (" + from.name().toLowerCase() + ")"));
            return;
        }
        record(new StatusChange(id, w.assignmentId, from, how.status(), causeOf(how), 0));
        if (how == Departure.SUBMIT) {
            record(new SubmissionConfirmed(id, w.assignmentId));
        }
        payDue(id, w, endingOf(how));
    }

    /**
     * Settles what the worker's current assignment earned by waiting, once per ending: an assignment whose
     * pay was fixed when the session ended keeps that amount when its ending is reported.
     */
    private void payDue(String id, Worker w, Ending ending) {
        boolean sameAssignment = w.assignmentId.equals(w.payAssignment);
        if (sameAssignment && (w.payEnding.isFinal() || !ending.isFinal())) {
            return; // settled already
        }
        long waited = sameAssignment ? w.payWaitedMillis : pay.paidMillis(w.waitedMillis - w.attributedMillis);
        record(new PayDue(id, w.assignmentId, ending, waited, pay.waitingCents(waited)));
    }

    /** SPEC §4.9: a wait longer than the session's longest paid wait is paid up to it, and the page asked to submit. */
    private void capWaits() {
        if (expired) {
            pending.add(new Ignored("the session has ended"));
            return;
        }
        long cap = pay.maxPaidWait().toMillis();
        for (String id : waiting) {
            Worker w = workers.get(id);
            if (!w.capped && w.waitingSince != null
                    && w.waitedMillis - w.attributedMillis + Duration.between(w.waitingSince, now).toMillis() >= cap) {
                pending.add(new WaitCapped(id));
                tell(id, new Message.Stop());
            }
        }
        // Evolved after the loop: evolving closes the waits, and the loop must not see it half-done.
        for (Decision d : List.copyOf(pending)) {
            if (d instanceof WaitCapped c) {
                evolve(c, now);
            }
        }
    }

    private static Ending endingOf(Departure how) {
        return switch (how) {
            case SUBMIT -> Ending.SUBMITTED;
            case RETURN -> Ending.RETURNED;
            case ABANDON -> Ending.ABANDONED;
            case DISCONNECT -> throw new IllegalArgumentException("a disconnect does not end an assignment");
        };
    }

    /**
     * One hire for a departure, unless hiring is off or the budget is used up (then withheld, visibly).
     *
     * <p>At most one replacement per assignment (SPEC §4.7): it is decided at the first of the assignment's
     * disconnect and its confirmed submit. So a disconnected worker's later submit hires nobody, and neither
     * does a second disconnect or the submit of a worker who rejoined after its replacement was hired (the
     * hire cannot be undone; the rejoined worker's assignment is the one it made up for). A rejoin before a
     * withheld replacement was made drops that withheld hire instead (see {@link #evolve}), and the
     * assignment's later departure is replaced as usual. Returns and abandons hire nobody, as before.
     */
    private void hireFor(String workerId, Cause cause) {
        if (stopped || expired || workers.get(workerId).replaced) {
            return;
        }
        if (hires >= hireBudget) {
            record(new HireWithheld(workerId, hireBudget));
            return;
        }
        record(new Hire(hires + 1, workerId, cause));
    }

    // ---- SPEC §4.1.0 confirmations from the marketplace -----------------------------------------

    private void confirm(Confirm e) {
        requireNotEnded("a confirmation");
        Confirmation known = confirmations.get(e.assignmentId());
        boolean sameWorker = known != null && (e.workerId() == null || e.workerId().equals(known.workerId)
                || e.workerId().equals(known.heldBy));
        if (known != null && sameWorker && (known.heldBy != null || known.hitId.equals(e.hitId()))) {
            // A repeated notification: the assignment is confirmed (and perhaps in use) already.
            pending.add(new Ignored("assignment '" + e.assignmentId() + "' is confirmed already"));
            return;
        }
        // New, or the assignment id was handed to another worker after a return (MTurk reuses them).
        record(new AssignmentConfirmed(e.assignmentId(), e.hitId(), e.workerId()));
    }

    private void release(Release e) {
        requireNotEnded("a release");
        Confirmation known = confirmations.get(e.assignmentId());
        if (known == null || known.heldBy != null) {
            pending.add(new Ignored("assignment '" + e.assignmentId() + "' has no unused confirmation"));
            return;
        }
        record(new AssignmentReleased(e.assignmentId()));
    }

    private void setHireBudget(SetHireBudget e) {
        requireNotEnded("a hire budget change");
        if (e.budget() < hires) {
            throw new InvalidEventException("the hire budget cannot be lower than the " + hires
                    + " hires already made (asked for " + e.budget() + ")");
        }
        if (e.budget() == hireBudget) {
            pending.add(new Ignored("the hire budget is " + hireBudget + " already"));
            return;
        }
        record(new HireBudgetChanged(e.budget()));
        // The slots whose hires were withheld are still missing: make them now, as far as the budget goes.
        while (!withheld.isEmpty() && hires < hireBudget && !stopped) {
            record(new Hire(hires + 1, withheld.peekFirst(), Cause.BUDGET_RAISED));
        }
    }

    private static Cause causeOf(Departure how) {
        return switch (how) {
            case SUBMIT -> Cause.SUBMITTED;
            case RETURN -> Cause.RETURNED;
            case ABANDON -> Cause.ABANDONED;
            case DISCONNECT -> Cause.DISCONNECTED;
        };
    }

    // ---- SPEC §4.4–4.6 admin -----------------------------------------------------------------

    private void stop() {
        requireNotEnded("stop");
        if (stopped) {
            pending.add(new Ignored("the job is already stopped"));
            return;
        }
        record(new PhaseChange(Phase.STOPPED));
        pending.add(new TellSession(new Message.Stop()));
    }

    private void expire() {
        requireNotEnded("expire");
        record(new PhaseChange(Phase.EXPIRED));
        // Every open assignment's waiting pay is fixed now; its ending (submitted or not) comes later.
        List<String> open = new ArrayList<>();
        workers.forEach((id, w) -> {
            if (w.status.inQueue() || w.status == WorkerStatus.DISCONNECTED
                    || (w.status == WorkerStatus.SUBMITTED && !w.submitConfirmed)) {
                open.add(id);
            }
        });
        open.sort(null); // a stable order for the log
        for (String id : open) {
            payDue(id, workers.get(id), Ending.SESSION_ENDED);
        }
        // Pages still open should submit, so that nobody who waited is left without a submission.
        pending.add(new TellSession(new Message.Stop()));
    }

    private void migrate(Migrate e) {
        requireNotEnded("migrate");
        int room = e.force() ? Integer.MAX_VALUE : Math.max(0, thresholds.maxActive() - active.size());
        int count = Math.min(e.count(), Math.min(room, waiting.size()));
        if (!started) {
            record(new PhaseChange(Phase.STARTED));
        }
        promote(count, Cause.MIGRATED);
        if (count > 0) {
            announceCounts();
        }
    }

    // ---- shared steps ------------------------------------------------------------------------

    /**
     * SPEC §3: full when both queues are at capacity. Compared with {@code >=}, not {@code ==}: after a
     * forced migrate (SPEC §4.6) the active queue can hold more than maxActive, and with {@code ==} such a
     * session never counted as full, so arrivals were appended past maxWaiting (nothing could promote them).
     */
    public boolean isFull() {
        return isFull(waiting.size(), active.size(), thresholds);
    }

    /** {@link #isFull()} of queues of these sizes (for readers of a {@link QueueSnapshot}). */
    public static boolean isFull(int waiting, int active, Thresholds thresholds) {
        return waiting >= thresholds.maxWaiting() && active >= thresholds.maxActive();
    }

    /** SPEC §3: a move is possible once started while the waiting queue is above its reserve. */
    public boolean isMovePossible() {
        return started && waiting.size() > thresholds.minWaiting() && active.size() < thresholds.maxActive();
    }

    private void promoteOneIfPossible() {
        if (isMovePossible() && !stopped) {
            promote(1, Cause.PROMOTED);
        }
    }

    private void promote(int count, Cause cause) {
        for (int i = 0; i < count && !waiting.isEmpty(); i++) {
            String oldest = waiting.iterator().next();
            record(new StatusChange(oldest, workers.get(oldest).assignmentId, WorkerStatus.WAITING,
                    WorkerStatus.ACTIVE, cause, lastOrder + 1));
            tell(oldest, new Message.StartYourTask());
        }
    }

    private void announceCounts() {
        pending.add(new TellSession(workerCount()));
        pending.add(new TellSession(new Message.WorkersStatus(waiting.size(), active.size())));
    }

    /** SPEC §5: the seed's {@code update_worker_count} is the waiting queue against maxWaiting. */
    private Message.WorkerCount workerCount() {
        return new Message.WorkerCount(waiting.size(), thresholds.maxWaiting());
    }

    private void tell(String workerId, Message message) {
        pending.add(new TellWorker(workerId, message));
    }

    private void record(Fact fact) {
        pending.add(fact);
        evolve(fact, now);
    }

    private void requireNotEnded(String what) {
        if (expired) {
            throw new SessionEndedException(what);
        }
    }

    private Worker requireWorker(String id) {
        Worker w = workers.get(id);
        if (w == null) {
            throw new UnknownWorkerException(id);
        }
        return w;
    }

    // ---- evolve: the only place state changes --------------------------------------------------

    private void evolve(Fact fact, Instant at) {
        if (fact instanceof StatusChange c) {
            Worker w = workers.computeIfAbsent(c.workerId(), k -> new Worker());
            removeFromQueue(c.workerId(), w.status);
            // Leaving the waiting queue ends the paid wait, at the server's time of the promotion (or
            // departure), whether or not the page ever sends IAmReady (SPEC §4.3).
            w.closeWaiting(at);
            w.status = c.to();
            if (!c.assignmentId().equals(w.assignmentId) || c.cause() == Cause.ARRIVED) {
                // A new admission (MTurk may hand a returned assignment id out again): its pay starts afresh.
                w.submitConfirmed = false;
                w.capped = false;
                w.payAssignment = null;
                w.payEnding = null;
                w.replaced = false;
                w.replacementWithheld = false;
            } else if (c.cause() == Cause.REJOINED && w.replacementWithheld
                    && withheld.removeLastOccurrence(c.workerId())) {
                // Back before its withheld replacement was made: nobody need replace it now (SPEC §4.7).
                // Its entry is its last one: no hire is decided for an assignment already replaced.
                w.replaced = false;
                w.replacementWithheld = false;
            }
            w.assignmentId = c.assignmentId();
            Confirmation confirmation = confirmations.get(c.assignmentId());
            if (c.to() == WorkerStatus.RETURNED || c.to() == WorkerStatus.ABANDONED) {
                // The assignment went back to the marketplace: it may be handed to someone else.
                if (confirmation != null && c.workerId().equals(confirmation.heldBy)) {
                    confirmations.remove(c.assignmentId());
                }
            } else if (confirmation != null && confirmation.heldBy == null) {
                confirmation.heldBy = c.workerId();
            }
            w.order = c.order();
            lastOrder = Math.max(lastOrder, c.order());
            if (c.to() == WorkerStatus.WAITING) {
                waiting.add(c.workerId());
                w.waitingSince = at;
                w.ready = false;
            } else if (c.to() == WorkerStatus.ACTIVE) {
                active.add(c.workerId());
            }
        } else if (fact instanceof PhaseChange p) {
            switch (p.phase()) {
                case STARTED -> started = true;
                case STOPPED -> stopped = true;
                case EXPIRED -> {
                    expired = true;
                    // The session is over: every open waiting period ends now (SPEC §4.9).
                    for (Worker w : workers.values()) {
                        w.closeWaiting(at);
                    }
                }
            }
        } else if (fact instanceof WaitingClosed r) {
            // The page says it moved to the live task; its paid wait closed at the promotion already.
            Worker w = workers.get(r.workerId());
            w.ready = true;
            w.closeWaiting(at);
        } else if (fact instanceof Hire h) {
            hires = h.number();
            Worker w = workers.get(h.workerId());
            if (h.cause() == Cause.BUDGET_RAISED) {
                withheld.pollFirst();
                if (w != null && w.replacementWithheld && !withheld.contains(h.workerId())) {
                    w.replacementWithheld = false; // its disconnect's replacement is made now
                }
            } else if (h.cause() == Cause.DISCONNECTED && w != null) {
                w.replaced = true;
            }
        } else if (fact instanceof AssignmentConfirmed a) {
            confirmations.put(a.assignmentId(), new Confirmation(a.hitId(), a.workerId()));
        } else if (fact instanceof AssignmentReleased r) {
            confirmations.remove(r.assignmentId());
        } else if (fact instanceof SubmissionConfirmed s) {
            workers.get(s.workerId()).submitConfirmed = true;
        } else if (fact instanceof HireWithheld h) {
            withheld.addLast(h.workerId());
            Worker w = workers.get(h.workerId());
            if (w != null && w.status == WorkerStatus.DISCONNECTED) {
                // Withheld at the disconnect (a submit's is recorded after its status change to SUBMITTED):
                // the assignment's one replacement is owed.
                w.replaced = true;
                w.replacementWithheld = true;
            }
        } else if (fact instanceof HireBudgetChanged b) {
            hireBudget = b.budget();
        } else if (fact instanceof PayDue p) {
            Worker w = workers.get(p.workerId());
            if (!p.assignmentId().equals(w.payAssignment)) {
                w.attributedMillis = w.waitedMillis; // this assignment's wait is settled; a next one starts from here
            }
            w.payAssignment = p.assignmentId();
            w.payEnding = p.ending();
            w.payWaitedMillis = p.waitedMillis();
        } else if (fact instanceof WaitCapped c) {
            Worker w = workers.get(c.workerId());
            w.closeWaiting(at);
            w.capped = true;
        }
    }

    private void removeFromQueue(String id, WorkerStatus status) {
        if (status == WorkerStatus.WAITING) {
            waiting.remove(id);
        } else if (status == WorkerStatus.ACTIVE) {
            active.remove(id);
        }
    }

    /** A confirmed assignment: its HIT, the worker the marketplace named (or null), the worker who arrived with it. */
    private static final class Confirmation {
        final String hitId;
        final String workerId;
        String heldBy;

        Confirmation(String hitId, String workerId) {
            this.hitId = hitId;
            this.workerId = workerId;
        }
    }

    private static final class Worker {
        WorkerStatus status;
        String assignmentId;
        boolean submitConfirmed;
        long order;
        Instant waitingSince;
        long waitedMillis;
        boolean ready;
        // Pay (SPEC §4.9): the assignment last settled, how, and its paid wait; waits before it are settled.
        String payAssignment;
        Ending payEnding;
        long payWaitedMillis;
        long attributedMillis;
        boolean capped;
        // SPEC §4.7: the current assignment's one replacement was decided (hired, or withheld by the budget).
        boolean replaced;
        boolean replacementWithheld;

        void closeWaiting(Instant at) {
            if (waitingSince != null) {
                waitedMillis += Math.max(0, Duration.between(waitingSince, at).toMillis());
                waitingSince = null;
            }
        }
    }

    // ---- reads -------------------------------------------------------------------------------

    public Thresholds thresholds() {
        return thresholds;
    }

    public boolean allowRepeatWorkers() {
        return allowRepeatWorkers;
    }

    public int waitingCount() {
        return waiting.size();
    }

    public int activeCount() {
        return active.size();
    }

    public boolean isStarted() {
        return started;
    }

    public boolean isStopped() {
        return stopped;
    }

    public boolean isExpired() {
        return expired;
    }

    public int hireBudget() {
        return hireBudget;
    }

    /** Hires the rules called for that the budget did not allow (made when the budget is raised). */
    public int withheldHires() {
        return withheld.size();
    }

    /** Whether the marketplace confirmed this assignment and it still admits a worker. */
    public boolean isConfirmed(String assignmentId) {
        return confirmations.containsKey(assignmentId);
    }

    /**
     * Whether a page may be given a signed token for this worker and assignment: the marketplace
     * confirmed the assignment of this HIT, for this worker (or without naming one), and no other
     * worker holds it.
     */
    public boolean isConfirmedFor(String workerId, String assignmentId, String hitId) {
        Confirmation c = confirmations.get(assignmentId);
        return c != null && c.hitId.equals(hitId) && (c.workerId == null || c.workerId.equals(workerId))
                && (c.heldBy == null || c.heldBy.equals(workerId));
    }

    /** The worker's status, or null if it never joined. */
    public WorkerStatus statusOf(String workerId) {
        Worker w = workers.get(workerId);
        return w == null ? null : w.status;
    }

    /** The worker's current assignment, or null if it never joined. */
    public String assignmentOf(String workerId) {
        Worker w = workers.get(workerId);
        return w == null ? null : w.assignmentId;
    }

    /** Milliseconds the worker has waited by {@code at}, closed periods plus the open one (SPEC §4.9). */
    public long waitedMillis(String workerId, Instant at) {
        Worker w = requireWorker(workerId);
        long open = w.waitingSince == null ? 0 : Math.max(0, Duration.between(w.waitingSince, at).toMillis());
        return w.waitedMillis + open;
    }

    /**
     * The wait of the worker's current assignment by {@code at}, up to the session's longest paid wait
     * (SPEC §4.9): what its waiting pay is computed from. Settled assignments keep their settled wait.
     */
    public long paidWaitMillis(String workerId, Instant at) {
        Worker w = requireWorker(workerId);
        if (w.assignmentId.equals(w.payAssignment)) {
            return w.payWaitedMillis;
        }
        return pay.paidMillis(waitedMillis(workerId, at) - w.attributedMillis);
    }

    public PayRules payRules() {
        return pay;
    }

    /** The queues and phase alone: a copy proportional to the queues, not to every worker ever seen. */
    public Queues queues() {
        return new Queues(List.copyOf(waiting), List.copyOf(active), started, stopped, expired);
    }

    public QueueSnapshot snapshot() {
        Map<String, QueueSnapshot.WorkerView> views = new LinkedHashMap<>();
        workers.forEach((id, w) -> views.put(id, new QueueSnapshot.WorkerView(
                w.status, w.assignmentId, w.order, w.waitingSince, w.waitedMillis, w.ready, w.replaced)));
        return new QueueSnapshot(new ArrayList<>(waiting), new ArrayList<>(active), views,
                started, stopped, expired, hires, hireBudget, withheld.size());
    }
}
