package org.pavilion.marketplace;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.AssignmentView;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.LiveSessionService;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.storage.JdbcSessionStore.SessionHit;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Reconciliation catches what lost notifications never said, and never moves a finished worker
 * back. Notifications are lost on purpose here: the local marketplace delivers them nowhere.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem", "pavilion.marketplace.local.notify-url=/nowhere",
                      "pavilion.marketplace.reconcile-interval=0"})
class ReconcilerTest {

    @Autowired
    MarketplaceService market;
    @Autowired
    LocalMarketplace local;
    @Autowired
    Reconciler reconciler;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    JdbcSessionStore store;
    @Autowired
    ObjectProvider<Marketplace> marketplace;

    private MarketplaceService.Posted goLive(String name) {
        long project = projects.create(name, "", Instant.now()).id();
        long task = tasks.create(project, TaskSettings.basic("Live", "Live task", "http://localhost/waiting_task", 25,
                new Thresholds(1, 0, 2, 2)), Instant.now()).id();
        return market.goLive(task, "admin@lab");
    }

    @Test
    void eachCallListsABoundedSliceAndALostSubmissionIsAppliedInALaterOne() {
        int batch = 2;
        Reconciler sliced = new Reconciler(SessionMarketplace.single(marketplace), sessions, store, batch);
        MarketplaceService.Posted gone = goLive("Expired");
        sessions.apply(gone.sessionId(), new QueueEvent.Expire("admin@lab"), "admin@lab");
        for (int i = 0; i < 3; i++) {
            goLive("Quiet " + i);
        }
        MarketplaceService.Posted last = goLive("Lost notification");
        long s = last.sessionId();
        AssignmentView a = local.accept("A", last.hitId());
        ConfirmedArrivals.arrive(sessions, s, a.workerId(), a.assignmentId(), "worker:A");
        local.submit(a.assignmentId(), Map.of("stage", "active")); // its notification goes nowhere

        List<SessionHit> walk = store.liveSessionHitsAfter(null, 10_000);
        assertThat(walk).as("an expired session's HITs are not walked").extracting(SessionHit::hitId)
                .doesNotContain(gone.hitId());
        int position = walk.indexOf(new SessionHit(s, last.hitId()));
        assertThat(position).as("the HIT is beyond the first slice").isGreaterThanOrEqualTo(batch);
        assertThat(store.liveSessionHitsAfter(null, batch)).hasSize(batch);

        assertThat(sliced.reconcileNext()).as("the first slice does not reach it").isZero();
        assertThat(sessions.snapshot(s).workers().get("A").status()).isEqualTo(WorkerStatus.ACTIVE);
        // Reached by the call whose slice holds it, within ceil(N / batch) + 1 calls in all.
        int bound = (walk.size() + batch - 1) / batch + 1;
        int calls = 1;
        int applied = 0;
        while (applied == 0 && calls < bound) {
            applied = sliced.reconcileNext();
            calls++;
        }
        assertThat(applied).as("applied within %d calls", bound).isEqualTo(1);
        assertThat(calls).isEqualTo(position / batch + 1);
        assertThat(sessions.snapshot(s).workers().get("A").status()).isEqualTo(WorkerStatus.SUBMITTED);

        // The walk goes round again: nothing new, and the submitted worker stays submitted.
        int again = 0;
        for (int i = 0; i < bound; i++) {
            again += sliced.reconcileNext();
        }
        assertThat(again).isZero();
        assertThat(sessions.snapshot(s).workers().get("A").status()).isEqualTo(WorkerStatus.SUBMITTED);
    }

    @Test
    void aLostSubmissionIsAppliedOnceAndFinishedWorkersStayFinished() {
        long project = projects.create("Reconciliation", "", Instant.now()).id();
        long task = tasks.create(project, TaskSettings.basic("Live", "Live task", "http://localhost/waiting_task", 25,
                new Thresholds(1, 0, 2, 2)), Instant.now()).id();
        MarketplaceService.Posted posted = market.goLive(task, "admin@lab");
        long s = posted.sessionId();

        AssignmentView a = local.accept("A", posted.hitId());
        AssignmentView b = local.accept("B", posted.hitId());
        AssignmentView c = local.accept("C", posted.hitId());
        for (AssignmentView x : new AssignmentView[] {a, b, c}) {
            ConfirmedArrivals.arrive(sessions, s, x.workerId(), x.assignmentId(), "worker:" + x.workerId());
        }
        // A submits at the marketplace and the notification is lost. B returns, also unheard: MTurk lists
        // returned assignments nowhere, so reconciliation cannot see it (the disconnect grace period will).
        local.submit(a.assignmentId(), Map.of("stage", "active"));
        local.returnAssignment(b.assignmentId());
        // C's return was heard: C is finished for Pavilion.
        sessions.apply(s, new QueueEvent.Leave("C", c.assignmentId(), QueueEvent.Departure.RETURN), "marketplace");
        assertThat(sessions.snapshot(s).workers().get("A").status()).isEqualTo(WorkerStatus.ACTIVE);

        assertThat(reconciler.reconcileAll()).isEqualTo(1);
        assertThat(sessions.snapshot(s).workers().get("A").status()).isEqualTo(WorkerStatus.SUBMITTED);
        assertThat(sessions.snapshot(s).workers().get("B").status()).isEqualTo(WorkerStatus.ACTIVE);
        assertThat(sessions.snapshot(s).workers().get("C").status()).isEqualTo(WorkerStatus.RETURNED);

        // A second pass finds nothing new, and the submitted worker is not moved anywhere.
        assertThat(reconciler.reconcileAll()).isZero();
        assertThat(sessions.snapshot(s).workers().get("A").status()).isEqualTo(WorkerStatus.SUBMITTED);
    }
}
