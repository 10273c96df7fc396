package org.pavilion.marketplace.mturk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.Marketplace.HitSpec;
import org.pavilion.marketplace.Marketplace.HitTypeSpec;
import org.pavilion.marketplace.Marketplace.BonusPayment;
import org.pavilion.marketplace.Marketplace.QualificationRequirement;
import org.pavilion.pay.Money;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON the client sends, compared member by member (as JSON trees) with documents written by
 * hand from MTurk's API reference (2017-01-17): CreateHITTypeRequest, CreateHITWithHITTypeRequest,
 * QualificationRequirement, Locale, NotificationSpecification, SendBonusRequest,
 * UpdateNotificationSettingsRequest, UpdateExpirationForHITRequest, ListBonusPaymentsRequest,
 * CreateQualificationTypeRequest, ListQualificationTypesRequest,
 * AssociateQualificationWithWorkerRequest, ...
 */
class MTurkWireShapeTest {

    static final String HIT_ID = "3Z8UJEJOCZEGEXAMPLEHITID000001";
    static final String HIT_TYPE_ID = "3AQN9REUTFGXEXAMPLEHITTYPE0001";
    static final String ASSIGNMENT_ID = "3KYQYYSHYV3ZEXAMPLEASSIGN00001";
    static final String WORKER_ID = "A1EXAMPLEWORKER7";

    static final String HIT_RESPONSE = """
            {"HIT": {"HITId": "%s", "HITTypeId": "%s", "HITGroupId": "3GROUPEXAMPLE0000000000000001",
                     "CreationTime": 1773500966.123, "Title": "Talk with others", "Description": "d",
                     "Question": "<ExternalQuestion/>", "HITStatus": "Assignable", "MaxAssignments": 6,
                     "Reward": "0.50", "AutoApprovalDelayInSeconds": 86400, "Expiration": 1773508166.123,
                     "AssignmentDurationInSeconds": 3600, "RequesterAnnotation": "session-42",
                     "HITReviewStatus": "NotReviewed", "NumberOfAssignmentsPending": 0,
                     "NumberOfAssignmentsAvailable": 6, "NumberOfAssignmentsCompleted": 0}}
            """.formatted(HIT_ID, HIT_TYPE_ID);

    private final JsonMapper mapper = JsonMapper.builder().build();
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

    private void assertSent(String operation, String expectedJson) {
        ScriptedMTurkServer.Recorded request = server.last();
        assertEquals("POST", request.method());
        assertEquals("/", request.path());
        assertEquals("MTurkRequesterServiceV20170117." + operation, request.header("X-Amz-Target"));
        JsonNode expected = mapper.readTree(expectedJson);
        JsonNode actual = mapper.readTree(request.body());
        assertEquals(expected, actual, () -> operation + " sent " + request.body());
    }

    @Test
    void createHitType() {
        server.ok("{\"HITTypeId\": \"" + HIT_TYPE_ID + "\"}");
        HitTypeSpec spec = new HitTypeSpec("Talk with others", "Chat in real time with other workers",
                "chat, real-time", 50, 3600, 86400, List.of(
                QualificationRequirement.approvalRateAtLeast(95),
                QualificationRequirement.approvedHitsAtLeast(100),
                QualificationRequirement.locale("US")));

        assertEquals(HIT_TYPE_ID, client.createHitType(spec));

        assertSent("CreateHITType", """
                {
                  "AutoApprovalDelayInSeconds": 86400,
                  "AssignmentDurationInSeconds": 3600,
                  "Reward": "0.50",
                  "Title": "Talk with others",
                  "Keywords": "chat, real-time",
                  "Description": "Chat in real time with other workers",
                  "QualificationRequirements": [
                    {
                      "QualificationTypeId": "000000000000000000L0",
                      "Comparator": "GreaterThanOrEqualTo",
                      "IntegerValues": [95],
                      "ActionsGuarded": "DiscoverPreviewAndAccept"
                    },
                    {
                      "QualificationTypeId": "00000000000000000040",
                      "Comparator": "GreaterThanOrEqualTo",
                      "IntegerValues": [100],
                      "ActionsGuarded": "DiscoverPreviewAndAccept"
                    },
                    {
                      "QualificationTypeId": "00000000000000000071",
                      "Comparator": "EqualTo",
                      "LocaleValues": [{"Country": "US"}],
                      "ActionsGuarded": "DiscoverPreviewAndAccept"
                    }
                  ]
                }
                """);
    }

    @Test
    void createHitTypeWithoutQualificationsOrKeywordsOmitsThem() {
        server.ok("{\"HITTypeId\": \"" + HIT_TYPE_ID + "\"}");
        client.createHitType(new HitTypeSpec("T", "D", null, 1205, 600, 0, List.of()));

        assertSent("CreateHITType", """
                {"AutoApprovalDelayInSeconds": 0, "AssignmentDurationInSeconds": 600, "Reward": "12.05",
                 "Title": "T", "Description": "D"}
                """);
    }

    @Test
    void createHitWithHitType() {
        server.ok(HIT_RESPONSE);
        String question = ExternalQuestionXml.of("https://pavilion.example.org/task?session=42&kind=chat", 800);

        client.createHit(HIT_TYPE_ID, new HitSpec(7200, 6, question, "session-42"), "pavilion-s42-golive");

        assertSent("CreateHITWithHITType", """
                {
                  "HITTypeId": "3AQN9REUTFGXEXAMPLEHITTYPE0001",
                  "MaxAssignments": 6,
                  "LifetimeInSeconds": 7200,
                  "Question": "<?xml version=\\"1.0\\" encoding=\\"UTF-8\\"?>\\n<ExternalQuestion xmlns=\\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd\\"><ExternalURL>https://pavilion.example.org/task?session=42&amp;kind=chat</ExternalURL><FrameHeight>800</FrameHeight></ExternalQuestion>",
                  "RequesterAnnotation": "session-42",
                  "UniqueRequestToken": "pavilion-s42-golive"
                }
                """);
    }

    @Test
    void sendBonus() {
        server.ok("{}");
        client.sendBonus(WORKER_ID, ASSIGNMENT_ID, Money.ofCents(125), "Waiting pay for 5 minutes", "pavilion-bonus-s42-w7");

        assertSent("SendBonus", """
                {
                  "WorkerId": "A1EXAMPLEWORKER7",
                  "BonusAmount": "1.25",
                  "AssignmentId": "3KYQYYSHYV3ZEXAMPLEASSIGN00001",
                  "Reason": "Waiting pay for 5 minutes",
                  "UniqueRequestToken": "pavilion-bonus-s42-w7"
                }
                """);
    }

    @Test
    void aCustomQualificationRequirementCarriesItsActionsGuardedAndNoValues() {
        server.ok("{\"HITTypeId\": \"" + HIT_TYPE_ID + "\"}");
        client.createHitType(new HitTypeSpec("T", "D", null, 50, 600, 0, List.of(
                QualificationRequirement.exists("3PAVILIONQUALTYPE00000000000001"),
                new QualificationRequirement("3PAVILIONQUALTYPE00000000000002", "GreaterThan", 2, null))));

        assertSent("CreateHITType", """
                {"AutoApprovalDelayInSeconds": 0, "AssignmentDurationInSeconds": 600, "Reward": "0.50",
                 "Title": "T", "Description": "D",
                 "QualificationRequirements": [
                   {"QualificationTypeId": "3PAVILIONQUALTYPE00000000000001", "Comparator": "Exists",
                    "ActionsGuarded": "DiscoverPreviewAndAccept"},
                   {"QualificationTypeId": "3PAVILIONQUALTYPE00000000000002", "Comparator": "GreaterThan",
                    "IntegerValues": [2]}
                 ]}
                """);
    }

    @Test
    void listBonusPaymentsAsksByAssignmentAndReadsEveryPage() {
        server.ok("""
                {"NumResults": 1, "NextToken": "page-2",
                 "BonusPayments": [{"WorkerId": "A1EXAMPLEWORKER7", "BonusAmount": "1.25",
                   "AssignmentId": "3KYQYYSHYV3ZEXAMPLEASSIGN00001", "Reason": "Waiting pay", "GrantTime": 1773500966.5}]}
                """).ok("""
                {"NumResults": 1,
                 "BonusPayments": [{"WorkerId": "A1EXAMPLEWORKER7", "BonusAmount": "3",
                   "AssignmentId": "3KYQYYSHYV3ZEXAMPLEASSIGN00001", "Reason": "Task bonus", "GrantTime": 1773501000}]}
                """);

        List<BonusPayment> paid = client.listBonusPayments(ASSIGNMENT_ID);

        assertEquals(List.of(
                new BonusPayment(WORKER_ID, ASSIGNMENT_ID, Money.ofCents(125), "Waiting pay",
                        Instant.ofEpochSecond(1773500966L, 500_000_000)),
                new BonusPayment(WORKER_ID, ASSIGNMENT_ID, Money.ofCents(300), "Task bonus",
                        Instant.ofEpochSecond(1773501000L))), paid);
        assertEquals(mapper.readTree("{\"AssignmentId\": \"" + ASSIGNMENT_ID + "\", \"MaxResults\": 100}"),
                mapper.readTree(server.requests().get(0).body()));
        assertSent("ListBonusPayments", """
                {"AssignmentId": "3KYQYYSHYV3ZEXAMPLEASSIGN00001", "NextToken": "page-2", "MaxResults": 100}
                """);
    }

    @Test
    void createQualificationTypeIsActiveWithoutTestAndNotAutoGranted() {
        server.ok("""
                {"QualificationType": {"QualificationTypeId": "3PAVILIONQUALTYPE00000000000001",
                  "Name": "Pavilion compensation", "QualificationTypeStatus": "Active"}}
                """);

        assertEquals("3PAVILIONQUALTYPE00000000000001",
                client.createQualificationType("Pavilion compensation", "Workers Pavilion owes pay"));

        assertSent("CreateQualificationType", """
                {"Name": "Pavilion compensation", "Description": "Workers Pavilion owes pay",
                 "QualificationTypeStatus": "Active", "AutoGranted": false}
                """);
    }

    @Test
    void findQualificationTypeMatchesTheExactNameOfAnActiveTypeOfTheCaller() {
        server.ok("""
                {"NumResults": 2, "NextToken": "more", "QualificationTypes": [
                  {"QualificationTypeId": "3PREFIX", "Name": "Pavilion compensation (old)", "QualificationTypeStatus": "Active"},
                  {"QualificationTypeId": "3INACTIVE", "Name": "Pavilion compensation", "QualificationTypeStatus": "Inactive"}]}
                """).ok("""
                {"NumResults": 1, "QualificationTypes": [
                  {"QualificationTypeId": "3WANTED", "Name": "Pavilion compensation", "QualificationTypeStatus": "Active"}]}
                """);

        assertEquals(Optional.of("3WANTED"), client.findQualificationType("Pavilion compensation"));

        assertEquals(mapper.readTree("""
                {"Query": "Pavilion compensation", "MustBeRequestable": false, "MustBeOwnedByCaller": true,
                 "MaxResults": 100}
                """), mapper.readTree(server.requests().get(0).body()));
        assertSent("ListQualificationTypes", """
                {"Query": "Pavilion compensation", "MustBeRequestable": false, "MustBeOwnedByCaller": true,
                 "NextToken": "more", "MaxResults": 100}
                """);
    }

    @Test
    void findQualificationTypeIsEmptyWhenNoNameMatchesExactly() {
        server.ok("""
                {"NumResults": 1, "QualificationTypes": [
                  {"QualificationTypeId": "3OTHER", "Name": "pavilion compensation", "QualificationTypeStatus": "Active"}]}
                """);
        assertEquals(Optional.empty(), client.findQualificationType("Pavilion compensation"));
    }

    @Test
    void associateQualificationWithWorkerSendsNoNotification() {
        server.ok("{}");
        client.associateQualification("3PAVILIONQUALTYPE00000000000001", WORKER_ID, 1);

        assertSent("AssociateQualificationWithWorker", """
                {"QualificationTypeId": "3PAVILIONQUALTYPE00000000000001", "WorkerId": "A1EXAMPLEWORKER7",
                 "IntegerValue": 1, "SendNotification": false}
                """);
    }

    @Test
    void updateNotificationSettings() {
        server.ok("{}");
        client.registerNotifications(HIT_TYPE_ID, "arn:aws:sns:us-east-1:123456789012:pavilion",
                List.of("AssignmentReturned", "AssignmentAbandoned", "AssignmentAccepted", "AssignmentSubmitted",
                        "HITCreated", "HITExpired"));

        assertSent("UpdateNotificationSettings", """
                {
                  "HITTypeId": "3AQN9REUTFGXEXAMPLEHITTYPE0001",
                  "Notification": {
                    "Destination": "arn:aws:sns:us-east-1:123456789012:pavilion",
                    "Transport": "SNS",
                    "Version": "2006-05-05",
                    "EventTypes": ["AssignmentReturned", "AssignmentAbandoned", "AssignmentAccepted",
                                   "AssignmentSubmitted", "HITCreated", "HITExpired"]
                  },
                  "Active": true
                }
                """);
    }

    @Test
    void sendTestEventNotification() {
        server.ok("{}");
        client.sendTestNotification("arn:aws:sns:us-east-1:123456789012:pavilion", List.of("AssignmentReturned"));

        assertSent("SendTestEventNotification", """
                {
                  "Notification": {
                    "Destination": "arn:aws:sns:us-east-1:123456789012:pavilion",
                    "Transport": "SNS",
                    "Version": "2006-05-05",
                    "EventTypes": ["AssignmentReturned"]
                  },
                  "TestEventType": "Ping"
                }
                """);
    }

    @Test
    void updateExpirationForHitSetsATimeInThePast() {
        server.ok("{}");
        client.expireHit(HIT_ID);

        assertSent("UpdateExpirationForHIT", """
                {"HITId": "3Z8UJEJOCZEGEXAMPLEHITID000001", "ExpireAt": 1420070400}
                """);
    }

    @Test
    void getHitAndGetAssignment() {
        server.ok(HIT_RESPONSE);
        client.getHit(HIT_ID);
        assertSent("GetHIT", "{\"HITId\": \"3Z8UJEJOCZEGEXAMPLEHITID000001\"}");

        server.ok("{\"Assignment\": {\"AssignmentId\": \"" + ASSIGNMENT_ID + "\"}}");
        client.getAssignment(ASSIGNMENT_ID);
        assertSent("GetAssignment", "{\"AssignmentId\": \"3KYQYYSHYV3ZEXAMPLEASSIGN00001\"}");
    }

    @Test
    void listAssignmentsForHitAsksForEveryListedStatus() {
        server.ok("{\"NumResults\": 0, \"Assignments\": []}");
        client.listAssignments(HIT_ID);

        assertSent("ListAssignmentsForHIT", """
                {"HITId": "3Z8UJEJOCZEGEXAMPLEHITID000001", "MaxResults": 100,
                 "AssignmentStatuses": ["Submitted", "Approved", "Rejected"]}
                """);
    }

    @Test
    void listHitsAsksForAFullPageThenFollowsNextToken() {
        server.ok("{\"NextToken\": \"opaque/page+2==\", \"NumResults\": 0, \"HITs\": []}")
                .ok("{\"NumResults\": 0, \"HITs\": []}");

        client.findHitByAnnotation(HIT_TYPE_ID, "pav-abc-s1-h1");

        assertEquals(2, server.requests().size());
        assertEquals("ListHITs", server.requests().get(0).operation());
        assertEquals(mapper.readTree("{\"MaxResults\": 100}"), mapper.readTree(server.requests().get(0).body()));
        assertSent("ListHITs", """
                {"NextToken": "opaque/page+2==", "MaxResults": 100}
                """);
    }

    @Test
    void listHitsOfOnePage() {
        server.ok("{\"NumResults\": 0, \"HITs\": []}");
        client.listHits("tok-7", 25);
        assertSent("ListHITs", """
                {"NextToken": "tok-7", "MaxResults": 25}
                """);
    }

    @Test
    void approveAndReject() {
        server.ok("{}").ok("{}").ok("{}");
        client.approve(ASSIGNMENT_ID, "Thank you!");
        assertSent("ApproveAssignment", """
                {"AssignmentId": "3KYQYYSHYV3ZEXAMPLEASSIGN00001", "RequesterFeedback": "Thank you!"}
                """);

        client.approve(ASSIGNMENT_ID, null);
        assertSent("ApproveAssignment", "{\"AssignmentId\": \"3KYQYYSHYV3ZEXAMPLEASSIGN00001\"}");

        client.reject(ASSIGNMENT_ID, "The task was not done.");
        assertSent("RejectAssignment", """
                {"AssignmentId": "3KYQYYSHYV3ZEXAMPLEASSIGN00001", "RequesterFeedback": "The task was not done."}
                """);
    }

    @Test
    void getAccountBalanceSendsAnEmptyObject() {
        server.ok("{\"AvailableBalance\": \"10000.00\"}");
        client.accountBalance();
        assertSent("GetAccountBalance", "{}");
    }

    @Test
    void transportFollowsTheDestination() {
        assertEquals("SNS", MTurkClient.transportFor("arn:aws:sns:us-east-1:123456789012:pavilion"));
        assertEquals("SQS", MTurkClient.transportFor("https://sqs.us-east-1.amazonaws.com/123456789012/pavilion"));
        assertEquals("Email", MTurkClient.transportFor("requester@example.org"));
    }
}
