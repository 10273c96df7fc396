package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.BonusTokenUsedException;
import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.marketplace.RequestTokenUsedException;
import org.pavilion.marketplace.mturk.MTurkClient;
import org.pavilion.marketplace.mturk.MTurkException;
import org.pavilion.pay.Money;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The application's own {@link Marketplace} (the MTurk client, in local mode pointed at this
 * server's {@code /local-mturk/}) against the local marketplace over real HTTP: every port
 * operation, its SigV4 signature checked by the server side.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        LocalTestSupport.P1, LocalTestSupport.P2, LocalTestSupport.P3, LocalTestSupport.P4, LocalTestSupport.P5})
@Import(LocalTestSupport.Receiver.class)
class LocalMarketplaceClientTest {

    @LocalServerPort
    int port;
    @Autowired
    Marketplace client;
    @Autowired
    LocalMarketplace local;
    @Autowired
    LocalTestSupport.SnsInbox inbox;
    @Autowired
    FaultInjector faults;

    @Test
    void theMTurkClientRunsEveryOperationAgainstTheLocalMarketplace() {
        String typeId = client.createHitType(new Marketplace.HitTypeSpec("Client " + UUID.randomUUID(),
                "A live crowd task", "live,chat", 60, 900, 3600,
                List.of(Marketplace.QualificationRequirement.approvalRateAtLeast(95),
                        Marketplace.QualificationRequirement.locale("US"))));
        assertThat(local.hitType(typeId)).isPresent();
        assertThat(local.hitType(typeId).orElseThrow().spec().reward()).isEqualByComparingTo("0.60");
        assertThat(local.hitType(typeId).orElseThrow().spec().qualificationRequirementsJson())
                .contains("000000000000000000L0").contains("\"Country\":\"US\"");

        String token = "client-" + UUID.randomUUID();
        Marketplace.HitSpec spec = new Marketplace.HitSpec(1800, 3,
                LocalTestSupport.externalQuestion("https://task.example/waiting_task?task=3&x=y"), "session 12");
        Marketplace.Hit hit = client.createHit(typeId, spec, token);
        assertThat(hit.hitTypeId()).isEqualTo(typeId);
        assertThat(hit.status()).isEqualTo("Assignable");
        assertThat(hit.maxAssignments()).isEqualTo(3);
        assertThat(hit.annotation()).isEqualTo("session 12");
        assertThat(hit.available()).isEqualTo(3);
        assertThat(hit.expiration()).isAfter(Instant.now().plusSeconds(1700));
        assertThat(local.getHit(hit.hitId()).externalUrl()).isEqualTo("https://task.example/waiting_task?task=3&x=y");
        assertThatThrownBy(() -> client.createHit(typeId, spec, token)).as("the same token: no second HIT")
                .isInstanceOfSatisfying(RequestTokenUsedException.class, e -> assertThat(e.token()).isEqualTo(token));
        assertThat(local.hits().stream().filter(h -> h.hitTypeId().equals(typeId))).hasSize(1);
        assertThat(client.findHitByAnnotation(typeId, "session 12").map(Marketplace.Hit::hitId)).contains(hit.hitId());
        assertThat(client.findHitByAnnotation(typeId, "session 13")).isEmpty();

        String topic = "arn:aws:sns:us-east-1:123456789012:client-" + UUID.randomUUID();
        client.registerNotifications(typeId, topic, List.of("AssignmentReturned", "AssignmentAbandoned"));
        assertThat(local.notificationSettings(typeId).orElseThrow().delivers("AssignmentReturned")).isTrue();
        client.sendTestNotification(topic, List.of("AssignmentReturned"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !inbox.accepted(topic).isEmpty());
        assertThat(inbox.accepted(topic).get(0).field("Type")).isEqualTo("SubscriptionConfirmation");

        LocalMarketplace.AssignmentView a = local.accept("A1CLIENT", hit.hitId());
        assertThat(client.getHit(hit.hitId()).pending()).isEqualTo(1);
        assertThat(client.listAssignments(hit.hitId())).isEmpty();
        local.submit(a.assignmentId(), Map.of("q", "a"));
        List<Marketplace.AssignmentInfo> listed = client.listAssignments(hit.hitId());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).assignmentId()).isEqualTo(a.assignmentId());
        assertThat(listed.get(0).workerId()).isEqualTo("A1CLIENT");
        assertThat(listed.get(0).status()).isEqualTo("Submitted");
        assertThat(listed.get(0).submitTime()).isNotNull();
        assertThat(client.getAssignment(a.assignmentId()).status()).isEqualTo("Submitted");

        Money before = client.accountBalance();
        String bonusToken = "bonus-" + UUID.randomUUID();
        assertThat(client.listBonusPayments(a.assignmentId())).isEmpty();
        client.sendBonus("A1CLIENT", a.assignmentId(), Money.ofCents(125), "waiting", bonusToken);
        assertThatThrownBy(() -> client.sendBonus("A1CLIENT", a.assignmentId(), Money.ofCents(125), "waiting",
                bonusToken)).as("a retry with the same token: refused as such, not paid again")
                .isInstanceOfSatisfying(BonusTokenUsedException.class, e -> {
                    assertThat(e.token()).isEqualTo(bonusToken);
                    assertThat(e.retryable()).isFalse();
                });
        client.approve(a.assignmentId(), "thanks");
        assertThat(before.minus(client.accountBalance())).as("0.60 + 0.12 fee, 1.25 + 0.25 fee")
                .isEqualTo(Money.ofCents(222));
        List<Marketplace.BonusPayment> paid = client.listBonusPayments(a.assignmentId());
        assertThat(paid).hasSize(1);
        assertThat(paid.get(0).workerId()).isEqualTo("A1CLIENT");
        assertThat(paid.get(0).assignmentId()).isEqualTo(a.assignmentId());
        assertThat(paid.get(0).amount()).isEqualTo(Money.ofCents(125));
        assertThat(paid.get(0).reason()).isEqualTo("waiting");
        assertThat(paid.get(0).grantTime()).isNotNull();

        LocalMarketplace.AssignmentView b = local.accept("A2CLIENT", hit.hitId());
        local.submit(b.assignmentId(), Map.of());
        client.reject(b.assignmentId(), "nothing done");
        assertThat(client.getAssignment(b.assignmentId()).status()).isEqualTo("Rejected");

        client.expireHit(hit.hitId());
        assertThat(client.getHit(hit.hitId()).status()).isEqualTo("Reviewable");
        assertThat(local.openHits().stream().noneMatch(h -> h.hitId().equals(hit.hitId()))).isTrue();
    }

    @Test
    void findHitByAnnotationReadsPastTheFirstPageOfListHits() {
        String typeId = client.createHitType(new Marketplace.HitTypeSpec("Pages " + UUID.randomUUID(),
                "A live crowd task", null, 60, 900, 3600, List.of()));
        String question = LocalTestSupport.externalQuestion("https://task.example/p");
        // more than one page (100) of HITs before the one sought, created straight in the marketplace
        for (int i = 0; i < 130; i++) {
            local.createHit(typeId, 600, 1, question, "filler " + i, null);
        }
        String wanted = "pav-pages-" + UUID.randomUUID();
        String hitId = local.createHit(typeId, 600, 1, question, wanted, null).hitId();
        assertThat(local.hitCount()).isGreaterThan(100);

        assertThat(client.findHitByAnnotation(typeId, wanted).map(Marketplace.Hit::hitId)).contains(hitId);
        assertThat(client.findHitByAnnotation("3NOSUCHTYPE00000000000000000000", wanted)).isEmpty();
        assertThat(client.findHitByAnnotation(typeId, "pav-pages-none")).isEmpty();
    }

    @Test
    void aCompensationHitIsSeenAndAcceptedOnlyByTheWorkersGivenItsQualification() {
        String name = "Pavilion compensation " + UUID.randomUUID();
        assertThat(client.findQualificationType(name)).isEmpty();
        String typeId = client.createQualificationType(name, "Workers this Pavilion owes pay");
        assertThat(client.findQualificationType(name)).contains(typeId);
        assertThat(client.findQualificationType(name.substring(0, name.length() - 1))).as("exact names only")
                .isEmpty();
        assertThatThrownBy(() -> client.createQualificationType(name, "again"))
                .isInstanceOfSatisfying(MTurkException.class, e -> assertThat(e.turkErrorCode())
                        .isEqualTo("AWS.MechanicalTurk.QualificationTypeAlreadyExists"));
        client.associateQualification(typeId, "A1OWED", 1);

        String hitTypeId = client.createHitType(new Marketplace.HitTypeSpec("Compensation " + UUID.randomUUID(),
                "Pay owed for waiting", null, 37, 600, 60,
                List.of(Marketplace.QualificationRequirement.exists(typeId))));
        assertThat(local.hitType(hitTypeId).orElseThrow().spec().qualificationRequirementsJson())
                .contains("\"Comparator\":\"Exists\"").contains("DiscoverPreviewAndAccept");
        Marketplace.Hit hit = client.createHit(hitTypeId, new Marketplace.HitSpec(600, 1,
                LocalTestSupport.externalQuestion("https://task.example/compensation"), "comp"), null);

        String base = "http://localhost:" + port + "/local-mturk/api/hits?workerId=";
        assertThat(LocalTestSupport.json(LocalTestSupport.get(base + "A1STRANGER")).findValuesAsString("hitId"))
                .doesNotContain(hit.hitId());
        assertThat(LocalTestSupport.json(LocalTestSupport.get(base + "A1OWED")).findValuesAsString("hitId"))
                .contains(hit.hitId());
        var refused = LocalTestSupport.postJson(port, "/local-mturk/api/accept",
                "{\"workerId\":\"A1STRANGER\",\"hitId\":" + LocalTestSupport.q(hit.hitId()) + "}");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(LocalTestSupport.json(refused).get("error").stringValue())
                .isEqualTo(LocalMarketplace.QUALIFICATIONS_NOT_MET);
        assertThat(client.getHit(hit.hitId()).available()).isEqualTo(1);

        LocalMarketplace.AssignmentView a = local.accept("A1OWED", hit.hitId());
        local.submit(a.assignmentId(), Map.of());
        Money before = client.accountBalance();
        client.approve(a.assignmentId(), null);
        assertThat(before.minus(client.accountBalance())).as("the amount owed and its 20 %")
                .isEqualTo(Money.ofCents(37 + 7));
    }

    @Test
    void aSendBonusWhoseAnswerWasLostEndsInTheTokenRefusalAndTheListShowsItPaidOnce() {
        String typeId = client.createHitType(new Marketplace.HitTypeSpec("Lost bonus " + UUID.randomUUID(),
                "A live crowd task", null, 50, 900, 3600, List.of()));
        Marketplace.Hit hit = client.createHit(typeId, new Marketplace.HitSpec(1800, 1,
                LocalTestSupport.externalQuestion("https://task.example/lost"), null), null);
        LocalMarketplace.AssignmentView a = local.accept("A1LOST", hit.hitId());
        local.submit(a.assignmentId(), Map.of());
        Money before = client.accountBalance();
        String token = "lost-" + UUID.randomUUID();

        faults.failNext("SendBonus", 1, FaultInjector.Fault.LOST_RESPONSE);
        assertThatThrownBy(() -> client.sendBonus("A1LOST", a.assignmentId(), Money.ofCents(40), "Waited 3 min",
                token)).as("paid, answer lost; the client's retry meets the used token")
                .isInstanceOf(BonusTokenUsedException.class);

        assertThat(client.listBonusPayments(a.assignmentId())).singleElement().satisfies(b -> {
            assertThat(b.amount()).isEqualTo(Money.ofCents(40));
            assertThat(b.reason()).isEqualTo("Waited 3 min");
        });
        assertThat(before.minus(client.accountBalance())).isEqualTo(Money.ofCents(48));
    }

    @Test
    void wrongCredentialsAreAClearPermanentAuthenticationError() {
        MTurkClient wrong = new MTurkClient(URI.create("http://127.0.0.1:" + port + "/local-mturk/"),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(LocalTestSupport.ACCESS_KEY, "wrong")),
                "us-east-1", Clock.systemUTC());
        assertThatThrownBy(wrong::accountBalance).isInstanceOfSatisfying(MarketplaceException.class, e -> {
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("signature we calculated does not match");
        });
        MTurkClient stranger = new MTurkClient(URI.create("http://127.0.0.1:" + port + "/local-mturk/"),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIASTRANGER", LocalTestSupport.SECRET)),
                "us-east-1", Clock.systemUTC());
        assertThatThrownBy(stranger::accountBalance).isInstanceOfSatisfying(MarketplaceException.class, e -> {
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("security token included in the request is invalid");
        });
    }
}
