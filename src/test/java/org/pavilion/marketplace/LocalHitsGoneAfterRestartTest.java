package org.pavilion.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pavilion.PavilionApplication;
import org.pavilion.admin.security.AdminAccounts;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.storage.JdbcSessionStore;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.util.HtmlUtils;

/**
 * Issue 13 item 8: a restart in local mode. The local marketplace keeps its HITs in memory, so a session
 * that went live before the restart names HITs the restarted one does not know. Once the server listens,
 * such a session is flagged, and its admin view (JSON and page) says plainly that its HITs are gone and
 * that it should be expired; a session that went live after the restart is not flagged.
 */
class LocalHitsGoneAfterRestartTest {

    private static final String EMAIL = "restart.admin@example.org";
    private static final String PASSWORD = "a restart admin password";

    @TempDir
    Path dataDir;

    @Test
    void aSessionWhoseLocalHitsWereLostInARestartSaysSoAndOffersToExpire() throws Exception {
        long before;
        try (ConfigurableApplicationContext first = start()) {
            before = goLive(first, "Before the restart");
            assertThat(first.getBean(LocalHitsGone.class).contains(before)).isFalse();
        }

        try (ConfigurableApplicationContext second = start()) {
            int port = Integer.parseInt(second.getEnvironment().getProperty("local.server.port"));
            String base = "http://127.0.0.1:" + port;
            long after = goLive(second, "After the restart");
            AdminAccounts accounts = second.getBean(AdminAccounts.class);
            long admin = accounts.create(EMAIL, PASSWORD, null).id();
            String token = accounts.createToken(admin, "restart test").secret();
            HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
                    .followRedirects(HttpClient.Redirect.NORMAL).build();

            String json = apiGet(http, base + "/api/admin/sessions/" + before, token);
            assertThat((String) JsonPath.read(json, "$.status")).isEqualTo("live");
            assertThat((Boolean) JsonPath.read(json, "$.marketplace.localHitsGone")).isTrue();
            assertThat((String) JsonPath.read(json, "$.marketplace.localHitsGoneNotice")).isEqualTo(
                    "This session's HITs were on the local marketplace, which keeps them in memory only: they are "
                            + "gone since Pavilion restarted. No worker can join. Expire the session.");
            String fresh = apiGet(http, base + "/api/admin/sessions/" + after, token);
            assertThat((Boolean) JsonPath.read(fresh, "$.marketplace.localHitsGone")).isFalse();
            assertThat((Object) JsonPath.read(fresh, "$.marketplace.localHitsGoneNotice")).isNull();

            login(http, base);
            String page = pageGet(http, base + "/admin/sessions/" + before);
            String shown = HtmlUtils.htmlUnescape(page);
            assertThat(shown).contains("id=\"local-hits-gone\"").contains(LocalHitsGone.NOTICE);
            // next to the expire control
            assertThat(shown.indexOf("id=\"expire-form\"")).isGreaterThan(shown.indexOf(LocalHitsGone.NOTICE));
            assertThat(HtmlUtils.htmlUnescape(pageGet(http, base + "/admin/sessions/" + after)))
                    .contains("id=\"expire-form\"").doesNotContain("id=\"local-hits-gone\"")
                    .doesNotContain(LocalHitsGone.NOTICE);

            // The admin expires it: there is nothing left to expire at the marketplace, and that settles it
            // (rather than retrying an expiry of a HIT that does not exist for ever).
            second.getBean(org.pavilion.session.LiveSessionService.class).apply(before,
                    new org.pavilion.queue.QueueEvent.Expire(EMAIL), "admin:" + EMAIL);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> {
                String ended = apiGet(http, base + "/api/admin/sessions/" + before, token);
                return (Integer) JsonPath.read(ended, "$.marketplace.hitsToExpire") == 0
                        && (Integer) JsonPath.read(ended, "$.marketplace.hitsExpired") >= 1;
            });
        }
    }

    /** A session goes live and its HIT is posted on the local marketplace. */
    private static long goLive(ConfigurableApplicationContext ctx, String title) {
        int port = Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port"));
        long project = ctx.getBean(ProjectRepository.class).create(title, "", Instant.now()).id();
        long task = ctx.getBean(TaskRepository.class).create(project, TaskSettings.basic(title,
                "A live task for several workers", "http://127.0.0.1:" + port + "/waiting_task", 50,
                new Thresholds(1, 0, 2, 2)), Instant.now()).id();
        long session = ctx.getBean(MarketplaceService.class).goLive(task, "admin@lab").sessionId();
        JdbcSessionStore store = ctx.getBean(JdbcSessionStore.class);
        LocalMarketplace local = ctx.getBean(LocalMarketplace.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> !store.sessionHits(session).isEmpty()
                && local.hasHit(store.sessionHits(session).get(0)));
        return session;
    }

    private static String apiGet(HttpClient http, String url, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static String pageGet(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.uri().getPath()).as("not sent to the login page").isEqualTo(URI.create(url).getPath());
        return r.body();
    }

    /** Logs in with the form, as a browser does (its CSRF token from the login page). */
    private static void login(HttpClient http, String base) throws Exception {
        String form = http.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"_csrf\"")
                .matcher(form);
        assertThat(m.find()).as(form).isTrue();
        String csrf = m.group(1) != null ? m.group(1) : m.group(2);
        String body = "username=" + enc(EMAIL) + "&password=" + enc(PASSWORD) + "&_csrf=" + enc(csrf);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "text/html")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.uri().getQuery()).as("logged in").isNull();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private ConfigurableApplicationContext start() {
        SpringApplication app = new SpringApplication(PavilionApplication.class);
        org.pavilion.testing.ExcludeTestConfigurations.applyTo(app);
        return app.run("--server.port=0", "--server.address=127.0.0.1", "--pavilion.data-dir=" + dataDir,
                "--pavilion.database.embedded=file", "--pavilion.marketplace.mode=local");
    }
}
