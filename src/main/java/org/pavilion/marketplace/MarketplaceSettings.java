package org.pavilion.marketplace;

import java.net.URI;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which marketplace Pavilion talks to (configuration, not code): the local MTurk-compatible
 * marketplace served by Pavilion itself (the default, no AWS account needed), MTurk's sandbox,
 * or production. Credentials for sandbox and production come from the standard AWS chain
 * (environment, {@code ~/.aws/credentials} profiles), never from this file.
 *
 * @param mode            local | sandbox | production
 * @param endpoint        overrides the mode's endpoint (local: this server's {@code /local-mturk/})
 * @param region          AWS region of the Requester API
 * @param awsProfile      the AWS profile to use, if not the default chain's
 * @param notificationTopicArn the SNS topic MTurk publishes this Pavilion's notifications to
 * @param local           the local marketplace's own settings
 */
@ConfigurationProperties("pavilion.marketplace")
public record MarketplaceSettings(@DefaultValue("local") Mode mode, URI endpoint,
                                  @DefaultValue("us-east-1") String region, String awsProfile,
                                  @DefaultValue("arn:aws:sns:us-east-1:000000000000:pavilion-local")
                                  String notificationTopicArn,
                                  @DefaultValue Local local) {

    public enum Mode { LOCAL, SANDBOX, PRODUCTION }

    /** The MTurk endpoints of the two real modes. */
    public static final URI SANDBOX = URI.create("https://mturk-requester-sandbox.us-east-1.amazonaws.com");
    public static final URI PRODUCTION = URI.create("https://mturk-requester.us-east-1.amazonaws.com");

    /**
     * @param accessKeyId     the key id the local marketplace accepts (SigV4 is checked for real)
     * @param secretAccessKey its secret; the local marketplace answers only this machine and admins unless
     *                        {@code openToNetwork}, so a fixed default is fine; change both when opening it
     * @param notifyUrl       where the local marketplace delivers SNS messages; default this server's
     *                        {@code /api/from_mturk}
     * @param openToNetwork   serve {@code /local-mturk/**} to every client, not only to this machine
     *                        (loopback) and logged-in admins; for a demo on a LAN, where other people's
     *                        browsers play the workers (off by default: anyone who can reach the
     *                        marketplace can accept, return and submit any assignment and plan faults)
     */
    public record Local(@DefaultValue(Local.DEFAULT_ACCESS_KEY_ID) String accessKeyId,
                        @DefaultValue(Local.DEFAULT_SECRET_ACCESS_KEY) String secretAccessKey,
                        URI notifyUrl,
                        @DefaultValue("false") boolean openToNetwork) {

        public static final String DEFAULT_ACCESS_KEY_ID = "LOCALPAVILIONKEY";
        public static final String DEFAULT_SECRET_ACCESS_KEY = "local-marketplace-secret-not-for-aws";

        /** Whether the Requester API still takes the well-known default credentials. */
        public boolean defaultCredentials() {
            return DEFAULT_ACCESS_KEY_ID.equals(accessKeyId) || DEFAULT_SECRET_ACCESS_KEY.equals(secretAccessKey);
        }
    }
}
