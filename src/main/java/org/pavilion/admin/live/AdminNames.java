package org.pavilion.admin.live;

import java.security.Principal;

/** The admin behind a request, as recorded in the event log ({@code admin:<email>}). */
final class AdminNames {

    private AdminNames() {
    }

    /** The logged-in admin's name (the email); refuses a request nobody is logged in for. */
    static String of(Principal principal) {
        if (principal == null || principal.getName() == null || principal.getName().isBlank()) {
            throw new NotLoggedInException();
        }
        return principal.getName();
    }

    /** No admin is logged in (cannot happen behind the security layer; refused all the same). */
    static final class NotLoggedInException extends RuntimeException {
        NotLoggedInException() {
            super("an admin must be logged in");
        }
    }
}
