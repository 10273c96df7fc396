package org.pavilion.marketplace.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.MarketplaceSettings;
import org.springframework.mock.env.MockEnvironment;

/** Which local-marketplace URLs are trusted without configuration, and only in local mode. */
class LocalTrustDefaultsTest {

    static MarketplaceSettings settings(MarketplaceSettings.Mode mode, URI endpoint) {
        return new MarketplaceSettings(mode, endpoint, "us-east-1", null,
                "arn:aws:sns:us-east-1:000000000000:pavilion-local",
                new MarketplaceSettings.Local("k", "s", null, false));
    }

    @Test
    void localModeTrustsThisServersOwnLocalMturkOnLoopback() {
        MockEnvironment env = new MockEnvironment();
        var bases = NotificationConfiguration.localBases(settings(MarketplaceSettings.Mode.LOCAL, null), env);
        assertThat(bases.get()).isEmpty(); // not listening yet
        env.setProperty("local.server.port", "8123");
        assertThat(bases.get()).contains(URI.create("http://localhost:8123/local-mturk/"),
                URI.create("http://127.0.0.1:8123/local-mturk/"), URI.create("http://[::1]:8123/local-mturk/"));
        env.setProperty("pavilion.marketplace.local.base-url", "http://localhost:9999/");
        assertThat(bases.get()).contains(URI.create("http://localhost:9999/local-mturk/"));

        SnsTrustPolicy policy = new SnsTrustPolicy(List.of("t"), List.of(), List.of(), bases);
        policy.checkCertUrl("http://localhost:8123/local-mturk/sns/cert.pem");
        policy.checkSubscribeUrl("http://127.0.0.1:8123/local-mturk/sns/confirm?Token=x");
    }

    @Test
    void aServerBoundToOneAddressIsTrustedThere() {
        MockEnvironment env = new MockEnvironment().withProperty("local.server.port", "8123")
                .withProperty("server.address", "10.1.2.3");
        var bases = NotificationConfiguration.localBases(settings(MarketplaceSettings.Mode.LOCAL, null), env);
        assertThat(bases.get()).contains(URI.create("http://10.1.2.3:8123/local-mturk/"),
                URI.create("http://127.0.0.1:8123/local-mturk/"));
        env.setProperty("server.address", "fd00::5");
        assertThat(bases.get()).contains(URI.create("http://[fd00::5]:8123/local-mturk/"));
    }

    @Test
    void anEndpointOverrideIsTheLocalBase() {
        var bases = NotificationConfiguration.localBases(
                settings(MarketplaceSettings.Mode.LOCAL, URI.create("http://127.0.0.1:7000/local-mturk")),
                new MockEnvironment());
        assertThat(bases.get()).containsExactly(URI.create("http://127.0.0.1:7000/local-mturk/"));
    }

    @Test
    void withoutTheLocalMarketplaceNoLocalUrlIsTrusted() {
        MockEnvironment env = new MockEnvironment().withProperty("local.server.port", "8123")
                .withProperty("pavilion.marketplace.local.enabled", "false");
        for (MarketplaceSettings.Mode mode : MarketplaceSettings.Mode.values()) {
            assertThat(NotificationConfiguration.localBases(settings(mode, null), env).get()).isEmpty();
        }
    }

    @Test
    void sandboxAndProductionServersTrustOnlyTheirOwnLocalMarketplace() {
        // The local marketplace is offered at Go live in every mode (issue 14 item 3): this server's own
        // /local-mturk/ is trusted, but an endpoint override names the real marketplace then, never a local one.
        MockEnvironment env = new MockEnvironment().withProperty("local.server.port", "8123");
        for (MarketplaceSettings.Mode mode : List.of(MarketplaceSettings.Mode.SANDBOX,
                MarketplaceSettings.Mode.PRODUCTION)) {
            assertThat(NotificationConfiguration.localBases(
                    settings(mode, URI.create("https://mturk.example.org/")), env).get())
                    .contains(URI.create("http://127.0.0.1:8123/local-mturk/"))
                    .allMatch(u -> u.getPath().endsWith("/local-mturk/") && !u.getHost().equals("mturk.example.org"));
        }
    }
}
