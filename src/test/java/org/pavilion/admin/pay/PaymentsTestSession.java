package org.pavilion.admin.pay;

import java.time.Instant;
import java.util.List;

import org.pavilion.pay.BonusLedger;
import org.pavilion.pay.PayLedger;
import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.MutableClock;
import org.pavilion.session.SessionStore;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A session whose pay ledger is written the way the system writes it: its own live session service (on the
 * application's store, with a clock moved by hand) applies the marketplace's confirmations and reports, and
 * the store writes a payout row with each PayDue fact.
 *
 * <p>Task: thresholds 1/0/1/2 (first HIT of 3 assignments), reward $0.50, waiting pay $7.25 an hour, manual
 * approval. {@link #run}: {@code w1} arrives (HIT-1) and is promoted at once; {@code w,2} arrives at 10 s and
 * {@code @w3} (a hire's HIT, HIT-2) at 20 s; {@code w,2} earns a task bonus of 5 cents; {@code w1} submits at
 * 60 s ({@code w,2} promoted: waited 50 s, 10 cents); {@code @w3} returns at 90 s (waited 70 s, 14 cents,
 * owed); {@code w,2} submits at 150 s.
 */
final class PaymentsTestSession implements AutoCloseable {

    static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");

    final MutableClock clock = new MutableClock(T0);
    final LiveSessionService service;
    final long project;
    final long task;
    final long session;

    PaymentsTestSession(SessionStore store, ProjectRepository projects, TaskRepository tasks, JdbcTemplate jdbc,
                        String approvalPolicy) {
        service = new LiveSessionService(store, List.of(), clock);
        project = projects.create("Payments " + java.util.UUID.randomUUID(), "", T0).id();
        task = tasks.create(project, TaskSettings.basic("Pay me", "Paid for waiting", "https://example.org/t", 50,
                new Thresholds(1, 0, 1, 2)), T0).id();
        jdbc.update("update task set approval_policy = ? where id = ?", approvalPolicy, task);
        session = service.open(task).sessionId();
        ((org.pavilion.storage.JdbcSessionStore) store).recordSessionHit(session, "TYPE-1", "HIT-1");
    }

    void at(long seconds, QueueEvent event, String actor) throws Exception {
        clock.set(T0.plusSeconds(seconds));
        service.submit(session, event, actor, null).get();
    }

    void arrive(long seconds, String worker, String assignment, String hit) throws Exception {
        at(seconds, new QueueEvent.Confirm(assignment, hit, worker), "marketplace");
        at(seconds, new QueueEvent.Arrive(worker, assignment), "worker:" + worker);
    }

    void submit(long seconds, String worker, String assignment) throws Exception {
        at(seconds, new QueueEvent.Leave(worker, assignment, Departure.SUBMIT), "marketplace");
    }

    PaymentsTestSession run(BonusLedger bonuses) throws Exception {
        arrive(0, "w1", "A1", "HIT-1");
        arrive(10, "w,2", "A2", "HIT-1");
        arrive(20, "@w3", "A3", "HIT-2");
        bonuses.award(session, "w,2", 5, "best answer");
        submit(60, "w1", "A1");
        at(90, new QueueEvent.Leave("@w3", "A3", Departure.RETURN), "marketplace");
        submit(150, "w,2", "A2");
        return this;
    }

    /** The session's payout of a worker. */
    Payout payout(PayLedger ledger, String worker) {
        return ledger.forSession(session).stream().filter(p -> p.workerId().equals(worker)).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        service.close();
    }
}
