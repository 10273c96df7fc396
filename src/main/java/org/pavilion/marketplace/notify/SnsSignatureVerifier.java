package org.pavilion.marketplace.notify;

import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * Proves that an SNS delivery comes from a trusted topic (SPEC §4.8), cheapest checks first:
 *
 * <ol>
 * <li>the fields the message's type signs are all present, and Signature, SignatureVersion,
 *     SigningCertURL are present;</li>
 * <li>SignatureVersion is {@code 1} (SHA1withRSA) or {@code 2} (SHA256withRSA);</li>
 * <li>the TopicArn is trusted;</li>
 * <li>the Timestamp parses and is neither older than {@code maxAge} nor further than
 *     {@code maxClockSkew} in the future;</li>
 * <li>the SigningCertURL is admitted by the {@link SnsTrustPolicy} (https, {@code .pem},
 *     {@code sns.<region>.amazonaws.com}, or trusted by configuration);</li>
 * <li>the certificate (fetched, then cached by URL) is valid now and holds an RSA key;</li>
 * <li>the Base64 Signature verifies over {@code Key\nValue\n} of the signed fields in the
 *     documented order.</li>
 * </ol>
 *
 * Any failure throws {@link SnsVerificationException} with a short reason of our own; only a
 * certificate that could not be fetched (I/O) from an admitted URL is {@linkplain
 * SnsVerificationException#retryable() retryable}.
 */
public final class SnsSignatureVerifier {

    private final SnsTrustPolicy policy;
    private final CertificateSource certificates;
    private final Clock clock;
    private final Duration maxAge;
    private final Duration maxClockSkew;

    public SnsSignatureVerifier(SnsTrustPolicy policy, CertificateSource certificates, Clock clock,
                                Duration maxAge, Duration maxClockSkew) {
        this.policy = policy;
        this.certificates = certificates;
        this.clock = clock;
        this.maxAge = maxAge;
        this.maxClockSkew = maxClockSkew;
    }

    public SnsTrustPolicy policy() {
        return policy;
    }

    /** Returns normally only for a message proven to come from a trusted topic. */
    public void verify(SnsMessage m) {
        String signature = m.field("Signature");
        if (signature == null || signature.isBlank()) {
            throw new SnsVerificationException("unsigned");
        }
        m.missingSignedKey().ifPresent(k -> {
            throw new SnsVerificationException("missing signed field " + k);
        });
        String algorithm = algorithm(m.field("SignatureVersion"));
        policy.checkTopic(m.topicArn());
        checkFresh(m.timestamp());
        URI certUrl = policy.checkCertUrl(m.field("SigningCertURL"));
        X509Certificate cert = certificate(certUrl);
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signature.strip());
        } catch (IllegalArgumentException e) {
            throw new SnsVerificationException("signature is not Base64");
        }
        boolean valid;
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(m.stringToSign());
            valid = verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            valid = false;
        }
        if (!valid) {
            throw new SnsVerificationException("bad signature");
        }
    }

    /** SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA; anything else is refused. */
    static String algorithm(String signatureVersion) {
        if (signatureVersion == null) {
            throw new SnsVerificationException("no SignatureVersion");
        }
        switch (signatureVersion) {
            case "1":
                return "SHA1withRSA";
            case "2":
                return "SHA256withRSA";
            default:
                throw new SnsVerificationException("unsupported SignatureVersion");
        }
    }

    private void checkFresh(String timestamp) {
        Instant at;
        try {
            at = OffsetDateTime.parse(timestamp).toInstant();
        } catch (DateTimeParseException | NullPointerException e) {
            throw new SnsVerificationException("Timestamp is not an ISO-8601 time");
        }
        Instant now = clock.instant();
        if (at.isBefore(now.minus(maxAge))) {
            throw new SnsVerificationException("stale message");
        }
        if (at.isAfter(now.plus(maxClockSkew))) {
            throw new SnsVerificationException("Timestamp is in the future");
        }
    }

    private X509Certificate certificate(URI url) {
        X509Certificate cert;
        try {
            cert = certificates.fetch(url);
        } catch (IOException e) {
            // a network failure on an admitted URL: SNS should deliver again later
            throw new SnsVerificationException("signing certificate unavailable", e, true);
        } catch (CertificateException | RuntimeException e) {
            throw new SnsVerificationException("signing certificate unusable", e, false);
        }
        if (cert == null) {
            throw new SnsVerificationException("signing certificate unavailable");
        }
        try {
            cert.checkValidity(java.util.Date.from(clock.instant()));
        } catch (CertificateException e) {
            throw new SnsVerificationException("signing certificate expired or not yet valid");
        }
        PublicKey key = cert.getPublicKey();
        if (!(key instanceof RSAPublicKey rsa) || rsa.getModulus().bitLength() < 1024) {
            throw new SnsVerificationException("signing certificate has no RSA key");
        }
        return cert;
    }
}
