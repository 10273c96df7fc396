package org.pavilion.admin.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.authenticated;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.unauthenticated;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pavilion.realtime.SignedTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/** Who reaches what: anonymous, wrong and right passwords, CSRF, bearer tokens, mock users. */
class SecurityRulesTest extends SecurityTestBase {

    /** Every admin page of the console (whether or not it exists yet: security is by path). */
    static final List<String> ADMIN_PAGES = List.of("/admin", "/admin/", "/admin/dashboard", "/admin/projects",
            "/admin/projects/1", "/admin/projects/1/tasks/new", "/admin/tasks/1", "/admin/tasks/1/edit",
            "/admin/sessions", "/admin/sessions/1", "/admin/admins", "/admin/api-docs", "/admin/anything/else",
            "/api/docs", "/swagger-ui/index.html", "/", "/unknown");
    static final List<String> ADMIN_FORMS = List.of("/admin/projects", "/admin/projects/1/tasks", "/admin/tasks/1",
            "/admin/tasks/1/clone", "/admin/tasks/1/delete", "/admin/tasks/1/go-live", "/admin/sessions/1/stop",
            "/admin/sessions/1/expire", "/admin/sessions/1/migrate", "/admin/admins", "/admin/admins/tokens",
            "/admin/admins/tokens/1/revoke");
    static final List<String> ADMIN_API = List.of("/api/admin/me", "/api/admin/admins", "/api/admin/tokens",
            "/api/admin/projects", "/api/admin/projects/1/tasks", "/api/admin/tasks/1", "/api/admin/sessions",
            "/api/admin/sessions/1", "/api/admin/sessions/1/socket-token", "/api/admin/sessions/1/export/events.csv",
            "/api/admin/sessions/1/export/workers.json", "/api/admin/nothing", "/api/docs/openapi.json",
            "/actuator/prometheus",
            "/actuator/metrics", "/actuator/env", "/api/other");

    @Autowired
    SignedTokens signedTokens;

    // ---- anonymous ------------------------------------------------------------------------------

    @Test
    void anonymousAdminPagesRedirectToLogin() throws Exception {
        for (String page : ADMIN_PAGES) {
            mvc.perform(get(page).accept(MediaType.TEXT_HTML))
                    .andExpect(status().isFound())
                    .andExpect(redirectedUrl("/login"));
        }
    }

    @Test
    void anonymousAdminFormPostsAreRefused() throws Exception {
        for (String form : ADMIN_FORMS) {
            // without a CSRF token: refused outright
            mvc.perform(post(form).param("x", "1")).andExpect(status().isForbidden());
            // with one: still anonymous, sent to log in
            mvc.perform(post(form).param("x", "1").with(csrf()))
                    .andExpect(status().isFound()).andExpect(redirectedUrl("/login"));
        }
    }

    @Test
    void anonymousApiGets401JsonNotARedirect() throws Exception {
        for (String path : ADMIN_API) {
            for (MockHttpServletRequestBuilder request : List.of(get(path), get(path).accept(MediaType.TEXT_HTML),
                    post(path).contentType(MediaType.APPLICATION_JSON).content("{}"),
                    post(path).with(csrf()).contentType(MediaType.APPLICATION_JSON).content("{}"),
                    put(path).with(csrf()), delete(path))) {
                mvc.perform(request)
                        .andExpect(status().isUnauthorized())
                        .andExpect(header().doesNotExist("Location"))
                        .andExpect(header().string("WWW-Authenticate", "Bearer"))
                        .andExpect(jsonPath("$.error").value("unauthorized"));
            }
        }
    }

    @Test
    void anonymousCannotAddAnAdmin() throws Exception {
        long before = accounts.count();
        mvc.perform(post("/api/admin/admins").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"email\":\"intruder@example.org\",\"password\":\"intruder password 1\"}"))
                .andExpect(status().isUnauthorized());
        mvc.perform(post("/api/admin/admins").with(csrf()).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"email\":\"intruder@example.org\",\"password\":\"intruder password 1\"}"))
                .andExpect(status().isUnauthorized());
        mvc.perform(post("/admin/admins").with(csrf()).param("email", "intruder@example.org")
                        .param("password", "intruder password 1").param("confirmPassword", "intruder password 1"))
                .andExpect(status().isFound()).andExpect(redirectedUrl("/login"));
        mvc.perform(post("/setup").with(csrf()).param("token", "guess").param("email", "intruder@example.org")
                        .param("password", "intruder password 1").param("confirmPassword", "intruder password 1"))
                .andExpect(status().isFound()).andExpect(redirectedUrl("/login")); // admins exist: setup is over
        assertThat(accounts.count()).isEqualTo(before);
        assertThat(accounts.findByEmail("intruder@example.org")).isEmpty();
    }

    @Test
    void loginPageIsOpenAndCarriesACsrfToken() throws Exception {
        String html = mvc.perform(get("/login")).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(html).contains("name=\"_csrf\"").contains("name=\"username\"").contains("name=\"password\"")
                .doesNotContain("src=\"http").doesNotContain("href=\"http");
    }

    // ---- logging in -----------------------------------------------------------------------------

    @Test
    void wrongPasswordIsALoginErrorWithoutSession() throws Exception {
        MvcResult result = mvc.perform(formLogin("/login").user(ADMIN).password("not the password!"))
                .andExpect(status().isFound())
                .andExpect(redirectedUrl("/login?error"))
                .andExpect(unauthenticated())
                .andReturn();
        MockHttpSession session = (MockHttpSession) result.getRequest().getSession(false);
        if (session != null) {
            mvc.perform(get("/admin/admins").session(session)).andExpect(redirectedUrl("/login"));
        }
        mvc.perform(formLogin("/login").user("nobody@example.org").password(ADMIN_PASSWORD))
                .andExpect(redirectedUrl("/login?error")).andExpect(unauthenticated());
        String page = mvc.perform(get("/login").param("error", "")).andReturn().getResponse().getContentAsString();
        assertThat(page).contains("Wrong email or password");
    }

    @Test
    void loginWithoutCsrfTokenIsRefused() throws Exception {
        mvc.perform(post("/login").param("username", ADMIN).param("password", ADMIN_PASSWORD))
                .andExpect(status().isForbidden()).andExpect(unauthenticated());
    }

    @Test
    void rightPasswordOpensTheAdminPages() throws Exception {
        MvcResult login = mvc.perform(formLogin("/login").user(ADMIN).password(ADMIN_PASSWORD))
                .andExpect(status().isFound())
                .andExpect(redirectedUrl(AdminPagesController.HOME))
                .andExpect(authenticated().withUsername(ADMIN).withRoles("ADMIN"))
                .andReturn();
        MockHttpSession session = (MockHttpSession) login.getRequest().getSession(false);
        String html = mvc.perform(get("/admin/admins").session(session))
                .andExpect(status().isOk())
                .andExpect(header().string("X-Frame-Options", "DENY"))
                .andReturn().getResponse().getContentAsString();
        assertThat(html).contains(ADMIN).contains("name=\"_csrf\"");
        mvc.perform(get("/api/admin/me").session(session))
                .andExpect(status().isOk()).andExpect(jsonPath("$.email").value(ADMIN))
                .andExpect(jsonPath("$.id").value(adminId()));
        mvc.perform(get("/admin").session(session)).andExpect(redirectedUrl(AdminPagesController.HOME));

        // log out (a POST with its CSRF token): the session no longer works
        mvc.perform(post("/logout").with(csrf()).session(session)).andExpect(redirectedUrl("/login?logout"));
        mvc.perform(get("/admin/admins").session(session)).andExpect(redirectedUrl("/login"));
    }

    @Test
    void afterLoginTheAdminReturnsToThePageAskedFor() throws Exception {
        MvcResult asked = mvc.perform(get("/admin/admins")).andExpect(redirectedUrl("/login")).andReturn();
        MockHttpSession session = (MockHttpSession) asked.getRequest().getSession(false);
        mvc.perform(post("/login").with(csrf()).param("username", ADMIN).param("password", ADMIN_PASSWORD).session(session))
                .andExpect(redirectedUrl("http://localhost/admin/admins?continue"));
    }

    @Test
    void logoutNeedsAPost() throws Exception {
        mvc.perform(get("/logout").with(user(ADMIN).roles("ADMIN"))).andExpect(status().isNotFound());
    }

    // ---- CSRF on admin forms --------------------------------------------------------------------

    @Test
    void adminFormPostWithoutCsrfTokenIs403() throws Exception {
        long before = accounts.count();
        mvc.perform(post("/admin/admins").with(user(ADMIN).roles("ADMIN"))
                        .param("email", "no.csrf@example.org").param("password", "long enough password")
                        .param("confirmPassword", "long enough password"))
                .andExpect(status().isForbidden());
        mvc.perform(post("/admin/admins").with(user(ADMIN).roles("ADMIN")).with(csrf().useInvalidToken())
                        .param("email", "no.csrf@example.org").param("password", "long enough password")
                        .param("confirmPassword", "long enough password"))
                .andExpect(status().isForbidden());
        // the cookie session's JSON API is no exception
        mvc.perform(post("/api/admin/admins").with(user(ADMIN).roles("ADMIN")).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"email\":\"no.csrf@example.org\",\"password\":\"long enough password\"}"))
                .andExpect(status().isForbidden()).andExpect(jsonPath("$.error").value("forbidden"));
        for (String form : ADMIN_FORMS) {
            mvc.perform(post(form).with(user(ADMIN).roles("ADMIN"))).andExpect(status().isForbidden());
        }
        assertThat(accounts.count()).isEqualTo(before);
    }

    @Test
    @WithMockUser(roles = "ADMIN")
    void mockAdminWithCsrfPassesSecurity() throws Exception {
        // what the other admin tests rely on: @WithMockUser(roles = "ADMIN") and .with(csrf())
        mvc.perform(get("/admin/admins")).andExpect(status().isOk());
        mvc.perform(get("/api/admin/admins")).andExpect(status().isOk()).andExpect(jsonPath("$[0].email").exists());
        mvc.perform(get("/api/admin/me")).andExpect(jsonPath("$.email").value("user"));
    }

    @Test
    @WithMockUser(roles = "USER")
    void anAuthenticatedNonAdminIsForbidden() throws Exception {
        mvc.perform(get("/api/admin/admins")).andExpect(status().isForbidden()).andExpect(jsonPath("$.error").value("forbidden"));
        mvc.perform(get("/admin/admins")).andExpect(status().isForbidden());
        mvc.perform(get("/actuator/prometheus")).andExpect(status().isForbidden());
    }

    // ---- bearer tokens --------------------------------------------------------------------------

    @Test
    void bearerTokenWorksForTheApiWithoutCsrf() throws Exception {
        String token = accounts.createToken(adminId(), "test client").secret();
        assertThat(token).startsWith("pav_");
        mvc.perform(get("/api/admin/admins").header("Authorization", "Bearer " + token))
                .andExpect(status().isOk()).andExpect(jsonPath("$[?(@.email == '" + ADMIN + "')]").exists());
        mvc.perform(get("/api/admin/me").header("Authorization", "bearer " + token))
                .andExpect(jsonPath("$.email").value(ADMIN));
        String email = "added.by.token@example.org";
        mvc.perform(post("/api/admin/admins").header("Authorization", "Bearer " + token)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"email\":\"" + email + "\",\"password\":\"a token-made password\"}"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.email").value(email))
                .andExpect(jsonPath("$.createdBy").value(ADMIN));
        assertThat(accounts.findByEmail(email)).isPresent();
        // the request made no session
        MvcResult r = mvc.perform(get("/api/admin/me").header("Authorization", "Bearer " + token)).andReturn();
        assertThat(r.getRequest().getSession(false)).isNull();
        // last use is noted
        assertThat(accounts.tokens(adminId())).anySatisfy(t -> {
            assertThat(t.name()).isEqualTo("test client");
            assertThat(t.lastUsedAt()).isNotNull();
        });
    }

    @Test
    void wrongBearerTokenIs401() throws Exception {
        for (String value : List.of("Bearer pav_wrong", "Bearer nothing-like-a-token", "Bearer ",
                "Bearer " + "pav_" + "A".repeat(43))) {
            mvc.perform(get("/api/admin/admins").header("Authorization", value))
                    .andExpect(status().isUnauthorized()).andExpect(header().doesNotExist("Location"));
            mvc.perform(post("/api/admin/admins").header("Authorization", value).contentType(MediaType.APPLICATION_JSON)
                            .content("{\"email\":\"wrong.token@example.org\",\"password\":\"wrong token password\"}"))
                    .andExpect(status().isUnauthorized());
        }
        // a bad bearer token is not rescued by a logged-in session
        mvc.perform(get("/api/admin/admins").header("Authorization", "Bearer pav_wrong").with(user(ADMIN).roles("ADMIN")))
                .andExpect(status().isUnauthorized());
        assertThat(accounts.findByEmail("wrong.token@example.org")).isEmpty();
    }

    @Test
    void revokedTokenIs401AndTokensAreForTheApiOnly() throws Exception {
        AdminAccounts.NewApiToken made = accounts.createToken(adminId(), "short-lived");
        String auth = "Bearer " + made.secret();
        mvc.perform(get("/api/admin/tokens").header("Authorization", auth))
                .andExpect(status().isOk()).andExpect(jsonPath("$[?(@.name == 'short-lived')]").exists())
                .andExpect(jsonPath("$[0].token").doesNotExist());
        // a browser page is not opened by a bearer token, and its forms still need CSRF
        mvc.perform(get("/admin/admins").header("Authorization", auth)).andExpect(redirectedUrl("/login"));
        mvc.perform(post("/admin/admins").header("Authorization", auth)).andExpect(status().isForbidden());
        mvc.perform(delete("/api/admin/tokens/" + made.token().id()).header("Authorization", auth))
                .andExpect(status().isNoContent());
        mvc.perform(get("/api/admin/me").header("Authorization", auth)).andExpect(status().isUnauthorized());
    }

    @Test
    void tokenIsStoredHashedAndShownOnce() throws Exception {
        String json = mvc.perform(post("/api/admin/tokens").with(user(ADMIN).roles("ADMIN")).with(csrf())
                        .contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"ci\"}"))
                .andExpect(status().isCreated()).andExpect(jsonPath("$.name").value("ci"))
                .andReturn().getResponse().getContentAsString();
        String token = json.replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        assertThat(token).startsWith("pav_").hasSizeGreaterThan(40);
        List<String> stored = jdbc.queryForList("select token_hash from api_token", String.class);
        assertThat(stored).contains(AdminAccounts.hash(token)).noneMatch(h -> h.contains(token));
        mvc.perform(get("/api/admin/me").header("Authorization", "Bearer " + token)).andExpect(status().isOk());
    }

    // ---- the live view's Socket.IO token --------------------------------------------------------

    @Test
    void socketTokenProvesTheAdminToTheRealtimeChannel() throws Exception {
        String json = mvc.perform(get("/api/admin/sessions/42/socket-token").with(user(ADMIN).roles("ADMIN")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.session").value(42))
                .andReturn().getResponse().getContentAsString();
        String token = json.replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        assertThat(signedTokens.verifyAdmin(token)).contains(ADMIN);
        assertThat(signedTokens.verifyWorker(token)).isEmpty();
    }
}
