package org.pavilion.marketplace.mturk;

import java.net.URI;
import java.time.Clock;
import java.util.List;

import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.marketplace.MarketplaceSettings;
import org.pavilion.marketplace.Marketplaces;
import org.pavilion.storage.JdbcSessionStore;
import org.slf4j.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The {@link Marketplace} bean: an {@link MTurkClient} for the configured marketplace, built at its
 * first use ({@link LazyMarketplace}). In local mode without a configured endpoint it talks to the
 * local marketplace served by this very server at {@code /local-mturk/}, whose port is known only
 * once the web server has started (port 0 in tests), so the endpoint is resolved at the first call after
 * that, from the port the server reported ({@link ListeningPort}) and {@code server.address}; never from
 * a default port, and the server itself is never asked before it has started.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MTurkClientProperties.class)
public class MTurkConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MTurkConfiguration.class);

    /** Where the local marketplace is served by this application. */
    public static final String LOCAL_PATH = "/local-mturk/";

    @Bean
    MTurkClientFactory mturkClientFactory(MarketplaceSettings settings, MTurkClientProperties properties,
                                          ObjectProvider<Clock> clock) {
        return new MTurkClientFactory(settings, properties, clock.getIfAvailable(Clock::systemUTC));
    }

    @Bean
    ListeningPort mturkListeningPort() {
        return new ListeningPort();
    }

    @Bean
    LazyMarketplace mturkMarketplace(MTurkClientFactory factory, ListeningPort port, Environment environment) {
        return new LazyMarketplace(() -> {
            URI local = factory.needsLocalEndpoint() ? localEndpoint(port, environment) : null;
            MTurkClient client = factory.create(local);
            log.info("Marketplace: {} at {} (region {})", factory.settings().mode(), client.endpoint(),
                    client.region());
            return client;
        });
    }

    /**
     * The marketplaces a session may go live on ({@link Marketplaces}): the configured one is the
     * {@link Marketplace} bean; another mode's client is built like it, on its first use, with that mode's
     * endpoint (the endpoint override belongs to the configured mode only).
     */
    @Bean
    Marketplaces marketplaces(MarketplaceSettings settings, ObjectProvider<Marketplace> configured,
                              MTurkClientProperties properties, ObjectProvider<Clock> clock, ListeningPort port,
                              Environment environment, ObjectProvider<JdbcSessionStore> store) {
        Clock c = clock.getIfAvailable(Clock::systemUTC);
        return new Marketplaces(settings.mode(), new LazyMarketplace(configured::getObject), mode -> {
            MTurkClientFactory factory = new MTurkClientFactory(new MarketplaceSettings(mode, null, settings.region(),
                    settings.awsProfile(), settings.notificationTopicArn(), settings.local()), properties, c);
            return new LazyMarketplace(() -> {
                URI local = factory.needsLocalEndpoint() ? localEndpoint(port, environment) : null;
                MTurkClient client = factory.create(local);
                log.info("Marketplace for sessions chosen on {}: {} (region {})", mode, client.endpoint(),
                        client.region());
                return client;
            });
        }, () -> awsCredentialsFound(settings), sessionId -> store.getObject().marketplaceOf(sessionId));
    }

    /**
     * Whether credentials for MTurk are at hand: only then is the sandbox offered. Only the sources on this
     * machine are asked (the environment, system properties, the profile file), never a network metadata
     * service, so showing the Go live dialog never waits on one.
     */
    static boolean awsCredentialsFound(MarketplaceSettings settings) {
        List<AwsCredentialsProvider> local = List.of(EnvironmentVariableCredentialsProvider.create(),
                SystemPropertyCredentialsProvider.create(), settings.awsProfile() == null
                        || settings.awsProfile().isBlank() ? ProfileCredentialsProvider.create()
                        : ProfileCredentialsProvider.create(settings.awsProfile()));
        for (AwsCredentialsProvider provider : local) {
            try {
                provider.resolveCredentials();
                return true;
            } catch (RuntimeException absent) {
                // this source has none; the next may
            }
        }
        return false;
    }

    /**
     * This server's local marketplace URL, from the port the started web server reported; a retryable
     * failure before it has started.
     */
    static URI localEndpoint(ListeningPort listening, Environment environment) {
        int port = listening.port().orElseThrow(() -> new MarketplaceException("LocalMarketplaceNotReady",
                "the local marketplace is not reachable yet: the web server has not started", true));
        return localEndpoint(environment.getProperty("server.address"), port,
                environment.getProperty("server.servlet.context-path", ""));
    }

    /** {@code http://<loopback or bound address>:<port><context path>/local-mturk/}. */
    static URI localEndpoint(String boundAddress, int port, String contextPath) {
        String host = "127.0.0.1";
        if (boundAddress != null && !boundAddress.isBlank() && !boundAddress.equals("0.0.0.0")
                && !boundAddress.equals("::") && !boundAddress.equals("[::]")) {
            host = boundAddress.contains(":") && !boundAddress.startsWith("[") ? "[" + boundAddress + "]" : boundAddress;
        }
        String path = contextPath == null ? "" : contextPath.trim();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!path.isEmpty() && !path.startsWith("/")) {
            path = "/" + path;
        }
        return URI.create("http://" + host + ":" + port + path + LOCAL_PATH);
    }
}
