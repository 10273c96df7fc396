package org.pavilion.admin.security;

import static org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher.pathPattern;

import java.io.IOException;
import java.net.URI;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.pavilion.marketplace.MarketplaceSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Who may reach what. Three filter chains:
 *
 * <ol>
 * <li><b>local marketplace</b> {@code /local-mturk/**}: only this machine (a loopback connection)
 * or a logged-in admin (cookie session or bearer API token), unless
 * {@code pavilion.marketplace.local.open-to-network} opens it to everyone
 * ({@link LocalMarketplaceAccess}); others get 403. Beyond that it answers by its own rules (its
 * API checks SigV4, its board forms carry their own token), so no CSRF here, and no session is
 * created (an admin's existing one is read).</li>
 * <li><b>public</b> (workers, MTurk, static files): the worker pages
 * {@code /waiting_task}, {@code /main_task}, the worker's pay page {@code /my_pay} and its
 * {@code /worker_pay} (which answers only to a worker page's signed token) and their assets ({@code /pavilion.js},
 * {@code /pavilion.css}, {@code /pages/**}, {@code /vendor/**}), Socket.IO at
 * {@code /socket.io/**}, SNS intake {@code /api/from_mturk} (POST; other methods get its 405), the
 * admin pages' static files {@code /admin-assets/**} and the icon ({@code /favicon.svg}, {@code /favicon.ico}). Open to everyone,
 * no CSRF (these endpoints authenticate by their own means), no session, and no
 * {@code X-Frame-Options} (MTurk shows the worker pages in its frame; they send their own CSP).</li>
 * <li><b>admin</b> (everything else): {@code /login}, {@code /setup}, {@code /error},
 * {@code /actuator/health} are open; every other path, in particular {@code /admin/**},
 * {@code /api/admin/**} and {@code /actuator/**}, needs role {@code ADMIN}. Browsers log in with
 * the form at {@code /login} (cookie session, CSRF token on every form, {@code POST /logout});
 * programs send {@code Authorization: Bearer <API token>} to {@code /api/**} or
 * {@code /actuator/**}, and such requests are exempt from CSRF (a browser cannot add that header
 * cross-site). Anonymous page requests are sent to {@code /login}; anonymous API requests get a
 * 401 JSON answer.</li>
 * </ol>
 *
 * <p>Failed logins and invalid bearer tokens are throttled per account and per client address
 * ({@link LoginThrottle}): blocked attempts are refused before any password or token is checked.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    /** Paths open to everyone without a session or CSRF token. */
    static final RequestMatcher PUBLIC = new OrRequestMatcher(
            pathPattern("/waiting_task"),
            pathPattern("/main_task"),
            pathPattern("/compensation"),
            pathPattern("/my_pay"),
            pathPattern("/worker_pay"),
            pathPattern("/pavilion.js"),
            pathPattern("/pavilion.css"),
            pathPattern("/pages/**"),
            pathPattern("/vendor/**"),
            pathPattern("/socket.io/**"),
            pathPattern("/api/from_mturk"),
            pathPattern("/admin-assets/**"),
            pathPattern("/favicon.ico"),
            pathPattern("/favicon.svg"));

    /** Browser pages under {@code /api}: the API's Swagger UI (anonymous → login page, like the console). */
    static final RequestMatcher API_PAGES = new OrRequestMatcher(pathPattern("/api/docs"),
            pathPattern("/api/docs/swagger-ui/**"));

    /** Requests answered with JSON (401/403) rather than a login redirect or an error page. */
    static final RequestMatcher API = new AndRequestMatcher(
            new OrRequestMatcher(pathPattern("/api/**"), pathPattern("/actuator/**")),
            new NegatedRequestMatcher(API_PAGES));

    /** API requests that present a bearer token: authenticated by it alone, no CSRF. */
    static final RequestMatcher BEARER_API = new AndRequestMatcher(API, ApiTokenAuthenticationFilter::hasBearer);

    @Bean
    PasswordEncoder passwordEncoder() {
        // {bcrypt} by default; reads the other {id} formats Spring Security knows.
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /** Local marketplace requests that present a bearer token (an admin's API token). */
    static final RequestMatcher LOCAL_MARKETPLACE_BEARER = new AndRequestMatcher(LocalMarketplaceAccess.PATHS,
            ApiTokenAuthenticationFilter::hasBearer);

    @Bean
    @Order(0)
    SecurityFilterChain localMarketplaceChain(HttpSecurity http, AdminAccounts accounts, LoginThrottle throttle,
                                              MarketplaceSettings settings, Environment environment) throws Exception {
        boolean open = settings.local().openToNetwork();
        warnAboutLocalMarketplaceAccess(settings, open, environment);
        http.securityMatcher(LocalMarketplaceAccess.PATHS)
                .authorizeHttpRequests(a -> a.anyRequest().access(new LocalMarketplaceAccess(open)))
                .addFilterBefore(new ApiTokenAuthenticationFilter(accounts, throttle, LOCAL_MARKETPLACE_BEARER),
                        UsernamePasswordAuthenticationFilter.class)
                // Its API is signed (SigV4), its worker API takes JSON only, its board forms carry
                // their own token and check Origin; the admin cookie is SameSite=Lax.
                .csrf(c -> c.disable())
                .requestCache(c -> c.disable())
                // Reads an admin's session, never makes one for a worker or a program.
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
                .headers(h -> h.frameOptions(HeadersConfigurer.FrameOptionsConfig::disable))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> LocalMarketplaceAccess.refuse(request,
                                response))
                        .accessDeniedHandler((request, response, ex) -> LocalMarketplaceAccess.refuse(request,
                                response)));
        return http.build();
    }

    /**
     * Says at start what a configuration means for the local marketplace: open to the network
     * with the public default credentials, or locked while Pavilion's own client must reach it
     * through a non-loopback address (it would be refused).
     */
    private static void warnAboutLocalMarketplaceAccess(MarketplaceSettings settings, boolean open,
                                                        Environment environment) {
        if (settings.mode() != MarketplaceSettings.Mode.LOCAL) {
            return;
        }
        if (open) {
            log.warn("pavilion.marketplace.local.open-to-network is set: anyone who can reach this server can use "
                    + "the local marketplace at /local-mturk/ (accept, return and submit assignments, plan faults){}",
                    settings.local().defaultCredentials() ? "; its Requester API still takes the default credentials: set "
                            + "pavilion.marketplace.local.access-key-id and .secret-access-key" : "");
            return;
        }
        String address = environment.getProperty("server.address");
        if (address != null && !address.isBlank() && !LocalMarketplaceAccess.isLoopback(address.strip())
                && !List.of("0.0.0.0", "::", "[::]").contains(address.strip())) {
            log.warn("server.address is {}: Pavilion's own MTurk client reaches the local marketplace there, not "
                    + "over loopback, and will be refused; bind to all addresses or loopback, or set "
                    + "pavilion.marketplace.local.open-to-network", address);
        }
        String base = environment.getProperty("pavilion.marketplace.local.base-url");
        if (base != null && !base.isBlank()) {
            String host;
            try {
                host = URI.create(base.strip()).getHost();
            } catch (IllegalArgumentException e) {
                return; // the local marketplace's own settings refuse it
            }
            if (host != null && !"localhost".equalsIgnoreCase(host) && !LocalMarketplaceAccess.isLoopback(host)) {
                log.warn("pavilion.marketplace.local.base-url names {}, not this machine's loopback: SNS certificate "
                        + "and confirmation fetches sent there will be refused unless "
                        + "pavilion.marketplace.local.open-to-network is set", host);
            }
        }
    }

    @Bean
    @Order(1)
    SecurityFilterChain publicChain(HttpSecurity http) throws Exception {
        http.securityMatcher(PUBLIC)
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .csrf(c -> c.disable())
                .requestCache(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .headers(h -> h.frameOptions(HeadersConfigurer.FrameOptionsConfig::disable));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain adminChain(HttpSecurity http, AdminAccounts accounts, LoginThrottle throttle) throws Exception {
        HttpSessionRequestCache requestCache = new HttpSessionRequestCache();
        // After logging in, go back to the admin page asked for (never to an API or asset URL).
        requestCache.setRequestMatcher(new OrRequestMatcher(pathPattern(HttpMethod.GET, "/admin/**"),
                pathPattern(HttpMethod.GET, "/api/docs")));
        SavedRequestAwareAuthenticationSuccessHandler toAskedPage = new SavedRequestAwareAuthenticationSuccessHandler();
        toAskedPage.setDefaultTargetUrl(AdminPagesController.HOME);
        toAskedPage.setRequestCache(requestCache);

        http.securityMatcher(AnyRequestMatcher.INSTANCE)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/login", "/setup", "/error").permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers("/admin/**", "/api/admin/**", "/actuator/**").hasRole(AdminPrincipal.ROLE)
                        .anyRequest().hasRole(AdminPrincipal.ROLE))
                .addFilterBefore(new ApiTokenAuthenticationFilter(accounts, throttle, BEARER_API),
                        UsernamePasswordAuthenticationFilter.class)
                // Blocked logins are refused here, before the admin is loaded or a password hashed.
                .addFilterBefore(new LoginThrottleFilter(throttle), UsernamePasswordAuthenticationFilter.class)
                .csrf(c -> c.ignoringRequestMatchers(BEARER_API))
                .formLogin(f -> f.loginPage("/login")
                        .successHandler(LoginThrottleFilter.clearingOnSuccess(throttle, toAskedPage))
                        .failureHandler(LoginThrottleFilter.countingFailures(throttle,
                                new SimpleUrlAuthenticationFailureHandler("/login?error"))))
                .logout(l -> l.logoutUrl("/logout")
                        .logoutSuccessUrl("/login?logout")
                        .invalidateHttpSession(true)
                        .deleteCookies("JSESSIONID"))
                .requestCache(c -> c.requestCache(requestCache))
                // Default headers (X-Frame-Options DENY, nosniff, no-store, HSTS on https), and no
                // Referer leaving the site (the setup link's token is in its URL).
                .headers(h -> h.referrerPolicy(r -> r.policy(ReferrerPolicy.SAME_ORIGIN)))
                .exceptionHandling(e -> e
                        .defaultAuthenticationEntryPointFor(UNAUTHORIZED_JSON, API)
                        .defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint("/login"),
                                AnyRequestMatcher.INSTANCE)
                        .accessDeniedHandler(accessDenied()));
        return http.build();
    }

    private static final AuthenticationEntryPoint UNAUTHORIZED_JSON = SecurityConfiguration::unauthorizedJson;

    private static void unauthorizedJson(HttpServletRequest request, HttpServletResponse response,
                                         org.springframework.security.core.AuthenticationException e) throws IOException {
        JsonErrors.write(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized",
                "Log in, or send Authorization: Bearer <API token>.", "Bearer");
    }

    /**
     * 403 (a page, or JSON for the API); an anonymous API request refused for its missing CSRF
     * token gets 401 like any anonymous API request.
     */
    private static AccessDeniedHandler accessDenied() {
        AccessDeniedHandler pages = new AccessDeniedHandlerImpl();
        return (request, response, e) -> {
            if (!API.matches(request)) {
                pages.handle(request, response, e);
                return;
            }
            Authentication a = SecurityContextHolder.getContext().getAuthentication();
            if (a == null || a instanceof AnonymousAuthenticationToken) {
                unauthorizedJson(request, response, null);
            } else {
                JsonErrors.write(response, HttpServletResponse.SC_FORBIDDEN, "forbidden",
                        "Refused (an admin role and, with a cookie session, a CSRF token are required).", null);
            }
        };
    }
}
