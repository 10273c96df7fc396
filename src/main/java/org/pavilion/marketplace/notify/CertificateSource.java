package org.pavilion.marketplace.notify;

import java.io.IOException;
import java.net.URI;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * Gets the X.509 certificate at an SNS {@code SigningCertURL}. Called only for URLs the trust
 * policy already admitted; the verifier caches what it returns. Pluggable so that tests (and
 * the local marketplace) can serve certificates without the network.
 */
@FunctionalInterface
public interface CertificateSource {
    X509Certificate fetch(URI url) throws IOException, CertificateException;
}
