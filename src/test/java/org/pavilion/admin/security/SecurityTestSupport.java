package org.pavilion.admin.security;

import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;

import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * For tests of the admin console: a {@link MockMvc} that goes through Pavilion's Spring Security
 * filter chains, so {@code @WithMockUser(roles = "ADMIN")}, {@code .with(user(...))} and
 * {@code .with(csrf())} apply. (Spring Boot 4 keeps {@code @AutoConfigureMockMvc} in
 * spring-boot-webmvc-test, which this build does not have.)
 */
public final class SecurityTestSupport {

    private SecurityTestSupport() {
    }

    public static MockMvc mockMvc(WebApplicationContext context) {
        return MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
    }
}
