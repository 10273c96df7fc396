package org.pavilion.marketplace.notify;

import java.io.IOException;
import java.net.URI;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps fetched certificates by URL: at most {@code capacity} (least recently used go first),
 * each for at most {@code ttl} and never past its own {@code notAfter}. Failures are not kept.
 */
public final class CachingCertificateSource implements CertificateSource {

    private record Entry(X509Certificate certificate, Instant until) {
    }

    private final CertificateSource delegate;
    private final Clock clock;
    private final Duration ttl;
    private final Map<URI, Entry> cache;
    private final AtomicLong fetches = new AtomicLong();

    public CachingCertificateSource(CertificateSource delegate, int capacity, Duration ttl, Clock clock) {
        this.delegate = delegate;
        this.clock = clock;
        this.ttl = ttl;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<URI, Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public X509Certificate fetch(URI url) throws IOException, CertificateException {
        Instant now = clock.instant();
        synchronized (cache) {
            Entry e = cache.get(url);
            if (e != null && now.isBefore(e.until())) {
                return e.certificate();
            }
            cache.remove(url);
        }
        // Fetched outside the lock: a slow host must not hold up messages signed with cached certificates.
        fetches.incrementAndGet();
        X509Certificate cert = delegate.fetch(url);
        Instant until = now.plus(ttl);
        Instant notAfter = cert.getNotAfter().toInstant();
        if (notAfter.isBefore(until)) {
            until = notAfter;
        }
        synchronized (cache) {
            cache.put(url, new Entry(cert, until));
        }
        return cert;
    }

    /** How many times the delegate was asked (cache misses). */
    public long fetches() {
        return fetches.get();
    }

    public int size() {
        synchronized (cache) {
            return cache.size();
        }
    }
}
