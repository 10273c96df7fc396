package org.pavilion.admin.security;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * {@code /admin/admins}: the admins (list, add one) and the logged-in admin's API tokens (make
 * one, shown once; revoke). Every form carries the CSRF token.
 */
@Controller
class AdminsPageController {

    static final String PATH = "/admin/admins";
    private static final String VIEW = "admin/security/admins";

    private final AdminAccounts accounts;
    private final CurrentAdmin current;

    AdminsPageController(AdminAccounts accounts, CurrentAdmin current) {
        this.accounts = accounts;
        this.current = current;
    }

    @GetMapping(PATH)
    String page(Model model) {
        return render(model, "", Map.of(), "", Map.of());
    }

    @PostMapping(PATH)
    String addAdmin(@RequestParam(required = false) String email, @RequestParam(required = false) String password,
                    @RequestParam(required = false) String confirmPassword, Model model,
                    RedirectAttributes redirect, HttpServletResponse response) {
        Map<String, String> errors = new LinkedHashMap<>(AdminAccounts.check(email, password));
        if (!errors.containsKey("password") && (confirmPassword == null || !confirmPassword.equals(password))) {
            errors.put("confirmPassword", "does not match the password");
        }
        if (errors.isEmpty()) {
            try {
                AdminAccounts.Admin added = accounts.create(email, password, currentId().orElse(null));
                redirect.addFlashAttribute("notice", "Added admin " + added.email() + ".");
                return "redirect:" + PATH;
            } catch (InvalidAdminException e) {
                errors.putAll(e.errors());
            }
        }
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        return render(model, email == null ? "" : email, errors, "", Map.of());
    }

    @PostMapping(PATH + "/tokens")
    String createToken(@RequestParam(required = false) String name, Model model, RedirectAttributes redirect,
                       HttpServletResponse response) {
        Optional<Long> me = currentId();
        if (me.isEmpty()) {
            response.setStatus(HttpServletResponse.SC_FORBIDDEN);
            model.addAttribute("problem", "Only an admin account can have API tokens.");
            return render(model, "", Map.of(), name == null ? "" : name, Map.of());
        }
        try {
            AdminAccounts.NewApiToken made = accounts.createToken(me.get(), name);
            redirect.addFlashAttribute("newToken", made.secret());
            redirect.addFlashAttribute("newTokenName", made.token().name());
            return "redirect:" + PATH;
        } catch (InvalidAdminException e) {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return render(model, "", Map.of(), name == null ? "" : name, e.errors());
        }
    }

    @PostMapping(PATH + "/tokens/{id}/revoke")
    String revokeToken(@PathVariable long id, RedirectAttributes redirect) {
        boolean revoked = currentId().map(me -> accounts.revokeToken(me, id)).orElse(false);
        if (revoked) {
            redirect.addFlashAttribute("notice", "Token revoked.");
        } else {
            redirect.addFlashAttribute("problem", "No such token.");
        }
        return "redirect:" + PATH;
    }

    private String render(Model model, String email, Map<String, String> errors, String tokenName,
                          Map<String, String> tokenErrors) {
        List<AdminAccounts.Admin> admins = accounts.list();
        model.addAttribute("admins", admins);
        model.addAttribute("tokens", currentId().map(accounts::tokens).orElse(List.of()));
        model.addAttribute("email", email);
        model.addAttribute("errors", errors);
        model.addAttribute("tokenName", tokenName);
        model.addAttribute("tokenErrors", tokenErrors);
        model.addAttribute("me", current.email().orElse(null));
        return VIEW;
    }

    private Optional<Long> currentId() {
        return current.id();
    }
}
