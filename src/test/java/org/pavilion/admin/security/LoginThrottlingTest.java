package org.pavilion.admin.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.authenticated;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.unauthenticated;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pavilion.session.MutableClock;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.web.context.WebApplicationContext;

/**
 * Login throttling through the real Spring Security filter chain (MockMvc with a chosen client
 * address, and real HTTP): the application's own password encoder and admin lookup are wrapped in
 * counters, and its clock is a {@link MutableClock}. Each test uses its own addresses and emails.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
@Import(LoginThrottlingTest.CountingParts.class)
@ExtendWith(OutputCaptureExtension.class)
class LoginThrottlingTest {

    private static final String PASSWORD = "correct horse battery";
    private static final String WRONG = "wrong horse battery";
    private static final String BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    private static final String THROTTLED_15 = "Too many failed attempts; try again in 15 minutes.";

    /** Counts the real encoder's password checks and the real admin lookups; moves time by hand. */
    @TestConfiguration(proxyBeanMethods = false)
    static class CountingParts {
        @Bean
        static BeanPostProcessor countingSecurityParts() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    if (bean instanceof PasswordEncoder real && !(bean instanceof CountingPasswordEncoder)) {
                        return new CountingPasswordEncoder(real);
                    }
                    if (bean instanceof UserDetailsService real && !(bean instanceof CountingUserDetailsService)) {
                        return new CountingUserDetailsService(real);
                    }
                    if (bean instanceof Clock && !(bean instanceof MutableClock)) {
                        return new MutableClock(Instant.now());
                    }
                    return bean;
                }
            };
        }
    }

    static final class CountingPasswordEncoder implements PasswordEncoder {
        final PasswordEncoder real;
        final AtomicInteger checks = new AtomicInteger();

        CountingPasswordEncoder(PasswordEncoder real) {
            this.real = real;
        }

        @Override
        public String encode(CharSequence raw) {
            return real.encode(raw);
        }

        @Override
        public boolean matches(CharSequence raw, String encoded) {
            checks.incrementAndGet();
            return real.matches(raw, encoded);
        }

        @Override
        public boolean upgradeEncoding(String encoded) {
            return real.upgradeEncoding(encoded);
        }
    }

    static final class CountingUserDetailsService implements UserDetailsService {
        final UserDetailsService real;
        final AtomicInteger loads = new AtomicInteger();

        CountingUserDetailsService(UserDetailsService real) {
            this.real = real;
        }

        @Override
        public UserDetails loadUserByUsername(String username) {
            loads.incrementAndGet();
            return real.loadUserByUsername(username);
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    WebApplicationContext context;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    PasswordEncoder encoder;
    @Autowired
    UserDetailsService userDetails;
    @Autowired
    Clock clock;
    @Autowired
    MeterRegistry registry;

    MockMvc mvc;

    @BeforeEach
    void setUp() {
        mvc = SecurityTestSupport.mockMvc(context);
        assertThat(encoder).isInstanceOf(CountingPasswordEncoder.class);
        assertThat(userDetails).isInstanceOf(CountingUserDetailsService.class);
        assertThat(clock).isInstanceOf(MutableClock.class);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static RequestPostProcessor from(String address) {
        return request -> {
            request.setRemoteAddr(address);
            return request;
        };
    }

    /** A login as a program sends it (no text/html in Accept). */
    private ResultActions login(String email, String password, String address) throws Exception {
        return mvc.perform(loginRequest(email, password, address));
    }

    /** A login as the browser's form sends it. */
    private ResultActions browserLogin(String email, String password, String address) throws Exception {
        return mvc.perform(loginRequest(email, password, address).header("Accept", BROWSER_ACCEPT));
    }

    private static MockHttpServletRequestBuilder loginRequest(String email, String password, String address) {
        return post("/login").param("username", email).param("password", password).with(csrf()).with(from(address));
    }

    private void failTimes(int n, String email, String address) throws Exception {
        for (int i = 0; i < n; i++) {
            login(email, WRONG, address).andExpect(redirectedUrl("/login?error")).andExpect(unauthenticated());
        }
    }

    private String admin(String email) {
        accounts.create(email, PASSWORD, null);
        return email;
    }

    private int passwordChecks() {
        return ((CountingPasswordEncoder) encoder).checks.get();
    }

    private int adminLookups() {
        return ((CountingUserDetailsService) userDetails).loads.get();
    }

    private double throttled(String reason) {
        return registry.get("pavilion.login.throttled").tag("reason", reason).functionCounter().count();
    }

    private MutableClock clock() {
        return (MutableClock) clock;
    }

    // ---- per account ---------------------------------------------------------------------------

    @Test
    void afterFiveFailuresTheRightPasswordIsRefusedWithoutBeingChecked() throws Exception {
        String email = admin("account.limit@example.org");
        int checksBefore = passwordChecks();
        failTimes(5, email, "127.0.1.1");
        assertThat(passwordChecks()).isEqualTo(checksBefore + 5); // the counting encoder is the one in use

        int checks = passwordChecks();
        int lookups = adminLookups();
        double refusedBefore = throttled("account");
        // the email as typed differently still names the same account
        login("  Account.Limit@EXAMPLE.org ", PASSWORD, "127.0.1.1")
                .andExpect(status().isTooManyRequests())
                .andExpect(header().string("Retry-After", "900"))
                .andExpect(jsonPath("$.status").value(429))
                .andExpect(jsonPath("$.error").value("too_many_attempts"))
                .andExpect(jsonPath("$.message").value(THROTTLED_15))
                .andExpect(unauthenticated());
        // from another address too: the account is blocked, and a browser is sent to the login page
        browserLogin(email, PASSWORD, "127.0.1.2")
                .andExpect(redirectedUrl("/login?throttled=15"))
                .andExpect(unauthenticated());

        assertThat(passwordChecks()).isEqualTo(checks);
        assertThat(adminLookups()).isEqualTo(lookups);
        assertThat(throttled("account")).isEqualTo(refusedBefore + 2);
        // other accounts are not affected
        login(admin("account.other@example.org"), PASSWORD, "127.0.1.1").andExpect(authenticated());
    }

    @Test
    void afterTheWindowTheAccountMayLogInAgain() throws Exception {
        String email = admin("account.window@example.org");
        failTimes(5, email, "127.0.2.1");
        login(email, PASSWORD, "127.0.2.1").andExpect(status().isTooManyRequests());

        clock().advance(Duration.ofMinutes(14));
        login(email, PASSWORD, "127.0.2.1").andExpect(status().isTooManyRequests())
                .andExpect(header().string("Retry-After", "60"))
                .andExpect(jsonPath("$.message").value("Too many failed attempts; try again in 1 minute."));
        browserLogin(email, PASSWORD, "127.0.2.1").andExpect(redirectedUrl("/login?throttled=1"));

        clock().advance(Duration.ofMinutes(1));
        login(email, PASSWORD, "127.0.2.1")
                .andExpect(redirectedUrl(AdminPagesController.HOME))
                .andExpect(authenticated().withUsername(email));
    }

    @Test
    void aSuccessfulLoginClearsTheAccountsFailures() throws Exception {
        String email = admin("account.reset@example.org");
        failTimes(4, email, "127.0.3.1");
        login(email, PASSWORD, "127.0.3.1").andExpect(authenticated());
        failTimes(4, email, "127.0.3.1");
        // 8 failures in the window, but only 4 since the success
        login(email, PASSWORD, "127.0.3.1").andExpect(authenticated());
        failTimes(5, email, "127.0.3.1");
        login(email, PASSWORD, "127.0.3.1").andExpect(status().isTooManyRequests());
    }

    @Test
    void anUnknownEmailIsThrottledExactlyLikeAnAdmin() throws Exception {
        String known = admin("known.admin@example.org");
        String unknown = "nobody.here@example.org";
        failTimes(5, known, "127.0.4.1");
        failTimes(5, unknown, "127.0.4.2");

        int checks = passwordChecks();
        int lookups = adminLookups();
        MvcResult k = login(known, PASSWORD, "127.0.4.3").andReturn();
        MvcResult u = login(unknown, PASSWORD, "127.0.4.4").andReturn();
        assertThat(u.getResponse().getStatus()).isEqualTo(k.getResponse().getStatus()).isEqualTo(429);
        assertThat(u.getResponse().getContentAsString()).isEqualTo(k.getResponse().getContentAsString());
        assertThat(u.getResponse().getHeader("Retry-After")).isEqualTo(k.getResponse().getHeader("Retry-After"));
        browserLogin(known, PASSWORD, "127.0.4.3").andExpect(redirectedUrl("/login?throttled=15"));
        browserLogin(unknown, PASSWORD, "127.0.4.4").andExpect(redirectedUrl("/login?throttled=15"));
        assertThat(passwordChecks()).isEqualTo(checks);
        assertThat(adminLookups()).isEqualTo(lookups);
    }

    // ---- per address ---------------------------------------------------------------------------

    @Test
    void twentyFailuresFromOneAddressBlockItForEveryEmail() throws Exception {
        String email = admin("address.victim@example.org");
        String token = accounts.createToken(accounts.findByEmail(email).orElseThrow().id(), "script").secret();
        int checksBefore = passwordChecks();
        for (int i = 0; i < 20; i++) {
            failTimes(1, "guess" + i + "@example.org", "127.0.5.1"); // each email far below its own limit
        }
        // every one of them cost a hash (an unknown email is checked against a dummy hash)
        assertThat(passwordChecks()).isEqualTo(checksBefore + 20);

        int checks = passwordChecks();
        double refusedBefore = throttled("address");
        login(email, PASSWORD, "127.0.5.1").andExpect(status().isTooManyRequests())
                .andExpect(jsonPath("$.message").value(THROTTLED_15)).andExpect(unauthenticated());
        login("fresh@example.org", WRONG, "127.0.5.1").andExpect(status().isTooManyRequests());
        mvc.perform(get("/api/admin/me").header("Authorization", "Bearer " + token).with(from("127.0.5.1")))
                .andExpect(status().isTooManyRequests());
        assertThat(passwordChecks()).isEqualTo(checks);
        assertThat(throttled("address")).isEqualTo(refusedBefore + 3);

        // another address is not affected
        login(email, PASSWORD, "127.0.5.2").andExpect(authenticated());
        mvc.perform(get("/api/admin/me").header("Authorization", "Bearer " + token).with(from("127.0.5.2")))
                .andExpect(status().isOk());
    }

    @Test
    void invalidBearerTokensCountAgainstTheAddress() throws Exception {
        String email = admin("token.owner@example.org");
        String token = accounts.createToken(accounts.findByEmail(email).orElseThrow().id(), "script").secret();
        int checks = passwordChecks();
        for (int i = 0; i < 20; i++) {
            mvc.perform(get("/api/admin/me").header("Authorization", "Bearer pav_guess" + i).with(from("127.0.6.1")))
                    .andExpect(status().isUnauthorized())
                    .andExpect(jsonPath("$.error").value("invalid_token"));
        }
        assertThat(passwordChecks()).isEqualTo(checks); // a token check is a hash lookup, never bcrypt

        mvc.perform(get("/api/admin/me").header("Authorization", "Bearer " + token).with(from("127.0.6.1")))
                .andExpect(status().isTooManyRequests())
                .andExpect(header().string("Retry-After", "900"))
                .andExpect(jsonPath("$.error").value("too_many_attempts"))
                .andExpect(jsonPath("$.message").value(THROTTLED_15));
        // the same limiter as logins
        login(email, PASSWORD, "127.0.6.1").andExpect(status().isTooManyRequests());
        mvc.perform(get("/api/admin/me").header("Authorization", "Bearer " + token).with(from("127.0.6.2")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.email").value(email));
    }

    // ---- what people and operators see ---------------------------------------------------------

    @Test
    void theLoginPageShowsHowLongToWait() throws Exception {
        Document page = Jsoup.parse(mvc.perform(get("/login").param("throttled", "15").with(from("127.0.7.1")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
        assertThat(page.select("#login-throttled").text()).isEqualTo(THROTTLED_15);
        assertThat(page.select("#login-error")).isEmpty();
        assertThat(page.select("#login-form")).hasSize(1);

        // the number comes from the URL: only a number, never more than the window
        for (String forged : new String[] {"99999", "<script>alert(1)</script>", "", "-3"}) {
            Document p = Jsoup.parse(mvc.perform(get("/login").param("throttled", forged).with(from("127.0.7.1")))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
            assertThat(p.select("#login-throttled").text()).isEqualTo(THROTTLED_15);
            assertThat(p.select("script")).isEmpty();
        }
        Document plain = Jsoup.parse(mvc.perform(get("/login").with(from("127.0.7.1")))
                .andReturn().getResponse().getContentAsString());
        assertThat(plain.select("#login-throttled")).isEmpty();
    }

    @Test
    void theThrottledMetricIsPublishedAndTheStartIsLoggedWithoutPasswords(CapturedOutput output) throws Exception {
        String odd = "log\ncheck.\u202eadmin@example.org";
        failTimes(5, odd, "127.0.8.1");
        login(odd, PASSWORD, "127.0.8.1").andExpect(status().isTooManyRequests());
        for (int i = 0; i < 20; i++) {
            mvc.perform(get("/api/admin/me").header("Authorization", "Bearer pav_metric" + i).with(from("127.0.8.2")));
        }
        mvc.perform(get("/api/admin/me").header("Authorization", "Bearer pav_metric").with(from("127.0.8.2")))
                .andExpect(status().isTooManyRequests());

        String scrape = mvc.perform(get("/actuator/prometheus").with(user("ops").roles(AdminPrincipal.ROLE)))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(scrape).containsPattern("pavilion_login_throttled_total\\{[^}]*reason=\"account\"[^}]*} [1-9]")
                .containsPattern("pavilion_login_throttled_total\\{[^}]*reason=\"address\"[^}]*} [1-9]");

        assertThat(output.getOut())
                .contains("Admin login throttled: account \"log?check.?admin@example.org\" had 5 failed logins")
                .contains("Admin login throttled: address \"127.0.8.2\" had 20 failed logins or invalid API tokens")
                .doesNotContain(WRONG).doesNotContain(PASSWORD).doesNotContain("log\ncheck");
    }

    // ---- real HTTP -----------------------------------------------------------------------------

    @Test
    void overRealHttpABrowserIsShownTheWaitAndAProgramGets429() throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> page = http.send(at("/login").GET().build(), HttpResponse.BodyHandlers.ofString());
        String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
        String session = cookie.substring(0, cookie.indexOf(';'));
        Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page.body());
        assertThat(csrf.find()).isTrue();
        String email = admin("real.http@example.org");

        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = http.send(form(session, csrf.group(1), email, WRONG).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(302);
            assertThat(r.headers().firstValue("Location").orElseThrow()).endsWith("/login?error");
        }
        HttpResponse<String> browser = http.send(form(session, csrf.group(1), email, PASSWORD)
                .header("Accept", BROWSER_ACCEPT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(browser.statusCode()).isEqualTo(302);
        String location = browser.headers().firstValue("Location").orElseThrow();
        assertThat(location).endsWith("/login?throttled=15");
        HttpResponse<String> shown = http.send(at(URI.create(location).getRawPath() + "?" + URI.create(location)
                .getRawQuery()).header("Cookie", session).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(Jsoup.parse(shown.body()).select("#login-throttled").text()).isEqualTo(THROTTLED_15);

        HttpResponse<String> program = http.send(form(session, csrf.group(1), email, PASSWORD)
                .header("Accept", "*/*").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(program.statusCode()).isEqualTo(429);
        assertThat(program.headers().firstValue("Retry-After")).contains("900");
        assertThat(program.headers().firstValue("Content-Type").orElse("")).startsWith(MediaType.APPLICATION_JSON_VALUE);
        assertThat(program.body()).contains("\"error\":\"too_many_attempts\"").contains(THROTTLED_15);
    }

    private HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
    }

    private HttpRequest.Builder form(String session, String csrf, String email, String password) {
        String body = "username=" + URLEncoder.encode(email, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + URLEncoder.encode(csrf,
                StandardCharsets.UTF_8);
        return at("/login").header("Cookie", session).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }
}
