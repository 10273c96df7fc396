package org.pavilion.admin.security;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequestWrapper;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** The loopback test of the local marketplace's lock, on the addresses a container reports. */
class LocalMarketplaceAccessTest {

    @Test
    void loopbackLiteralsAreLoopback() {
        for (String a : new String[] {"127.0.0.1", "127.255.255.254", "127.0.3.1", "::1", "[::1]",
                "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "0:0:0:0:0:ffff:7f00:1", "::ffff:127.9.8.7"}) {
            assertThat(LocalMarketplaceAccess.isLoopback(a)).as(a).isTrue();
        }
    }

    @Test
    void everythingElseIsNot() {
        for (String a : new String[] {"203.0.113.7", "128.0.0.1", "10.0.0.1", "0.0.0.0", "126.255.255.255",
                "::ffff:10.0.0.1", "::", "::2", "2001:db8::1", "fe80::1", "999.0.0.1", "127.0.0.256",
                "127.1", "localhost", "127.0.0.1.example.org", "", " 127.0.0.1", "127.0.0.1, 10.0.0.1", ":", "[::1"}) {
            assertThat(LocalMarketplaceAccess.isLoopback(a)).as(a).isFalse();
        }
        assertThat(LocalMarketplaceAccess.isLoopback(null)).isFalse();
    }

    @Test
    void aWrapperThatRewritesTheRemoteAddressIsLookedThrough() {
        // as Spring's ForwardedHeaderFilter does from X-Forwarded-For
        MockHttpServletRequest raw = new MockHttpServletRequest();
        raw.setRemoteAddr("203.0.113.7");
        HttpServletRequestWrapper rewritten = new HttpServletRequestWrapper(raw) {
            @Override
            public String getRemoteAddr() {
                return "127.0.0.1";
            }
        };
        assertThat(LocalMarketplaceAccess.fromThisMachine(rewritten)).isFalse();
        raw.setRemoteAddr("127.0.0.1");
        assertThat(LocalMarketplaceAccess.fromThisMachine(rewritten)).isTrue();
        raw.addHeader("X-Forwarded-For", "127.0.0.1");
        assertThat(LocalMarketplaceAccess.fromThisMachine(rewritten)).as("forwarded by a proxy").isFalse();
    }
}
