package org.pavilion.marketplace.mturk;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Fixed credentials, clock and recording sleeper for the client tests (obviously fake keys). */
final class MTurkTestSupport {

    static final String ACCESS_KEY = "TESTACCESSKEYID00000";
    static final String SECRET_KEY = "test-secret-key-for-unit-tests-only";
    static final Instant NOW = Instant.parse("2026-03-14T15:09:26Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));

    /** Records each wait instead of sleeping. */
    static final class RecordingSleeper implements RetryPolicy.Sleeper {
        final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void sleep(Duration duration) {
            waits.add(duration);
        }
    }

    private MTurkTestSupport() {
    }

    static MTurkClient client(URI endpoint, RetryPolicy retry, RetryPolicy.Sleeper sleeper) {
        return new MTurkClient(endpoint, CREDENTIALS, "us-east-1", CLOCK, retry, sleeper, null, Duration.ofSeconds(10));
    }

    /** No retries: one attempt per call. */
    static MTurkClient client(URI endpoint) {
        return client(endpoint, RetryPolicy.noRetry(), new RecordingSleeper());
    }
}
