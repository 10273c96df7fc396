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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** SPEC §4.8 signature rules, one by one, without the network or a database. */
class SnsSignatureVerifierTest {

    static final KeyPair KEYS = TestCertificates.rsaKeyPair();
    static final KeyPair OTHER_KEYS = TestCertificates.rsaKeyPair();
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final X509Certificate CERT = TestCertificates.selfSigned(KEYS, "sns.amazonaws.com",
            NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)));
    static final String LOCAL_CERT = "http://127.0.0.1:8080/local-mturk/sns/cert.pem";

    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final SnsSigner signer = new SnsSigner(KEYS.getPrivate());
    final Map<URI, X509Certificate> served = new HashMap<>();
    final AtomicInteger fetches = new AtomicInteger();
    final List<URI> localBases = new ArrayList<>();

    SnsSignatureVerifier verifier(List<String> trustedCertUrls) {
        CertificateSource source = url -> {
            fetches.incrementAndGet();
            X509Certificate c = served.get(url);
            if (c == null) {
                throw new IOException("404");
            }
            return c;
        };
        SnsTrustPolicy policy = new SnsTrustPolicy(List.of(SnsSigner.TOPIC), trustedCertUrls, List.of(),
                () -> localBases);
        return new SnsSignatureVerifier(policy, new CachingCertificateSource(source, 4, Duration.ofHours(1), clock),
                clock, Duration.ofHours(1), Duration.ofMinutes(5));
    }

    SnsSignatureVerifier verifier() {
        served.put(URI.create(SnsSigner.CERT_URL), CERT);
        return verifier(List.of());
    }

    static Map<String, String> note(String message) {
        return SnsSigner.notification(message, UUID.randomUUID().toString(), null, NOW, SnsSigner.TOPIC);
    }

    static SnsMessage parse(Map<String, String> fields) {
        return SnsMessage.parse(SnsSigner.json(fields), null);
    }

    void refused(SnsSignatureVerifier v, Map<String, String> fields, String reason) {
        assertThatThrownBy(() -> v.verify(parse(fields))).isInstanceOf(SnsVerificationException.class)
                .hasMessageContaining(reason);
    }

    // ---- accepted ----------------------------------------------------------------------------

    @Test
    void validVersion1AndVersion2NotificationsAreAccepted() {
        SnsSignatureVerifier v = verifier();
        v.verify(parse(signer.sign(note("{\"EventDocId\":\"d1\"}"), "1", SnsSigner.CERT_URL)));
        v.verify(parse(signer.sign(note("{\"EventDocId\":\"d2\"}"), "2", SnsSigner.CERT_URL)));
    }

    @Test
    void aSubjectIsSignedBetweenMessageIdAndTimestamp() {
        SnsSignatureVerifier v = verifier();
        Map<String, String> withSubject = SnsSigner.notification("hello", "m-1", "A subject", NOW, SnsSigner.TOPIC);
        v.verify(parse(signer.sign(withSubject, "2", SnsSigner.CERT_URL)));
        assertThat(new String(parse(signer.sign(withSubject, "2", SnsSigner.CERT_URL)).stringToSign()))
                .isEqualTo("Message\nhello\nMessageId\nm-1\nSubject\nA subject\nTimestamp\n" + NOW
                        + "\nTopicArn\n" + SnsSigner.TOPIC + "\nType\nNotification\n");
    }

    @Test
    void validConfirmationsAreAccepted() {
        SnsSignatureVerifier v = verifier();
        for (String type : List.of("SubscriptionConfirmation", "UnsubscribeConfirmation")) {
            for (String version : List.of("1", "2")) {
                Map<String, String> f = SnsSigner.confirmation(type,
                        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=x", NOW, SnsSigner.TOPIC);
                v.verify(parse(signer.sign(f, version, SnsSigner.CERT_URL)));
            }
        }
    }

    @Test
    void theCertificateIsFetchedOnceAndCached() {
        SnsSignatureVerifier v = verifier();
        for (int i = 0; i < 5; i++) {
            v.verify(parse(signer.sign(note("m" + i), i % 2 == 0 ? "1" : "2", SnsSigner.CERT_URL)));
        }
        assertThat(fetches).hasValue(1);
    }

    @Test
    void theChinaPartitionHostIsAnSnsHost() {
        String cn = "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem";
        served.put(URI.create(cn), TestCertificates.selfSigned(KEYS, "sns.amazonaws.com.cn",
                NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365))));
        verifier(List.of()).verify(parse(signer.sign(note("x"), "2", cn)));
    }

    // ---- refused -----------------------------------------------------------------------------

    @Test
    void aTamperedMessageIsRefused() {
        SnsSignatureVerifier v = verifier();
        Map<String, String> signed = signer.sign(note("{\"EventDocId\":\"d1\"}"), "2", SnsSigner.CERT_URL);
        for (String field : List.of("Message", "MessageId", "Timestamp", "Type")) {
            Map<String, String> tampered = new java.util.LinkedHashMap<>(signed);
            String value = field.equals("Timestamp") ? NOW.minusSeconds(1).toString()
                    : field.equals("Type") ? "Notification" : signed.get(field) + "x";
            if (field.equals("Type")) {
                tampered.put("Subject", "added after signing");
            } else {
                tampered.put(field, value);
            }
            refused(v, tampered, "bad signature");
        }
        Map<String, String> otherTopic = new java.util.LinkedHashMap<>(signed);
        otherTopic.put("TopicArn", "arn:aws:sns:us-east-1:000000000000:other");
        refused(v, otherTopic, "untrusted topic");
    }

    @Test
    void aWrongFieldOrderIsRefused() {
        SnsSignatureVerifier v = verifier();
        refused(v, signer.signInOrder(note("m"), "2", SnsSigner.CERT_URL,
                List.of("MessageId", "Message", "Timestamp", "TopicArn", "Type")), "bad signature");
        refused(v, signer.signInOrder(note("m"), "1", SnsSigner.CERT_URL,
                List.of("Type", "TopicArn", "Timestamp", "MessageId", "Message")), "bad signature");
        // the confirmation order applied to a notification (no Token, SubscribeURL): still wrong
        Map<String, String> conf = SnsSigner.confirmation("SubscriptionConfirmation",
                "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription", NOW, SnsSigner.TOPIC);
        refused(v, signer.signInOrder(conf, "2", SnsSigner.CERT_URL,
                List.of("Message", "MessageId", "Timestamp", "Token", "SubscribeURL", "TopicArn", "Type")),
                "bad signature");
    }

    @Test
    void aVersionMismatchIsRefused() {
        SnsSignatureVerifier v = verifier();
        Map<String, String> signedV1 = signer.sign(note("m"), "1", SnsSigner.CERT_URL);
        signedV1.put("SignatureVersion", "2");
        refused(v, signedV1, "bad signature");
        Map<String, String> v3 = signer.sign(note("m"), "2", SnsSigner.CERT_URL);
        v3.put("SignatureVersion", "3");
        refused(v, v3, "unsupported SignatureVersion");
        Map<String, String> none = signer.sign(note("m"), "2", SnsSigner.CERT_URL);
        none.remove("SignatureVersion");
        refused(v, none, "no SignatureVersion");
    }

    @Test
    void unsignedOrUndecodableSignaturesAreRefused() {
        SnsSignatureVerifier v = verifier();
        Map<String, String> unsigned = signer.sign(note("m"), "2", SnsSigner.CERT_URL);
        unsigned.remove("Signature");
        refused(v, unsigned, "unsigned");
        Map<String, String> empty = signer.sign(note("m"), "2", SnsSigner.CERT_URL);
        empty.put("Signature", "");
        refused(v, empty, "unsigned");
        Map<String, String> garbage = signer.sign(note("m"), "2", SnsSigner.CERT_URL);
        garbage.put("Signature", "not*base64!");
        refused(v, garbage, "not Base64");
        Map<String, String> noMessage = signer.sign(note("m"), "2", SnsSigner.CERT_URL);
        noMessage.remove("Message");
        refused(v, noMessage, "missing signed field Message");
    }

    @Test
    void aSignatureByAnotherKeyIsRefused() {
        SnsSignatureVerifier v = verifier();
        refused(v, new SnsSigner(OTHER_KEYS.getPrivate()).sign(note("m"), "2", SnsSigner.CERT_URL), "bad signature");
    }

    @Test
    void certificateUrlsOutsideSnsAreRefusedBeforeAnyFetch() {
        SnsSignatureVerifier v = verifier();
        String[][] cases = {
                {"http://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem", "not https"},
                {"https://sns.us-east-1.amazonaws.com.evil.example/cert.pem", "not an SNS host"},
                {"https://evil.example/sns.us-east-1.amazonaws.com.pem", "not an SNS host"},
                {"https://sns.us-east-1.amazonaws.com@evil.example/cert.pem", "user info"},
                {"https://snsXus-east-1.amazonaws.com/cert.pem", "not an SNS host"},
                {"https://sqs.us-east-1.amazonaws.com/cert.pem", "not an SNS host"},
                {"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.crt", "does not end in .pem"},
                {"https://sns.us-east-1.amazonaws.com/cert.pem?x=1", "has a query"},
                {"https://sns.us-east-1.amazonaws.com:8443/cert.pem", "https port"},
                {"ftp://sns.us-east-1.amazonaws.com/cert.pem", "not https"},
                {"/SimpleNotificationService-test.pem", "not an absolute URL"},
                {"http://127.0.0.1:8080/local-mturk/sns/cert.pem", "not https"},
        };
        for (String[] c : cases) {
            refused(v, signer.sign(note("m"), "2", c[0]), c[1]);
        }
        assertThat(fetches).hasValue(0);
        Map<String, String> none = signer.sign(note("m"), "2", SnsSigner.CERT_URL);
        none.remove("SigningCertURL");
        refused(v, none, "no certificate URL");
    }

    @Test
    void anUnknownTopicIsRefused() {
        Map<String, String> f = SnsSigner.notification("m", "id", null, NOW, "arn:aws:sns:us-east-1:1:someone-else");
        refused(verifier(), signer.sign(f, "2", SnsSigner.CERT_URL), "untrusted topic");
    }

    @Test
    void staleAndFutureMessagesAreRefused() {
        SnsSignatureVerifier v = verifier();
        Map<String, String> stale = SnsSigner.notification("m", "id", null, NOW.minus(Duration.ofMinutes(61)),
                SnsSigner.TOPIC);
        refused(v, signer.sign(stale, "2", SnsSigner.CERT_URL), "stale");
        Map<String, String> future = SnsSigner.notification("m", "id", null, NOW.plus(Duration.ofMinutes(6)),
                SnsSigner.TOPIC);
        refused(v, signer.sign(future, "2", SnsSigner.CERT_URL), "future");
        Map<String, String> recent = SnsSigner.notification("m", "id", null, NOW.minus(Duration.ofMinutes(59)),
                SnsSigner.TOPIC);
        v.verify(parse(signer.sign(recent, "2", SnsSigner.CERT_URL)));
        Map<String, String> garbled = SnsSigner.notification("m", "id", null, NOW, SnsSigner.TOPIC);
        garbled.put("Timestamp", "yesterday");
        refused(v, signer.sign(garbled, "2", SnsSigner.CERT_URL), "ISO-8601");
    }

    @Test
    void anExpiredOrUnavailableCertificateIsRefused() {
        String expiredUrl = "https://sns.us-east-1.amazonaws.com/expired.pem";
        served.put(URI.create(expiredUrl), TestCertificates.selfSigned(KEYS, "sns.amazonaws.com",
                NOW.minus(Duration.ofDays(30)), NOW.minus(Duration.ofDays(1))));
        SnsSignatureVerifier v = verifier();
        refused(v, signer.sign(note("m"), "2", expiredUrl), "expired");
        assertThatThrownBy(() -> v.verify(parse(signer.sign(note("m"), "2",
                "https://sns.us-east-1.amazonaws.com/missing.pem"))))
                .isInstanceOfSatisfying(SnsVerificationException.class, e -> {
                    assertThat(e.getMessage()).contains("unavailable");
                    assertThat(e.retryable()).isTrue();
                });
        assertThatThrownBy(() -> v.verify(parse(signer.sign(note("m"), "2", expiredUrl))))
                .isInstanceOfSatisfying(SnsVerificationException.class, e -> assertThat(e.retryable()).isFalse());
    }

    // ---- trusted by configuration --------------------------------------------------------------

    @Test
    void aConfiguredLoopbackCertificateUrlIsTrustedExactlyOrByPrefix() {
        served.put(URI.create(LOCAL_CERT), CERT);
        verifier(List.of(LOCAL_CERT)).verify(parse(signer.sign(note("m"), "1", LOCAL_CERT)));
        verifier(List.of("http://127.0.0.1:8080/local-mturk/")).verify(parse(signer.sign(note("m"), "1", LOCAL_CERT)));
        // another port, path, or a walk out of the prefix is not trusted
        refused(verifier(List.of(LOCAL_CERT)), signer.sign(note("m"), "1",
                "http://127.0.0.1:8081/local-mturk/sns/cert.pem"), "not https");
        refused(verifier(List.of("http://127.0.0.1:8080/local-mturk/")), signer.sign(note("m"), "1",
                "http://127.0.0.1:8080/local-mturk/../evil/cert.pem"), "not https");
        refused(verifier(List.of("http://127.0.0.1:8080/local-mturk/")), signer.sign(note("m"), "1",
                "http://127.0.0.1:8080/local-mturk/%2e%2e/cert.pem"), "not https");
    }

    @Test
    void theLocalMarketplaceCertificateIsTrustedInLocalMode() {
        served.put(URI.create(LOCAL_CERT), CERT);
        served.put(URI.create("http://localhost:8080/local-mturk/sns/cert.pem"), CERT);
        localBases.add(URI.create("http://127.0.0.1:8080/local-mturk/"));
        localBases.add(URI.create("http://localhost:8080/local-mturk/"));
        SnsSignatureVerifier v = verifier(List.of());
        v.verify(parse(signer.sign(note("m"), "1", LOCAL_CERT)));
        v.verify(parse(signer.sign(note("m"), "2", "http://localhost:8080/local-mturk/sns/cert.pem")));
        refused(v, signer.sign(note("m"), "1", "http://127.0.0.1:8080/local-mturk/other.pem"), "not https");
        localBases.clear(); // not local mode
        refused(v, signer.sign(note("m"), "1", LOCAL_CERT), "not https");
    }

    @Test
    void plainHttpIsTrustedInConfigurationOnlyOnLoopback() {
        assertThatThrownBy(() -> new SnsTrustPolicy(List.of(SnsSigner.TOPIC),
                List.of("http://certs.example.org/cert.pem"), List.of(), List::of))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loopback");
        assertThatThrownBy(() -> new SnsTrustPolicy(List.of(SnsSigner.TOPIC), List.of(),
                List.of("http://10.0.0.1/confirm/"), List::of))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loopback");
        new SnsTrustPolicy(List.of(SnsSigner.TOPIC), List.of("https://certs.example.org/cert.pem",
                "http://localhost:9/x.pem", "http://[::1]:9/", "http://127.0.0.2/"), List.of(), List::of);
    }

    @Test
    void subscribeUrlsMustBeSnsOrTrusted() {
        SnsTrustPolicy policy = new SnsTrustPolicy(List.of(SnsSigner.TOPIC), List.of(),
                List.of("http://127.0.0.1:9000/confirm/"), () -> localBases);
        policy.checkSubscribeUrl("https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=t");
        policy.checkSubscribeUrl("http://127.0.0.1:9000/confirm/?Token=t");
        for (String bad : List.of("http://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription",
                "https://evil.example/?Action=ConfirmSubscription", "http://127.0.0.1:9000/other",
                "http://127.0.0.1:9000/confirm/../admin", "https://sns.eu-west-1.amazonaws.com.evil.example/")) {
            assertThatThrownBy(() -> policy.checkSubscribeUrl(bad)).as(bad).isInstanceOf(SnsVerificationException.class);
        }
        localBases.add(URI.create("http://localhost:8080/local-mturk/"));
        policy.checkSubscribeUrl("http://localhost:8080/local-mturk/sns/confirm?token=t");
    }

    // ---- parsing -------------------------------------------------------------------------------

    @Test
    void whatIsNotAnSnsMessageIsMalformed() {
        for (String body : List.of("", "not json", "[1,2]", "{}", "{\"Type\":\"Spam\"}",
                "{\"Type\":\"Notification\",\"Message\":{\"a\":1}}",
                "{\"Type\":\"Notification\",\"Type\":\"Notification\"}")) {
            assertThatThrownBy(() -> SnsMessage.parse(body, null)).as(body)
                    .isInstanceOf(MalformedNotificationException.class);
        }
        String valid = SnsSigner.json(signer.sign(note("m"), "2", SnsSigner.CERT_URL));
        assertThatThrownBy(() -> SnsMessage.parse(valid, "SubscriptionConfirmation"))
                .isInstanceOf(MalformedNotificationException.class);
        assertThat(SnsMessage.parse(valid, "Notification").type()).isEqualTo(SnsMessage.Type.NOTIFICATION);
    }

    @Test
    void eventDocumentsKeepEveryEvent() {
        MturkEventDocument doc = MturkEventDocument.parse(SnsSigner.eventDocument("doc-1",
                new String[] {"AssignmentReturned", "A1", null}, new String[] {"AssignmentAbandoned", "A2", "W2"},
                new String[] {"AssignmentSubmitted", "A3", "W3"}, new String[] {"HITReviewable", null, null},
                new String[] {"Ping"}));
        assertThat(doc.eventDocId()).isEqualTo("doc-1");
        assertThat(doc.events()).extracting(MturkEventDocument.Event::eventType).containsExactly(
                "AssignmentReturned", "AssignmentAbandoned", "AssignmentSubmitted", "HITReviewable", "Ping");
        assertThat(doc.events().get(0).workerId()).isNull();
        assertThat(doc.events().get(1).workerId()).isEqualTo("W2");
        assertThat(doc.events()).extracting(e -> e.departure().map(Enum::name).orElse("-"))
                .containsExactly("RETURN", "ABANDON", "SUBMIT", "-", "-");
        for (String bad : List.of("", "[]", "{\"Events\":[]}", "{\"EventDocId\":\"d\"}",
                "{\"EventDocId\":\"d\",\"Events\":[1]}", "{\"EventDocId\":\"d\",\"Events\":[{}]}")) {
            assertThatThrownBy(() -> MturkEventDocument.parse(bad)).as(bad)
                    .isInstanceOf(MalformedNotificationException.class);
        }
    }

    @Test
    void theCacheIsBoundedAndHonoursNotAfter() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        X509Certificate shortLived = TestCertificates.selfSigned(KEYS, "x", NOW.minusSeconds(60), NOW.plusSeconds(60));
        CachingCertificateSource cache = new CachingCertificateSource(url -> {
            calls.incrementAndGet();
            return url.getPath().contains("short") ? shortLived : CERT;
        }, 2, Duration.ofHours(1), clock);
        cache.fetch(URI.create("https://a/1.pem"));
        cache.fetch(URI.create("https://a/2.pem"));
        cache.fetch(URI.create("https://a/3.pem"));
        assertThat(cache.size()).isEqualTo(2);
        cache.fetch(URI.create("https://a/3.pem"));
        assertThat(calls).hasValue(3);

        MutableInstantClock moving = new MutableInstantClock(NOW);
        CachingCertificateSource expiring = new CachingCertificateSource(url -> {
            calls.incrementAndGet();
            return shortLived;
        }, 2, Duration.ofHours(1), moving);
        expiring.fetch(URI.create("https://a/short.pem"));
        expiring.fetch(URI.create("https://a/short.pem"));
        assertThat(expiring.fetches()).isEqualTo(1);
        moving.now = NOW.plus(2, ChronoUnit.MINUTES);
        expiring.fetch(URI.create("https://a/short.pem"));
        assertThat(expiring.fetches()).isEqualTo(2);
    }

    static final class MutableInstantClock extends Clock {
        volatile Instant now;

        MutableInstantClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
