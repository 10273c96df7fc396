package org.pavilion.marketplace.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/**
 * The local marketplace's base URL: the configured one, else this server's real port (never a default
 * one before the server has started) on {@code server.address} when it is bound to one address.
 */
class LocalBaseUrlTest {

    @Test
    void beforeTheServerHasStartedThereIsNoBaseNotEvenADefaultPort() {
        LocalBaseUrl base = new LocalBaseUrl(null, new MockEnvironment().withProperty("server.port", "8080"));
        assertThatThrownBy(base::base).isInstanceOf(LocalMarketplaceException.class)
                .hasMessageContaining("has not started");
    }

    @Test
    void aConfiguredBaseIsUsedAsIs() {
        LocalBaseUrl base = new LocalBaseUrl(URI.create("https://pavilion.example/"), new MockEnvironment());
        assertThat(base.base()).isEqualTo("https://pavilion.example");
    }

    @Test
    void theHostIsTheOneBoundAddressElseLocalhost() {
        assertThat(LocalBaseUrl.host(null)).isEqualTo("localhost");
        assertThat(LocalBaseUrl.host(" ")).isEqualTo("localhost");
        assertThat(LocalBaseUrl.host("0.0.0.0")).isEqualTo("localhost");
        assertThat(LocalBaseUrl.host("::")).isEqualTo("localhost");
        assertThat(LocalBaseUrl.host("127.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(LocalBaseUrl.host("10.1.2.3")).isEqualTo("10.1.2.3");
        assertThat(LocalBaseUrl.host("::1")).isEqualTo("[::1]");
    }
}
