package org.pavilion.admin.security;

import java.io.IOException;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates API requests that carry {@code Authorization: Bearer <token>} with an admin's
 * API token. A request with a bearer header that is not a live token is answered 401 here, and
 * never falls back to the cookie session (CSRF is not checked on bearer requests, see
 * {@link SecurityConfiguration}). The authentication lives for this request only: nothing is
 * written to the HTTP session.
 *
 * <p>Invalid tokens count against the client's address in the {@link LoginThrottle}, shared with
 * failed logins; a blocked address gets 429 before its token is looked at. The check of a token
 * is cheap either way (no bcrypt): a prefix and length check, then one SHA-256 and one lookup of
 * the unique {@code token_hash} index.
 *
 * <p>Not a Spring bean on purpose (a bean filter would also be registered with the servlet
 * container for every request).
 */
final class ApiTokenAuthenticationFilter extends OncePerRequestFilter {

    private final AdminAccounts accounts;
    private final LoginThrottle throttle;
    private final RequestMatcher bearerApiRequest;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    ApiTokenAuthenticationFilter(AdminAccounts accounts, LoginThrottle throttle, RequestMatcher bearerApiRequest) {
        this.accounts = accounts;
        this.throttle = throttle;
        this.bearerApiRequest = bearerApiRequest;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !bearerApiRequest.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String address = LoginThrottle.clientAddress(request);
        Optional<LoginThrottle.Refusal> refusal = throttle.checkAddress(address);
        if (refusal.isPresent()) {
            contexts.clearContext();
            LoginThrottleFilter.tooManyAttempts(response, refusal.get());
            return;
        }
        String token = bearerToken(request);
        Optional<AdminPrincipal> admin = accounts.authenticateToken(token);
        if (admin.isEmpty()) {
            throttle.tokenFailed(address);
            contexts.clearContext();
            JsonErrors.write(response, HttpServletResponse.SC_UNAUTHORIZED, "invalid_token",
                    "The bearer token is not a valid API token.", "Bearer error=\"invalid_token\"");
            return;
        }
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(admin.get(), null,
                admin.get().getAuthorities()));
        contexts.setContext(context);
        chain.doFilter(request, response);
    }

    /** The token of an {@code Authorization: Bearer ...} header, or null. */
    static String bearerToken(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return header.substring(7).strip();
    }

    static boolean hasBearer(HttpServletRequest request) {
        return bearerToken(request) != null;
    }
}
