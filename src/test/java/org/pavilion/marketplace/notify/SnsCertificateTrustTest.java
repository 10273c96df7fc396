package org.pavilion.marketplace.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which signing certificates are trusted, as AWS advises: fetched over https from exactly
 * {@code sns.<region>.amazonaws.com} (or {@code sns.<cn-region>.amazonaws.com.cn}), valid now,
 * and issued for SNS. Each case is signed correctly with the certificate's key and that
 * certificate is served at the case's URL, so only the trust rules can refuse it.
 */
class SnsCertificateTrustTest {

    static final KeyPair KEYS = TestCertificates.rsaKeyPair();
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final Instant FROM = NOW.minus(Duration.ofDays(1));
    static final Instant UNTIL = NOW.plus(Duration.ofDays(365));

    static final X509Certificate SNS = cert("sns.amazonaws.com", "sns.amazonaws.com");
    static final X509Certificate SNS_CHINA = cert("sns.amazonaws.com.cn", "sns.amazonaws.com.cn");
    static final X509Certificate SNS_CN_NORTHWEST_1 = cert("sns-cn-northwest-1.amazonaws.com.cn",
            "sns-cn-northwest-1.amazonaws.com.cn");
    static final X509Certificate SNS_GOV = cert("sns-us-gov-west-1.amazonaws.com", "sns-us-gov-west-1.amazonaws.com");
    static final X509Certificate SNS_ME_SOUTH_1 = cert("sns-signing.me-south-1.amazonaws.com",
            "sns-signing.me-south-1.amazonaws.com");
    static final X509Certificate OTHER_NAME = cert("evil.example", "evil.example");

    static final String REFUSED_HOST = "not an SNS host";
    static final String NOT_FOR_SNS = "not issued for SNS";

    /** One row: the SigningCertURL, the certificate served there, and the refusal (null: accepted). */
    record Case(String what, String certUrl, X509Certificate served, String refusal) {
        @Override
        public String toString() {
            return what;
        }
    }

    static Stream<Case> signingCertificates() {
        String pem = "/SimpleNotificationService-0123456789abcdef.pem";
        return Stream.of(
                // accepted
                new Case("us-east-1", "https://sns.us-east-1.amazonaws.com" + pem, SNS, null),
                new Case("eu-west-2", "https://sns.eu-west-2.amazonaws.com" + pem, SNS, null),
                new Case("ap-southeast-1", "https://sns.ap-southeast-1.amazonaws.com" + pem, SNS, null),
                new Case("cn-north-1 (China partition)", "https://sns.cn-north-1.amazonaws.com.cn" + pem, SNS_CHINA,
                        null),
                new Case("cn-northwest-1, its regional certificate name",
                        "https://sns.cn-northwest-1.amazonaws.com.cn" + pem, SNS_CN_NORTHWEST_1, null),
                new Case("us-gov-west-1, GovCloud's certificate name", "https://sns.us-gov-west-1.amazonaws.com" + pem,
                        SNS_GOV, null),
                new Case("me-south-1 (opt-in region), its signing name", "https://sns.me-south-1.amazonaws.com" + pem,
                        SNS_ME_SOUTH_1, null),
                new Case("the default https port written out", "https://sns.us-east-1.amazonaws.com:443" + pem, SNS,
                        null),
                new Case("host in capitals", "https://SNS.US-EAST-1.AMAZONAWS.COM" + pem, SNS, null),
                new Case("name only in the subject CN (no subjectAltName)", "https://sns.us-east-1.amazonaws.com" + pem,
                        TestCertificates.issuedFor(KEYS, "sns.amazonaws.com", List.of(), FROM, UNTIL), null),
                new Case("name only in a subjectAltName (no CN)", "https://sns.us-east-1.amazonaws.com" + pem,
                        TestCertificates.issuedFor(KEYS, null, List.of("sns.amazonaws.com"), FROM, UNTIL), null),

                // refused by the URL, before any fetch
                new Case("an S3 bucket host", "https://sns.s3.amazonaws.com" + pem, SNS, REFUSED_HOST),
                new Case("an SNS host as a subdomain", "https://sns.us-east-1.amazonaws.com.evil.com" + pem, SNS,
                        REFUSED_HOST),
                new Case("another host", "https://evil.com" + pem, SNS, REFUSED_HOST),
                new Case("a China region under .com", "https://sns.cn-north-1.amazonaws.com" + pem, SNS_CHINA,
                        REFUSED_HOST),
                new Case("a global region under .com.cn", "https://sns.us-east-1.amazonaws.com.cn" + pem, SNS_CHINA,
                        REFUSED_HOST),
                new Case("no region", "https://sns.amazonaws.com" + pem, SNS, REFUSED_HOST),
                new Case("not region-shaped", "https://sns.us-east.amazonaws.com" + pem, SNS, REFUSED_HOST),
                new Case("a trailing dot", "https://sns.us-east-1.amazonaws.com." + pem, SNS, REFUSED_HOST),
                new Case("plain http", "http://sns.us-east-1.amazonaws.com" + pem, SNS, "not https"),
                new Case("another port", "https://sns.us-east-1.amazonaws.com:8443" + pem, SNS, "https port"),
                new Case("user info", "https://user@sns.us-east-1.amazonaws.com" + pem, SNS, "user info"),
                new Case("not a .pem path", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.crt", SNS,
                        "does not end in .pem"),

                // refused by the certificate
                new Case("a certificate issued for another name", "https://sns.us-east-1.amazonaws.com" + pem,
                        OTHER_NAME, NOT_FOR_SNS),
                new Case("SNS only in the CN, another name in the subjectAltName",
                        "https://sns.us-east-1.amazonaws.com" + pem,
                        TestCertificates.issuedFor(KEYS, "sns.amazonaws.com", List.of("evil.example"), FROM, UNTIL),
                        NOT_FOR_SNS),
                new Case("a name that only starts like SNS's", "https://sns.us-east-1.amazonaws.com" + pem,
                        cert("sns.amazonaws.com.evil.example", "sns.amazonaws.com.evil.example"), NOT_FOR_SNS),
                new Case("a wildcard name", "https://sns.us-east-1.amazonaws.com" + pem,
                        cert("*.amazonaws.com", "*.amazonaws.com"), NOT_FOR_SNS),
                new Case("the China name on a global host", "https://sns.us-east-1.amazonaws.com" + pem, SNS_CHINA,
                        NOT_FOR_SNS),
                new Case("the global name on a China host", "https://sns.cn-north-1.amazonaws.com.cn" + pem, SNS,
                        NOT_FOR_SNS),
                new Case("another region's signing name", "https://sns.us-east-1.amazonaws.com" + pem, SNS_ME_SOUTH_1,
                        NOT_FOR_SNS),
                new Case("an expired certificate", "https://sns.us-east-1.amazonaws.com" + pem,
                        TestCertificates.issuedFor(KEYS, "sns.amazonaws.com", List.of("sns.amazonaws.com"),
                                NOW.minus(Duration.ofDays(30)), NOW.minus(Duration.ofDays(1))), "expired"),
                new Case("a certificate not yet valid", "https://sns.us-east-1.amazonaws.com" + pem,
                        TestCertificates.issuedFor(KEYS, "sns.amazonaws.com", List.of("sns.amazonaws.com"),
                                NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30))), "not yet valid"));
    }

    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final SnsSigner signer = new SnsSigner(KEYS.getPrivate());
    final AtomicInteger fetches = new AtomicInteger();
    final List<URI> localBases = new ArrayList<>();

    @ParameterizedTest(name = "{0}")
    @MethodSource("signingCertificates")
    void signingCertificateTrust(Case c) {
        SnsSignatureVerifier v = verifier(c.certUrl(), c.served(), List.of());
        SnsMessage m = message(c.certUrl());
        if (c.refusal() == null) {
            v.verify(m);
            assertThat(fetches).hasValue(1);
            return;
        }
        assertThatThrownBy(() -> v.verify(m)).isInstanceOfSatisfying(SnsVerificationException.class, e -> {
            assertThat(e.getMessage()).contains(c.refusal());
            assertThat(e.retryable()).isFalse();
        });
        if (!Set.of(NOT_FOR_SNS, "expired", "not yet valid").contains(c.refusal())) {
            assertThat(fetches).as("a refused URL is never fetched").hasValue(0);
        }
    }

    @Test
    void aUrlTrustedByConfigurationOnAnSnsHostStillNeedsAnSnsCertificate() {
        String url = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem";
        List<String> trusted = List.of("https://sns.us-east-1.amazonaws.com/");
        assertThatThrownBy(() -> verifier(url, OTHER_NAME, trusted).verify(message(url)))
                .isInstanceOf(SnsVerificationException.class).hasMessageContaining(NOT_FOR_SNS);
        verifier(url, SNS, trusted).verify(message(url));
    }

    @Test
    void theLocalMarketplacesOwnCertificateNeedsNoSnsNameInLocalMode() {
        // like org.pavilion.marketplace.local.SnsSigner's: self-signed, naming the local marketplace
        X509Certificate local = TestCertificates.issuedFor(KEYS, "Pavilion local marketplace SNS signing", List.of(),
                FROM, UNTIL);
        String url = "http://127.0.0.1:8080/local-mturk/sns/cert.pem";
        localBases.add(URI.create("http://127.0.0.1:8080/local-mturk/"));
        verifier(url, local, List.of()).verify(message(url));
        localBases.clear(); // not local mode: the same URL is refused
        assertThatThrownBy(() -> verifier(url, local, List.of()).verify(message(url)))
                .isInstanceOf(SnsVerificationException.class).hasMessageContaining("not https");
    }

    @Test
    void subscribeUrlsFollowTheSameHostRule() {
        SnsTrustPolicy policy = new SnsTrustPolicy(List.of(SnsSigner.TOPIC), List.of(), List.of(), List::of);
        String query = "/?Action=ConfirmSubscription&TopicArn=" + SnsSigner.TOPIC + "&Token=t";
        for (String good : List.of("https://sns.us-east-1.amazonaws.com" + query,
                "https://sns.cn-north-1.amazonaws.com.cn" + query, "https://sns.us-gov-west-1.amazonaws.com" + query)) {
            assertThat(policy.checkSubscribeUrl(good)).as(good).isEqualTo(URI.create(good));
        }
        Map<String, String> refused = Map.of(
                "https://sns.s3.amazonaws.com" + query, REFUSED_HOST,
                "https://sns.us-east-1.amazonaws.com.evil.com" + query, REFUSED_HOST,
                "https://evil.com" + query, REFUSED_HOST,
                "https://sns.us-east-1.amazonaws.com.cn" + query, REFUSED_HOST,
                "http://sns.us-east-1.amazonaws.com" + query, "not https",
                "https://sns.us-east-1.amazonaws.com:8443" + query, "https port",
                "https://user@sns.us-east-1.amazonaws.com" + query, "user info");
        refused.forEach((url, reason) -> assertThatThrownBy(() -> policy.checkSubscribeUrl(url)).as(url)
                .isInstanceOf(SnsVerificationException.class).hasMessageContaining(reason));
    }

    SnsSignatureVerifier verifier(String certUrl, X509Certificate served, List<String> trustedCertUrls) {
        URI servedAt = URI.create(certUrl);
        CertificateSource source = url -> {
            fetches.incrementAndGet();
            if (!url.equals(servedAt)) {
                throw new IOException("404");
            }
            return served;
        };
        SnsTrustPolicy policy = new SnsTrustPolicy(List.of(SnsSigner.TOPIC), trustedCertUrls, List.of(),
                () -> localBases);
        return new SnsSignatureVerifier(policy, new CachingCertificateSource(source, 4, Duration.ofHours(1), clock),
                clock, Duration.ofHours(1), Duration.ofMinutes(5));
    }

    SnsMessage message(String certUrl) {
        Map<String, String> fields = SnsSigner.notification("{\"EventDocId\":\"d\"}", UUID.randomUUID().toString(),
                null, NOW, SnsSigner.TOPIC);
        return SnsMessage.parse(SnsSigner.json(signer.sign(fields, "2", certUrl)), null);
    }

    static X509Certificate cert(String commonName, String dnsName) {
        return TestCertificates.issuedFor(KEYS, commonName, List.of(dnsName), FROM, UNTIL);
    }
}
