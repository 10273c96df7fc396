package org.pavilion.marketplace.notify;

import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

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
 * <li>the SigningCertURL is admitted by the {@link SnsTrustPolicy} (https, {@code .pem}, no
 *     user info or other port, host exactly {@code sns.<region>.amazonaws.com} or
 *     {@code sns.<cn-region>.amazonaws.com.cn}; or trusted by configuration);</li>
 * <li>the certificate (fetched, then cached by URL) is valid now, holds an RSA key and, when it
 *     comes from an SNS host, is issued for SNS ({@code sns.amazonaws.com}, or
 *     {@code sns.amazonaws.com.cn} for a China host): its DNS subjectAltNames, or its subject
 *     CN when it has none, name one of the names the policy gives;</li>
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
        SnsTrustPolicy.AdmittedCertificateUrl certUrl = policy.checkCertUrl(m.field("SigningCertURL"));
        X509Certificate cert = certificate(certUrl.url());
        if (!certUrl.certificateNames().isEmpty() && !issuedForOneOf(cert, certUrl.certificateNames())) {
            throw new SnsVerificationException("signing certificate is not issued for SNS");
        }
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

    /**
     * True when the certificate names one of {@code names} exactly (ASCII case aside): its DNS
     * subjectAltNames when it has any, else its subject CNs (RFC 6125 §6.4.4). No wildcards: SNS's
     * certificates name SNS exactly.
     */
    static boolean issuedForOneOf(X509Certificate cert, Set<String> names) {
        List<String> presented = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = cert.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> san : alternatives) {
                    if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String dns) {
                        presented.add(dns);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        if (presented.isEmpty()) {
            presented.addAll(commonNames(cert));
        }
        for (String name : presented) {
            if (names.contains(name.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> commonNames(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        X500Name subject;
        try {
            subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        } catch (IllegalArgumentException e) {
            return out;
        }
        for (RDN rdn : subject.getRDNs(BCStyle.CN)) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                if (BCStyle.CN.equals(atv.getType()) && atv.getValue() instanceof ASN1String value) {
                    out.add(value.getString());
                }
            }
        }
        return out;
    }
}
