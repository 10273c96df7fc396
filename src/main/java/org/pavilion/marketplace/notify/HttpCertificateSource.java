package org.pavilion.marketplace.notify;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * Fetches a PEM certificate with the JDK's HTTP client: no redirects (the URL was checked, a
 * redirect would leave it), a timeout, a size limit; HTTPS with the JDK's default trust store.
 */
public final class HttpCertificateSource implements CertificateSource {

    static final int MAX_BYTES = 64 * 1024;

    private final HttpClient http;
    private final Duration timeout;

    public HttpCertificateSource(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public X509Certificate fetch(URI url) throws IOException, CertificateException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching the certificate", e);
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("certificate fetch answered HTTP " + response.statusCode());
            }
            return parsePem(readLimited(in));
        }
    }

    static X509Certificate parsePem(byte[] pem) throws CertificateException {
        Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
        if (!(cert instanceof X509Certificate x509)) {
            throw new CertificateException("not an X.509 certificate");
        }
        return x509;
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) != -1) {
            if (out.size() + n > MAX_BYTES) {
                throw new IOException("certificate larger than " + MAX_BYTES + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
