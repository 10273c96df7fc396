package org.pavilion.marketplace.mturk;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Signs a POST with AWS Signature Version 4 through the AWS SDK's {@link AwsV4HttpSigner}
 * (header auth, signed payload), for one service signing name and region.
 */
public final class SigV4 {

    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private final String signingName;
    private final String region;
    private final Clock clock;

    public SigV4(String signingName, String region, Clock clock) {
        this.signingName = signingName;
        this.region = region;
        this.clock = clock;
    }

    /**
     * Signs a POST of {@code body} to {@code uri} carrying {@code headers}; returns every header the
     * request must carry (the given ones plus {@code Host}, {@code X-Amz-Date}, {@code Authorization},
     * and {@code X-Amz-Security-Token} for session credentials).
     */
    public Map<String, String> signPost(URI uri, Map<String, String> headers, byte[] body,
                                        AwsCredentialsIdentity credentials) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().uri(uri).method(SdkHttpMethod.POST);
        headers.forEach(request::putHeader);
        SignedRequest signed = SIGNER.sign(r -> r.identity(credentials)
                .request(request.build())
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, signingName)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> header : signed.request().headers().entrySet()) {
            out.put(header.getKey(), String.join(",", header.getValue()));
        }
        return out;
    }

    public Map<String, String> signPost(URI uri, Map<String, String> headers, String body,
                                        AwsCredentialsIdentity credentials) {
        return signPost(uri, headers, body.getBytes(StandardCharsets.UTF_8), credentials);
    }
}
