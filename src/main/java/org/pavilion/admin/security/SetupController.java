package org.pavilion.admin.security;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The one-time setup link printed to the log when Pavilion starts with no admin
 * ({@link AdminBootstrap}): a form that creates the first admin. Once an admin exists, it only
 * sends to the login page.
 */
@Controller
class SetupController {

    private static final String VIEW = "admin/security/setup";

    private final AdminBootstrap bootstrap;
    private final AdminAccounts accounts;

    SetupController(AdminBootstrap bootstrap, AdminAccounts accounts) {
        this.bootstrap = bootstrap;
        this.accounts = accounts;
    }

    @GetMapping("/setup")
    String form(@RequestParam(required = false) String token, Model model, HttpServletResponse response) {
        if (accounts.count() > 0) {
            return "redirect:/login";
        }
        if (!bootstrap.setupTokenValid(token)) {
            return invalidLink(model, response);
        }
        model.addAttribute("token", token);
        model.addAttribute("email", "");
        model.addAttribute("errors", Map.of());
        return VIEW;
    }

    @PostMapping("/setup")
    String create(@RequestParam(required = false) String token, @RequestParam(required = false) String email,
                  @RequestParam(required = false) String password,
                  @RequestParam(required = false) String confirmPassword,
                  Model model, HttpServletResponse response) {
        if (accounts.count() > 0) {
            return "redirect:/login";
        }
        if (!bootstrap.setupTokenValid(token)) {
            return invalidLink(model, response);
        }
        Map<String, String> errors = new LinkedHashMap<>(AdminAccounts.check(email, password));
        if (!errors.containsKey("password") && (confirmPassword == null || !confirmPassword.equals(password))) {
            errors.put("confirmPassword", "does not match the password");
        }
        if (errors.isEmpty()) {
            if (!bootstrap.consumeSetupToken(token)) {
                return invalidLink(model, response);
            }
            try {
                if (accounts.createFirst(email, password).isEmpty()) {
                    return "redirect:/login";
                }
                return "redirect:/login?created";
            } catch (InvalidAdminException e) {
                bootstrap.restoreSetupToken(token);
                errors.putAll(e.errors());
            }
        }
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        model.addAttribute("token", token);
        model.addAttribute("email", email == null ? "" : email);
        model.addAttribute("errors", errors);
        return VIEW;
    }

    private static String invalidLink(Model model, HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        model.addAttribute("invalid", true);
        model.addAttribute("errors", Map.of());
        return VIEW;
    }
}
