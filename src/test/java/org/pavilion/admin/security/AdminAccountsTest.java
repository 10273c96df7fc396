package org.pavilion.admin.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.authenticated;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.transaction.annotation.Transactional;

/**
 * Admin accounts: adding admins (only by an admin), the first admin from the environment or the
 * one-time setup link, and passwords never stored nor logged in clear. Tests that need an empty
 * admin table run in a transaction that is rolled back (MockMvc runs on the test's thread, so
 * its requests see the same transaction).
 */
@ExtendWith(OutputCaptureExtension.class)
class AdminAccountsTest extends SecurityTestBase {

    @Autowired
    AdminBootstrap bootstrap;
    @Autowired
    Environment environment;

    private void deleteAllAdmins() {
        jdbc.update("delete from api_token");
        jdbc.update("update admin_user set created_by = null");
        jdbc.update("delete from admin_user");
        assertThat(accounts.count()).isZero();
    }

    // ---- adding admins --------------------------------------------------------------------------

    @Test
    void anAdminAddsAnAdminWithTheForm(CapturedOutput output) throws Exception {
        String password = "second admin's secret phrase";
        MvcResult added = mvc.perform(post("/admin/admins").with(user(ADMIN).roles("ADMIN")).with(csrf())
                        .param("email", " Second.Admin@Example.org ").param("password", password)
                        .param("confirmPassword", password))
                .andExpect(status().isFound()).andExpect(redirectedUrl("/admin/admins"))
                .andExpect(flash().attribute("notice", "Added admin second.admin@example.org."))
                .andReturn();
        assertThat(added).isNotNull();
        AdminAccounts.Admin second = accounts.findByEmail("second.admin@example.org").orElseThrow();
        assertThat(second.createdBy()).isEqualTo(adminId());
        assertThat(second.createdByEmail()).isEqualTo(ADMIN);

        // the new admin can log in
        mvc.perform(formLogin("/login").user("second.admin@example.org").password(password))
                .andExpect(authenticated().withUsername("second.admin@example.org"));
        // and is listed
        String page = mvc.perform(get("/admin/admins").with(user(ADMIN).roles("ADMIN")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(page).contains("second.admin@example.org");
        // the console's one time format: local time with the zone, to the second (issue 14 item 5)
        assertThat(page).containsPattern(">\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC[^<]*</time>");

        // stored hashed: bcrypt through the delegating encoder, never the password
        String hash = jdbc.queryForObject("select password_hash from admin_user where email = ?", String.class,
                "second.admin@example.org");
        assertThat(hash).startsWith("{bcrypt}$2").doesNotContain(password);
        assertThat(output.getAll()).doesNotContain(password);
    }

    @Test
    void theFormRefusesBadFieldsWithAMessageEachAndSavesNothing(CapturedOutput output) throws Exception {
        long before = accounts.count();
        String html = mvc.perform(post("/admin/admins").with(user(ADMIN).roles("ADMIN")).with(csrf())
                        .param("email", "not an email").param("password", "short").param("confirmPassword", "short"))
                .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString();
        assertThat(html).contains("Email must be an email address").contains("Password must have at least 12 characters")
                .contains("aria-invalid=\"true\"");
        html = mvc.perform(post("/admin/admins").with(user(ADMIN).roles("ADMIN")).with(csrf())
                        .param("email", "third@example.org").param("password", "twelve chars ok")
                        .param("confirmPassword", "twelve chars typo"))
                .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString();
        assertThat(html).contains("does not match the password").contains("value=\"third@example.org\"")
                .doesNotContain("twelve chars ok");
        mvc.perform(post("/admin/admins").with(user(ADMIN).roles("ADMIN")).with(csrf())
                        .param("email", ADMIN.toUpperCase()).param("password", "another long password")
                        .param("confirmPassword", "another long password"))
                .andExpect(status().isBadRequest());
        assertThat(accounts.count()).isEqualTo(before);
        assertThat(output.getAll()).doesNotContain("twelve chars ok").doesNotContain("another long password");
    }

    @Test
    void anAdminAddsAnAdminWithTheApi(CapturedOutput output) throws Exception {
        String password = "api-made admin password";
        mvc.perform(post("/api/admin/admins").with(user(ADMIN).roles("ADMIN")).with(csrf())
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"email\":\"api.admin@example.org\",\"password\":\"" + password + "\"}"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.email").value("api.admin@example.org"))
                .andExpect(jsonPath("$.createdBy").value(ADMIN))
                .andExpect(jsonPath("$.password").doesNotExist());
        mvc.perform(post("/api/admin/admins").with(user(ADMIN).roles("ADMIN")).with(csrf())
                        .contentType(MediaType.APPLICATION_JSON).content("{\"email\":\"x\",\"password\":\"y\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors.email").value("must be an email address (name@example.org)"))
                .andExpect(jsonPath("$.errors.password").value("must have at least 12 characters"));
        mvc.perform(post("/api/admin/admins").with(user(ADMIN).roles("ADMIN")).with(csrf())
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"email\":\"API.admin@example.org\",\"password\":\"" + password + "\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors.email").value("an admin with this email already exists"));
        mvc.perform(get("/api/admin/admins").with(user(ADMIN).roles("ADMIN")))
                .andExpect(jsonPath("$[?(@.email == 'api.admin@example.org')]").exists())
                .andExpect(jsonPath("$[0].passwordHash").doesNotExist());
        assertThat(output.getAll()).doesNotContain(password);
    }

    @Test
    void apiTokensAreMadeOnThePageAndShownOnce() throws Exception {
        MvcResult made = mvc.perform(post("/admin/admins/tokens").with(user(ADMIN).roles("ADMIN")).with(csrf())
                        .param("name", "notebook"))
                .andExpect(status().isFound()).andExpect(redirectedUrl("/admin/admins")).andReturn();
        String token = (String) made.getFlashMap().get("newToken");
        assertThat(token).startsWith("pav_");
        String shown = mvc.perform(get("/admin/admins").with(user(ADMIN).roles("ADMIN")).flashAttrs(made.getFlashMap()))
                .andReturn().getResponse().getContentAsString();
        assertThat(shown).contains(token).contains("notebook");
        String later = mvc.perform(get("/admin/admins").with(user(ADMIN).roles("ADMIN")))
                .andReturn().getResponse().getContentAsString();
        assertThat(later).contains("notebook").doesNotContain(token);
        mvc.perform(get("/api/admin/me").header("Authorization", "Bearer " + token))
                .andExpect(jsonPath("$.email").value(ADMIN));
        long id = accounts.tokens(adminId()).stream().filter(t -> t.name().equals("notebook")).findFirst().orElseThrow().id();
        mvc.perform(post("/admin/admins/tokens/" + id + "/revoke").with(user(ADMIN).roles("ADMIN")).with(csrf()))
                .andExpect(redirectedUrl("/admin/admins"));
        mvc.perform(get("/api/admin/me").header("Authorization", "Bearer " + token)).andExpect(status().isUnauthorized());
    }

    // ---- the first admin ------------------------------------------------------------------------

    @Test
    @Transactional
    void bootstrapFromTheEnvironmentCreatesExactlyOneAdminOnlyWhenNoneExists(CapturedOutput output) {
        int mark = output.getAll().length();
        deleteAllAdmins();
        String password = "env admin password 1";
        new AdminBootstrap(accounts, environment, "Env.Admin@example.org", password).bootstrap();
        assertThat(accounts.list()).extracting(AdminAccounts.Admin::email).containsExactly("env.admin@example.org");
        assertThat(accounts.list().get(0).createdBy()).isNull();

        // a restart, or another instance, with the same or other settings: nothing more
        new AdminBootstrap(accounts, environment, "Env.Admin@example.org", password).bootstrap();
        new AdminBootstrap(accounts, environment, "other@example.org", "other env password").bootstrap();
        new AdminBootstrap(accounts, environment, "", "").bootstrap();
        assertThat(accounts.list()).extracting(AdminAccounts.Admin::email).containsExactly("env.admin@example.org");

        String hash = jdbc.queryForObject("select password_hash from admin_user", String.class);
        assertThat(hash).startsWith("{bcrypt}").doesNotContain(password);
        assertThat(output.getAll().substring(mark)).contains("Created the first admin account env.admin@example.org")
                .doesNotContain(password).doesNotContain("other env password").doesNotContain("/setup?token=");
    }

    @Test
    @Transactional
    void bootstrapRefusesABadFirstAdminWithoutSayingThePassword(CapturedOutput output) {
        deleteAllAdmins();
        assertThatThrownBy(() -> new AdminBootstrap(accounts, environment, "admin", "short pw").bootstrap())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PAVILION_ADMIN_EMAIL must be an email address")
                .hasMessageContaining("PAVILION_ADMIN_PASSWORD must have at least 12 characters")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("short pw"));
        assertThatThrownBy(() -> new AdminBootstrap(accounts, environment, "admin@example.org", "").bootstrap())
                .hasMessageContaining("PAVILION_ADMIN_PASSWORD is required");
        assertThat(accounts.count()).isZero();
        assertThat(output.getAll()).doesNotContain("short pw");
    }

    @Test
    @Transactional
    void theSetupLinkIsPrintedOnceAndWorksOnce(CapturedOutput output) throws Exception {
        deleteAllAdmins();
        int mark = output.getAll().length();
        bootstrap.bootstrap();
        String link = bootstrap.setupLink().orElseThrow();
        assertThat(link).startsWith("http://localhost:" + port + "/setup?token=");
        String logged = output.getAll().substring(mark);
        assertThat(logged.split("/setup\\?token=", -1).length - 1).isEqualTo(1);
        assertThat(logged).contains(link);
        String token = link.substring(link.indexOf("token=") + 6);
        assertThat(token).hasSizeGreaterThanOrEqualTo(43);

        // a wrong or missing token: refused
        mvc.perform(get("/setup").param("token", "wrong")).andExpect(status().isForbidden());
        mvc.perform(get("/setup")).andExpect(status().isForbidden());
        mvc.perform(post("/setup").with(csrf()).param("token", "wrong").param("email", "a@example.org")
                .param("password", "a good long password").param("confirmPassword", "a good long password"))
                .andExpect(status().isForbidden());
        // the form needs its CSRF token
        mvc.perform(post("/setup").param("token", token).param("email", "a@example.org")
                .param("password", "a good long password").param("confirmPassword", "a good long password"))
                .andExpect(status().isForbidden());
        // the right link shows the form; bad fields keep the link valid
        String form = mvc.perform(get("/setup").param("token", token)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(form).contains("name=\"_csrf\"").contains("name=\"token\"");
        mvc.perform(post("/setup").with(csrf()).param("token", token).param("email", "first@example.org")
                .param("password", "too short").param("confirmPassword", "too short"))
                .andExpect(status().isBadRequest());
        assertThat(accounts.count()).isZero();

        String password = "the very first password";
        mvc.perform(post("/setup").with(csrf()).param("token", token).param("email", "First@Example.org")
                        .param("password", password).param("confirmPassword", password))
                .andExpect(status().isFound()).andExpect(redirectedUrl("/login?created"));
        assertThat(accounts.list()).extracting(AdminAccounts.Admin::email).containsExactly("first@example.org");
        mvc.perform(formLogin("/login").user("first@example.org").password(password))
                .andExpect(authenticated().withUsername("first@example.org"));

        // used: the link does nothing more, even if the admins were gone again
        mvc.perform(get("/setup").param("token", token)).andExpect(redirectedUrl("/login"));
        mvc.perform(post("/setup").with(csrf()).param("token", token).param("email", "second@example.org")
                .param("password", password).param("confirmPassword", password))
                .andExpect(redirectedUrl("/login"));
        deleteAllAdmins();
        mvc.perform(get("/setup").param("token", token)).andExpect(status().isForbidden());
        mvc.perform(post("/setup").with(csrf()).param("token", token).param("email", "second@example.org")
                .param("password", password).param("confirmPassword", password))
                .andExpect(status().isForbidden());
        assertThat(accounts.count()).isZero();
        assertThat(output.getAll()).doesNotContain(password);
    }

    // ---- passwords in clear ---------------------------------------------------------------------

    @Test
    void passwordsAreNeitherStoredNorLoggedInClear(CapturedOutput output) throws Exception {
        String password = "Sup3r-secret admin phrase";
        String wrong = "Wr0ng-guess of a password";
        mvc.perform(post("/admin/admins").with(user(ADMIN).roles("ADMIN")).with(csrf())
                        .param("email", "clear.check@example.org").param("password", password)
                        .param("confirmPassword", password))
                .andExpect(status().isFound());
        mvc.perform(formLogin("/login").user("clear.check@example.org").password(wrong))
                .andExpect(redirectedUrl("/login?error"));
        MvcResult login = mvc.perform(formLogin("/login").user("clear.check@example.org").password(password))
                .andExpect(authenticated()).andReturn();
        MockHttpSession session = (MockHttpSession) login.getRequest().getSession(false);
        mvc.perform(get("/admin/admins").session(session)).andExpect(status().isOk());

        // no column of any admin row holds it
        for (Map<String, Object> row : jdbc.queryForList("select * from admin_user")) {
            for (Object value : row.values()) {
                assertThat(String.valueOf(value)).doesNotContain(password).doesNotContain(wrong);
            }
        }
        // nor the session's principal (credentials erased after login)
        Object securityContext = session.getAttribute("SPRING_SECURITY_CONTEXT");
        assertThat(String.valueOf(securityContext)).doesNotContain(password);
        assertThat(output.getAll()).doesNotContain(password).doesNotContain(wrong);
        List<String> hashes = jdbc.queryForList("select password_hash from admin_user", String.class);
        assertThat(hashes).allSatisfy(h -> assertThat(h).startsWith("{bcrypt}$2"));
    }

    /** A wrong login sends the admin back to the form with the email kept (once), never the password. */
    @Test
    void aWrongLoginKeepsTheEmailButNeverThePassword() throws Exception {
        MockHttpSession session = new MockHttpSession();
        String wrong = "not the right password at all";
        mvc.perform(post("/login").session(session).with(csrf()).param("username", "typo.admin@example.org")
                        .param("password", wrong))
                .andExpect(redirectedUrl("/login?error"));
        String form = mvc.perform(get("/login").param("error", "").session(session))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(form).contains("Wrong email or password.")
                .containsPattern("id=\"username\"[^>]*value=\"typo.admin@example.org\"")
                .doesNotContain(wrong);
        assertThat(form).containsPattern("id=\"password\"[^>]*autofocus");
        // shown once: the next visit starts with an empty form
        String again = mvc.perform(get("/login").session(session)).andReturn().getResponse().getContentAsString();
        assertThat(again).doesNotContain("typo.admin@example.org");
    }
}
