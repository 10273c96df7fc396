package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pavilion.marketplace.local.LocalTestSupport.call;
import static org.pavilion.marketplace.local.LocalTestSupport.externalQuestion;
import static org.pavilion.marketplace.local.LocalTestSupport.json;
import static org.pavilion.marketplace.local.LocalTestSupport.ok;
import static org.pavilion.marketplace.local.LocalTestSupport.postJson;
import static org.pavilion.marketplace.local.LocalTestSupport.q;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import tools.jackson.databind.JsonNode;

/** The MTurk Requester API of the local marketplace over real HTTP, signed with the AWS SDK v2 signer. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        LocalTestSupport.P1, LocalTestSupport.P2, LocalTestSupport.P3, LocalTestSupport.P4, LocalTestSupport.P5})
@Import(LocalTestSupport.Receiver.class)
class LocalMTurkApiTest {

    @LocalServerPort
    int port;
    @Autowired
    LocalMarketplace marketplace;
    @Autowired
    FaultInjector faults;

    private String hitType(String title, int durationSeconds) {
        return ok(port, "CreateHITType", "{\"Title\":" + q(title) + ",\"Description\":\"A live task\","
                + "\"Keywords\":\"live, chat\",\"Reward\":\"0.50\",\"AssignmentDurationInSeconds\":" + durationSeconds
                + ",\"AutoApprovalDelayInSeconds\":86400,\"QualificationRequirements\":[{\"QualificationTypeId\":"
                + "\"000000000000000000L0\",\"Comparator\":\"GreaterThanOrEqualTo\",\"IntegerValues\":[95]}]}")
                .get("HITTypeId").stringValue();
    }

    private JsonNode createHit(String hitTypeId, int max, String token) {
        return ok(port, "CreateHITWithHITType", createHitBody(hitTypeId, max, token)).get("HIT");
    }

    private static String createHitBody(String hitTypeId, int max, String token) {
        return "{\"HITTypeId\":" + q(hitTypeId) + ",\"MaxAssignments\":" + max + ",\"LifetimeInSeconds\":3600,"
                + "\"Question\":" + q(externalQuestion("https://example.org/task?x=1&y=2")) + ","
                + "\"RequesterAnnotation\":\"session 7\"" + (token == null ? "" : ",\"UniqueRequestToken\":" + q(token))
                + "}";
    }

    @Test
    void signedRequestsAreServedWithMTurksFieldNames() {
        String typeId = hitType("Signed " + UUID.randomUUID(), 600);
        assertThat(typeId).matches("[A-Z0-9]{30}");
        assertThat(hitType(marketplace.hitType(typeId).orElseThrow().spec().title(), 600))
                .as("the same settings give the same HIT type, as on MTurk").isEqualTo(typeId);

        JsonNode hit = createHit(typeId, 3, null);
        assertThat(hit.get("HITId").stringValue()).matches("[A-Z0-9]{30}");
        assertThat(hit.get("HITTypeId").stringValue()).isEqualTo(typeId);
        assertThat(hit.get("HITStatus").stringValue()).isEqualTo("Assignable");
        assertThat(hit.get("MaxAssignments").intValue()).isEqualTo(3);
        assertThat(hit.get("Reward").stringValue()).isEqualTo("0.50");
        assertThat(hit.get("AssignmentDurationInSeconds").longValue()).isEqualTo(600);
        assertThat(hit.get("AutoApprovalDelayInSeconds").longValue()).isEqualTo(86400);
        assertThat(hit.get("RequesterAnnotation").stringValue()).isEqualTo("session 7");
        assertThat(hit.get("Question").stringValue()).contains("x=1&amp;y=2");
        assertThat(hit.get("QualificationRequirements").get(0).get("IntegerValues").get(0).intValue()).isEqualTo(95);
        assertThat(hit.get("NumberOfAssignmentsAvailable").intValue()).isEqualTo(3);
        assertThat(hit.get("NumberOfAssignmentsPending").intValue()).isZero();
        assertThat(hit.get("NumberOfAssignmentsCompleted").intValue()).isZero();
        assertThat(hit.get("CreationTime").isNumber()).as("AWS JSON timestamps are epoch seconds").isTrue();
        double expiresIn = hit.get("Expiration").doubleValue() - hit.get("CreationTime").doubleValue();
        assertThat(expiresIn).isEqualTo(3600.0);

        JsonNode got = ok(port, "GetHIT", "{\"HITId\":" + q(hit.get("HITId").stringValue()) + "}").get("HIT");
        assertThat(got.get("Title").stringValue()).isEqualTo(hit.get("Title").stringValue());
        assertThat(ok(port, "GetAccountBalance", "{}").get("AvailableBalance").stringValue())
                .matches("\\d+\\.\\d\\d");
    }

    @Test
    void aWrongSecretAWrongKeyAnUnsignedOrStaleRequestIsRefusedClearly() {
        HttpResponse<String> wrongSecret = call(port, "GetAccountBalance", "{}", LocalTestSupport.ACCESS_KEY,
                "not-the-secret", Clock.systemUTC());
        assertThat(wrongSecret.statusCode()).isEqualTo(400);
        assertThat(json(wrongSecret).get("__type").stringValue()).isEqualTo("InvalidSignatureException");
        assertThat(json(wrongSecret).get("Message").stringValue())
                .contains("signature we calculated does not match").contains("secret-access-key");

        HttpResponse<String> wrongKey = call(port, "GetAccountBalance", "{}", "AKIANOTTHELOCALKEY",
                LocalTestSupport.SECRET, Clock.systemUTC());
        assertThat(wrongKey.statusCode()).isEqualTo(400);
        assertThat(json(wrongKey).get("__type").stringValue()).isEqualTo("UnrecognizedClientException");
        assertThat(json(wrongKey).get("Message").stringValue()).contains("AKIANOTTHELOCALKEY");

        HttpResponse<String> unsigned = LocalTestSupport.send(HttpRequest.newBuilder(LocalTestSupport.endpoint(port))
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "MTurkRequesterServiceV20170117.GetAccountBalance")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(unsigned.statusCode()).isEqualTo(403);
        assertThat(json(unsigned).get("__type").stringValue()).isEqualTo("MissingAuthenticationTokenException");

        Clock twentyMinutesAgo = Clock.fixed(Instant.now().minus(Duration.ofMinutes(20)), ZoneOffset.UTC);
        HttpResponse<String> stale = call(port, "GetAccountBalance", "{}", LocalTestSupport.ACCESS_KEY,
                LocalTestSupport.SECRET, twentyMinutesAgo);
        assertThat(stale.statusCode()).isEqualTo(400);
        assertThat(json(stale).get("__type").stringValue()).isEqualTo("InvalidSignatureException");
        assertThat(json(stale).get("Message").stringValue()).startsWith("Signature expired");

        Clock tenMinutesAgo = Clock.fixed(Instant.now().minus(Duration.ofMinutes(10)), ZoneOffset.UTC);
        assertThat(call(port, "GetAccountBalance", "{}", LocalTestSupport.ACCESS_KEY, LocalTestSupport.SECRET,
                tenMinutesAgo).statusCode()).as("within 15 minutes").isEqualTo(200);
    }

    @Test
    void aBodyChangedAfterSigningIsRefused() {
        HttpResponse<String> signed = call(port, "GetAccountBalance", "{}");
        assertThat(signed.statusCode()).isEqualTo(200);
        // re-send a request signed for one body with another body
        URI uri = LocalTestSupport.endpoint(port);
        software.amazon.awssdk.http.SdkHttpRequest request = software.amazon.awssdk.http.SdkHttpRequest.builder()
                .method(software.amazon.awssdk.http.SdkHttpMethod.POST).uri(uri)
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "MTurkRequesterServiceV20170117.GetHIT").build();
        var result = software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.create().sign(r -> r
                .identity(software.amazon.awssdk.identity.spi.AwsCredentialsIdentity.create(
                        LocalTestSupport.ACCESS_KEY, LocalTestSupport.SECRET))
                .request(request)
                .payload(software.amazon.awssdk.http.ContentStreamProvider.fromUtf8String("{\"HITId\":\"A\"}"))
                .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.SERVICE_SIGNING_NAME,
                        "mturk-requester")
                .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.REGION_NAME, "us-east-1"));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("{\"HITId\":\"B\"}"));
        result.request().forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) {
                values.forEach(v -> b.header(name, v));
            }
        });
        HttpResponse<String> tampered = LocalTestSupport.send(b.build());
        assertThat(tampered.statusCode()).isEqualTo(400);
        assertThat(json(tampered).get("__type").stringValue()).isEqualTo("InvalidSignatureException");
    }

    @Test
    void aRepeatedUniqueRequestTokenAnswersHitAlreadyExistsWithoutNamingTheHit() {
        String typeId = hitType("Token " + UUID.randomUUID(), 600);
        String token = "hire-" + UUID.randomUUID();
        String first = createHit(typeId, 1, token).get("HITId").stringValue();

        HttpResponse<String> again = call(port, "CreateHITWithHITType", createHitBody(typeId, 1, token));
        assertThat(again.statusCode()).isEqualTo(400);
        JsonNode error = json(again);
        assertThat(error.get("__type").stringValue()).isEqualTo("com.amazonaws.mturk#RequestError");
        assertThat(error.get("TurkErrorCode").stringValue()).isEqualTo("AWS.MechanicalTurk.HitAlreadyExists");
        assertThat(error.get("Message").stringValue()).contains(token).doesNotContain(first);
        assertThat(again.body()).doesNotContain(first);
        assertThat(marketplace.hits().stream().filter(h -> h.hitTypeId().equals(typeId))).hasSize(1);

        assertThat(createHit(typeId, 1, "other-" + token).get("HITId").stringValue()).isNotEqualTo(first);
    }

    @Test
    void listHitsPagesThroughEveryHitWithMTurksShapes() {
        String typeId = hitType("List " + UUID.randomUUID(), 600);
        for (int i = 0; i < 3; i++) {
            createHit(typeId, 1, null);
        }
        int total = marketplace.hits().size();

        List<JsonNode> listed = new ArrayList<>();
        Set<String> tokens = new HashSet<>();
        String next = null;
        int pages = 0;
        do {
            JsonNode page = ok(port, "ListHITs", "{\"MaxResults\":2" + (next == null ? "" : ",\"NextToken\":" + q(next))
                    + "}");
            pages++;
            assertThat(page.get("NumResults").intValue()).isEqualTo(page.get("HITs").size()).isLessThanOrEqualTo(2);
            page.get("HITs").forEach(listed::add);
            next = page.hasNonNull("NextToken") ? page.get("NextToken").stringValue() : null;
            assertThat(next == null || tokens.add(next)).as("each NextToken is new").isTrue();
        } while (next != null);

        assertThat(pages).isEqualTo((total + 1) / 2);
        assertThat(listed).hasSize(total);
        assertThat(listed.stream().map(h -> h.get("HITId").stringValue()).distinct()).hasSize(total);
        JsonNode mine = listed.stream().filter(h -> typeId.equals(h.get("HITTypeId").stringValue())).findFirst()
                .orElseThrow();
        assertThat(mine.get("RequesterAnnotation").stringValue()).isEqualTo("session 7");
        assertThat(mine.get("HITStatus").stringValue()).isEqualTo("Assignable");
        assertThat(mine.get("CreationTime").isNumber()).isTrue();
        assertThat(mine.get("MaxAssignments").intValue()).isEqualTo(1);

        JsonNode defaults = ok(port, "ListHITs", "{}");
        assertThat(defaults.get("HITs").size()).isEqualTo(Math.min(10, total));
    }

    @Test
    void listHitsRefusesBadPagingClearly() {
        for (String body : List.of("{\"MaxResults\":0}", "{\"MaxResults\":101}", "{\"MaxResults\":\"5\"}",
                "{\"NextToken\":\"not-ours\"}", "{\"NextToken\":\"\"}", "{\"NextToken\":7}",
                "{\"NextToken\":" + q(java.util.Base64.getUrlEncoder().encodeToString("ListHITs:-1".getBytes())) + "}",
                "{\"NextToken\":" + q(java.util.Base64.getUrlEncoder().encodeToString("HITx:1".getBytes())) + "}")) {
            HttpResponse<String> r = call(port, "ListHITs", body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(json(r).get("__type").stringValue()).as(body).isEqualTo("com.amazonaws.mturk#RequestError");
            assertThat(json(r).get("Message").stringValue()).as(body).containsAnyOf("MaxResults", "NextToken");
        }
    }

    @Test
    void assignmentsAreListedReviewedAndPaidThroughTheApi() {
        String typeId = hitType("Review " + UUID.randomUUID(), 600);
        String hitId = createHit(typeId, 2, null).get("HITId").stringValue();
        BigDecimal before = new BigDecimal(ok(port, "GetAccountBalance", "{}").get("AvailableBalance").stringValue());

        LocalMarketplace.AssignmentView a = marketplace.accept("A1WORKERONE", hitId);
        JsonNode listed = ok(port, "ListAssignmentsForHIT", "{\"HITId\":" + q(hitId) + "}");
        assertThat(listed.get("NumResults").intValue()).as("MTurk lists only submitted assignments").isZero();
        JsonNode hit = ok(port, "GetHIT", "{\"HITId\":" + q(hitId) + "}").get("HIT");
        assertThat(hit.get("NumberOfAssignmentsPending").intValue()).isEqualTo(1);
        assertThat(hit.get("NumberOfAssignmentsAvailable").intValue()).isEqualTo(1);
        HttpResponse<String> notYet = call(port, "GetAssignment", "{\"AssignmentId\":" + q(a.assignmentId()) + "}");
        assertThat(json(notYet).get("TurkErrorCode").stringValue()).isEqualTo("AWS.MechanicalTurk.AssignmentDoesNotExist");

        marketplace.submit(a.assignmentId(), java.util.Map.of("feedback", "fun & easy"));
        listed = ok(port, "ListAssignmentsForHIT", "{\"HITId\":" + q(hitId) + "}");
        assertThat(listed.get("NumResults").intValue()).isEqualTo(1);
        JsonNode assignment = listed.get("Assignments").get(0);
        assertThat(assignment.get("AssignmentId").stringValue()).isEqualTo(a.assignmentId());
        assertThat(assignment.get("WorkerId").stringValue()).isEqualTo("A1WORKERONE");
        assertThat(assignment.get("HITId").stringValue()).isEqualTo(hitId);
        assertThat(assignment.get("AssignmentStatus").stringValue()).isEqualTo("Submitted");
        assertThat(assignment.get("AcceptTime").isNumber()).isTrue();
        assertThat(assignment.get("SubmitTime").isNumber()).isTrue();
        assertThat(assignment.get("Answer").stringValue()).contains("<QuestionIdentifier>feedback</QuestionIdentifier>")
                .contains("fun &amp; easy");
        JsonNode got = ok(port, "GetAssignment", "{\"AssignmentId\":" + q(a.assignmentId()) + "}");
        assertThat(got.get("Assignment").get("AssignmentStatus").stringValue()).isEqualTo("Submitted");
        assertThat(got.get("HIT").get("HITId").stringValue()).isEqualTo(hitId);

        String bonus = "{\"WorkerId\":\"A1WORKERONE\",\"AssignmentId\":" + q(a.assignmentId())
                + ",\"BonusAmount\":\"1.25\",\"Reason\":\"waiting\",\"UniqueRequestToken\":\"bonus-" + hitId + "\"}";
        ok(port, "SendBonus", bonus);
        HttpResponse<String> twice = call(port, "SendBonus", bonus);
        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(json(twice).get("__type").stringValue()).isEqualTo("com.amazonaws.mturk#RequestError");
        assertThat(json(twice).get("TurkErrorCode").stringValue()).isEqualTo("AWS.MechanicalTurk.DuplicateRequest");
        assertThat(json(twice).get("Message").stringValue()).contains("has already been processed");
        ok(port, "ApproveAssignment", "{\"AssignmentId\":" + q(a.assignmentId()) + ",\"RequesterFeedback\":\"thanks\"}");
        HttpResponse<String> approveAgain = call(port, "ApproveAssignment",
                "{\"AssignmentId\":" + q(a.assignmentId()) + "}");
        assertThat(json(approveAgain).get("TurkErrorCode").stringValue())
                .isEqualTo("AWS.MechanicalTurk.InvalidAssignmentState");
        assertThat(json(approveAgain).get("Message").stringValue()).contains("Submitted");
        BigDecimal after = new BigDecimal(ok(port, "GetAccountBalance", "{}").get("AvailableBalance").stringValue());
        assertThat(before.subtract(after)).as("reward 0.50 + 0.10 fee, bonus 1.25 + 0.25 fee")
                .isEqualByComparingTo("2.10");
        JsonNode paid = ok(port, "ListBonusPayments", "{\"AssignmentId\":" + q(a.assignmentId()) + "}");
        assertThat(paid.get("NumResults").intValue()).isEqualTo(1);
        JsonNode payment = paid.get("BonusPayments").get(0);
        assertThat(payment.get("WorkerId").stringValue()).isEqualTo("A1WORKERONE");
        assertThat(payment.get("AssignmentId").stringValue()).isEqualTo(a.assignmentId());
        assertThat(payment.get("BonusAmount").stringValue()).isEqualTo("1.25");
        assertThat(payment.get("Reason").stringValue()).isEqualTo("waiting");
        assertThat(payment.get("GrantTime").isNumber()).isTrue();
        assertThat(ok(port, "ListBonusPayments", "{\"HITId\":" + q(hitId) + "}").get("NumResults").intValue())
                .isEqualTo(1);

        LocalMarketplace.AssignmentView b = marketplace.accept("A1WORKERTWO", hitId);
        marketplace.submit(b.assignmentId(), java.util.Map.of());
        HttpResponse<String> rejectWithout = call(port, "RejectAssignment", "{\"AssignmentId\":" + q(b.assignmentId()) + "}");
        assertThat(rejectWithout.statusCode()).isEqualTo(400);
        ok(port, "RejectAssignment", "{\"AssignmentId\":" + q(b.assignmentId()) + ",\"RequesterFeedback\":\"empty\"}");
        listed = ok(port, "ListAssignmentsForHIT", "{\"HITId\":" + q(hitId) + ",\"MaxResults\":1}");
        assertThat(listed.get("NumResults").intValue()).isEqualTo(1);
        JsonNode page2 = ok(port, "ListAssignmentsForHIT", "{\"HITId\":" + q(hitId) + ",\"MaxResults\":1,\"NextToken\":"
                + q(listed.get("NextToken").stringValue()) + "}");
        assertThat(page2.get("Assignments").get(0).get("AssignmentStatus").stringValue()).isEqualTo("Rejected");
        assertThat(page2.has("NextToken")).isFalse();
        assertThat(ok(port, "GetHIT", "{\"HITId\":" + q(hitId) + "}").get("HIT").get("HITStatus").stringValue())
                .as("every assignment submitted").isEqualTo("Reviewable");
    }

    @Test
    void expiringAHitClosesItToWorkers() {
        String typeId = hitType("Expire " + UUID.randomUUID(), 600);
        String hitId = createHit(typeId, 5, null).get("HITId").stringValue();
        ok(port, "UpdateExpirationForHIT", "{\"HITId\":" + q(hitId) + ",\"ExpireAt\":0}");
        JsonNode hit = ok(port, "GetHIT", "{\"HITId\":" + q(hitId) + "}").get("HIT");
        assertThat(hit.get("HITStatus").stringValue()).isEqualTo("Reviewable");
        assertThat(hit.get("Expiration").doubleValue()).isLessThanOrEqualTo(Instant.now().getEpochSecond() + 1.0);
        HttpResponse<String> accept = postJson(port, "/local-mturk/api/accept",
                "{\"workerId\":\"A1LATE\",\"hitId\":" + q(hitId) + "}");
        assertThat(accept.statusCode()).isEqualTo(409);
    }

    @Test
    void unknownThingsAndBadInputAnswerMTurkErrors() {
        HttpResponse<String> unknownHit = call(port, "GetHIT", "{\"HITId\":\"3NOSUCHHIT000000000000000000000\"}");
        assertThat(unknownHit.statusCode()).isEqualTo(400);
        assertThat(json(unknownHit).get("__type").stringValue()).isEqualTo("com.amazonaws.mturk#RequestError");
        assertThat(json(unknownHit).get("Message").stringValue()).contains("does not exist");
        assertThat(unknownHit.headers().firstValue("Content-Type")).hasValue("application/x-amz-json-1.1");

        HttpResponse<String> unknownOp = call(port, "ListWorkersWithQualificationType", "{}");
        assertThat(json(unknownOp).get("__type").stringValue()).isEqualTo("UnknownOperationException");

        HttpResponse<String> missing = call(port, "CreateHITType", "{\"Title\":\"t\"}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).get("__type").stringValue()).isEqualTo("com.amazonaws.mturk#RequestError");

        HttpResponse<String> badQuestion = call(port, "CreateHITWithHITType", "{\"HITTypeId\":"
                + q(hitType("Bad question " + UUID.randomUUID(), 600))
                + ",\"LifetimeInSeconds\":600,\"Question\":\"<ExternalQuestion><ExternalURL>\"}");
        assertThat(json(badQuestion).get("TurkErrorCode").stringValue()).isEqualTo("AWS.MechanicalTurk.XMLParseError");

        HttpResponse<String> badSpec = call(port, "UpdateNotificationSettings", "{\"HITTypeId\":"
                + q(hitType("Bad spec " + UUID.randomUUID(), 600)) + ",\"Notification\":{\"Destination\":\"x\","
                + "\"Transport\":\"SNS\",\"Version\":\"2006-05-05\",\"EventTypes\":[\"AssignmentReturned\"]}}");
        assertThat(json(badSpec).get("Message").stringValue()).contains("SNS topic ARN");
    }

    @Test
    void qualificationTypesAndBonusListsSpeakMTurksShapes() {
        String name = "Api qual " + UUID.randomUUID();
        JsonNode created = ok(port, "CreateQualificationType", "{\"Name\":" + q(name) + ",\"Description\":\"d\","
                + "\"QualificationTypeStatus\":\"Active\",\"AutoGranted\":false}").get("QualificationType");
        String typeId = created.get("QualificationTypeId").stringValue();
        assertThat(created.get("Name").stringValue()).isEqualTo(name);
        assertThat(created.get("QualificationTypeStatus").stringValue()).isEqualTo("Active");
        assertThat(created.get("CreationTime").isNumber()).isTrue();
        HttpResponse<String> again = call(port, "CreateQualificationType", "{\"Name\":" + q(name)
                + ",\"Description\":\"d\",\"QualificationTypeStatus\":\"Active\"}");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(json(again).get("TurkErrorCode").stringValue())
                .isEqualTo("AWS.MechanicalTurk.QualificationTypeAlreadyExists");
        assertThat(json(call(port, "CreateQualificationType", "{\"Name\":\"t " + UUID.randomUUID() + "\","
                + "\"Description\":\"d\",\"QualificationTypeStatus\":\"Active\",\"Test\":\"<QuestionForm/>\"}"))
                .get("Message").stringValue()).contains("Test is not supported");

        for (int i = 0; i < 2; i++) {
            ok(port, "CreateQualificationType", "{\"Name\":" + q(name + " #" + i) + ",\"Description\":\"d\","
                    + "\"QualificationTypeStatus\":\"Active\"}");
        }
        String query = "{\"Query\":" + q(name) + ",\"MustBeRequestable\":false,\"MustBeOwnedByCaller\":true,"
                + "\"MaxResults\":2";
        JsonNode first = ok(port, "ListQualificationTypes", query + "}");
        assertThat(first.get("NumResults").intValue()).isEqualTo(2);
        assertThat(first.get("QualificationTypes").get(0).get("QualificationTypeId").stringValue()).isEqualTo(typeId);
        JsonNode second = ok(port, "ListQualificationTypes", query + ",\"NextToken\":"
                + q(first.get("NextToken").stringValue()) + "}");
        assertThat(second.get("NumResults").intValue()).isEqualTo(1);
        assertThat(second.has("NextToken")).isFalse();
        assertThat(json(call(port, "ListQualificationTypes", "{\"Query\":" + q(name) + "}")).get("Message")
                .stringValue()).contains("MustBeRequestable");
        assertThat(json(call(port, "ListQualificationTypes", query + ",\"NextToken\":\"bm9wZQ\"}"))
                .get("Message").stringValue()).contains("NextToken");

        ok(port, "AssociateQualificationWithWorker", "{\"QualificationTypeId\":" + q(typeId)
                + ",\"WorkerId\":\"A1QUALIFIED\",\"IntegerValue\":3,\"SendNotification\":false}");
        assertThat(marketplace.qualificationsOf("A1QUALIFIED")).singleElement()
                .satisfies(w -> assertThat(w.value()).isEqualTo(3));
        assertThat(json(call(port, "AssociateQualificationWithWorker", "{\"QualificationTypeId\":\"3NOPE\","
                + "\"WorkerId\":\"A1QUALIFIED\"}")).get("TurkErrorCode").stringValue())
                .isEqualTo("AWS.MechanicalTurk.QualificationTypeDoesNotExist");

        HttpResponse<String> unknownType = call(port, "CreateHITType", "{\"Title\":\"Needs a type\","
                + "\"Description\":\"d\",\"Reward\":\"0.10\",\"AssignmentDurationInSeconds\":600,"
                + "\"QualificationRequirements\":[{\"QualificationTypeId\":\"3NOPE\",\"Comparator\":\"Exists\"}]}");
        assertThat(json(unknownType).get("TurkErrorCode").stringValue())
                .isEqualTo("AWS.MechanicalTurk.QualificationTypeDoesNotExist");

        assertThat(json(call(port, "ListBonusPayments", "{}")).get("Message").stringValue())
                .contains("exactly one of HITId and AssignmentId");
        assertThat(json(call(port, "ListBonusPayments", "{\"AssignmentId\":\"NOPE\"}")).get("TurkErrorCode")
                .stringValue()).isEqualTo("AWS.MechanicalTurk.AssignmentDoesNotExist");
        String hitId = createHit(hitType("Bonus amounts " + UUID.randomUUID(), 600), 1, null).get("HITId")
                .stringValue();
        LocalMarketplace.AssignmentView a = marketplace.accept("A1AMOUNTS", hitId);
        marketplace.submit(a.assignmentId(), java.util.Map.of());
        for (String bad : java.util.List.of("$1.00", "1.005", "1e2", "-1.00", "0")) {
            HttpResponse<String> r = call(port, "SendBonus", "{\"WorkerId\":\"A1AMOUNTS\",\"AssignmentId\":"
                    + q(a.assignmentId()) + ",\"BonusAmount\":" + q(bad) + ",\"Reason\":\"r\"}");
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(r).get("TurkErrorCode").stringValue()).as(bad)
                    .isEqualTo("AWS.MechanicalTurk.InvalidParameterValue");
        }
        assertThat(marketplace.bonusesOf("A1AMOUNTS")).isEmpty();
    }

    @Test
    void plannedFaultsFailTheNextCalls() {
        faults.failNext("GetAccountBalance", 1, FaultInjector.Fault.THROTTLING);
        faults.failNext("GetAccountBalance", 1, FaultInjector.Fault.SERVICE_FAULT);
        HttpResponse<String> throttled = call(port, "GetAccountBalance", "{}");
        assertThat(throttled.statusCode()).isEqualTo(400);
        assertThat(json(throttled).get("__type").stringValue()).isEqualTo("ThrottlingException");
        assertThat(json(throttled).get("message").stringValue()).isEqualTo("Rate exceeded");
        HttpResponse<String> fault = call(port, "GetAccountBalance", "{}");
        assertThat(json(fault).get("__type").stringValue()).isEqualTo("com.amazonaws.mturk#ServiceFault");
        assertThat(call(port, "GetAccountBalance", "{}").statusCode()).isEqualTo(200);

        String typeId = hitType("Lost " + UUID.randomUUID(), 600);
        assertThat(postJson(port, "/local-mturk/api/faults",
                "{\"operation\":\"CreateHITWithHITType\",\"times\":1,\"fault\":\"LOST_RESPONSE\"}").statusCode())
                .isEqualTo(200);
        HttpResponse<String> lost = call(port, "CreateHITWithHITType", createHitBody(typeId, 1, "lost-" + typeId));
        assertThat(lost.statusCode()).isEqualTo(503);
        HttpResponse<String> retry = call(port, "CreateHITWithHITType", createHitBody(typeId, 1, "lost-" + typeId));
        assertThat(json(retry).get("TurkErrorCode").stringValue()).isEqualTo("AWS.MechanicalTurk.HitAlreadyExists");
        assertThat(marketplace.hits().stream().filter(h -> h.hitTypeId().equals(typeId))).hasSize(1);
    }
}
