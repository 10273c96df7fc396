package org.pavilion.marketplace.mturk;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the MTurk client retries and waits ({@code pavilion.marketplace.client.*}).
 *
 * @param maxAttempts    attempts per call, the first included
 * @param baseDelay      the ceiling of the first backoff wait (full jitter below it)
 * @param maxDelay       the ceiling of any backoff wait
 * @param connectTimeout TCP/TLS connect timeout
 * @param requestTimeout how long one attempt waits for its answer
 */
@ConfigurationProperties("pavilion.marketplace.client")
public record MTurkClientProperties(@DefaultValue("5") int maxAttempts,
                                    @DefaultValue("200ms") Duration baseDelay,
                                    @DefaultValue("10s") Duration maxDelay,
                                    @DefaultValue("10s") Duration connectTimeout,
                                    @DefaultValue("30s") Duration requestTimeout) {

    public static MTurkClientProperties defaults() {
        return new MTurkClientProperties(RetryPolicy.DEFAULT_MAX_ATTEMPTS, RetryPolicy.DEFAULT_BASE_DELAY,
                RetryPolicy.DEFAULT_MAX_DELAY, Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    public RetryPolicy retryPolicy() {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay);
    }
}
