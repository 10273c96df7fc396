package org.pavilion.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.local.FaultInjector;
import org.pavilion.marketplace.local.FaultInjector.Fault;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.marketplace.local.LocalMarketplace.HitView;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.HireRequest;
import org.pavilion.session.LiveSessionService;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A hire whose first CreateHITWithHITType made the HIT but whose answer was lost: the resend gets
 * MTurk's reused-token error, whose text (on the local marketplace) names no HIT, and the hire is
 * settled with the HIT found by its RequesterAnnotation (ListHITs over real HTTP, every page), or
 * from Pavilion's own records; a token whose HIT is not listed is looked for a bounded number of
 * times, then FAILED with the reason, and never replaced by a second HIT.
 *
 * <p>The outbox is driven step by step by a dispatcher on a clock the test moves (the context's
 * own dispatcher is stopped), and the client makes one attempt per call, so that a lost answer
 * reaches the dispatcher as a failure.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem", "pavilion.marketplace.client.max-attempts=1"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS) // its own dispatcher is stopped
class HireTokenRecoveryTest {

    private static final int LOOKUPS = 3;
    private static final Duration LOOKUP_DELAY = Duration.ofSeconds(30);

    @LocalServerPort
    int port;
    @Autowired
    MarketplaceService market;
    @Autowired
    LocalMarketplace local;
    @Autowired
    FaultInjector faults;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    ObjectProvider<LiveSessionService> sessionsProvider;
    @Autowired
    JdbcSessionStore store;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    ObjectProvider<Marketplace> marketplace;
    @Autowired
    HireDispatcher contextDispatcher;

    private MovableClock clock;
    private HireDispatcher dispatcher;

    /** A clock the test moves by hand. */
    static final class MovableClock extends Clock {
        private Instant now = Instant.now();

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void takeOverTheOutbox() {
        contextDispatcher.close();
        clock = new MovableClock();
        dispatcher = new HireDispatcher(SessionMarketplace.single(marketplace), sessionsProvider, store, tasks, clock, Duration.ofHours(1),
                Duration.ofSeconds(1), new HireDispatcher.TokenLookup(LOOKUPS, LOOKUP_DELAY));
    }

    @AfterEach
    void cleanUp() {
        faults.clear();
        dispatcher.close();
    }

    private MarketplaceService.Posted goLive() {
        long project = projects.create("Hire tokens", "", Instant.now()).id();
        TaskSettings basic = TaskSettings.basic("Steer a robot together", "A live task for several workers",
                "http://localhost:" + port + "/waiting_task", 50, new Thresholds(1, 0, 2, 2));
        return market.goLive(tasks.create(project, basic, Instant.now()).id(), "admin@lab");
    }

    /** A worker arrives and submits: the session decides one hire. */
    private HireRequest hireOne(long s, String worker) {
        ConfirmedArrivals.arrive(sessions, s, worker, "asg-" + worker, "worker:" + worker);
        sessions.apply(s, new QueueEvent.Leave(worker, null, QueueEvent.Departure.SUBMIT), "worker:" + worker);
        List<HireRequest> hires = store.hireRequests(s);
        assertThat(hires).hasSize(1);
        assertThat(hires.get(0).state()).isEqualTo(HireRequest.State.REQUESTED);
        return hires.get(0);
    }

    private HireRequest hire(long s) {
        return store.hireRequests(s).get(0);
    }

    private List<HitView> annotated(String annotation) {
        return local.hits().stream().filter(h -> annotation.equals(h.requesterAnnotation())).toList();
    }

    /** The session's HITs at the marketplace, told apart by the token Pavilion annotates each with. */
    private List<HitView> hitsOf(long sessionId) {
        return local.hits().stream().filter(h -> h.requesterAnnotation() != null
                && h.requesterAnnotation().contains("-s" + sessionId + "-")).toList();
    }

    /** Uses the hire's token at the marketplace for a HIT that is not the hire's (another type, another annotation). */
    private void spendTokenElsewhere(String token) {
        LocalMarketplace.HitType other = local.createHitType(new LocalMarketplace.HitTypeSpec(
                "Something else " + token, "Not the session's type", null, new BigDecimal("0.10"), 600, 3600, null));
        local.createHit(other.hitTypeId(), 600, 1, question(), "not the hire", token);
    }

    private static String question() {
        return "<ExternalQuestion xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
                + "2006-07-14/ExternalQuestion.xsd\"><ExternalURL>https://task.example/x</ExternalURL>"
                + "<FrameHeight>600</FrameHeight></ExternalQuestion>";
    }

    @Test
    void aLostCreateAnswerIsSettledWithTheFirstHitFoundByItsAnnotation() {
        MarketplaceService.Posted posted = goLive();
        long s = posted.sessionId();
        HireRequest request = hireOne(s, "A");

        // The first CreateHIT makes the HIT, but its answer is lost: the dispatcher sees a failure.
        faults.failNext("CreateHITWithHITType", 1, Fault.LOST_RESPONSE);
        dispatcher.dispatchPending();
        assertThat(hire(s).state()).isEqualTo(HireRequest.State.SENT);
        assertThat(hire(s).attempts()).isEqualTo(1);
        List<HitView> made = annotated(request.token());
        assertThat(made).as("the first attempt did make the HIT").hasSize(1);
        assertThat(store.sessionHits(s)).doesNotContain(made.get(0).hitId());

        // The resend gets the reused-token error (its text names no HIT); ListHITs finds the HIT.
        clock.advance(Duration.ofSeconds(5));
        dispatcher.dispatchPending();

        HireRequest settled = hire(s);
        assertThat(settled.state()).isEqualTo(HireRequest.State.DONE);
        assertThat(settled.attempts()).isEqualTo(2);
        assertThat(settled.lastError()).isNull();
        assertThat(store.hireRequestHitId(s, 1)).contains(made.get(0).hitId());
        assertThat(store.sessionHits(s)).containsExactly(posted.hitId(), made.get(0).hitId());
        assertThat(store.findSessionByHit(made.get(0).hitId())).contains(s);
        assertThat(annotated(request.token())).as("exactly one HIT for the token").hasSize(1);
        assertThat(hitsOf(s)).hasSize(2); // the first HIT and the hire's

        dispatcher.dispatchPending(); // settled: nothing more is sent
        assertThat(annotated(request.token())).hasSize(1);
    }

    @Test
    void theFirstHitIsFoundBeyondTheFirstPageOfListHits() {
        MarketplaceService.Posted posted = goLive();
        long s = posted.sessionId();
        HireRequest request = hireOne(s, "A");
        // More than a page (100) of other HITs listed before the hire's.
        LocalMarketplace.HitType filler = local.createHitType(new LocalMarketplace.HitTypeSpec("Filler",
                "Other work of the requester", null, new BigDecimal("0.10"), 600, 3600, null));
        for (int i = 0; i < 120; i++) {
            local.createHit(filler.hitTypeId(), 600, 1, question(), "filler " + i, null);
        }

        faults.failNext("CreateHITWithHITType", 1, Fault.LOST_RESPONSE);
        dispatcher.dispatchPending();
        clock.advance(Duration.ofSeconds(5));
        dispatcher.dispatchPending();

        String hitId = annotated(request.token()).get(0).hitId();
        List<String> listingOrder = local.hits().stream().map(HitView::hitId).toList();
        assertThat(listingOrder.indexOf(hitId)).as("the hire's HIT is not on ListHITs' first page")
                .isGreaterThanOrEqualTo(100);
        assertThat(hire(s).state()).isEqualTo(HireRequest.State.DONE);
        assertThat(store.hireRequestHitId(s, 1)).contains(hitId);
        assertThat(annotated(request.token())).hasSize(1);
    }

    @Test
    void pavilionsOwnRecordOfTheHitComesBeforeAskingTheMarketplace() {
        MarketplaceService.Posted posted = goLive();
        long s = posted.sessionId();
        HireRequest request = hireOne(s, "A");
        // The first attempt's HIT is in Pavilion's records already (e.g. another sender recorded it),
        // but the request still looks unsent.
        String hitId = marketplace.getObject().createHit(posted.hitTypeId(),
                MarketplaceService.hit(tasks.find(sessions.config(s).taskId()).orElseThrow().settings(), 1,
                        request.token()), request.token()).hitId();
        store.updateHireRequest(s, 1, HireRequest.State.SENT, 1, null, hitId);
        // Were ListHITs asked, it would fail for good.
        faults.failNext("ListHITs", 1, Fault.SERVICE_FAULT);
        faults.failNext("ListHITs", 10, Fault.HTTP_500);

        dispatcher.dispatchPending();

        assertThat(hire(s).state()).isEqualTo(HireRequest.State.DONE);
        assertThat(store.hireRequestHitId(s, 1)).contains(hitId);
        assertThat(store.sessionHits(s)).containsExactly(posted.hitId(), hitId);
        assertThat(annotated(request.token())).hasSize(1);
        // ListHITs was not called: its first planned fault is still waiting.
        assertThatThrownBy(() -> marketplace.getObject().findHitByAnnotation(posted.hitTypeId(), request.token()))
                .isInstanceOfSatisfying(MarketplaceException.class,
                        e -> assertThat(e.errorCode()).isEqualTo("ServiceFault"));
    }

    @Test
    void aFailedLookupIsRetriedLaterLikeAnySend() {
        MarketplaceService.Posted posted = goLive();
        long s = posted.sessionId();
        HireRequest request = hireOne(s, "A");
        faults.failNext("CreateHITWithHITType", 1, Fault.LOST_RESPONSE);
        dispatcher.dispatchPending();
        faults.failNext("ListHITs", 1, Fault.THROTTLING);

        clock.advance(Duration.ofSeconds(5));
        dispatcher.dispatchPending();
        assertThat(hire(s).state()).isEqualTo(HireRequest.State.SENT);
        assertThat(hire(s).lastError()).contains("throttled");

        clock.advance(Duration.ofSeconds(5));
        dispatcher.dispatchPending();
        assertThat(hire(s).state()).isEqualTo(HireRequest.State.DONE);
        assertThat(store.hireRequestHitId(s, 1)).contains(annotated(request.token()).get(0).hitId());
        assertThat(annotated(request.token())).hasSize(1);
    }

    @Test
    void aUsedTokenWhoseHitIsNotListedIsLookedForAgainThenFailedWithoutASecondHit() {
        MarketplaceService.Posted posted = goLive();
        long s = posted.sessionId();
        HireRequest request = hireOne(s, "A");
        spendTokenElsewhere(request.token()); // the marketplace knows the token, but lists no HIT of ours for it

        dispatcher.dispatchPending();
        HireRequest first = hire(s);
        assertThat(first.state()).isEqualTo(HireRequest.State.SENT);
        assertThat(first.attempts()).isEqualTo(1);
        assertThat(first.lastError()).contains(request.token()).contains("lookup 1 of 3");

        dispatcher.dispatchPending(); // before the lookup delay: nothing happens
        assertThat(hire(s).lastError()).contains("lookup 1 of 3");

        clock.advance(LOOKUP_DELAY.plusSeconds(1));
        dispatcher.dispatchPending();
        assertThat(hire(s).state()).isEqualTo(HireRequest.State.SENT);
        assertThat(hire(s).lastError()).contains("lookup 2 of 3");
        assertThat(hire(s).attempts()).as("a lookup does not send the HIT again").isEqualTo(1);

        clock.advance(LOOKUP_DELAY.plusSeconds(1));
        dispatcher.dispatchPending();
        HireRequest failed = hire(s);
        assertThat(failed.state()).isEqualTo(HireRequest.State.FAILED);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.lastError()).contains(request.token()).contains(posted.hitTypeId())
                .contains("after 3 lookups").contains("No second HIT was posted");
        assertThat(store.hireRequestHitId(s, 1)).isEmpty();

        clock.advance(LOOKUP_DELAY.plusSeconds(1));
        dispatcher.dispatchPending(); // FAILED is final
        assertThat(hire(s).state()).isEqualTo(HireRequest.State.FAILED);
        assertThat(hitsOf(s)).as("only the session's first HIT").extracting(HitView::hitId)
                .containsExactly(posted.hitId());
        assertThat(annotated(request.token())).isEmpty();
        assertThat(store.sessionHits(s)).containsExactly(posted.hitId());
    }

    @Test
    void aSendLeftUnsettledForADayIsLookedUpBeforeItIsSentAgain() {
        MarketplaceService.Posted posted = goLive();
        long s = posted.sessionId();
        HireRequest request = hireOne(s, "A");
        // Sent, its HIT made, then Pavilion was down for more than a day: the marketplace has
        // forgotten the token (the HIT is made here without one), so a resend would post a second HIT.
        store.updateHireRequest(s, 1, HireRequest.State.SENT, 1, null, null);
        String made = local.createHit(posted.hitTypeId(), 600, 1, question(), request.token(), null).hitId();
        clock.advance(Duration.ofHours(25));

        dispatcher.dispatchPending();

        assertThat(hire(s).state()).isEqualTo(HireRequest.State.DONE);
        assertThat(store.hireRequestHitId(s, 1)).contains(made);
        assertThat(annotated(request.token())).as("no second HIT").hasSize(1);
    }

    @Test
    void aHitListedOnlyLateIsFoundByALaterLookup() {
        MarketplaceService.Posted posted = goLive();
        long s = posted.sessionId();
        HireRequest request = hireOne(s, "A");
        spendTokenElsewhere(request.token());

        dispatcher.dispatchPending();
        assertThat(hire(s).lastError()).contains("lookup 1 of 3");

        // the HIT shows up in ListHITs
        String late = local.createHit(posted.hitTypeId(), 600, 1, question(), request.token(), null).hitId();
        clock.advance(LOOKUP_DELAY.plusSeconds(1));
        dispatcher.dispatchPending();

        assertThat(hire(s).state()).isEqualTo(HireRequest.State.DONE);
        assertThat(store.hireRequestHitId(s, 1)).contains(late);
        assertThat(store.sessionHits(s)).containsExactly(posted.hitId(), late);
    }
}
