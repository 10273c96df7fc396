package org.pavilion.marketplace.mturk;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;

import org.pavilion.marketplace.MarketplaceSettings;
import org.pavilion.marketplace.MarketplaceSettings.Mode;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Builds {@link MTurkClient}s from {@link MarketplaceSettings} (configuration, not code):
 * <ul>
 *   <li>endpoint: {@code pavilion.marketplace.endpoint} if set; otherwise MTurk's sandbox or production
 *       endpoint, or for {@code local} the URL of this server's {@code /local-mturk/} given to
 *       {@link #create(URI)} (known only once the web server has started);</li>
 *   <li>credentials: for {@code local}, the local marketplace's keys
 *       ({@code pavilion.marketplace.local.*}); for sandbox and production, the standard AWS chain
 *       (environment, system properties, {@code ~/.aws/credentials}, container/instance roles), or
 *       the profile {@code pavilion.marketplace.aws-profile} when set. Never from Pavilion's own files.</li>
 * </ul>
 * The credential provider is built once per factory and shared by its clients (the SDK's
 * providers cache and refresh).
 */
public class MTurkClientFactory {

    private final MarketplaceSettings settings;
    private final MTurkClientProperties properties;
    private final Clock clock;
    private final RetryPolicy.Sleeper sleeper;
    private volatile AwsCredentialsProvider credentials;
    private volatile HttpClient http;

    public MTurkClientFactory(MarketplaceSettings settings, MTurkClientProperties properties, Clock clock) {
        this(settings, properties, clock, RetryPolicy.Sleeper.THREAD);
    }

    public MTurkClientFactory(MarketplaceSettings settings, MTurkClientProperties properties, Clock clock,
                              RetryPolicy.Sleeper sleeper) {
        this.settings = settings;
        this.properties = properties != null ? properties : MTurkClientProperties.defaults();
        this.clock = clock != null ? clock : Clock.systemUTC();
        this.sleeper = sleeper;
    }

    public MarketplaceSettings settings() {
        return settings;
    }

    /** Whether {@link #create(URI)} needs this server's local-marketplace URL. */
    public boolean needsLocalEndpoint() {
        return settings.endpoint() == null && mode() == Mode.LOCAL;
    }

    /**
     * A client for the configured marketplace.
     *
     * @param localEndpoint this server's {@code /local-mturk/} URL; used only in local mode without a
     *                      configured endpoint (may be null otherwise)
     */
    public MTurkClient create(URI localEndpoint) {
        return new MTurkClient(endpoint(localEndpoint), credentials(), region(), clock, properties.retryPolicy(),
                sleeper, http(), properties.requestTimeout());
    }

    /** The endpoint the client talks to: see the class comment. */
    public URI endpoint(URI localEndpoint) {
        if (settings.endpoint() != null) {
            return settings.endpoint();
        }
        switch (mode()) {
            case SANDBOX:
                return MarketplaceSettings.SANDBOX;
            case PRODUCTION:
                return MarketplaceSettings.PRODUCTION;
            default:
                if (localEndpoint == null) {
                    throw new IllegalStateException("local marketplace mode needs this server's /local-mturk/ URL");
                }
                return localEndpoint;
        }
    }

    public String region() {
        return settings.region() == null || settings.region().isBlank() ? "us-east-1" : settings.region();
    }

    public AwsCredentialsProvider credentials() {
        AwsCredentialsProvider provider = credentials;
        if (provider == null) {
            synchronized (this) {
                if (credentials == null) {
                    credentials = credentialsFor(settings);
                }
                provider = credentials;
            }
        }
        return provider;
    }

    /** Local: the local marketplace's static keys; otherwise the named AWS profile or the default chain. */
    public static AwsCredentialsProvider credentialsFor(MarketplaceSettings settings) {
        Mode mode = settings.mode() == null ? Mode.LOCAL : settings.mode();
        if (mode == Mode.LOCAL) {
            MarketplaceSettings.Local local = settings.local();
            if (local == null || local.accessKeyId() == null || local.secretAccessKey() == null) {
                throw new IllegalStateException("local marketplace mode needs pavilion.marketplace.local.access-key-id"
                        + " and secret-access-key");
            }
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(local.accessKeyId(),
                    local.secretAccessKey()));
        }
        if (settings.awsProfile() != null && !settings.awsProfile().isBlank()) {
            return ProfileCredentialsProvider.create(settings.awsProfile());
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private Mode mode() {
        return settings.mode() == null ? Mode.LOCAL : settings.mode();
    }

    private HttpClient http() {
        HttpClient client = http;
        if (client == null) {
            synchronized (this) {
                if (http == null) {
                    http = MTurkClient.defaultHttpClient(properties.connectTimeout());
                }
                client = http;
            }
        }
        return client;
    }
}
