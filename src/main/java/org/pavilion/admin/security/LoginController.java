package org.pavilion.admin.security;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The login page; the form posts to {@code /login}, handled by Spring Security. */
@Controller
class LoginController {

    private final LoginThrottle throttle;

    LoginController(LoginThrottle throttle) {
        this.throttle = throttle;
    }

    /**
     * The login form. {@code ?throttled=N} (from {@link LoginThrottleFilter}) shows that logins
     * are refused for N more minutes; N comes from the URL, so it is read as a number and kept
     * within the throttle's window (no other text of the URL reaches the page).
     */
    @GetMapping("/login")
    String login(@RequestParam(name = LoginThrottleFilter.THROTTLED_PARAM, required = false) String throttled,
                 jakarta.servlet.http.HttpServletRequest request, Model model) {
        jakarta.servlet.http.HttpSession session = request.getSession(false);
        if (session != null && session.getAttribute(LoginThrottleFilter.LAST_EMAIL) instanceof String email) {
            session.removeAttribute(LoginThrottleFilter.LAST_EMAIL); // shown once: a reload starts afresh
            model.addAttribute("email", email);
        }
        if (throttled != null) {
            model.addAttribute("throttledMessage", LoginThrottle.message(minutes(throttled)));
        }
        return "admin/security/login";
    }

    private long minutes(String value) {
        long most = Math.max(1, (throttle.settings().window().toSeconds() + 59) / 60);
        if (value.isEmpty() || value.length() > 6 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return most;
        }
        return Math.min(most, Math.max(1, Long.parseLong(value)));
    }
}
