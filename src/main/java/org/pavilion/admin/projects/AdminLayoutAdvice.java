package org.pavilion.admin.projects;

import java.security.Principal;

import org.pavilion.marketplace.Marketplaces;
import org.springframework.beans.factory.ObjectProvider;

import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Gives every admin page the signed-in admin's name and the server's configured marketplace, both shown by
 * the shared layout's header (a researcher should never wonder whether a click spends real money).
 */
@ControllerAdvice(basePackages = "org.pavilion.admin")
public class AdminLayoutAdvice {

    private final ObjectProvider<Marketplaces> marketplaces;

    public AdminLayoutAdvice(ObjectProvider<Marketplaces> marketplaces) {
        this.marketplaces = marketplaces;
    }

    /** The configured marketplace (the first offer): {@code key} (local, sandbox, production) and in words. */
    @ModelAttribute("marketplaceBadge")
    public Marketplaces.Offer marketplaceBadge() {
        Marketplaces m = marketplaces.getIfAvailable();
        return m == null ? null : m.offers().get(0);
    }

    @ModelAttribute("adminName")
    public String adminName(Principal principal) {
        return principal == null ? null : principal.getName();
    }
}
