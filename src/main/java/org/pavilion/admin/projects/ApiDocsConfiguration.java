package org.pavilion.admin.projects;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

/**
 * The admin API's OpenAPI description (springdoc): the JSON at {@code /api/docs/openapi.json} and
 * Swagger UI at {@code /api/docs}, covering {@code /api/admin/**} only. Both are admin-only like
 * everything outside the public paths. The hand-written reference is docs/admin-api.md.
 */
@Configuration(proxyBeanMethods = false)
@PropertySource("classpath:admin-api-docs.properties")
public class ApiDocsConfiguration {

    static final String BEARER = "apiToken";

    @Bean
    OpenAPI pavilionAdminApi() {
        return new OpenAPI()
                .info(new Info().title("Pavilion admin API").version("1")
                        .description("Projects and tasks, live controls, live session views and exports of "
                                + "Pavilion. Authenticate with `Authorization: Bearer <API token>` (no CSRF token "
                                + "needed), or with a logged-in admin's session cookie plus its CSRF token on "
                                + "writes. Errors are JSON: `{\"error\": code, \"message\": text, \"fields\": "
                                + "{field: message}}`."))
                .components(new Components().addSecuritySchemes(BEARER, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("An admin's API token")))
                .addSecurityItem(new SecurityRequirement().addList(BEARER));
    }
}
