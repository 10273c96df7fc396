package org.pavilion.admin.security;

import java.util.Optional;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Who the current request's admin is, for the admin console's controllers (to record "by whom"
 * in the event log, for instance). Injectable, or through the static {@link #emailOrNull()}.
 *
 * <p>The email is {@code Authentication.getName()}: the admin's email for form login and API
 * tokens (and the mock user's name under spring-security-test's {@code @WithMockUser}).
 */
@Component
public class CurrentAdmin {

    private final AdminAccounts accounts;

    public CurrentAdmin(AdminAccounts accounts) {
        this.accounts = accounts;
    }

    /** The logged-in admin's email, if the request is authenticated. */
    public Optional<String> email() {
        return Optional.ofNullable(emailOrNull());
    }

    /**
     * The logged-in admin's email.
     *
     * @throws IllegalStateException when the request is not authenticated (cannot happen behind
     *         {@code /admin/**} or {@code /api/admin/**})
     */
    public String requireEmail() {
        return email().orElseThrow(() -> new IllegalStateException("no admin is logged in"));
    }

    /**
     * The logged-in admin's id in {@code admin_user}: empty when not logged in, or logged in as a
     * user that is no admin account (a test's mock user with another name).
     */
    public Optional<Long> id() {
        Authentication a = authentication();
        if (a == null) {
            return Optional.empty();
        }
        if (a.getPrincipal() instanceof AdminPrincipal p) {
            return Optional.of(p.id());
        }
        return accounts.findByEmail(a.getName()).map(AdminAccounts.Admin::id);
    }

    /** The logged-in admin's email, or null: for code that is not a bean. */
    public static String emailOrNull() {
        Authentication a = authentication();
        return a == null ? null : a.getName();
    }

    private static Authentication authentication() {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        if (a == null || !a.isAuthenticated() || a instanceof AnonymousAuthenticationToken) {
            return null;
        }
        return a;
    }
}
