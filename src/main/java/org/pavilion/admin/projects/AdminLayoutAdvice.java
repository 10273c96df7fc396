package org.pavilion.admin.projects;

import java.security.Principal;

import org.pavilion.marketplace.MarketplaceSettings.Mode;
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

    /** The configured marketplace: {@code key} (local, sandbox, production) and {@code text} in words. */
    public record MarketplaceBadge(String key, String text) {
    }

    @ModelAttribute("marketplaceBadge")
    public MarketplaceBadge marketplaceBadge() {
        Marketplaces m = marketplaces.getIfAvailable();
        if (m == null) {
            return null;
        }
        Mode mode = m.configured();
        return new MarketplaceBadge(Marketplaces.key(mode), Marketplaces.describe(mode));
    }

    @ModelAttribute("adminName")
    public String adminName(Principal principal) {
        return principal == null ? null : principal.getName();
    }
}
