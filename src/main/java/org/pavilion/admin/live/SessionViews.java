package org.pavilion.admin.live;

import org.pavilion.pay.Money;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.pavilion.admin.live.SessionQueries.EventRow;
import org.pavilion.admin.ops.DatabaseBusyException;
import org.pavilion.admin.live.SessionQueries.HireRow;
import org.pavilion.admin.live.SessionQueries.SessionRow;
import org.pavilion.marketplace.MarketplaceSettings.Mode;
import org.pavilion.marketplace.Marketplaces;
import org.pavilion.marketplace.LocalHitsGone;
import org.pavilion.queue.QueueEngine;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.QueueSnapshot.WorkerView;
import org.pavilion.queue.SessionEndedException;
import org.pavilion.session.GoLiveIntent;
import org.pavilion.session.HireRequest;
import org.pavilion.session.HitExpiryRequest;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.LoggedFact;
import org.pavilion.session.SessionLog;
import org.pavilion.session.SessionStorageException;
import org.pavilion.session.UnknownSessionException;
import org.pavilion.session.WaitingPay;
import org.pavilion.storage.JdbcSessionStore;
import org.springframework.stereotype.Service;

/** Builds what the admin sees of sessions: the list, and one session's queues, pay, hires and log. */
@Service
public class SessionViews {

    /** The timeline shows this many of the newest log rows. */
    static final int TIMELINE_ROWS = 200;
    /** The chart gets at most about this many points. */
    static final int SERIES_POINTS = 400;
    static final int LIST_ROWS = 500;
    /** The longest a view waits for a session's writer (as a worker's socket does). */
    static final Duration WRITER_WAIT = Duration.ofSeconds(2);

    private final LiveSessionService sessions;
    private final JdbcSessionStore store;
    private final SessionQueries queries;
    private final Clock clock;
    private final LocalHitsGone localHitsGone;
    private final Marketplaces marketplaces;

    public SessionViews(LiveSessionService sessions, JdbcSessionStore store, SessionQueries queries, Clock clock,
                        LocalHitsGone localHitsGone, Marketplaces marketplaces) {
        this.marketplaces = marketplaces;
        this.sessions = sessions;
        this.store = store;
        this.queries = queries;
        this.clock = clock;
        this.localHitsGone = localHitsGone;
    }

    /** One row of the sessions list. {@code waiting}/{@code active} are null for ended sessions. */
    public record SessionSummary(long id, long taskId, String taskTitle, String status, boolean started,
                                 boolean stopped, boolean expired, Integer waiting, Integer active, int capacity,
                                 String hitId, String openedAt, String startedAt, String stoppedAt, String endedAt,
                                 String name, String marketplace) {

        /** When it opened, for the page (not part of the JSON). */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public Instant openedInstant() {
            return openedAt == null ? null : Instant.parse(openedAt);
        }
    }

    public List<SessionSummary> list(Long taskId) {
        List<Long> inMemory = sessions.sessionIds();
        List<SessionSummary> result = new ArrayList<>();
        for (SessionRow s : queries.sessions(taskId, LIST_ROWS)) {
            Integer waiting = null;
            Integer active = null;
            if (!s.expired() && inMemory.contains(s.id())) {
                int[] counts = counts(s.id());
                if (counts != null) {
                    waiting = counts[0];
                    active = counts[1];
                }
            }
            result.add(new SessionSummary(s.id(), s.taskId(), s.taskTitle(), s.status(), s.started(), s.stopped(),
                    s.expired(), waiting, active, s.capacity(), s.hitId(), iso(s.openedAt()), iso(s.startedAt()),
                    iso(s.stoppedAt()), iso(s.endedAt()), s.name(),
                    Marketplaces.key(marketplaces.stored(s.marketplace()))));
        }
        return result;
    }

    /** The queues' sizes as last committed (without waiting for the session's writer); null if ended. */
    private int[] counts(long sessionId) {
        try {
            org.pavilion.queue.Queues s = sessions.published(sessionId);
            return new int[] {s.waiting().size(), s.active().size()};
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The whole view of one session; an unknown session throws {@link UnknownSessionException}. */
    public SessionView view(long sessionId) {
        SessionRow row = queries.session(sessionId).orElseThrow(() -> new UnknownSessionException(sessionId));
        // The log first: while the database stalls, its read fails within the lock timeout, and the session's
        // writer (which may be waiting on the database itself) is not asked at all.
        List<EventRow> log = queries.events(sessionId);
        List<HireRow> hires = queries.hires(sessionId);
        QueueSnapshot snapshot = snapshot(sessionId);
        Instant now = clock.instant();

        Map<String, Long> firstSeen = new HashMap<>();
        for (EventRow e : log) {
            if (e.workerId() != null && "status".equals(e.kind())) {
                firstSeen.putIfAbsent(e.workerId(), e.seq());
            }
        }
        int rate = row.waitingPayCentsPerHour();
        List<SessionView.WorkerRow> waiting = snapshot.waiting().stream()
                .map(id -> worker(id, snapshot.workers().get(id), rate, now)).toList();
        List<SessionView.WorkerRow> active = snapshot.active().stream()
                .map(id -> worker(id, snapshot.workers().get(id), rate, now)).toList();
        List<SessionView.WorkerRow> all = snapshot.workers().keySet().stream()
                .sorted(Comparator.comparing((String id) -> firstSeen.getOrDefault(id, Long.MAX_VALUE))
                        .thenComparing(Comparator.naturalOrder()))
                .map(id -> worker(id, snapshot.workers().get(id), rate, now)).toList();

        int[] byState = new int[HireRequest.State.values().length];
        int sentSoFar = 0;
        List<SessionView.HireView> hireViews = new ArrayList<>(hires.size());
        for (HireRow h : hires) {
            byState[h.state().ordinal()]++;
            if (h.state() != HireRequest.State.REQUESTED || h.attempts() > 0) {
                sentSoFar++;
            }
            hireViews.add(new SessionView.HireView(h.number(), h.state().name(), h.causeWorkerId(), h.attempts(),
                    h.lastError(), h.hitId(), iso(h.requestedAt()), iso(h.updatedAt())));
        }
        SessionView.Counters counters = new SessionView.Counters(snapshot.waiting().size(), snapshot.active().size(),
                row.capacity(), row.maxActive(), row.maxWaiting(), hires.size(),
                byState[HireRequest.State.REQUESTED.ordinal()], byState[HireRequest.State.SENT.ordinal()],
                byState[HireRequest.State.DONE.ordinal()], byState[HireRequest.State.FAILED.ordinal()], sentSoFar,
                snapshot.waiting().size() + snapshot.active().size());
        SessionView.Settings settings = new SessionView.Settings(row.minActive(), row.minWaiting(), row.maxActive(),
                row.maxWaiting(), row.capacity(), rate);

        List<SessionView.EventView> events = new ArrayList<>(Math.min(log.size(), TIMELINE_ROWS));
        for (int i = log.size() - 1; i >= 0 && events.size() < TIMELINE_ROWS; i--) {
            events.add(event(log.get(i)));
        }
        // Flags from the queues themselves: the row may lag a commit that is still being written.
        String status = status(snapshot.stopped(), snapshot.expired());
        return new SessionView(row.id(), row.taskId(), row.taskTitle(), status, snapshot.started(),
                snapshot.stopped(), snapshot.expired(), iso(row.openedAt()), iso(row.startedAt()),
                iso(row.stoppedAt()), iso(row.endedAt()), row.hitTypeId(), row.hitId(), settings, counters,
                hiring(snapshot), waiting,
                active, all, hireViews, events, log.size(), series(row, log, snapshot, now), iso(now),
                marketplace(row, snapshot.expired()), row.name());
    }

    /** The go-live and the HIT expiries of the session, from their outboxes. */
    private SessionView.Marketplace marketplace(SessionRow row, boolean expired) {
        long sessionId = row.id();
        Mode mode = marketplaces.stored(row.marketplace());
        Optional<GoLiveIntent> goLive = store.goLiveOfSession(sessionId);
        List<HitExpiryRequest> expiries = store.hitExpiries(sessionId);
        List<HitExpiryRequest> pending = expiries.stream().filter(e -> !e.done()).toList();
        String lastError = pending.stream().filter(e -> e.lastError() != null)
                .max(Comparator.comparing(HitExpiryRequest::updatedAt)).map(HitExpiryRequest::lastError).orElse(null);
        boolean gone = !expired && localHitsGone.contains(sessionId);
        String notice = lastError == null ? null : pending.size() + (pending.size() == 1 ? " HIT" : " HITs")
                + " not yet expired: " + lastError + " (retrying until the marketplace confirms)";
        return new SessionView.Marketplace(goLive.map(g -> g.state().name()).orElse(null),
                goLive.map(GoLiveIntent::lastError).orElse(null), pending.size(), expiries.size() - pending.size(),
                notice, gone, gone ? LocalHitsGone.NOTICE : null, Marketplaces.key(mode), Marketplaces.describe(mode),
                Marketplaces.previewUrl(mode, row.hitGroupId()));
    }

    /**
     * The session's queues: from the live service (waiting at most {@link #WRITER_WAIT} for its writer, which
     * may be stuck on a stalled database: then {@link DatabaseBusyException}), or replayed from the log of a
     * session that ended earlier.
     */
    QueueSnapshot snapshot(long sessionId) {
        try {
            return sessions.read(sessionId, QueueEngine::snapshot).get(WRITER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseBusyException("interrupted while reading session " + sessionId, e);
        } catch (TimeoutException e) {
            throw new DatabaseBusyException("session " + sessionId + " did not answer within " + WRITER_WAIT.toMillis()
                    + " ms (its writer is waiting on the database)", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SessionStorageException storage) {
                throw new DatabaseBusyException("session " + sessionId + " could not be read: " + storage.getMessage(),
                        storage);
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (SessionEndedException ended) {
            SessionLog log = store.loadSession(sessionId).orElseThrow(() -> new UnknownSessionException(sessionId));
            return QueueEngine.replay(log.config().thresholds(), log.config().allowRepeatWorkers(),
                    log.config().hireBudget(), log.facts().stream().map(LoggedFact::fact).toList()).snapshot();
        }
    }

    /** The hire budget as the view shows it: hires made of the budget, and the notice while hiring is paused. */
    static SessionView.Hiring hiring(QueueSnapshot s) {
        boolean limited = s.hireBudget() != QueueEngine.UNLIMITED_HIRES;
        Integer budget = limited ? s.hireBudget() : null;
        boolean usedUp = limited && s.hires() >= s.hireBudget();
        boolean hiring = !s.stopped() && !s.expired();
        boolean paused = hiring && s.withheldHires() > 0;
        String summary = "hires made " + s.hires() + (limited ? " of budget " + budget : " (no hire budget)");
        if (usedUp && hiring && !paused) {
            summary += " (used up: the next hire will be withheld)";
        }
        String notice = paused ? "Hiring paused: the hire budget of " + budget + " is used up ("
                + s.withheldHires() + (s.withheldHires() == 1 ? " hire" : " hires") + " withheld)" : null;
        return new SessionView.Hiring(s.hires(), budget, s.withheldHires(), usedUp, paused, summary, notice);
    }

    static SessionView.WorkerRow worker(String id, WorkerView w, int centsPerHour, Instant now) {
        long open = w.waitingSince() == null ? 0 : Math.max(0, Duration.between(w.waitingSince(), now).toMillis());
        long waited = w.waitedMillis() + open;
        long cents = WaitingPay.cents(waited, centsPerHour);
        return new SessionView.WorkerRow(id, w.assignmentId(), w.status().name().toLowerCase(Locale.ROOT),
                iso(w.waitingSince()), waited / 1000, waited, duration(waited / 1000), cents, Money.ofCents(cents).display(), w.ready());
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    public static String duration(long seconds) {
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long sec = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
                : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }

    static SessionView.EventView event(EventRow e) {
        return new SessionView.EventView(e.seq(), iso(e.at()), e.kind(), e.workerId(), e.assignmentId(),
                lower(e.fromStatus()), lower(e.toStatus()), lower(e.cause()), lower(e.phase()), e.hireNumber(),
                e.actor(), e.detail(), e.hitId(), summary(e));
    }

    /** The log row in words. */
    static String summary(EventRow e) {
        String kind = e.kind() == null ? "" : e.kind();
        switch (kind) {
            case "status": {
                String cause = lower(e.cause());
                String to = lower(e.toStatus());
                if (e.fromStatus() == null) {
                    return e.workerId() + " " + (cause == null ? "joined" : cause) + " → " + to;
                }
                return e.workerId() + " " + (cause == null ? "moved" : cause) + ": " + lower(e.fromStatus()) + " → "
                        + to;
            }
            case "phase": {
                String phase = lower(e.phase());
                if ("started".equals(phase)) {
                    return "session started";
                }
                if ("stopped".equals(phase)) {
                    return "job stopped (hiring off, workers told to submit)";
                }
                if ("expired".equals(phase)) {
                    return "HITs expired; session ended";
                }
                return "phase " + phase;
            }
            case "ready":
                return e.workerId() + " is ready (waiting period closed)";
            case "hire":
                if ("BUDGET_RAISED".equals(e.cause())) {
                    return "hire #" + e.hireNumber() + " requested (budget raised"
                            + (e.workerId() == null ? ")" : "; replaces " + e.workerId() + ")");
                }
                return "hire #" + e.hireNumber() + " requested"
                        + (e.workerId() == null ? "" : " (" + e.workerId() + " " + lower(e.cause()) + ")");
            case "confirm":
                return "assignment " + e.assignmentId() + " confirmed by the marketplace ("
                        + (e.workerId() == null ? "worker not named" : "worker " + e.workerId()) + ")";
            case "release":
                return "assignment " + e.assignmentId() + " released (returned before any page arrived with it)";
            case "subok":
                return "submission of " + e.workerId() + " confirmed by the marketplace"
                        + (e.assignmentId() == null ? "" : " (assignment " + e.assignmentId() + ")");
            case "withheld":
                return "hire withheld: budget " + e.hireNumber() + " used up"
                        + (e.workerId() == null ? "" : " (would replace " + e.workerId() + ")");
            case "budget":
                return "hire budget set to " + e.hireNumber();
            case "paydue":
                return "pay of " + e.workerId() + " settled (" + lower(e.cause()).replace('_', ' ') + "): waiting pay "
                        + Money.ofCents(e.hireNumber() == null ? 0 : e.hireNumber()).display();
            case "capped":
                return e.workerId() + " reached the longest paid wait: paid up to now, asked to submit";
            default:
                return kind;
        }
    }

    /**
     * Waiting/active sizes over time, replayed from the log: one point per moment that changed
     * them, the session's opening first and now last; thinned evenly when there are many.
     */
    static List<SessionView.Point> series(SessionRow row, List<EventRow> log, QueueSnapshot snapshot, Instant now) {
        List<SessionView.Point> points = new ArrayList<>();
        int waiting = 0;
        int active = 0;
        if (row.openedAt() != null) {
            points.add(point(row.openedAt(), 0, 0));
        }
        for (int i = 0; i < log.size(); i++) {
            EventRow e = log.get(i);
            if (!"status".equals(e.kind())) {
                continue;
            }
            if ("WAITING".equals(e.fromStatus())) {
                waiting--;
            } else if ("ACTIVE".equals(e.fromStatus())) {
                active--;
            }
            if ("WAITING".equals(e.toStatus())) {
                waiting++;
            } else if ("ACTIVE".equals(e.toStatus())) {
                active++;
            }
            boolean lastOfMoment = i + 1 == log.size() || !log.get(i + 1).at().equals(e.at());
            if (lastOfMoment) {
                if (!points.isEmpty() && points.get(points.size() - 1).t() == e.at().toEpochMilli()) {
                    points.remove(points.size() - 1);
                }
                points.add(point(e.at(), waiting, active));
            }
        }
        Instant end = snapshot.expired() && row.endedAt() != null ? row.endedAt() : now;
        points.add(point(end, snapshot.waiting().size(), snapshot.active().size()));
        if (points.size() <= SERIES_POINTS) {
            return points;
        }
        List<SessionView.Point> thinned = new ArrayList<>(SERIES_POINTS + 1);
        double step = (points.size() - 1) / (double) (SERIES_POINTS - 1);
        for (int i = 0; i < SERIES_POINTS - 1; i++) {
            thinned.add(points.get((int) Math.round(i * step)));
        }
        thinned.add(points.get(points.size() - 1));
        return thinned;
    }

    private static SessionView.Point point(Instant at, int waiting, int active) {
        return new SessionView.Point(at.toString(), at.toEpochMilli(), waiting, active);
    }

    /** {@code live}, {@code stopped} or {@code expired}. */
    static String status(boolean stopped, boolean expired) {
        return expired ? "expired" : stopped ? "stopped" : "live";
    }

    static String iso(Instant at) {
        return at == null ? null : at.toString();
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
