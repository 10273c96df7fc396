package org.pavilion.realtime.pages;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * A stand-in for MTurk's {@code /mturk/externalSubmit} (tests use the app's own base URL as
 * {@code turkSubmitTo}): records every form posted to it.
 */
@TestConfiguration(proxyBeanMethods = false)
public class ExternalSubmitEndpoint {

    /** The forms posted, in order: field name → first value. */
    public static final class Submissions {
        private final List<Map<String, String>> forms = new CopyOnWriteArrayList<>();

        public List<Map<String, String>> all() {
            return List.copyOf(forms);
        }

        public List<String> assignmentIds() {
            return forms.stream().map(f -> f.get("assignmentId")).toList();
        }

        void add(Map<String, String> form) {
            forms.add(form);
        }
    }

    @Bean
    Submissions externalSubmissions() {
        return new Submissions();
    }

    /** MTurk's endpoint is not Pavilion's: open, like MTurk's (the app's security denies unknown paths). */
    @Bean
    @Order(0)
    SecurityFilterChain externalSubmitSecurity(HttpSecurity http) throws Exception {
        return http.securityMatcher("/mturk/**")
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .csrf(c -> c.disable())
                .build();
    }

    @Bean
    RouterFunction<ServerResponse> externalSubmitRoute(Submissions submissions) {
        return RouterFunctions.route().POST("/mturk/externalSubmit", request -> {
            Map<String, String> form = new LinkedHashMap<>();
            request.params().forEach((name, values) -> form.put(name, values.isEmpty() ? "" : values.get(0)));
            submissions.add(form);
            return ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                    .body("<!DOCTYPE html><html lang=\"en\"><head><title>Submitted</title></head>"
                            + "<body><h1 id=\"submitted\">HIT submitted</h1></body></html>");
        }).build();
    }
}
