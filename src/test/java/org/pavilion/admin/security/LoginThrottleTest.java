package org.pavilion.admin.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.pavilion.admin.security.LoginThrottle.Reason;
import org.pavilion.admin.security.LoginThrottle.Refusal;
import org.pavilion.session.MutableClock;

/** The throttle's counting rules, keys and memory bound, on its own (no Spring). */
class LoginThrottleTest {

    private static final Duration WINDOW = Duration.ofMinutes(15);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));

    private LoginThrottle throttle(int perAccount, int perAddress, int maxTracked) {
        return new LoginThrottle(new LoginThrottleSettings(perAccount, perAddress, WINDOW, maxTracked), clock);
    }

    @Test
    void failuresSpreadOverMoreThanTheWindowDoNotBlock() {
        LoginThrottle t = throttle(3, 100, 100);
        t.loginFailed("a@example.org", "127.0.0.1");
        t.loginFailed("a@example.org", "127.0.0.1");
        clock.advance(WINDOW); // the first two are forgotten
        t.loginFailed("a@example.org", "127.0.0.1");
        t.loginFailed("a@example.org", "127.0.0.1");
        assertThat(t.checkLogin("a@example.org", "127.0.0.1")).isEmpty();
        t.loginFailed("a@example.org", "127.0.0.1");
        assertThat(t.checkLogin("a@example.org", "127.0.0.1")).contains(new Refusal(Reason.ACCOUNT, WINDOW));
    }

    @Test
    void aBlockLastsOneWindowFromTheFailureThatStartedIt() {
        LoginThrottle t = throttle(2, 100, 100);
        t.loginFailed("a@example.org", "127.0.0.1");
        clock.advance(Duration.ofMinutes(10));
        t.loginFailed("a@example.org", "127.0.0.1");
        clock.advance(Duration.ofMinutes(14).plusSeconds(1));
        Refusal r = t.checkLogin("A@Example.org ", "127.0.0.2").orElseThrow();
        assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(59));
        assertThat(r.retryAfterMinutes()).isEqualTo(1);
        assertThat(r.message()).isEqualTo("Too many failed attempts; try again in 1 minute.");
        clock.advance(Duration.ofSeconds(59));
        assertThat(t.checkLogin("a@example.org", "127.0.0.1")).isEmpty();
        // and it starts afresh: one more failure does not block again
        t.loginFailed("a@example.org", "127.0.0.1");
        assertThat(t.checkLogin("a@example.org", "127.0.0.1")).isEmpty();
    }

    @Test
    void theLongerBlockIsReportedAndEachRefusalCountedOnce() {
        LoginThrottle t = throttle(1, 2, 100);
        t.loginFailed("a@example.org", "127.0.0.7");
        assertThat(t.checkLogin("a@example.org", "127.0.0.7").orElseThrow().reason()).isEqualTo(Reason.ACCOUNT);
        clock.advance(Duration.ofMinutes(1));
        t.loginFailed("b@example.org", "127.0.0.7"); // the address's second: blocked a minute longer
        assertThat(t.checkLogin("a@example.org", "127.0.0.7"))
                .contains(new Refusal(Reason.ADDRESS, WINDOW));
        assertThat(t.checkAddress("127.0.0.7")).contains(new Refusal(Reason.ADDRESS, WINDOW));
        assertThat(t.throttled(Reason.ACCOUNT)).isEqualTo(1);
        assertThat(t.throttled(Reason.ADDRESS)).isEqualTo(2);
    }

    @Test
    void invalidTokensCountTowardsTheAddress() {
        LoginThrottle t = throttle(5, 3, 100);
        t.tokenFailed("127.0.0.3");
        t.tokenFailed("127.0.0.3");
        assertThat(t.checkAddress("127.0.0.3")).isEmpty();
        t.loginFailed("someone@example.org", "127.0.0.3");
        assertThat(t.checkAddress("127.0.0.3")).isPresent();
        assertThat(t.checkLogin("other@example.org", "127.0.0.3").orElseThrow().reason()).isEqualTo(Reason.ADDRESS);
        assertThat(t.checkAddress("127.0.0.4")).isEmpty();
    }

    @Test
    void successClearsTheAccountButNotTheAddress() {
        LoginThrottle t = throttle(2, 3, 100);
        t.loginFailed("a@example.org", "127.0.0.5");
        t.loginSucceeded(" A@EXAMPLE.ORG");
        t.loginFailed("a@example.org", "127.0.0.5");
        assertThat(t.checkLogin("a@example.org", "127.0.0.6")).isEmpty();
        t.loginFailed("a@example.org", "127.0.0.5");
        assertThat(t.checkLogin("a@example.org", "127.0.0.5").orElseThrow().reason()).isEqualTo(Reason.ADDRESS);
    }

    @Test
    void anIpv6AddressCountsAsItsSlash64() {
        assertThat(LoginThrottle.addressKey("2001:db8:1:2:aaaa::1"))
                .isEqualTo(LoginThrottle.addressKey("2001:0db8:0001:0002:ffff:1:2:3"))
                .isEqualTo("20010db800010002::/64");
        assertThat(LoginThrottle.addressKey("2001:db8:1:3::1")).isNotEqualTo(LoginThrottle.addressKey("2001:db8:1:2::1"));
        assertThat(LoginThrottle.addressKey("::ffff:127.0.0.9")).isEqualTo("127.0.0.9");
        assertThat(LoginThrottle.addressKey("127.0.0.9")).isEqualTo("127.0.0.9");
        assertThat(LoginThrottle.addressKey("not:an:address:zz")).isEqualTo("not:an:address:zz");
        assertThat(LoginThrottle.addressKey(null)).isEqualTo("unknown");

        LoginThrottle t = throttle(100, 2, 100);
        t.loginFailed("a@example.org", "2001:db8:1:2::1");
        t.loginFailed("b@example.org", "2001:db8:1:2::2");
        assertThat(t.checkLogin("c@example.org", "2001:db8:1:2:ffff:ffff:ffff:ffff")).isPresent();
        assertThat(t.checkLogin("c@example.org", "2001:db8:1:3::1")).isEmpty();
    }

    @Test
    void memoryStaysBoundedUnderManyAddressesAndEmails() {
        LoginThrottle t = throttle(5, 20, 200);
        for (int i = 0; i < 20_000; i++) {
            t.loginFailed("guess" + i + "@example.org", "127." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
        }
        assertThat(t.tracked()).isLessThanOrEqualTo(400);
        // and everything goes once the window has passed
        clock.advance(WINDOW);
        assertThat(t.tracked()).isZero();
    }

    @Test
    void longEmailsAreCutToOneKeyAndLogTextIsEscaped() {
        String a = "x".repeat(400) + "@example.org";
        String b = "x".repeat(401) + "@example.org";
        assertThat(LoginThrottle.accountKey(a)).isEqualTo(LoginThrottle.accountKey(b)).hasSize(320);
        assertThat(LoginThrottle.forLog("evil@example.org\nINFO forged line\u2028\u202e\"\\"))
                .isEqualTo("\"evil@example.org?INFO forged line????\"");
        assertThat(LoginThrottle.forLog("y".repeat(100))).hasSize(64 + 3);
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new LoginThrottleSettings(0, 20, WINDOW, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LoginThrottleSettings(5, 20, Duration.ZERO, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LoginThrottleSettings(5, 20, WINDOW, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(LoginThrottleSettings.defaults().maxFailuresPerAccount()).isEqualTo(5);
    }
}
