package org.pavilion.admin.security;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How failed admin logins are throttled ({@code pavilion.admin.login.*}, see {@link LoginThrottle}).
 *
 * <p>Why these defaults: 5 failures per account in 15 minutes lets a person mistype a few times
 * and still caps guessing at about 480 tries a day per account, against passwords of at least 12
 * characters. 20 per address leaves room for several admins behind one office NAT, and caps the
 * bcrypt work one address can cause at 20 hashes per 15 minutes (a wrong password and an unknown
 * email cost one hash each). A block lasts one window from the failure that started it.
 *
 * @param maxFailuresPerAccount failed logins for one email (normalised as the login does) before
 *                              its logins are refused
 * @param maxFailuresPerAddress failed logins and invalid API tokens from one client address
 *                              (an IPv6 address counts as its /64 network) before its logins and API
 *                              requests are refused
 * @param window                failures count within this long from the first one; a block lasts
 *                              this long
 * @param maxTracked            at most this many accounts, and as many addresses, are tracked at
 *                              once (least useful entries go first), so an attack with many
 *                              emails or addresses cannot grow memory without limit
 */
@ConfigurationProperties("pavilion.admin.login")
public record LoginThrottleSettings(@DefaultValue("5") int maxFailuresPerAccount,
                                    @DefaultValue("20") int maxFailuresPerAddress,
                                    @DefaultValue("15m") Duration window,
                                    @DefaultValue("50000") int maxTracked) {

    public LoginThrottleSettings {
        if (maxFailuresPerAccount < 1 || maxFailuresPerAddress < 1) {
            throw new IllegalArgumentException(
                    "pavilion.admin.login.max-failures-per-account and -per-address must be at least 1");
        }
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("pavilion.admin.login.window must be positive");
        }
        if (maxTracked < 1) {
            throw new IllegalArgumentException("pavilion.admin.login.max-tracked must be at least 1");
        }
    }

    /** The defaults, for code and tests that build the throttle by hand. */
    public static LoginThrottleSettings defaults() {
        return new LoginThrottleSettings(5, 20, Duration.ofMinutes(15), 50_000);
    }
}
