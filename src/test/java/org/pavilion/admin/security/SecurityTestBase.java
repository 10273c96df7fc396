package org.pavilion.admin.security;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;

/**
 * One application (in-memory H2, no first admin configured, so it prints a setup link) shared by
 * the security tests; each test makes sure the admin it logs in as exists.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
abstract class SecurityTestBase {

    static final String ADMIN = "first.admin@example.org";
    static final String ADMIN_PASSWORD = "correct horse battery";

    @LocalServerPort
    int port;
    @Autowired
    WebApplicationContext context;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    JdbcTemplate jdbc;

    MockMvc mvc;

    @BeforeEach
    void setUpAdmin() {
        mvc = SecurityTestSupport.mockMvc(context);
        if (accounts.findByEmail(ADMIN).isEmpty()) {
            accounts.create(ADMIN, ADMIN_PASSWORD, null);
        }
    }

    String base() {
        return "http://localhost:" + port;
    }

    long adminId() {
        return accounts.findByEmail(ADMIN).orElseThrow().id();
    }
}
