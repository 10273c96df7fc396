package org.pavilion.marketplace.mturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.marketplace.MarketplaceSettings;
import org.pavilion.marketplace.MarketplaceSettings.Mode;
import org.pavilion.pay.Money;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

class MTurkClientFactoryTest {

    private static final MarketplaceSettings.Local LOCAL_KEYS =
            new MarketplaceSettings.Local("LOCALPAVILIONKEY", "local-marketplace-secret-not-for-aws", null, false);

    private static MarketplaceSettings settings(Mode mode, URI endpoint, String profile) {
        return new MarketplaceSettings(mode, endpoint, "us-east-1", profile,
                "arn:aws:sns:us-east-1:000000000000:pavilion-local", LOCAL_KEYS);
    }

    private static MTurkClientFactory factory(MarketplaceSettings settings) {
        return new MTurkClientFactory(settings, MTurkClientProperties.defaults(), MTurkTestSupport.CLOCK,
                new MTurkTestSupport.RecordingSleeper());
    }

    @Test
    void endpointsFollowTheMode() {
        URI local = URI.create("http://127.0.0.1:18080/local-mturk/");
        assertEquals(URI.create("https://mturk-requester-sandbox.us-east-1.amazonaws.com/"),
                factory(settings(Mode.SANDBOX, null, null)).create(null).endpoint());
        assertEquals(URI.create("https://mturk-requester.us-east-1.amazonaws.com/"),
                factory(settings(Mode.PRODUCTION, null, null)).create(null).endpoint());
        assertEquals(local, factory(settings(Mode.LOCAL, null, null)).create(local).endpoint());
        assertTrue(factory(settings(Mode.LOCAL, null, null)).needsLocalEndpoint());
        assertThrows(IllegalStateException.class, () -> factory(settings(Mode.LOCAL, null, null)).create(null));

        URI configured = URI.create("http://mturk.internal.example:9000/api");
        MTurkClientFactory overridden = factory(settings(Mode.LOCAL, configured, null));
        assertFalse(overridden.needsLocalEndpoint());
        assertEquals(URI.create("http://mturk.internal.example:9000/api/"), overridden.create(null).endpoint());
    }

    @Test
    void credentialsFollowTheMode() {
        AwsCredentials local = MTurkClientFactory.credentialsFor(settings(Mode.LOCAL, null, null)).resolveCredentials();
        assertEquals("LOCALPAVILIONKEY", local.accessKeyId());
        assertEquals("local-marketplace-secret-not-for-aws", local.secretAccessKey());
        assertInstanceOf(StaticCredentialsProvider.class, MTurkClientFactory.credentialsFor(settings(Mode.LOCAL, null, null)));

        assertInstanceOf(ProfileCredentialsProvider.class,
                MTurkClientFactory.credentialsFor(settings(Mode.SANDBOX, null, "pavilion-research")));
        assertInstanceOf(DefaultCredentialsProvider.class,
                MTurkClientFactory.credentialsFor(settings(Mode.PRODUCTION, null, null)));
    }

    @Test
    void localModeSignsWithTheLocalMarketplaceKeys() throws Exception {
        try (ScriptedMTurkServer server = new ScriptedMTurkServer()) {
            server.ok("{\"AvailableBalance\": \"10000.00\"}");
            MTurkClient client = factory(settings(Mode.LOCAL, null, null))
                    .create(MTurkConfiguration.localEndpoint(null, server.port(), ""));

            assertEquals(Money.ofCents(1_000_000), client.accountBalance());

            ScriptedMTurkServer.Recorded request = server.last();
            assertEquals("/local-mturk/", request.path());
            Matcher m = Pattern.compile("Credential=LOCALPAVILIONKEY/\\d{8}/us-east-1/mturk-requester/aws4_request")
                    .matcher(request.header("Authorization"));
            assertTrue(m.find(), request.header("Authorization"));
            assertTrue(MTurkSigningTest.verifyByHand(request, "local-marketplace-secret-not-for-aws"));
        }
    }

    @Test
    void localEndpointUrl() {
        assertEquals(URI.create("http://127.0.0.1:8080/local-mturk/"), MTurkConfiguration.localEndpoint(null, 8080, ""));
        assertEquals(URI.create("http://127.0.0.1:8080/local-mturk/"),
                MTurkConfiguration.localEndpoint("0.0.0.0", 8080, null));
        assertEquals(URI.create("http://10.1.2.3:8081/app/local-mturk/"),
                MTurkConfiguration.localEndpoint("10.1.2.3", 8081, "/app/"));
        assertEquals(URI.create("http://[::1]:8081/local-mturk/"), MTurkConfiguration.localEndpoint("::1", 8081, ""));
    }

    @Test
    void lazyMarketplaceBuildsOnceAndRetriesAFailedBuild() {
        AtomicInteger builds = new AtomicInteger();
        Marketplace real = new LazyMarketplace(() -> null) {
            @Override
            public Money accountBalance() {
                return Money.ofCents(100);
            }
        };
        LazyMarketplace lazy = new LazyMarketplace(() -> {
            if (builds.incrementAndGet() == 1) {
                throw new MarketplaceException("LocalMarketplaceNotReady", "not started", true);
            }
            return real;
        });
        assertFalse(lazy.resolved());

        MarketplaceException e = assertThrows(MarketplaceException.class, lazy::accountBalance);
        assertTrue(e.retryable());
        assertFalse(lazy.resolved());

        assertEquals(Money.ofCents(100), lazy.accountBalance());
        assertEquals(Money.ofCents(100), lazy.accountBalance());
        assertSame(real, lazy.delegate());
        assertEquals(2, builds.get());
    }
}
