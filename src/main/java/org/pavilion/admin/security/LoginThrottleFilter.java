package org.pavilion.admin.security;

import static org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher.pathPattern;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.InternalAuthenticationServiceException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a login ({@code POST /login}) whose account or address is blocked by the
 * {@link LoginThrottle}, before Spring Security's {@link UsernamePasswordAuthenticationFilter}
 * loads the admin or checks the password: a refused attempt costs no database lookup and no
 * bcrypt work. Unknown emails are counted and refused exactly like existing ones, so a refusal
 * says nothing about whether an account exists.
 *
 * <p>A browser (the form asks for {@code text/html}) is sent back to the login page, which shows
 * "Too many failed attempts; try again in N minutes"; any other client gets 429 with
 * {@code Retry-After} and a JSON body, like the API's other refusals.
 *
 * <p>Not a Spring bean on purpose, like {@link ApiTokenAuthenticationFilter}.
 */
final class LoginThrottleFilter extends OncePerRequestFilter {

    static final RequestMatcher LOGIN_POST = pathPattern(HttpMethod.POST, "/login");
    static final String THROTTLED_PARAM = "throttled";
    private static final RequestMatcher BROWSER = browser();

    private final LoginThrottle throttle;

    LoginThrottleFilter(LoginThrottle throttle) {
        this.throttle = throttle;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !LOGIN_POST.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<LoginThrottle.Refusal> refusal = throttle.checkLogin(email(request),
                LoginThrottle.clientAddress(request));
        if (refusal.isPresent()) {
            if (BROWSER.matches(request)) {
                rememberEmail(request);
                response.sendRedirect(request.getContextPath() + "/login?" + THROTTLED_PARAM + "="
                        + refusal.get().retryAfterMinutes());
            } else {
                tooManyAttempts(response, refusal.get());
            }
            return;
        }
        chain.doFilter(request, response);
    }

    /** 429 with {@code Retry-After} and the JSON error body. */
    static void tooManyAttempts(HttpServletResponse response, LoginThrottle.Refusal refusal) throws IOException {
        if (!response.isCommitted()) {
            response.setHeader("Retry-After", Long.toString(refusal.retryAfterSeconds()));
        }
        JsonErrors.write(response, 429, "too_many_attempts", refusal.message(), null);
    }

    /** Session attribute: the email of the last failed login, shown once in the form again (never the password). */
    static final String LAST_EMAIL = "pavilion.login.lastEmail";

    /** Keeps the typed email for the login form that follows, in the session (not the URL, where logs keep it). */
    private static void rememberEmail(HttpServletRequest request) {
        String email = email(request);
        if (email != null && !email.isBlank()) {
            request.getSession().setAttribute(LAST_EMAIL, email.length() > 254 ? email.substring(0, 254) : email);
        }
    }

    private static String email(HttpServletRequest request) {
        return request.getParameter(UsernamePasswordAuthenticationFilter.SPRING_SECURITY_FORM_USERNAME_KEY);
    }

    private static RequestMatcher browser() {
        MediaTypeRequestMatcher html = new MediaTypeRequestMatcher(MediaType.TEXT_HTML);
        html.setIgnoredMediaTypes(Set.of(MediaType.ALL)); // curl's "*/*" is not a browser
        return html;
    }

    /** A successful login clears its account's failures, then goes on as before. */
    static AuthenticationSuccessHandler clearingOnSuccess(LoginThrottle throttle, AuthenticationSuccessHandler next) {
        return (HttpServletRequest request, HttpServletResponse response, Authentication authentication) -> {
            throttle.loginSucceeded(email(request));
            next.onAuthenticationSuccess(request, response, authentication);
        };
    }

    /**
     * A failed login counts against its account and address, then goes on as before. A failure of
     * the server (the database, say) is not the client's guess and is not counted.
     */
    static AuthenticationFailureHandler countingFailures(LoginThrottle throttle, AuthenticationFailureHandler next) {
        return (HttpServletRequest request, HttpServletResponse response, AuthenticationException e) -> {
            if (!(e instanceof InternalAuthenticationServiceException)) {
                throttle.loginFailed(email(request), LoginThrottle.clientAddress(request));
            }
            rememberEmail(request);
            next.onAuthenticationFailure(request, response, e);
        };
    }
}
