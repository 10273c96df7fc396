package org.pavilion.admin.live;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.pavilion.admin.live.SessionQueries.SessionRow;
import org.pavilion.admin.pay.PaymentViews;
import org.pavilion.admin.pay.PaymentsView;
import org.pavilion.admin.projects.AdminFormat;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.QueueSnapshot.WorkerView;
import org.pavilion.realtime.WorkerPresence;
import org.pavilion.session.UnknownSessionException;
import org.springframework.stereotype.Service;

/** One worker of a session as the admin sees it: status, pay, connection and its own events. */
@Service
public class WorkerViews {

    private final SessionQueries queries;
    private final SessionViews views;
    private final Timeline timeline;
    private final PaymentViews payments;
    private final WorkerPresence presence;
    private final AdminFormat format;
    private final Clock clock;

    public WorkerViews(SessionQueries queries, SessionViews views, Timeline timeline, PaymentViews payments,
                       WorkerPresence presence, AdminFormat format, Clock clock) {
        this.queries = queries;
        this.views = views;
        this.timeline = timeline;
        this.payments = payments;
        this.presence = presence;
        this.format = format;
        this.clock = clock;
    }

    /**
     * The connection: {@code state} is {@code connected}, {@code grace} (disconnected, keeps its place until
     * {@code graceUntil}, ISO-8601) or {@code disconnected}; {@code text} says it in words.
     */
    public record Connection(String state, String graceUntil, String text) {
    }

    /**
     * A worker of the session. {@code worker} is its row in the queues (null for a worker named in the log
     * only, e.g. an assignment the marketplace confirmed whose page never arrived); {@code waitingPaySoFar}
     * counts every waiting period up to now at the session's rate, {@code waitingPaySettled} the waiting pay
     * of its assignments whose pay was settled; {@code payouts} are its payouts (bonus, reward and their
     * states); {@code events} the worker's own timeline page.
     */
    public record WorkerDetail(long sessionId, long taskId, String taskTitle, String sessionStatus, String workerId,
                               SessionView.WorkerRow worker, int waitingPayCentsPerHour, long waitingPaySoFarCents,
                               long waitingPaySettledCents, Connection connection, List<PaymentsView.Row> payouts,
                               Timeline.Page events) {
    }

    public WorkerDetail view(long sessionId, String workerId, String kind, String before, String after, String size) {
        SessionRow row = queries.session(sessionId).orElseThrow(() -> new UnknownSessionException(sessionId));
        QueueSnapshot snapshot = views.snapshot(sessionId);
        WorkerView w = snapshot.workers().get(workerId);
        if (w == null && queries.countEvents(sessionId, workerId, null, null, null) == 0) {
            throw new UnknownWorkerException(sessionId, workerId);
        }
        Instant now = clock.instant();
        int rate = row.waitingPayCentsPerHour();
        SessionView.WorkerRow worker = w == null ? null : SessionViews.worker(workerId, w, rate, now);
        long settled = queries.eventPage(sessionId, workerId, "paydue", null, null, 10_000).stream()
                .mapToLong(e -> e.hireNumber() == null ? 0 : e.hireNumber()).sum();
        List<PaymentsView.Row> payouts = payments.session(sessionId).rows().stream()
                .filter(p -> workerId.equals(p.worker())).toList();
        Timeline.Page events = timeline.page(sessionId, workerId, kind, before, after, size);
        String status = SessionViews.status(snapshot.stopped(), snapshot.expired());
        return new WorkerDetail(sessionId, row.taskId(), row.taskTitle(), status, workerId, worker, rate,
                worker == null ? 0 : worker.payCents(), settled, connection(sessionId, workerId, snapshot.expired()),
                payouts, events);
    }

    private Connection connection(long sessionId, String workerId, boolean ended) {
        WorkerPresence.State state = presence.of(sessionId, workerId);
        if (state instanceof WorkerPresence.Connected c) {
            return new Connection("connected", null, c.connections() == 1 ? "connected"
                    : "connected (" + c.connections() + " connections)");
        }
        if (state instanceof WorkerPresence.InGrace g) {
            return new Connection("grace", g.until().toString(),
                    "disconnected, inside the grace period until " + format.time(g.until()));
        }
        return new Connection("disconnected", null, ended ? "disconnected (the session has ended)"
                : "disconnected (no grace period running)");
    }
}
