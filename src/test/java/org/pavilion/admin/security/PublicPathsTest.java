package org.pavilion.admin.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Over real HTTP: what workers, MTurk and the local marketplace use stays open without a login
 * (and without a CSRF token), and the browser login works with its cookie.
 */
class PublicPathsTest extends SecurityTestBase {

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(URI.create(base() + path));
    }

    @Test
    void workerPagesAndAssetsAreOpenAndFrameable() throws Exception {
        for (String path : List.of("/waiting_task", "/main_task",
                "/waiting_task?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=H1")) {
            HttpResponse<String> page = send(at(path).GET());
            assertThat(page.statusCode()).as(path).isEqualTo(200);
            // MTurk shows them in its frame: no X-Frame-Options; they send their own CSP
            assertThat(page.headers().firstValue("X-Frame-Options")).as(path).isEmpty();
            assertThat(page.headers().firstValue("Content-Security-Policy")).as(path).isPresent();
            assertThat(page.headers().allValues("Set-Cookie")).as(path).isEmpty();
        }
        for (String asset : List.of("/pavilion.js", "/pavilion.css", "/pages/waiting.js", "/pages/main-task.js")) {
            assertThat(send(at(asset).GET()).statusCode()).as(asset).isEqualTo(200);
        }
        // the icon every page links (console and worker pages): an SVG served here, no CDN
        HttpResponse<String> icon = send(at("/favicon.svg").GET());
        assertThat(icon.statusCode()).isEqualTo(200);
        assertThat(icon.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("svg"));
        assertThat(send(at("/waiting_task").GET()).body()).contains("href=\"/favicon.svg\"");
        assertThat(send(at("/login").GET()).body()).contains("href=\"/favicon.svg\"");
        // an unknown worker page asset is a 404, not a login
        assertThat(send(at("/pages/nothing.js").GET()).statusCode()).isEqualTo(404);
    }

    @Test
    void socketIoPollingHandshakeIsOpen() throws Exception {
        HttpResponse<String> open = send(at("/socket.io/?EIO=4&transport=polling").GET());
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body()).startsWith("0{").contains("\"sid\"");
        Matcher sid = Pattern.compile("\"sid\"\\s*:\\s*\"([^\"]+)\"").matcher(open.body());
        assertThat(sid.find()).as(open.body()).isTrue();
        // a POST to the session (the client's first message) needs no CSRF token either
        HttpResponse<String> connect = send(at("/socket.io/?EIO=4&transport=polling&sid=" + sid.group(1))
                .header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString("40/chat,")));
        assertThat(connect.statusCode()).isEqualTo(200);
        assertThat(connect.body()).isEqualTo("ok");
    }

    @Test
    void snsIntakeAnswersByItsOwnRules() throws Exception {
        HttpResponse<String> garbage = send(at("/api/from_mturk").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("not json")));
        assertThat(garbage.statusCode()).isEqualTo(400);
        HttpResponse<String> unsigned = send(at("/api/from_mturk").header("Content-Type", "text/plain")
                .header("x-amz-sns-message-type", "Notification")
                .POST(HttpRequest.BodyPublishers.ofString("{\"Type\":\"Notification\",\"MessageId\":\"m1\","
                        + "\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:pavilion-local\",\"Message\":\"{}\","
                        + "\"Timestamp\":\"2020-01-01T00:00:00.000Z\",\"SignatureVersion\":\"1\",\"Signature\":\"AAAA\","
                        + "\"SigningCertURL\":\"https://sns.us-east-1.amazonaws.com/x.pem\"}")));
        assertThat(unsigned.statusCode()).isIn(400, 403);
        assertThat(send(at("/api/from_mturk").GET()).statusCode()).isEqualTo(405);
    }

    @Test
    void localMarketplaceIsOpen() throws Exception {
        HttpResponse<String> board = send(at("/local-mturk/board").GET());
        assertThat(board.statusCode()).isEqualTo(200);
        // its forms carry only the board's own token, not a second _csrf field from Spring Security
        assertThat(board.body().split("name=\"_csrf\"", -1).length - 1).isLessThanOrEqualTo(
                board.body().split("<form", -1).length - 1);
        HttpResponse<String> root = send(at("/local-mturk/").GET());
        assertThat(root.statusCode()).isNotIn(401, 403);
        assertThat(root.headers().firstValue("Location").orElse("")).doesNotContain("/login");
        // the JSON API refuses an unsigned call by its own rules (SigV4), not with a login
        HttpResponse<String> api = send(at("/local-mturk/").header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "MTurkRequesterServiceV20170117.GetAccountBalance")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(api.statusCode()).isNotIn(302, 200);
        assertThat(api.body()).doesNotContain("Log in, or send").contains("__type");
        // the program API
        assertThat(send(at("/local-mturk/api/hits").GET()).statusCode()).isEqualTo(200);
    }

    @Test
    void healthIsOpenOtherActuatorEndpointsAreNot() throws Exception {
        HttpResponse<String> health = send(at("/actuator/health").GET());
        assertThat(health.statusCode()).isNotIn(401, 302, 403);
        assertThat(send(at("/actuator/prometheus").GET()).statusCode()).isEqualTo(401);
    }

    @Test
    void browserLoginSetsAnHttpOnlySameSiteCookie() throws Exception {
        HttpResponse<String> loginPage = send(at("/login").GET());
        assertThat(loginPage.statusCode()).isEqualTo(200);
        String cookie = loginPage.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("JSESSIONID=").containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax");
        Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(loginPage.body());
        assertThat(csrf.find()).isTrue();
        String anonymousSession = cookie.substring(0, cookie.indexOf(';'));

        HttpResponse<String> login = send(at("/login").header("Cookie", anonymousSession)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + ADMIN.replace("@", "%40")
                        + "&password=" + ADMIN_PASSWORD.replace(" ", "+") + "&_csrf=" + csrf.group(1))));
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElseThrow()).endsWith(AdminPagesController.HOME);
        String newCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(newCookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax");
        String session = newCookie.substring(0, newCookie.indexOf(';'));
        assertThat(session).isNotEqualTo(anonymousSession); // session fixation: a new id after login

        HttpResponse<String> admins = send(at("/admin/admins").header("Cookie", session).GET());
        assertThat(admins.statusCode()).isEqualTo(200);
        assertThat(admins.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(admins.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        // the old (anonymous) session id does not carry the login
        assertThat(send(at("/admin/admins").header("Cookie", anonymousSession).GET()).statusCode()).isEqualTo(302);
    }
}
