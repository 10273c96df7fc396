package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pavilion.marketplace.local.LocalTestSupport.get;
import static org.pavilion.marketplace.local.LocalTestSupport.json;
import static org.pavilion.marketplace.local.LocalTestSupport.postForm;
import static org.pavilion.marketplace.local.LocalTestSupport.postJson;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.mturk.MTurkErrors;
import org.pavilion.marketplace.mturk.MTurkException;
import org.pavilion.pay.MarketplaceFees;
import org.pavilion.pay.Money;
import org.pavilion.session.MutableClock;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

/**
 * The local marketplace pays for real over HTTP: the application's MTurk client against a small
 * balance (a dollar), funds added through {@code POST /local-mturk/api/funds}, the token memory on
 * the application's clock, and the worker board's record of approvals and bonuses. Each test reads
 * the balance it starts from, so their order does not matter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        LocalTestSupport.P1, LocalTestSupport.P2, LocalTestSupport.P3, LocalTestSupport.P4, LocalTestSupport.P5,
        "pavilion.marketplace.local.starting-balance=1.00"})
@Import({LocalTestSupport.Receiver.class, LocalMarketplacePayTest.Clocks.class})
class LocalMarketplacePayTest {

    @TestConfiguration(proxyBeanMethods = false)
    static class Clocks {
        /** The application's clock, moved by hand (signatures allow 15 minutes of skew: moved back after use). */
        @Bean
        @Primary
        MutableClock payTestClock() {
            return new MutableClock(Instant.now());
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    Marketplace client;
    @Autowired
    LocalMarketplace local;
    @Autowired
    MutableClock clock;

    private Marketplace.Hit hit(int rewardCents, int max) {
        String typeId = client.createHitType(new Marketplace.HitTypeSpec("Pay " + UUID.randomUUID(), "A live task",
                null, rewardCents, 600, 3600, List.of()));
        return client.createHit(typeId, new Marketplace.HitSpec(600, max,
                LocalTestSupport.externalQuestion("https://task.example/pay"), null), null);
    }

    private String submitted(String hitId, String workerId) {
        LocalMarketplace.AssignmentView a = local.accept(workerId, hitId);
        return local.submit(a.assignmentId(), Map.of()).assignmentId();
    }

    private HttpResponse<String> addFunds(String amount) {
        return postJson(port, "/local-mturk/api/funds", "{\"amount\":" + LocalTestSupport.q(amount) + "}");
    }

    @Test
    void whatTheBalanceCannotCoverIsRefusedLikeMTurkAndPaysOnceFundsAreAdded() {
        Money start = client.accountBalance();
        Money reward = start.plus(Money.ofCents(100)); // more than there is
        Money due = reward.plus(MarketplaceFees.onReward(reward, 1));
        String assignmentId = submitted(hit((int) reward.cents(), 1).hitId(), "A1PAID");

        assertThatThrownBy(() -> client.approve(assignmentId, "thanks"))
                .isInstanceOfSatisfying(MTurkException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(MTurkErrors.REQUEST_ERROR);
                    assertThat(e.turkErrorCode()).isEqualTo("AWS.MechanicalTurk.InsufficientFunds");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("insufficient funds");
                });
        assertThat(client.getAssignment(assignmentId).status()).isEqualTo("Submitted");
        assertThat(client.accountBalance()).isEqualTo(start);

        HttpResponse<String> funded = addFunds(due.minus(start).usd());
        assertThat(funded.statusCode()).isEqualTo(200);
        assertThat(json(funded).get("AvailableBalance").stringValue()).isEqualTo(due.usd());
        client.approve(assignmentId, "thanks");
        assertThat(client.getAssignment(assignmentId).status()).isEqualTo("Approved");
        assertThat(client.accountBalance()).isEqualTo(Money.ZERO);

        String token = "pay-" + UUID.randomUUID();
        assertThatThrownBy(() -> client.sendBonus("A1PAID", assignmentId, Money.ofCents(50), "Waited 4 min", token))
                .isInstanceOfSatisfying(MTurkException.class, e -> assertThat(e.turkErrorCode())
                        .isEqualTo("AWS.MechanicalTurk.InsufficientFunds"));
        assertThat(client.listBonusPayments(assignmentId)).isEmpty();
        assertThat(addFunds("0.60").statusCode()).isEqualTo(200);
        client.sendBonus("A1PAID", assignmentId, Money.ofCents(50), "Waited 4 min", token);
        assertThat(client.listBonusPayments(assignmentId)).singleElement()
                .satisfies(b -> assertThat(b.amount()).isEqualTo(Money.ofCents(50)));
        assertThat(client.accountBalance()).isEqualTo(Money.ZERO);

        List<String> kinds = json(get("http://localhost:" + port + "/local-mturk/api/transactions"))
                .findValuesAsString("kind");
        assertThat(kinds.subList(kinds.size() - 4, kinds.size())).containsExactly("Funds", "Reward", "Funds", "Bonus");
    }

    @Test
    void fundsAreRefusedWithAClearErrorUnlessTheyAreAnAmount() {
        Money before = local.balance();
        for (String bad : List.of("abc", "-1.00", "0", "0.001", "100000000.00")) {
            HttpResponse<String> r = addFunds(bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(r).get("message").stringValue()).as(bad).contains("amount");
        }
        assertThat(postJson(port, "/local-mturk/api/funds", "{}").statusCode()).isEqualTo(400);
        assertThat(postForm(port, "/local-mturk/api/funds", Map.of("amount", "5.00")).statusCode())
                .as("JSON only: no cross-site form").isEqualTo(415);
        assertThat(local.balance()).isEqualTo(before);
    }

    @Test
    void requestTokensAreForgottenAfterTwentyFourHoursOfTheApplicationsClock() {
        local.addFunds(Money.ofCents(1_000));
        LocalMarketplace.HitType type = local.createHitType(new LocalMarketplace.HitTypeSpec("Tokens "
                + UUID.randomUUID(), "A task", null, new BigDecimal("0.10"), 600, 3600, null));
        String question = LocalTestSupport.externalQuestion("https://task.example/tokens");
        String hitId = local.createHit(type.hitTypeId(), 600, 2, question, null, "hit-token").hitId();
        String assignmentId = submitted(hitId, "A1TOKENS");
        local.sendBonus("A1TOKENS", assignmentId, Money.ofCents(20), "r", "bonus-token");
        Instant start = clock.instant();
        try {
            clock.advance(Duration.ofHours(23));
            assertThatThrownBy(() -> local.sendBonus("A1TOKENS", assignmentId, Money.ofCents(20), "r", "bonus-token"))
                    .isInstanceOf(LocalMarketplaceException.class);
            assertThatThrownBy(() -> local.createHit(type.hitTypeId(), 600, 2, question, null, "hit-token"))
                    .isInstanceOf(LocalMarketplaceException.class);
            clock.advance(Duration.ofHours(1).plusSeconds(1));
            local.sendBonus("A1TOKENS", assignmentId, Money.ofCents(20), "r", "bonus-token");
            assertThat(local.createHit(type.hitTypeId(), 600, 2, question, null, "hit-token").hitId())
                    .isNotEqualTo(hitId);
            assertThat(local.bonusesForAssignment(assignmentId)).hasSize(2);
        } finally {
            clock.set(start);
        }
    }

    @Test
    void theBoardShowsEachWorkersApprovalsBonusesAndQualificationsAndHidesWhatItMayNotTake() {
        local.addFunds(Money.ofCents(1_000));
        String worker = "A1BOARDPAY" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        String approved = submitted(hit(45, 3).hitId(), worker);
        String rejected = submitted(hit(30, 3).hitId(), worker);
        client.sendBonus(worker, approved, Money.ofCents(35), "Waiting pay: 4 min 50 s <script>", null);
        client.sendBonus(worker, approved, Money.ofCents(10), "Task bonus", null);
        client.approve(approved, null);
        client.reject(rejected, "The chat was empty.");

        String typeId = client.createQualificationType("Board qual " + UUID.randomUUID(), "Given to some");
        client.associateQualification(typeId, worker, 2);
        String otherType = client.createQualificationType("Board other " + UUID.randomUUID(), "Given to none");
        String visibleTypeId = client.createHitType(new Marketplace.HitTypeSpec("Mine " + UUID.randomUUID(),
                "For holders", null, 20, 600, 60, List.of(Marketplace.QualificationRequirement.exists(typeId))));
        String hiddenTypeId = client.createHitType(new Marketplace.HitTypeSpec("Hidden " + UUID.randomUUID(),
                "For others", null, 20, 600, 60, List.of(Marketplace.QualificationRequirement.exists(otherType))));
        String lockedTypeId = client.createHitType(new Marketplace.HitTypeSpec("Locked " + UUID.randomUUID(),
                "Seen, not taken", null, 20, 600, 60,
                List.of(new Marketplace.QualificationRequirement(otherType, "Exists", null, null))));
        String question = LocalTestSupport.externalQuestion("https://task.example/q");
        String visible = client.createHit(visibleTypeId, new Marketplace.HitSpec(600, 1, question, null), null).hitId();
        String hidden = client.createHit(hiddenTypeId, new Marketplace.HitSpec(600, 1, question, null), null).hitId();
        String locked = client.createHit(lockedTypeId, new Marketplace.HitSpec(600, 1, question, null), null).hitId();

        HttpResponse<String> page = get("http://localhost:" + port + "/local-mturk/board?workerId=" + worker);
        assertThat(page.statusCode()).isEqualTo(200);
        Document board = Jsoup.parse(page.body());
        Element approvedRow = board.selectFirst("#assignments tr[data-assignment-id=" + approved + "]");
        Element rejectedRow = board.selectFirst("#assignments tr[data-assignment-id=" + rejected + "]");
        assertThat(approvedRow.text()).contains("Approved").contains("$0.45");
        assertThat(rejectedRow.text()).contains("Rejected").contains("The chat was empty.");
        assertThat(board.select("#bonuses tbody tr")).hasSize(2);
        assertThat(board.select("#bonuses tbody tr").get(0).text()).contains("$0.35")
                .contains("Waiting pay: 4 min 50 s <script>").contains(approved);
        assertThat(page.body()).as("the reason is escaped").doesNotContain("4 min 50 s <script>");
        assertThat(board.selectFirst("#earned-rewards").text()).isEqualTo("$0.45");
        assertThat(board.selectFirst("#earned-bonuses").text()).isEqualTo("$0.45");
        assertThat(board.selectFirst("#earned-total").text()).isEqualTo("$0.90");
        assertThat(board.selectFirst("#qualifications").text()).contains("Board qual").contains("value 2");

        assertThat(board.selectFirst("#hits tr[data-hit-id=" + visible + "] form")).as("may accept").isNotNull();
        assertThat(board.selectFirst("#hits tr[data-hit-id=" + hidden + "]")).as("DiscoverPreviewAndAccept")
                .isNull();
        Element lockedRow = board.selectFirst("#hits tr[data-hit-id=" + locked + "]");
        assertThat(lockedRow).as("Accept only: listed").isNotNull();
        assertThat(lockedRow.selectFirst("form")).isNull();
        assertThat(lockedRow.text()).contains("do not have the qualification");
        assertThat(Jsoup.parse(get("http://localhost:" + port + "/local-mturk/board").body())
                .selectFirst("#hits tr[data-hit-id=" + visible + "]")).as("a visitor holds nothing").isNull();

        String csrf = board.selectFirst("input[name=_csrf]").attr("value");
        HttpResponse<String> refused = postForm(port, "/local-mturk/board/accept",
                Map.of("workerId", worker, "hitId", locked, "_csrf", csrf));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(Jsoup.parse(refused.body()).selectFirst("[role=alert]").text())
                .contains("does not meet the Qualification requirements");
        assertThat(local.assignmentsOf(worker)).hasSize(2);
        HttpResponse<String> taken = postForm(port, "/local-mturk/board/accept",
                Map.of("workerId", worker, "hitId", visible, "_csrf", csrf));
        assertThat(taken.statusCode()).isEqualTo(303);
        assertThat(local.assignmentsOf(worker)).hasSize(3);

        assertThat(json(get("http://localhost:" + port + "/local-mturk/api/bonuses?workerId=" + worker))
                .findValuesAsString("amount")).containsExactly("0.35", "0.10");
    }
}
