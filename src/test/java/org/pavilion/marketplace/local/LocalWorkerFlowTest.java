package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pavilion.marketplace.local.LocalTestSupport.externalQuestion;
import static org.pavilion.marketplace.local.LocalTestSupport.get;
import static org.pavilion.marketplace.local.LocalTestSupport.json;
import static org.pavilion.marketplace.local.LocalTestSupport.postForm;
import static org.pavilion.marketplace.local.LocalTestSupport.postJson;
import static org.pavilion.marketplace.local.LocalTestSupport.q;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import tools.jackson.databind.JsonNode;

/** Workers on the local marketplace: the program API, abandonment, and the worker board. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        LocalTestSupport.P1, LocalTestSupport.P2, LocalTestSupport.P3, LocalTestSupport.P4, LocalTestSupport.P5})
@Import(LocalTestSupport.Receiver.class)
class LocalWorkerFlowTest {

    @LocalServerPort
    int port;
    @Autowired
    LocalMarketplace marketplace;

    private LocalMarketplace.HitView hit(String title, int durationSeconds, int max) {
        LocalMarketplace.HitType type = marketplace.createHitType(new LocalMarketplace.HitTypeSpec(title,
                "Chat with others", "chat", new BigDecimal("0.40"), durationSeconds, 3600, null));
        return marketplace.createHit(type.hitTypeId(), 3600, max,
                externalQuestion("https://task.example/waiting_task?task=7&lang=en"), null, null);
    }

    private static Map<String, String> query(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private JsonNode openHit(String hitId) {
        for (JsonNode h : json(get("http://localhost:" + port + "/local-mturk/api/hits"))) {
            if (h.get("hitId").stringValue().equals(hitId)) {
                return h;
            }
        }
        return null;
    }

    @Test
    void acceptReturnSubmitAndAbandonThroughTheProgramApi() {
        LocalMarketplace.HitView hit = hit("Program " + UUID.randomUUID(), 600, 2);
        String hitId = hit.hitId();
        assertThat(openHit(hitId).get("available").intValue()).isEqualTo(2);
        assertThat(openHit(hitId).get("previewUrl").stringValue())
                .isEqualTo("https://task.example/waiting_task?task=7&lang=en&assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE"
                        + "&hitId=" + hitId);

        HttpResponse<String> accepted = postJson(port, "/local-mturk/api/accept",
                "{\"workerId\":\"A1ALICE\",\"hitId\":" + q(hitId) + "}");
        assertThat(accepted.statusCode()).isEqualTo(200);
        JsonNode a1 = json(accepted);
        String first = a1.get("assignmentId").stringValue();
        assertThat(a1.get("status").stringValue()).isEqualTo("Accepted");
        String url = a1.get("url").stringValue();
        assertThat(url).startsWith("https://task.example/waiting_task?task=7&lang=en&assignmentId=");
        Map<String, String> params = query(url);
        assertThat(params).containsEntry("assignmentId", first).containsEntry("hitId", hitId)
                .containsEntry("workerId", "A1ALICE")
                .containsEntry("turkSubmitTo", "http://localhost:" + port + "/local-mturk");
        assertThat(openHit(hitId).get("available").intValue()).isEqualTo(1);

        HttpResponse<String> twice = postJson(port, "/local-mturk/api/accept",
                "{\"workerId\":\"A1ALICE\",\"hitId\":" + q(hitId) + "}");
        assertThat(twice.statusCode()).as("one assignment per worker and HIT").isEqualTo(409);
        assertThat(json(twice).get("message").stringValue()).contains("one assignment per HIT");

        HttpResponse<String> returned = postJson(port, "/local-mturk/api/return", "{\"assignmentId\":" + q(first) + "}");
        assertThat(json(returned).get("status").stringValue()).isEqualTo("Returned");
        assertThat(openHit(hitId).get("available").intValue()).as("back in the pool").isEqualTo(2);
        assertThat(postJson(port, "/local-mturk/api/return", "{\"assignmentId\":" + q(first) + "}").statusCode())
                .isEqualTo(409);

        String again = json(postJson(port, "/local-mturk/api/accept",
                "{\"workerId\":\"A1ALICE\",\"hitId\":" + q(hitId) + "}")).get("assignmentId").stringValue();
        assertThat(again).isNotEqualTo(first);
        String bob = json(postJson(port, "/local-mturk/api/accept",
                "{\"workerId\":\"A1BOB\",\"hitId\":" + q(hitId) + "}")).get("assignmentId").stringValue();
        HttpResponse<String> full = postJson(port, "/local-mturk/api/accept",
                "{\"workerId\":\"A1CAROL\",\"hitId\":" + q(hitId) + "}");
        assertThat(full.statusCode()).isEqualTo(409);
        assertThat(openHit(hitId)).as("no assignment left: not listed as open").isNull();

        HttpResponse<String> submitted = postJson(port, "/local-mturk/api/submit",
                "{\"assignmentId\":" + q(again) + ",\"answers\":{\"done\":\"yes\"}}");
        assertThat(json(submitted).get("status").stringValue()).isEqualTo("Submitted");
        assertThat(json(submitted).get("submitTime").isString()).isTrue();
        assertThat(postJson(port, "/local-mturk/api/submit", "{\"assignmentId\":" + q(again) + "}").statusCode())
                .isEqualTo(409);
        assertThat(marketplace.assignment(again).orElseThrow().answer()).contains("<FreeText>yes</FreeText>");

        HttpResponse<String> abandoned = postJson(port, "/local-mturk/api/abandon", "{\"assignmentId\":" + q(bob) + "}");
        assertThat(json(abandoned).get("status").stringValue()).isEqualTo("Abandoned");
        assertThat(openHit(hitId).get("available").intValue()).isEqualTo(1);

        assertThat(marketplace.workUrl(bob)).as("no longer held: no task URL").isEmpty();
        assertThat(marketplace.workUrl(json(postJson(port, "/local-mturk/api/accept",
                "{\"workerId\":\"A1DAN\",\"hitId\":" + q(hitId) + "}")).get("assignmentId").stringValue()).orElseThrow())
                .contains("workerId=A1DAN").contains("turkSubmitTo=http%3A%2F%2Flocalhost%3A" + port + "%2Flocal-mturk");

        JsonNode alices = json(get("http://localhost:" + port + "/local-mturk/api/assignments?workerId=A1ALICE"));
        assertThat(alices).hasSize(2);
        assertThat(alices.get(0).get("status").stringValue()).isEqualTo("Returned");
        assertThat(alices.get(1).get("status").stringValue()).isEqualTo("Submitted");
        assertThat(json(get("http://localhost:" + port + "/local-mturk/api/assignments?hitId=" + hitId))).hasSize(4);
    }

    @Test
    void unknownIdsAndBadRequestsGetClearErrors() {
        HttpResponse<String> unknown = postJson(port, "/local-mturk/api/return", "{\"assignmentId\":\"NOPE\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("error").stringValue()).isEqualTo("AWS.MechanicalTurk.AssignmentDoesNotExist");
        assertThat(postJson(port, "/local-mturk/api/accept", "{\"workerId\":\"A1X\",\"hitId\":\"NOPE\"}").statusCode())
                .isEqualTo(404);
        assertThat(postJson(port, "/local-mturk/api/accept", "{\"workerId\":\"bad id!\",\"hitId\":\"NOPE\"}")
                .statusCode()).isEqualTo(400);
        assertThat(postJson(port, "/local-mturk/api/submit", "{}").statusCode()).isEqualTo(400);
        assertThat(postJson(port, "/local-mturk/api/submit", "not json").statusCode()).isEqualTo(400);
        HttpResponse<String> form = postForm(port, "/local-mturk/api/submit", Map.of("assignmentId", "X"));
        assertThat(form.statusCode()).as("only application/json: no cross-site form").isEqualTo(415);
        assertThat(get("http://localhost:" + port + "/local-mturk/api/assignments/NOPE").statusCode()).isEqualTo(404);
    }

    @Test
    void anAssignmentNotSubmittedWithinItsDurationIsAbandoned() {
        LocalMarketplace.HitView hit = hit("Short " + UUID.randomUUID(), 1, 1);
        String id = json(postJson(port, "/local-mturk/api/accept",
                "{\"workerId\":\"A1SLOW\",\"hitId\":" + q(hit.hitId()) + "}")).get("assignmentId").stringValue();
        assertThat(openHit(hit.hitId())).isNull();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                json(get("http://localhost:" + port + "/local-mturk/api/assignments/" + id)).get("status").stringValue())
                .isEqualTo("Abandoned"));
        assertThat(openHit(hit.hitId()).get("available").intValue()).as("the slot is back").isEqualTo(1);
        HttpResponse<String> late = postJson(port, "/local-mturk/api/submit", "{\"assignmentId\":" + q(id) + "}");
        assertThat(late.statusCode()).isEqualTo(409);
    }

    @Test
    void theBoardShowsHitsAcceptsReturnsAndTakesTheSubmission() {
        String title = "Board <b>" + UUID.randomUUID() + "</b>";
        LocalMarketplace.HitView hit = hit(title, 600, 2);
        HttpResponse<String> root = get("http://localhost:" + port + "/local-mturk/");
        assertThat(root.statusCode()).isEqualTo(303);
        assertThat(root.headers().firstValue("Location").orElseThrow()).endsWith("/local-mturk/board");
        HttpResponse<String> anonymous = get("http://localhost:" + port + "/local-mturk/board");
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(anonymous.body()).contains("<label for=\"workerId\">").contains("Choose a worker id");
        assertThat(anonymous.body()).doesNotContain(title).contains(title.replace("<", "&lt;").replace(">", "&gt;"));

        HttpResponse<String> board = get("http://localhost:" + port + "/local-mturk/board?workerId=A1BOARD");
        assertThat(board.statusCode()).isEqualTo(200);
        String page = board.body();
        assertThat(page).contains("data-hit-id=\"" + hit.hitId() + "\"").contains("$0.40").contains("2 of 2");
        assertThat(page).contains("assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&amp;hitId=" + hit.hitId());
        Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([0-9a-f]+)\"").matcher(page);
        assertThat(csrf.find()).isTrue();

        Map<String, String> form = new LinkedHashMap<>();
        form.put("workerId", "A1BOARD");
        form.put("hitId", hit.hitId());
        assertThat(postForm(port, "/local-mturk/board/accept", form).statusCode()).as("no token").isEqualTo(403);
        form.put("_csrf", csrf.group(1));
        HttpResponse<String> accepted = postForm(port, "/local-mturk/board/accept", form);
        assertThat(accepted.statusCode()).isEqualTo(303);
        String location = accepted.headers().firstValue("Location").orElseThrow();
        Map<String, String> params = query(location);
        String assignmentId = params.get("assignmentId");
        assertThat(location).startsWith("https://task.example/waiting_task?task=7&lang=en&assignmentId=");
        assertThat(params).containsEntry("hitId", hit.hitId()).containsEntry("workerId", "A1BOARD")
                .containsEntry("turkSubmitTo", "http://localhost:" + port + "/local-mturk");

        String mine = get("http://localhost:" + port + "/local-mturk/board?workerId=A1BOARD").body();
        assertThat(mine).contains("data-assignment-id=\"" + assignmentId + "\"").contains("You hold this HIT.")
                .contains("Open the task");
        // Times as everywhere else: local time with the zone, to the second, never a raw instant (issue 14 item 5).
        assertThat(mine).containsPattern("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC")
                .doesNotContainPattern("\\d\\d:\\d\\d:\\d\\d\\.\\d+Z?")
                .doesNotContainPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d");

        Map<String, String> ret = new LinkedHashMap<>();
        ret.put("workerId", "A1BOARD");
        ret.put("assignmentId", assignmentId);
        ret.put("_csrf", csrf.group(1));
        HttpResponse<String> returned = postForm(port, "/local-mturk/board/return", ret);
        assertThat(returned.statusCode()).isEqualTo(303);
        assertThat(returned.headers().firstValue("Location").orElseThrow()).contains("/local-mturk/board?workerId=A1BOARD");
        assertThat(marketplace.assignment(assignmentId).orElseThrow().status())
                .isEqualTo(LocalMarketplace.AssignmentStatus.RETURNED);

        String second = query(postForm(port, "/local-mturk/board/accept", form).headers().firstValue("Location")
                .orElseThrow()).get("assignmentId");
        Map<String, String> submission = new LinkedHashMap<>();
        submission.put("assignmentId", second);
        submission.put("comment", "it worked");
        HttpResponse<String> submitted = postForm(port, "/local-mturk/mturk/externalSubmit", submission);
        assertThat(submitted.statusCode()).isEqualTo(200);
        assertThat(submitted.body()).contains("id=\"submitted\"").contains(second);
        LocalMarketplace.AssignmentView a = marketplace.assignment(second).orElseThrow();
        assertThat(a.status()).isEqualTo(LocalMarketplace.AssignmentStatus.SUBMITTED);
        assertThat(a.answer()).contains("<QuestionIdentifier>comment</QuestionIdentifier><FreeText>it worked</FreeText>");

        HttpResponse<String> again = postForm(port, "/local-mturk/mturk/externalSubmit", submission);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("Not submitted");
        HttpResponse<String> preview = postForm(port, "/local-mturk/mturk/externalSubmit",
                Map.of("assignmentId", "ASSIGNMENT_ID_NOT_AVAILABLE"));
        assertThat(preview.statusCode()).isEqualTo(400);

        HttpResponse<String> crossSite = LocalTestSupport.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/local-mturk/board/accept"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", "https://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("workerId=A1BOARD&hitId=" + hit.hitId() + "&_csrf="
                        + csrf.group(1))).build());
        assertThat(crossSite.statusCode()).isEqualTo(403);
    }
}
