package org.pavilion.marketplace.notify;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import org.pavilion.marketplace.HitOwnership;
import org.pavilion.marketplace.MarketplaceSettings;
import org.pavilion.marketplace.Marketplaces;
import org.pavilion.marketplace.local.LocalBaseUrl;
import org.pavilion.session.LiveSessionService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Wires the notification intake. The {@link CertificateSource} and {@link SubscriptionConfirmer}
 * beans are the HTTP ones; a test (or the local marketplace) may declare a {@code @Primary} one.
 * The trusted topics are {@code pavilion.marketplace.sns.trusted-topics}, or when that is empty,
 * {@code pavilion.marketplace.notification-topic-arn}.
 */
@Configuration(proxyBeanMethods = false)
class NotificationConfiguration {

    @Bean
    CertificateSource snsHttpCertificateSource(SnsSettings settings) {
        return new HttpCertificateSource(settings.fetchTimeout());
    }

    @Bean
    SubscriptionConfirmer snsHttpSubscriptionConfirmer(SnsSettings settings) {
        return new HttpSubscriptionConfirmer(settings.fetchTimeout());
    }

    @Bean
    SnsTrustPolicy snsTrustPolicy(SnsSettings settings, MarketplaceSettings marketplace, Environment env) {
        List<String> topics = settings.trustedTopics().isEmpty()
                ? List.of(marketplace.notificationTopicArn()) : settings.trustedTopics();
        return new SnsTrustPolicy(topics, settings.trustedCertUrls(), settings.trustedSubscribeUrls(),
                localBases(marketplace, env));
    }

    /**
     * While the local marketplace is served (in every mode unless {@code pavilion.marketplace.local.enabled=false}):
     * its base URLs: {@code pavilion.marketplace.endpoint} when set in local mode, {@code pavilion.marketplace.local.base-url}{@code /local-mturk/} when set (the base the
     * local marketplace names in what it sends), and this server's own {@code /local-mturk/} on its
     * loopback names and on {@code server.address} (asked on each check: the port is known only once
     * the server listens).
     */
    static Supplier<List<URI>> localBases(MarketplaceSettings marketplace, Environment env) {
        return () -> {
            if (!env.getProperty("pavilion.marketplace.local.enabled", Boolean.class, true)) {
                return List.of();
            }
            List<URI> bases = new ArrayList<>();
            if (marketplace.mode() == MarketplaceSettings.Mode.LOCAL && marketplace.endpoint() != null
                    && marketplace.endpoint().getHost() != null) {
                String e = marketplace.endpoint().toString();
                bases.add(URI.create(e.endsWith("/") ? e : e + "/"));
            }
            String localBase = env.getProperty("pavilion.marketplace.local.base-url");
            if (localBase != null && !localBase.isBlank()) {
                String b = localBase.strip();
                bases.add(URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + "/local-mturk/"));
            }
            String port = env.getProperty("local.server.port");
            if (port != null) {
                String context = env.getProperty("server.servlet.context-path", "");
                if (context.endsWith("/")) {
                    context = context.substring(0, context.length() - 1);
                }
                List<String> hosts = new ArrayList<>(List.of("localhost", "127.0.0.1", "[::1]"));
                String bound = LocalBaseUrl.host(env.getProperty("server.address"));
                if (!hosts.contains(bound)) {
                    hosts.add(bound); // a server bound to one address is reached there
                }
                for (String scheme : List.of("http", "https")) {
                    for (String host : hosts) {
                        bases.add(URI.create(scheme + "://" + host + ":" + port + context + "/local-mturk/"));
                    }
                }
            }
            return bases;
        };
    }

    @Bean
    SnsSignatureVerifier snsSignatureVerifier(SnsTrustPolicy policy, CertificateSource certificates,
                                              SnsSettings settings, Clock clock) {
        CachingCertificateSource cached = new CachingCertificateSource(certificates, settings.certCacheSize(),
                settings.certCacheTtl(), clock);
        return new SnsSignatureVerifier(policy, cached, clock, settings.maxAge(), settings.maxClockSkew());
    }

    @Bean
    NotificationLedger notificationLedger(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        return new NotificationLedger(jdbc, transactions);
    }

    @Bean
    NotificationIntake notificationIntake(SnsSignatureVerifier verifier, NotificationLedger ledger,
                                          LiveSessionService sessions, SubscriptionConfirmer confirmer, Clock clock,
                                          SnsSettings settings, HitOwnership hits, MeterRegistry meters,
                                          ObjectProvider<Marketplaces> marketplaces) {
        NotificationIntake.HitOwner owner = new NotificationIntake.HitOwner() {
            @Override
            public Optional<Long> sessionOf(String hitId) {
                return hits.sessionOf(hitId);
            }

            @Override
            public boolean onLocalMarketplace(long sessionId) {
                return marketplaces.getObject().modeOf(sessionId) == MarketplaceSettings.Mode.LOCAL;
            }
        };
        return new NotificationIntake(verifier, ledger, sessions, confirmer, clock, settings, owner, meters);
    }
}
