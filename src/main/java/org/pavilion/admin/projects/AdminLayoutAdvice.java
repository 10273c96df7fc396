package org.pavilion.admin.projects;

import java.security.Principal;

import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** Gives every admin page the signed-in admin's name, shown by the shared layout's header. */
@ControllerAdvice(basePackages = "org.pavilion.admin")
public class AdminLayoutAdvice {

    @ModelAttribute("adminName")
    public String adminName(Principal principal) {
        return principal == null ? null : principal.getName();
    }
}
