package org.pavilion.marketplace.notify;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How SNS deliveries to {@code POST /api/from_mturk} are checked (SPEC §4.8).
 *
 * @param trustedTopics        topic ARNs accepted; empty: only {@code pavilion.marketplace.notification-topic-arn}
 * @param trustedCertUrls      signing-certificate URLs accepted besides {@code https://sns.<region>.amazonaws.com/…pem}:
 *                             an exact URL, or a prefix ending in {@code /}; {@code http} only on a loopback host.
 *                             In local mode this server's own {@code /local-mturk/sns/cert.pem} is always added.
 *                             A certificate from an SNS host must be issued for SNS however its URL was trusted.
 * @param trustedSubscribeUrls SubscribeURL prefixes accepted besides {@code https://sns.<region>.amazonaws.com/};
 *                             {@code http} only on a loopback host. In local mode this server's
 *                             {@code /local-mturk/} is always added.
 * @param maxAge               a message whose Timestamp is older than this is stale
 * @param maxClockSkew         a message whose Timestamp is further than this in the future is refused
 * @param certCacheSize        certificates kept in memory (by URL)
 * @param certCacheTtl         how long a fetched certificate is kept (never past its notAfter)
 * @param fetchTimeout         certificate fetch and subscription confirmation timeout
 * @param maxBodyBytes         larger deliveries are refused (SNS messages are at most 256 KiB)
 * @param applyTimeout         how long one message's events may take to become durable before the
 *                             delivery is answered 503 (SNS then delivers it again; by default 20 s later,
 *                             three times). 2 s by default, as long as a worker's socket waits: commits take
 *                             milliseconds, and while the database stalls the request must not hold its thread
 *                             (issue 13). The events themselves go on and are applied once the database
 *                             answers; the redelivery then finds them applied and changes nothing.
 * @param dedupRetention       how long seen MessageIds and EventDocIds are kept
 * @param refusalLogSize       refused deliveries kept in the refusal log
 */
@ConfigurationProperties("pavilion.marketplace.sns")
public record SnsSettings(@DefaultValue List<String> trustedTopics,
                          @DefaultValue List<String> trustedCertUrls,
                          @DefaultValue List<String> trustedSubscribeUrls,
                          @DefaultValue("PT1H") Duration maxAge,
                          @DefaultValue("PT5M") Duration maxClockSkew,
                          @DefaultValue("32") int certCacheSize,
                          @DefaultValue("PT24H") Duration certCacheTtl,
                          @DefaultValue("PT10S") Duration fetchTimeout,
                          @DefaultValue("524288") int maxBodyBytes,
                          @DefaultValue("PT2S") Duration applyTimeout,
                          @DefaultValue("P30D") Duration dedupRetention,
                          @DefaultValue("1000") int refusalLogSize) {

    public SnsSettings {
        trustedTopics = trustedTopics == null ? List.of() : List.copyOf(trustedTopics);
        trustedCertUrls = trustedCertUrls == null ? List.of() : List.copyOf(trustedCertUrls);
        trustedSubscribeUrls = trustedSubscribeUrls == null ? List.of() : List.copyOf(trustedSubscribeUrls);
        requirePositive(maxAge, "max-age");
        requirePositive(maxClockSkew, "max-clock-skew");
        requirePositive(certCacheTtl, "cert-cache-ttl");
        requirePositive(fetchTimeout, "fetch-timeout");
        requirePositive(applyTimeout, "apply-timeout");
        requirePositive(dedupRetention, "dedup-retention");
        if (dedupRetention.compareTo(maxAge.plus(maxClockSkew)) <= 0) {
            throw new IllegalArgumentException("pavilion.marketplace.sns.dedup-retention must be longer than "
                    + "max-age + max-clock-skew, or a stale duplicate could be applied again");
        }
        if (certCacheSize < 1 || maxBodyBytes < 1024 || refusalLogSize < 1) {
            throw new IllegalArgumentException("pavilion.marketplace.sns: cert-cache-size and refusal-log-size must be "
                    + "at least 1, max-body-bytes at least 1024");
        }
    }

    /** The defaults, for code and tests that build the intake by hand. */
    public static SnsSettings defaults() {
        return new SnsSettings(List.of(), List.of(), List.of(), Duration.ofHours(1), Duration.ofMinutes(5), 32,
                Duration.ofHours(24), Duration.ofSeconds(10), 524_288, Duration.ofSeconds(2), Duration.ofDays(30),
                1000);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("pavilion.marketplace.sns." + name + " must be positive");
        }
    }
}
