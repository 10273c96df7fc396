package org.pavilion.admin.security;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The admin console's entry: {@code /admin} and where a login lands. */
@Controller
class AdminPagesController {

    /** Where an admin lands after logging in (unless they asked for another admin page first). */
    static final String HOME = "/admin/dashboard";

    @GetMapping({"/admin", "/admin/"})
    String home() {
        return "redirect:" + HOME;
    }
}
