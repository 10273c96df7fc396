package org.pavilion.marketplace.mturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.BonusTokenUsedException;
import org.pavilion.marketplace.Marketplace.HitSpec;
import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.marketplace.RequestTokenUsedException;
import org.pavilion.marketplace.mturk.MTurkTestSupport.RecordingSleeper;
import org.pavilion.pay.Money;

/** Retries with backoff on ServiceFault, throttling, 429, 5xx and network failures; the rest is permanent. */
class MTurkRetryTest {

    private static final String HIT_ID = MTurkWireShapeTest.HIT_ID;
    private static final String HIT_TYPE_ID = MTurkWireShapeTest.HIT_TYPE_ID;

    private ScriptedMTurkServer server;
    private RecordingSleeper sleeper;
    private MTurkClient client;

    @BeforeEach
    void start() throws Exception {
        server = new ScriptedMTurkServer();
        sleeper = new RecordingSleeper();
        // full jitter pinned at half the ceiling: waits are exactly 100, 200, 400, ... ms
        client = MTurkTestSupport.client(server.endpoint(), RetryPolicy.defaults().withRandom(() -> 0.5), sleeper);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void serviceUnavailableTwiceThenSuccess() {
        server.reply(503, "").reply(503, "{\"__type\":\"com.amazonaws.mturk#ServiceFault\",\"Message\":\"busy\"}")
                .ok("{\"AvailableBalance\": \"10.00\"}");

        assertEquals(Money.ofCents(1_000), client.accountBalance());

        assertEquals(3, server.requests().size());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), sleeper.waits);
        // each attempt is signed afresh and carries the same document
        assertEquals(server.requests().get(0).body(), server.requests().get(2).body());
    }

    @Test
    void throttlingThenSuccess() {
        server.reply(400, "{\"__type\":\"com.amazonaws.mturk#ThrottlingException\",\"message\":\"Rate exceeded\"}")
                .ok("{\"AvailableBalance\": \"10.00\"}");

        client.accountBalance();

        assertEquals(2, server.requests().size());
        assertEquals(List.of(Duration.ofMillis(100)), sleeper.waits);
    }

    @Test
    void serviceFaultAndTooManyRequestsAreRetried() {
        server.reply(400, "{\"__type\":\"com.amazonaws.mturk#ServiceFault\",\"Message\":\"try again\","
                        + "\"TurkErrorCode\":\"AWS.MechanicalTurk.ServiceFault\"}")
                .reply(429, "{\"message\":\"Too Many Requests\"}")
                .ok("{}");

        client.approve("3KYQYYSHYV3ZEXAMPLEASSIGN00001", null);

        assertEquals(3, server.requests().size());
        assertEquals(2, sleeper.waits.size());
    }

    @Test
    void requestErrorIsPermanentAndNotRetried() {
        server.reply(400, "{\"__type\":\"com.amazonaws.mturk#RequestError\",\"Message\":\"This operation can be called"
                + " with a status of: Submitted (1773500966123)\",\"TurkErrorCode\":\"AWS.MechanicalTurk.InvalidAssignmentState\"}");

        MarketplaceException e = assertThrows(MarketplaceException.class,
                () -> client.approve("3KYQYYSHYV3ZEXAMPLEASSIGN00001", null));

        assertEquals("RequestError", e.errorCode());
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("This operation can be called with a status of: Submitted"), e.getMessage());
        assertEquals("AWS.MechanicalTurk.InvalidAssignmentState", ((MTurkException) e).turkErrorCode());
        assertEquals(1, server.requests().size());
        assertTrue(sleeper.waits.isEmpty());
    }

    @Test
    void forbiddenIsAPermanentAuthenticationFailure() {
        server.reply(403, "{\"__type\":\"UnrecognizedClientException\","
                + "\"message\":\"The security token included in the request is invalid.\"}");

        MarketplaceException e = assertThrows(MarketplaceException.class, client::accountBalance);

        assertEquals(MTurkException.AUTHENTICATION_FAILED, e.errorCode());
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("authentication failed: check the credentials"), e.getMessage());
        assertTrue(e.getMessage().contains("UnrecognizedClientException"), e.getMessage());
        assertEquals(1, server.requests().size());
    }

    @Test
    void invalidSignatureIsAnAuthenticationFailureWhateverTheStatus() {
        server.reply(400, "{\"__type\":\"InvalidSignatureException\",\"message\":\"The request signature we calculated"
                + " does not match the signature you provided.\"}");

        MarketplaceException e = assertThrows(MarketplaceException.class, client::accountBalance);

        assertEquals(MTurkException.AUTHENTICATION_FAILED, e.errorCode());
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("check the credentials"), e.getMessage());
    }

    @Test
    void givesUpAfterMaxAttemptsWithCappedBackoffAndStaysRetryable() {
        for (int i = 0; i < 5; i++) {
            server.reply(500, "{\"__type\":\"com.amazonaws.mturk#ServiceFault\",\"Message\":\"down\"}");
        }
        MTurkClient capped = MTurkTestSupport.client(server.endpoint(),
                new RetryPolicy(5, Duration.ofMillis(200), Duration.ofMillis(500), () -> 1.0), sleeper);

        MarketplaceException e = assertThrows(MarketplaceException.class, capped::accountBalance);

        assertTrue(e.retryable(), "the caller may try again later");
        assertEquals("ServiceFault", e.errorCode());
        assertTrue(e.getMessage().contains("gave up after 5 attempts"), e.getMessage());
        assertEquals(5, server.requests().size());
        assertEquals(List.of(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(500),
                Duration.ofMillis(500)), sleeper.waits);
    }

    @Test
    void networkFailuresAreRetried() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        MTurkClient unreachable = MTurkTestSupport.client(URI.create("http://127.0.0.1:" + closedPort),
                new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(10), () -> 0.5), sleeper);

        MarketplaceException e = assertThrows(MarketplaceException.class, unreachable::accountBalance);

        assertEquals(MTurkException.TRANSPORT_ERROR, e.errorCode());
        assertTrue(e.retryable());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), sleeper.waits);
    }

    @Test
    void hitAlreadyExistsIsReportedAsAUsedTokenWithoutReadingTheMessage() {
        String token = "pavilion-hire-s42-d7";
        // MTurk's message happens to name a HIT: the client neither reads it nor asks for that HIT.
        server.reply(400, "{\"__type\":\"com.amazonaws.mturk#RequestError\",\"Message\":\"The HIT with ID \\\""
                        + HIT_ID + "\\\" already exists. (1773500966123)\","
                        + "\"TurkErrorCode\":\"AWS.MechanicalTurk.HitAlreadyExists\"}");

        RequestTokenUsedException e = assertThrows(RequestTokenUsedException.class,
                () -> client.createHit(HIT_TYPE_ID, new HitSpec(600, 1, "<q/>", token), token));

        assertEquals(token, e.token());
        assertEquals(MTurkClient.HIT_ALREADY_EXISTS, e.errorCode());
        assertFalse(e.retryable());
        assertEquals(List.of("CreateHITWithHITType"),
                server.requests().stream().map(ScriptedMTurkServer.Recorded::operation).toList());
        assertTrue(sleeper.waits.isEmpty());
    }

    @Test
    void hitAlreadyExistsWithoutAnyHitIdInItsTextIsStillAUsedToken() {
        server.reply(400, "{\"__type\":\"com.amazonaws.mturk#RequestError\",\"Message\":\"Duplicate request.\","
                + "\"TurkErrorCode\":\"AWS.MechanicalTurk.HitAlreadyExists\"}");

        RequestTokenUsedException e = assertThrows(RequestTokenUsedException.class,
                () -> client.createHit(HIT_TYPE_ID, new HitSpec(600, 1, "<q/>", "t-no-id"), "t-no-id"));

        assertEquals("t-no-id", e.token());
        assertEquals(1, server.requests().size());
    }

    @Test
    void lostAnswerThenHitAlreadyExistsIsAUsedTokenAfterTheRetryWithTheSameToken() {
        server.reply(502, "<html>Bad Gateway</html>")
                .reply(400, "{\"__type\":\"com.amazonaws.mturk#RequestError\",\"Message\":\"HIT " + HIT_ID
                        + " already exists for this token\",\"TurkErrorCode\":\"AWS.MechanicalTurk.HitAlreadyExists\"}");

        RequestTokenUsedException e = assertThrows(RequestTokenUsedException.class,
                () -> client.createHit(HIT_TYPE_ID, new HitSpec(600, 1, "<q/>", null), "pavilion-hire-s42-d8"));

        assertEquals("pavilion-hire-s42-d8", e.token());
        assertEquals(List.of("CreateHITWithHITType", "CreateHITWithHITType"),
                server.requests().stream().map(ScriptedMTurkServer.Recorded::operation).toList());
        // the retry carried the same token
        assertTrue(server.requests().get(1).body().contains("\"UniqueRequestToken\":\"pavilion-hire-s42-d8\""));
    }

    @Test
    void aRequestErrorThatNamesAHitButIsNotHitAlreadyExistsIsAnOrdinaryRefusal() {
        server.reply(400, "{\"__type\":\"com.amazonaws.mturk#RequestError\",\"Message\":\"HIT " + HIT_ID
                + " already exists\",\"TurkErrorCode\":\"AWS.MechanicalTurk.InvalidParameterValue\"}");

        MarketplaceException e = assertThrows(MarketplaceException.class,
                () -> client.createHit(HIT_TYPE_ID, new HitSpec(600, 1, "<q/>", null), "t2"));

        assertFalse(e instanceof RequestTokenUsedException);
        assertEquals(MTurkErrors.REQUEST_ERROR, e.errorCode());
    }

    @Test
    void otherRequestErrorsOfCreateHitArePermanent() {
        server.reply(400, "{\"__type\":\"com.amazonaws.mturk#RequestError\",\"Message\":\"Insufficient funds\","
                + "\"TurkErrorCode\":\"AWS.MechanicalTurk.InsufficientFunds\"}");

        MarketplaceException e = assertThrows(MarketplaceException.class,
                () -> client.createHit(HIT_TYPE_ID, new HitSpec(600, 1, "<q/>", null), "t1"));

        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("Insufficient funds"));
        assertEquals(1, server.requests().size());
    }

    @Test
    void aBonusTokenUsedBeforeIsItsOwnRefusalToldByTheTurkErrorCode() {
        // the first attempt's answer is lost; the retry meets MTurk's refusal of the token it already saw
        server.reply(503, "")
                .reply(400, "{\"__type\":\"com.amazonaws.mturk#RequestError\",\"Message\":\"Request refused. "
                        + "(1773500966123)\",\"TurkErrorCode\":\"AWS.MechanicalTurk.DuplicateRequest\"}");

        BonusTokenUsedException e = assertThrows(BonusTokenUsedException.class, () -> client.sendBonus(
                "A1EXAMPLEWORKER7", "3KYQYYSHYV3ZEXAMPLEASSIGN00001", Money.ofCents(10), "thanks", "pavilion-bonus-1"));

        assertEquals("pavilion-bonus-1", e.token());
        assertEquals("A1EXAMPLEWORKER7", e.workerId());
        assertEquals("3KYQYYSHYV3ZEXAMPLEASSIGN00001", e.assignmentId());
        assertFalse(e.retryable());
        assertEquals(2, server.requests().size());
    }

    @Test
    void aBonusRefusalIsNotReadFromItsMessage() {
        // the words of a token refusal without its code: an ordinary permanent refusal, never "already paid"
        server.reply(400, "{\"__type\":\"com.amazonaws.mturk#RequestError\",\"Message\":\"The idempotency token"
                + " \\\"pavilion-bonus-1\\\" has already been processed. (1773500966123)\","
                + "\"TurkErrorCode\":\"AWS.MechanicalTurk.InvalidParameterValue\"}");

        MarketplaceException e = assertThrows(MarketplaceException.class, () -> client.sendBonus(
                "A1EXAMPLEWORKER7", "3KYQYYSHYV3ZEXAMPLEASSIGN00001", Money.ofCents(10), "thanks", "pavilion-bonus-1"));

        assertFalse(e instanceof BonusTokenUsedException);
        assertEquals(MTurkErrors.REQUEST_ERROR, e.errorCode());
        assertFalse(e.retryable());
    }

    @Test
    void insufficientFundsForABonusIsAPermanentRefusalWithMTurksReason() {
        server.reply(400, "{\"__type\":\"com.amazonaws.mturk#RequestError\",\"Message\":\"This Requester has "
                + "insufficient funds in their account to complete this transaction. (1773500966123)\","
                + "\"TurkErrorCode\":\"AWS.MechanicalTurk.InsufficientFunds\"}");

        MTurkException e = assertThrows(MTurkException.class, () -> client.sendBonus("A1EXAMPLEWORKER7",
                "3KYQYYSHYV3ZEXAMPLEASSIGN00001", Money.ofCents(10), "thanks", "pavilion-bonus-2"));

        assertFalse(e.retryable());
        assertEquals("AWS.MechanicalTurk.InsufficientFunds", e.turkErrorCode());
        assertTrue(e.getMessage().contains("insufficient funds"));
        assertEquals(1, server.requests().size());
    }

    @Test
    void retryAfterIsHonouredUpToTheCap() {
        server.reply(429, "{}", Map.of("Retry-After", "3")).ok("{}");

        client.approve("3KYQYYSHYV3ZEXAMPLEASSIGN00001", null);

        assertEquals(List.of(Duration.ofSeconds(3)), sleeper.waits);
    }

    @Test
    void tokensLongerThan64CharactersAreRefusedBeforeSending() {
        assertThrows(IllegalArgumentException.class,
                () -> client.createHit(HIT_TYPE_ID, new HitSpec(600, 1, "<q/>", null), "x".repeat(65)));
        assertTrue(server.requests().isEmpty());
    }

    @Test
    void backoffCeilingsGrowExponentiallyToTheCap() {
        RetryPolicy policy = RetryPolicy.defaults();
        assertEquals(Duration.ofMillis(200), policy.ceiling(1));
        assertEquals(Duration.ofMillis(400), policy.ceiling(2));
        assertEquals(Duration.ofMillis(3200), policy.ceiling(5));
        assertEquals(Duration.ofSeconds(10), policy.ceiling(7));
        assertEquals(Duration.ofSeconds(10), policy.ceiling(200));
        for (int i = 0; i < 100; i++) {
            Duration d = policy.delay(3);
            assertTrue(!d.isNegative() && d.compareTo(Duration.ofMillis(800)) <= 0, d.toString());
        }
    }
}
