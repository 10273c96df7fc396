package org.pavilion.marketplace.local;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The local marketplace's own settings, under the same prefix as
 * {@code MarketplaceSettings.Local} (which holds its credentials and {@code notify-url}).
 *
 * @param startingBalance       the requester's balance when Pavilion starts (USD, 0 to 1e9, at most two decimals);
 *                              approvals and bonuses debit it, with MTurk's fees
 * @param signatureVersion      SNS SignatureVersion of the notifications: {@code 1} (SHA1withRSA) or {@code 2} (SHA256withRSA)
 * @param baseUrl               this server's base URL as the local marketplace's messages should name it
 *                              (SigningCertURL, SubscribeURL, the default subscriber); default
 *                              {@code http://localhost:<the port the server listens on>}
 * @param sweepInterval         how often abandoned assignments, expired HITs and auto-approvals are checked
 * @param deliveryAttempts      attempts per SNS delivery (on a network error, HTTP 429 or 5xx)
 * @param deliveryBackoff       the wait before the second attempt; doubled each time, at most 10 s
 * @param deliveryTimeout       one delivery attempt's HTTP timeout
 * @param deliveryConcurrency   SNS deliveries in flight at once per subscriber; messages about one HIT keep
 *                              their order (LocalSns)
 * @param maxClockSkew          a signed API request whose X-Amz-Date is further than this from now is refused
 * @param minAssignmentDuration the smallest AssignmentDurationInSeconds and LifetimeInSeconds accepted
 *                              (MTurk: 30 s; tests lower it)
 * @param reuseAssignmentIds    give a returned or abandoned assignment's id to the next worker who accepts
 *                              the HIT, as MTurk may do (off by default)
 * @param requesterId           the requester's CustomerId in event documents
 * @param tokenRetention        how long a UniqueRequestToken is remembered (MTurk: 24 hours)
 */
@ConfigurationProperties("pavilion.marketplace.local")
public record LocalMarketplaceProperties(@DefaultValue("10000.00") BigDecimal startingBalance,
                                         @DefaultValue("1") String signatureVersion,
                                         URI baseUrl,
                                         @DefaultValue("1s") Duration sweepInterval,
                                         @DefaultValue("6") int deliveryAttempts,
                                         @DefaultValue("250ms") Duration deliveryBackoff,
                                         @DefaultValue("30s") Duration deliveryTimeout,
                                         @DefaultValue("8") int deliveryConcurrency,
                                         @DefaultValue("15m") Duration maxClockSkew,
                                         @DefaultValue("30s") Duration minAssignmentDuration,
                                         @DefaultValue("false") boolean reuseAssignmentIds,
                                         @DefaultValue("A1PAVILIONLOCALREQ") String requesterId,
                                         @DefaultValue("24h") Duration tokenRetention) {

    public LocalMarketplaceProperties {
        if (startingBalance == null || startingBalance.signum() < 0
                || startingBalance.stripTrailingZeros().scale() > 2
                || startingBalance.compareTo(BigDecimal.valueOf(1_000_000_000L)) > 0) {
            throw new IllegalArgumentException("pavilion.marketplace.local.starting-balance must be a USD amount from "
                    + "0 to 1000000000 with at most two decimals, such as 10000.00");
        }
        if (!"1".equals(signatureVersion) && !"2".equals(signatureVersion)) {
            throw new IllegalArgumentException("pavilion.marketplace.local.signature-version must be 1 or 2");
        }
        if (deliveryAttempts < 1) {
            throw new IllegalArgumentException("pavilion.marketplace.local.delivery-attempts must be at least 1");
        }
        if (deliveryConcurrency < 1 || deliveryConcurrency > 256) {
            throw new IllegalArgumentException("pavilion.marketplace.local.delivery-concurrency must be from 1 to 256");
        }
        if (sweepInterval.isZero() || sweepInterval.isNegative()) {
            throw new IllegalArgumentException("pavilion.marketplace.local.sweep-interval must be positive");
        }
    }

    /** The defaults, for code and tests that build the local marketplace by hand. */
    public static LocalMarketplaceProperties defaults() {
        return new LocalMarketplaceProperties(new BigDecimal("10000.00"), "1", null, Duration.ofSeconds(1), 6,
                Duration.ofMillis(250), Duration.ofSeconds(30), 8, Duration.ofMinutes(15), Duration.ofSeconds(30),
                false, "A1PAVILIONLOCALREQ", Duration.ofHours(24));
    }
}
