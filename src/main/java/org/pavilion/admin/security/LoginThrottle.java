package org.pavilion.admin.security;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Throttles password guessing on the admin login and bearer API tokens: failed logins are counted
 * per account (the email, normalised as the login does, whether or not such an admin exists) and
 * per client address; invalid API tokens count per address too. Once a count reaches its limit
 * ({@link LoginThrottleSettings}), further logins for that account, and logins and API requests
 * from that address, are refused before any password is checked, so a blocked guesser costs no
 * bcrypt work. A successful login clears its account's count (not its address's: one's own
 * account must not reset the budget for guessing others').
 *
 * <p>Only the refusals are counted here ({@link #throttled(Reason)}); {@code PavilionMetrics}
 * publishes them as {@code pavilion_login_throttled_total{reason}}.
 */
@Component
public class LoginThrottle {

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);

    /** No admin email is longer (AdminAccounts refuses longer ones), so longer keys are cut here. */
    private static final int MAX_ACCOUNT_KEY = 320;
    private static final int MAX_ADDRESS_KEY = 64;
    private static final int MAX_LOGGED = 64;
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+(%[0-9A-Za-z._-]+)?");

    /** Why a request was refused: its account or its address is blocked. */
    public enum Reason {
        ACCOUNT, ADDRESS;

        /** The metric tag value. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A refusal: what is blocked and for how much longer. */
    public record Refusal(Reason reason, Duration retryAfter) {

        /** Whole seconds to wait, at least 1 (for {@code Retry-After}). */
        public long retryAfterSeconds() {
            long s = retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
            return Math.max(1, s);
        }

        /** Whole minutes to wait, rounded up, at least 1 (for people). */
        public long retryAfterMinutes() {
            return Math.max(1, (retryAfterSeconds() + 59) / 60);
        }

        /** The message people and programs are shown. */
        public String message() {
            return LoginThrottle.message(retryAfterMinutes());
        }
    }

    private final LoginThrottleSettings settings;
    private final Clock clock;
    private final FailureCounter accounts;
    private final FailureCounter addresses;
    private final LongAdder throttledAccount = new LongAdder();
    private final LongAdder throttledAddress = new LongAdder();

    public LoginThrottle(LoginThrottleSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.accounts = new FailureCounter(settings.maxFailuresPerAccount(), settings.window(), settings.maxTracked(),
                clock);
        this.addresses = new FailureCounter(settings.maxFailuresPerAddress(), settings.window(),
                settings.maxTracked(), clock);
    }

    /** "Too many failed attempts; try again in N minutes." */
    static String message(long minutes) {
        return "Too many failed attempts; try again in " + minutes + (minutes == 1 ? " minute." : " minutes.");
    }

    LoginThrottleSettings settings() {
        return settings;
    }

    /**
     * The address a request is counted under: the TCP peer ({@code getRemoteAddr()}). Never
     * {@code X-Forwarded-For} or similar headers: any client can send them, so trusting them would
     * let a guesser pick a fresh address for every try. Behind a reverse proxy, configure Tomcat's
     * {@code RemoteIpValve} with the proxy's address as internal/trusted
     * ({@code server.tomcat.remoteip.*}), which then sets the peer address from the proxy's header.
     */
    static String clientAddress(HttpServletRequest request) {
        return request.getRemoteAddr();
    }

    // ---- checks, before any password or token is looked at -------------------------------------

    /** Whether a login for {@code email} from {@code address} must be refused now. */
    Optional<Refusal> checkLogin(String email, String address) {
        Instant now = clock.instant();
        Optional<Duration> byAddress = addresses.blockedFor(addressKey(address), now);
        Optional<Duration> byAccount = accounts.blockedFor(accountKey(email), now);
        Refusal refusal = null;
        if (byAddress.isPresent() && (byAccount.isEmpty() || byAddress.get().compareTo(byAccount.get()) >= 0)) {
            refusal = new Refusal(Reason.ADDRESS, byAddress.get());
        } else if (byAccount.isPresent()) {
            refusal = new Refusal(Reason.ACCOUNT, byAccount.get());
        }
        return counted(refusal);
    }

    /** Whether a request from {@code address} (an API token's) must be refused now. */
    Optional<Refusal> checkAddress(String address) {
        return counted(addresses.blockedFor(addressKey(address), clock.instant())
                .map(d -> new Refusal(Reason.ADDRESS, d)).orElse(null));
    }

    private Optional<Refusal> counted(Refusal refusal) {
        if (refusal != null) {
            (refusal.reason() == Reason.ACCOUNT ? throttledAccount : throttledAddress).increment();
        }
        return Optional.ofNullable(refusal);
    }

    // ---- outcomes ------------------------------------------------------------------------------

    /** A login's password (or email) was wrong. */
    void loginFailed(String email, String address) {
        Instant now = clock.instant();
        if (accounts.failed(accountKey(email), now)) {
            log.info("Admin login throttled: account {} had {} failed logins within {}; its logins are refused "
                    + "for {}", forLog(accountKey(email)), settings.maxFailuresPerAccount(), settings.window(),
                    settings.window());
        }
        addressFailed(address, now);
    }

    /** A bearer token was not a live API token. */
    void tokenFailed(String address) {
        addressFailed(address, clock.instant());
    }

    private void addressFailed(String address, Instant now) {
        String key = addressKey(address);
        if (addresses.failed(key, now)) {
            log.info("Admin login throttled: address {} had {} failed logins or invalid API tokens within {}; "
                    + "its logins and API requests are refused for {}", forLog(key),
                    settings.maxFailuresPerAddress(), settings.window(), settings.window());
        }
    }

    /** A login succeeded: its account's failures are forgotten. */
    void loginSucceeded(String email) {
        accounts.clear(accountKey(email));
    }

    /** Requests refused so far for {@code reason}. */
    public long throttled(Reason reason) {
        return (reason == Reason.ACCOUNT ? throttledAccount : throttledAddress).sum();
    }

    /** Accounts and addresses tracked now (tests of the memory bound). */
    long tracked() {
        return accounts.tracked() + addresses.tracked();
    }

    // ---- keys ----------------------------------------------------------------------------------

    /** The account an email names, as the login reads it ({@link AdminAccounts#normalizeEmail}). */
    static String accountKey(String email) {
        String e = AdminAccounts.normalizeEmail(email);
        return e.length() > MAX_ACCOUNT_KEY ? e.substring(0, MAX_ACCOUNT_KEY) : e;
    }

    /**
     * The key of an address: an IPv4 address as it is; an IPv6 address as its /64 network, since
     * one host usually holds a whole /64 and could otherwise take a fresh address for every try.
     */
    static String addressKey(String address) {
        if (address == null || address.isEmpty()) {
            return "unknown";
        }
        if (address.indexOf(':') >= 0 && IPV6_LITERAL.matcher(address).matches()) {
            try {
                // A literal with ':' is parsed, never looked up in DNS.
                InetAddress parsed = InetAddress.getByName(address);
                if (parsed instanceof Inet6Address) {
                    byte[] bytes = parsed.getAddress();
                    return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
                }
                return parsed.getHostAddress(); // IPv4-mapped
            } catch (UnknownHostException e) {
                // not an address after all: counted as the text it is
            }
        }
        return address.length() > MAX_ADDRESS_KEY ? address.substring(0, MAX_ADDRESS_KEY) : address;
    }

    /** Sender-controlled text for a log line: quoted, cut short, control characters replaced. */
    static String forLog(String value) {
        String clipped = value.length() > MAX_LOGGED ? value.substring(0, MAX_LOGGED) + "…" : value;
        return '"' + clipped.replaceAll("[\\p{Cntrl}\\p{Cf}\\u2028\\u2029\"\\\\]", "?") + '"';
    }
}
