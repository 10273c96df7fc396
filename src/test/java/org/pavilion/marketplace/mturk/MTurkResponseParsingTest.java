package org.pavilion.marketplace.mturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.Marketplace.AssignmentInfo;
import org.pavilion.marketplace.Marketplace.Hit;
import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.pay.Money;

/** Answers shaped as MTurk's reference documents them (timestamps in epoch seconds, possibly fractional). */
class MTurkResponseParsingTest {

    private ScriptedMTurkServer server;
    private MTurkClient client;

    @BeforeEach
    void start() throws Exception {
        server = new ScriptedMTurkServer();
        client = MTurkTestSupport.client(server.endpoint());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void getHit() {
        server.ok("""
                {
                  "HIT": {
                    "HITId": "3Z8UJEJOCZEGEXAMPLEHITID000001",
                    "HITTypeId": "3AQN9REUTFGXEXAMPLEHITTYPE0001",
                    "HITGroupId": "3GROUPEXAMPLE0000000000000001",
                    "CreationTime": 1773500966.123,
                    "Title": "Talk with others",
                    "Description": "Chat in real time",
                    "Question": "<ExternalQuestion xmlns=\\"...\\"/>",
                    "Keywords": "chat",
                    "HITStatus": "Unassignable",
                    "MaxAssignments": 6,
                    "Reward": "0.50",
                    "AutoApprovalDelayInSeconds": 86400,
                    "Expiration": 1773508166,
                    "AssignmentDurationInSeconds": 3600,
                    "RequesterAnnotation": "session-42",
                    "QualificationRequirements": [
                      {"QualificationTypeId": "00000000000000000071", "Comparator": "EqualTo",
                       "LocaleValues": [{"Country": "US"}], "RequiredToPreview": true,
                       "ActionsGuarded": "DiscoverPreviewAndAccept"}
                    ],
                    "HITReviewStatus": "NotReviewed",
                    "NumberOfAssignmentsPending": 2,
                    "NumberOfAssignmentsAvailable": 3,
                    "NumberOfAssignmentsCompleted": 1,
                    "SomeFutureMember": {"ignored": true}
                  }
                }
                """);

        Hit hit = client.getHit("3Z8UJEJOCZEGEXAMPLEHITID000001");

        assertEquals(new Hit("3Z8UJEJOCZEGEXAMPLEHITID000001", "3AQN9REUTFGXEXAMPLEHITTYPE0001", "Unassignable", 6,
                Instant.parse("2026-03-14T17:09:26Z"), "session-42", 2, 3, 1, "3GROUPEXAMPLE0000000000000001"), hit);
    }

    @Test
    void typedHitKeepsFractionalTimestampsAndQualifications() {
        MTurkModel.HITResponse response = MTurkJson.mapper().readValue(MTurkWireShapeTest.HIT_RESPONSE,
                MTurkModel.HITResponse.class);
        assertEquals(Instant.parse("2026-03-14T15:09:26.123Z"), response.hit().creationTime());
        assertEquals(86400L, response.hit().autoApprovalDelayInSeconds());
        assertEquals("0.50", response.hit().reward());
        // and writes them back as epoch seconds
        String written = MTurkJson.mapper().writeValueAsString(response);
        assertTrue(written.contains("\"CreationTime\":1773500966.123"), written);
        assertTrue(!written.contains("null"), written);
    }

    @Test
    void listAssignmentsForHitFollowsNextToken() {
        server.ok("""
                {
                  "NextToken": "page-2",
                  "NumResults": 2,
                  "Assignments": [
                    {"AssignmentId": "3KYQYYSHYV3ZEXAMPLEASSIGN00001", "WorkerId": "A1EXAMPLEWORKER7",
                     "HITId": "3Z8UJEJOCZEGEXAMPLEHITID000001", "AssignmentStatus": "Submitted",
                     "AutoApprovalTime": 1773587366.0, "AcceptTime": 1773500000.5, "SubmitTime": 1773500966.25,
                     "Deadline": 1773503600.5,
                     "Answer": "<QuestionFormAnswers/>"},
                    {"AssignmentId": "3KYQYYSHYV3ZEXAMPLEASSIGN00002", "WorkerId": "A2EXAMPLEWORKER8",
                     "HITId": "3Z8UJEJOCZEGEXAMPLEHITID000001", "AssignmentStatus": "Approved",
                     "AcceptTime": 1773500001, "SubmitTime": 1773500002, "ApprovalTime": 1773500003,
                     "RequesterFeedback": "Thanks"}
                  ]
                }
                """).ok("""
                {
                  "NumResults": 1,
                  "Assignments": [
                    {"AssignmentId": "3KYQYYSHYV3ZEXAMPLEASSIGN00003", "WorkerId": "A3EXAMPLEWORKER9",
                     "HITId": "3Z8UJEJOCZEGEXAMPLEHITID000001", "AssignmentStatus": "Rejected",
                     "AcceptTime": 1773500010, "SubmitTime": 1773500020, "RejectionTime": 1773500030}
                  ]
                }
                """);

        List<AssignmentInfo> all = client.listAssignments("3Z8UJEJOCZEGEXAMPLEHITID000001");

        assertEquals(3, all.size());
        assertEquals(new AssignmentInfo("3KYQYYSHYV3ZEXAMPLEASSIGN00001", "A1EXAMPLEWORKER7",
                "3Z8UJEJOCZEGEXAMPLEHITID000001", "Submitted", Instant.parse("2026-03-14T14:53:20.500Z"),
                Instant.parse("2026-03-14T15:09:26.250Z")), all.get(0));
        assertEquals("Approved", all.get(1).status());
        assertEquals("Rejected", all.get(2).status());
        assertEquals(2, server.requests().size());
        assertTrue(server.requests().get(1).body().contains("\"NextToken\":\"page-2\""));
    }

    /** A ListHITs HIT as MTurk's reference shows it (fields trimmed to what varies). */
    private static String listedHit(String hitId, String hitTypeId, String annotation) {
        return """
                {"HITId": "%s", "HITTypeId": "%s", "HITGroupId": "3GROUPEXAMPLE0000000000000001",
                 "CreationTime": 1773500966.123, "Title": "Talk with others", "Description": "d",
                 "HITStatus": "Assignable", "MaxAssignments": 1, "Reward": "0.50",
                 "AutoApprovalDelayInSeconds": 86400, "Expiration": 1773508166.123,
                 "AssignmentDurationInSeconds": 3600%s, "HITReviewStatus": "NotReviewed",
                 "NumberOfAssignmentsPending": 0, "NumberOfAssignmentsAvailable": 1,
                 "NumberOfAssignmentsCompleted": 0}
                """.formatted(hitId, hitTypeId,
                annotation == null ? "" : ", \"RequesterAnnotation\": \"" + annotation + "\"");
    }

    @Test
    void listHitsPageIsParsed() {
        server.ok("{\"NextToken\": \"p2\", \"NumResults\": 2, \"HITs\": ["
                + listedHit("3Z8UJEJOCZEGEXAMPLEHITID000001", "3AQN9REUTFGXEXAMPLEHITTYPE0001", "pav-i-s1-h1") + ","
                + listedHit("3Z8UJEJOCZEGEXAMPLEHITID000002", "3AQN9REUTFGXEXAMPLEHITTYPE0001", null) + "]}");

        MTurkClient.HitPage page = client.listHits(null, 100);

        assertEquals("p2", page.nextToken());
        assertEquals(List.of(new Hit("3Z8UJEJOCZEGEXAMPLEHITID000001", "3AQN9REUTFGXEXAMPLEHITTYPE0001", "Assignable",
                1, Instant.parse("2026-03-14T17:09:26.123Z"), "pav-i-s1-h1", 0, 1, 0, "3GROUPEXAMPLE0000000000000001"),
                new Hit("3Z8UJEJOCZEGEXAMPLEHITID000002", "3AQN9REUTFGXEXAMPLEHITTYPE0001", "Assignable",
                        1, Instant.parse("2026-03-14T17:09:26.123Z"), null, 0, 1, 0,
                        "3GROUPEXAMPLE0000000000000001")), page.hits());
    }

    @Test
    void findHitByAnnotationLooksThroughEveryPageForThatTypeAndAnnotation() {
        String type = "3AQN9REUTFGXEXAMPLEHITTYPE0001";
        String otherType = "3AQN9REUTFGXEXAMPLEHITTYPE0002";
        server.ok("{\"NextToken\": \"p2\", \"NumResults\": 2, \"HITs\": ["
                        + listedHit("3Z8UJEJOCZEGEXAMPLEHITID000001", type, "pav-i-s1-h1") + ","
                        // the same annotation on another HIT type is not the hire's HIT
                        + listedHit("3Z8UJEJOCZEGEXAMPLEHITID000002", otherType, "pav-i-s1-h2") + "]}")
                .ok("{\"NextToken\": \"p3\", \"NumResults\": 0, \"HITs\": []}")
                .ok("{\"NumResults\": 1, \"HITs\": ["
                        + listedHit("3Z8UJEJOCZEGEXAMPLEHITID000003", type, "pav-i-s1-h2") + "]}");

        Optional<Hit> found = client.findHitByAnnotation(type, "pav-i-s1-h2");

        assertEquals("3Z8UJEJOCZEGEXAMPLEHITID000003", found.orElseThrow().hitId());
        assertEquals(3, server.requests().size());
        assertTrue(server.requests().get(2).body().contains("\"NextToken\":\"p3\""));
    }

    @Test
    void findHitByAnnotationStopsAtTheFirstMatch() {
        String type = "3AQN9REUTFGXEXAMPLEHITTYPE0001";
        server.ok("{\"NextToken\": \"p2\", \"NumResults\": 1, \"HITs\": ["
                + listedHit("3Z8UJEJOCZEGEXAMPLEHITID000001", type, "pav-i-s1-h1") + "]}");

        assertEquals("3Z8UJEJOCZEGEXAMPLEHITID000001",
                client.findHitByAnnotation(type, "pav-i-s1-h1").orElseThrow().hitId());
        assertEquals(1, server.requests().size());
    }

    @Test
    void findHitByAnnotationFindsNothingOnTheLastPageOrARepeatedToken() {
        String type = "3AQN9REUTFGXEXAMPLEHITTYPE0001";
        server.ok("{\"NumResults\": 1, \"HITs\": ["
                + listedHit("3Z8UJEJOCZEGEXAMPLEHITID000001", type, "pav-i-s1-h10") + "]}");
        assertTrue(client.findHitByAnnotation(type, "pav-i-s1-h1").isEmpty(), "annotations match exactly");
        assertEquals(1, server.requests().size());

        // a server that hands out the same NextToken again is not followed round in circles
        server.ok("{\"NextToken\": \"same\", \"NumResults\": 0, \"HITs\": []}")
                .ok("{\"NextToken\": \"same\", \"NumResults\": 0, \"HITs\": []}");
        assertTrue(client.findHitByAnnotation(type, "pav-i-s1-h1").isEmpty());
        assertEquals(3, server.requests().size());
    }

    @Test
    void getAssignmentOfAnAcceptedAssignmentHasNoSubmitTime() {
        server.ok("""
                {"Assignment": {"AssignmentId": "3KYQYYSHYV3ZEXAMPLEASSIGN00001", "WorkerId": "A1EXAMPLEWORKER7",
                                "HITId": "3Z8UJEJOCZEGEXAMPLEHITID000001", "AssignmentStatus": "Submitted",
                                "AcceptTime": 1773500000},
                 "HIT": {"HITId": "3Z8UJEJOCZEGEXAMPLEHITID000001", "HITStatus": "Assignable"}}
                """);

        AssignmentInfo a = client.getAssignment("3KYQYYSHYV3ZEXAMPLEASSIGN00001");

        assertEquals("A1EXAMPLEWORKER7", a.workerId());
        assertEquals(Instant.ofEpochSecond(1773500000L), a.acceptTime());
        assertNull(a.submitTime());
    }

    @Test
    void getAccountBalance() {
        server.ok("{\"AvailableBalance\": \"10000.00\", \"OnHoldBalance\": \"0.00\"}");
        assertEquals(Money.ofCents(1_000_000), client.accountBalance());
    }

    @Test
    void anAmountThatIsNotWholeCentsIsAnInvalidResponse() {
        server.ok("{\"AvailableBalance\": \"10.005\"}");
        MarketplaceException e = assertThrows(MarketplaceException.class, client::accountBalance);
        assertEquals(MTurkException.INVALID_RESPONSE, e.errorCode());

        server.ok("{\"BonusPayments\": [{\"WorkerId\": \"W\", \"BonusAmount\": \"one dollar\", "
                + "\"AssignmentId\": \"A\", \"Reason\": \"r\", \"GrantTime\": 1773500966}]}");
        MarketplaceException bonus = assertThrows(MarketplaceException.class, () -> client.listBonusPayments("A"));
        assertEquals(MTurkException.INVALID_RESPONSE, bonus.errorCode());
    }

    @Test
    void anAnswerThatIsNotJsonIsAnInvalidResponse() {
        server.ok("<html>captive portal</html>");
        MarketplaceException e = assertThrows(MarketplaceException.class, client::accountBalance);
        assertEquals(MTurkException.INVALID_RESPONSE, e.errorCode());
    }

    @Test
    void errorTypesAreParsedFromBodyOrHeader() {
        MTurkException fromBody = MTurkErrors.fromResponse("GetHIT", 400,
                null, "r1", "{\"__type\":\"com.amazonaws.mturk#RequestError\",\"Message\":\"Hit not found\","
                        + "\"TurkErrorCode\":\"AWS.MechanicalTurk.HITDoesNotExist\"}", MTurkJson.mapper());
        assertEquals("RequestError", fromBody.errorCode());
        assertEquals("AWS.MechanicalTurk.HITDoesNotExist", fromBody.turkErrorCode());
        assertEquals("r1", fromBody.requestId());

        MTurkException fromHeader = MTurkErrors.fromResponse("GetHIT", 400,
                "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/", null, "",
                MTurkJson.mapper());
        assertEquals("ThrottlingException", fromHeader.errorCode());
        assertTrue(fromHeader.retryable());
    }
}
