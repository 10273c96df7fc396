package org.pavilion.marketplace.local;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Signs the local marketplace's SNS messages the way SNS does: an RSA key pair made at startup,
 * a self-signed X.509 certificate for it (served as PEM at {@code /local-mturk/sns/cert.pem}),
 * and a signature over SNS's string to sign — {@code "Key\nValue\n"} for each signed field present,
 * in SNS's documented order:
 * <ul>
 * <li>Notification: Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type;</li>
 * <li>SubscriptionConfirmation and UnsubscribeConfirmation: Message, MessageId, SubscribeURL,
 * Timestamp, Token, TopicArn, Type.</li>
 * </ul>
 * SignatureVersion {@code 1} is SHA1withRSA, {@code 2} SHA256withRSA.
 */
public final class SnsSigner {

    public static final List<String> NOTIFICATION_FIELDS =
            List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type");
    public static final List<String> CONFIRMATION_FIELDS =
            List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type");

    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final String certificatePem;
    private final String signatureVersion;

    public SnsSigner(String signatureVersion) {
        this.signatureVersion = algorithm(signatureVersion) != null ? signatureVersion : "1";
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, new SecureRandom());
            this.keyPair = generator.generateKeyPair();
            this.certificate = selfSigned(keyPair);
            StringWriter out = new StringWriter();
            try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
                pem.writeObject(certificate);
            }
            this.certificatePem = out.toString();
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make the local SNS signing key and certificate", e);
        }
    }

    /** The Java algorithm of a SignatureVersion, or null when unknown. */
    public static String algorithm(String signatureVersion) {
        if ("1".equals(signatureVersion)) {
            return "SHA1withRSA";
        }
        if ("2".equals(signatureVersion)) {
            return "SHA256withRSA";
        }
        return null;
    }

    /** SNS's string to sign for a message of the given fields (its Type decides which fields). */
    public static String stringToSign(Map<String, String> message) {
        List<String> order = "Notification".equals(message.get("Type")) ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
        StringBuilder s = new StringBuilder();
        for (String key : order) {
            String value = message.get(key);
            if (value != null) {
                s.append(key).append('\n').append(value).append('\n');
            }
        }
        return s.toString();
    }

    /** Base64 signature of the message's string to sign with the configured SignatureVersion. */
    public String sign(Map<String, String> message) {
        try {
            Signature s = Signature.getInstance(algorithm(signatureVersion));
            s.initSign(keyPair.getPrivate());
            s.update(stringToSign(message).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign an SNS message", e);
        }
    }

    /** Checks a message's Signature against this signer's certificate (for tests and diagnostics). */
    public static boolean verify(Map<String, String> message, PublicKey key) {
        String algorithm = algorithm(message.get("SignatureVersion"));
        String signature = message.get("Signature");
        if (algorithm == null || signature == null) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(key);
            s.update(stringToSign(message).getBytes(StandardCharsets.UTF_8));
            return s.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    public String signatureVersion() {
        return signatureVersion;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The certificate as PEM ({@code -----BEGIN CERTIFICATE-----}). */
    public String certificatePem() {
        return certificatePem;
    }

    private static X509Certificate selfSigned(KeyPair keyPair)
            throws OperatorCreationException, GeneralSecurityException, IOException {
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=Pavilion local marketplace SNS signing,O=Pavilion local marketplace (not Amazon)");
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650))), name,
                keyPair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(keyPair.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }
}
