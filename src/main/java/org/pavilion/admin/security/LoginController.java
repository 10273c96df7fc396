package org.pavilion.admin.security;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The login page; the form posts to {@code /login}, handled by Spring Security. */
@Controller
class LoginController {

    @GetMapping("/login")
    String login() {
        return "admin/security/login";
    }
}
