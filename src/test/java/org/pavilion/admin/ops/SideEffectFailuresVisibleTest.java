package org.pavilion.admin.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.admin.live.LiveControls;
import org.pavilion.admin.live.LiveTestSupport;
import org.pavilion.admin.live.SessionQueries;
import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.marketplace.local.FaultInjector;
import org.pavilion.marketplace.local.FaultInjector.Fault;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.GoLiveIntent;
import org.pavilion.storage.JdbcSessionStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;

/**
 * Issue 13 item 1: a marketplace side effect that keeps failing is visible to the admin, not only in a log.
 * With the local marketplace refusing UpdateExpirationForHIT (503, its fault injection), the expired session's
 * HIT stays live: its view (page and API) says so with the error, the dashboard lists it, and the metrics count
 * it as failing with the age of the oldest pending expiry; once the marketplace answers again, the expiry goes
 * through and every one of those clears. A go-live the marketplace keeps refusing ends FAILED, and is shown the
 * same ways.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=200ms",
        "pavilion.marketplace.client.base-delay=5ms", "pavilion.marketplace.client.max-delay=20ms",
        "pavilion.marketplace.client.max-attempts=2", "pavilion.marketplace.hire-max-backoff=1s",
        "pavilion.marketplace.hire-lookup-attempts=2", "pavilion.marketplace.hire-lookup-delay=200ms"})
@WithMockUser(username = LiveTestSupport.ADMIN, roles = "ADMIN")
class SideEffectFailuresVisibleTest {

    @LocalServerPort
    int port;
    @Autowired
    WebApplicationContext context;
    @Autowired
    MarketplaceService market;
    @Autowired
    LiveControls controls;
    @Autowired
    LocalMarketplace local;
    @Autowired
    FaultInjector faults;
    @Autowired
    JdbcSessionStore store;
    @Autowired
    SessionQueries queries;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;

    private MockMvc mvc;

    @BeforeEach
    void setUp() {
        mvc = LiveTestSupport.mockMvc(context);
    }

    @AfterEach
    void clearFaults() {
        faults.clear();
    }

    @Test
    void aHitExpiryTheMarketplaceKeepsRefusingIsShownOnTheSessionTheDashboardAndTheMetricsUntilItGoesThrough()
            throws Exception {
        long task = LiveTestSupport.task(projects, tasks, port, new Thresholds(1, 0, 1, 1), 725);
        MarketplaceService.Posted posted = market.goLive(task, LiveTestSupport.ADMIN);
        long s = posted.sessionId();
        double failingBefore = sample(scrape(), "pavilion_side_effects", "hit_expiry", "failing");

        faults.failNext("UpdateExpirationForHIT", 100_000, Fault.HTTP_503);
        controls.expire(s, LiveTestSupport.ADMIN);

        await().pollInSameThread().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JSONObject m = view(s).getJSONObject("marketplace");
            assertThat(m.getInt("hitsToExpire")).isEqualTo(1);
            assertThat(m.getString("expiryNotice")).startsWith("1 HIT not yet expired: ").contains("ServiceUnavailable")
                    .contains("retrying until the marketplace confirms");
        });
        assertThat(local.getHit(posted.hitId()).status()).as("still open to workers").isEqualTo("Assignable");

        // The session's page shows it, and keeps refreshing it although the session has ended.
        String page = html("/admin/sessions/" + s);
        Matcher notice = Pattern.compile("<p class=\"notice notice-error\" id=\"hit-expiry-notice\" role=\"alert\"([^>]*)>"
                + "([^<]*)</p>").matcher(page);
        assertThat(notice.find()).as(page).isTrue();
        assertThat(notice.group(1)).doesNotContain("hidden");
        assertThat(notice.group(2)).contains("1 HIT not yet expired", "ServiceUnavailable");

        // The dashboard lists it, with a link to the session.
        assertThat(problems(html("/admin/dashboard"))).contains("Marketplace actions failing",
                "href=\"/admin/sessions/" + s + "\"", "1 HIT not yet expired at the marketplace (still open to workers)",
                "ServiceUnavailable", "Retried until the marketplace confirms");

        // The metrics count it as failing, and how long the oldest pending expiry has waited.
        await().pollInSameThread().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String scrape = scrape();
            assertThat(sample(scrape, "pavilion_side_effects", "hit_expiry", "failing")).isGreaterThan(failingBefore);
            assertThat(sample(scrape, "pavilion_side_effects", "hit_expiry", "pending")).isGreaterThanOrEqualTo(1);
            assertThat(sample(scrape, "pavilion_side_effects_oldest_pending_seconds", "hit_expiry", null))
                    .isGreaterThan(0);
        });

        // The marketplace answers again: the HIT is expired, and every notice clears.
        faults.clear();
        await().pollInSameThread().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JSONObject m = view(s).getJSONObject("marketplace");
            assertThat(m.getInt("hitsToExpire")).isZero();
            assertThat(m.getInt("hitsExpired")).isEqualTo(1);
            assertThat(m.isNull("expiryNotice")).isTrue();
        });
        assertThat(local.getHit(posted.hitId()).status()).isNotEqualTo("Assignable");
        assertThat(problems(html("/admin/dashboard"))).doesNotContain("href=\"/admin/sessions/" + s + "\"");
        await().pollInSameThread().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(sample(scrape(), "pavilion_side_effects", "hit_expiry", "failing")).isEqualTo(failingBefore));
    }

    @Test
    void aGoLiveTheMarketplaceKeepsRefusingEndsFailedAndIsShownOnTheSessionTheDashboardAndTheMetrics()
            throws Exception {
        long task = LiveTestSupport.task(projects, tasks, port, new Thresholds(1, 0, 1, 1), 725);
        double failedBefore = sample(scrape(), "pavilion_side_effects", "go_live", "failed");

        // An outage: CreateHIT answers 503 every time. The go-live fails; the HIT may exist all the same, so it
        // is looked for by its token (CANCELLING) and, not found, the go-live ends FAILED.
        faults.failNext("CreateHITWithHITType", 100_000, Fault.HTTP_503);
        assertThatThrownBy(() -> market.goLive(task, LiveTestSupport.ADMIN)).isInstanceOf(MarketplaceException.class);
        long s = queries.sessions(task, 10).stream().findFirst().orElseThrow().id(); // opened, then expired
        await().pollInSameThread().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(store.goLiveOfSession(s).orElseThrow().state()).isEqualTo(GoLiveIntent.State.FAILED));

        JSONObject m = view(s).getJSONObject("marketplace");
        assertThat(m.getString("goLive")).isEqualTo("FAILED");
        assertThat(m.getString("goLiveError")).contains("ServiceUnavailable");
        String page = html("/admin/sessions/" + s);
        Matcher line = Pattern.compile("id=\"go-live-error\" role=\"alert\"([^>]*)>([^<]*)</p>").matcher(page);
        assertThat(line.find()).as(page).isTrue();
        assertThat(line.group(1)).doesNotContain("hidden");
        assertThat(line.group(2)).startsWith("Go live: FAILED: ").contains("ServiceUnavailable");

        assertThat(problems(html("/admin/dashboard"))).contains("href=\"/admin/sessions/" + s + "\"",
                "go live failed (no HIT was posted; the session ended)", "ServiceUnavailable");
        await().pollInSameThread().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(sample(scrape(), "pavilion_side_effects", "go_live", "failed")).isEqualTo(failedBefore + 1));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private JSONObject view(long sessionId) throws Exception {
        return new JSONObject(mvc.perform(get("/api/admin/sessions/{id}", sessionId)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString());
    }

    private String html(String path) throws Exception {
        return mvc.perform(get(path)).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
    }

    /** The dashboard's list of failing marketplace actions ("" when it shows none). */
    private static String problems(String dashboard) {
        Matcher m = Pattern.compile("(?s)<section id=\"side-effect-problems\".*?</section>").matcher(dashboard);
        return m.find() ? m.group() : "";
    }

    private String scrape() throws Exception {
        return mvc.perform(get("/actuator/prometheus")).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString();
    }

    /** The value of a sample with {@code kind} (and {@code state}, unless null); fails when it is absent. */
    private static double sample(String scrape, String name, String kind, String state) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)").matcher(scrape);
        while (m.find()) {
            String tags = m.group(1);
            if (tags.contains("kind=\"" + kind + "\"") && (state == null || tags.contains("state=\"" + state + "\""))) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError(name + "{kind=" + kind + ", state=" + state + "} not in the scrape");
    }
}
