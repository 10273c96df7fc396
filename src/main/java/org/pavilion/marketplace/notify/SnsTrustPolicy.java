package org.pavilion.marketplace.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What an SNS delivery may name (SPEC §4.8): the topics we subscribed to, certificate URLs
 * ({@code https}, ending in {@code .pem}, on an {@link SnsHost SNS host}, or trusted by
 * configuration) and SubscribeURLs (same hosts, or trusted by configuration).
 *
 * <p>An SNS host is exactly {@code sns.<region>.amazonaws.com}, or
 * {@code sns.<cn-region>.amazonaws.com.cn} in the China partition, where the region is
 * region-shaped ({@code us-east-1}, {@code us-gov-west-1}, {@code cn-north-1}): a looser pattern
 * also admits {@code sns.s3.amazonaws.com}, an S3 bucket host whose content whoever owns the
 * bucket controls. A certificate from an SNS host must also be issued for SNS (the names are in
 * {@link AdmittedCertificateUrl#certificateNames()}), as AWS advises.
 *
 * <p>Configured URLs are exact URLs or prefixes ending in {@code /}; plain {@code http} is
 * accepted in configuration only for a loopback host (the local marketplace). The local
 * marketplace's URLs (this server's {@code /local-mturk/}) come from {@code localBases}, asked
 * on each check because this server's port is known only once it listens.
 */
public final class SnsTrustPolicy {

    /** An AWS region name: two letters, an optional GovCloud/ISO mark, a direction, one digit. */
    static final Pattern REGION = Pattern.compile("[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d");
    /** {@code sns.<region>.amazonaws.com}, and the China partition's {@code .com.cn}. */
    public static final Pattern SNS_HOST = Pattern.compile("sns\\.(" + REGION.pattern() + ")\\.amazonaws\\.com(\\.cn)?");
    /** Where the local marketplace serves its signing certificate, under its base. */
    public static final String LOCAL_CERT_PATH = "sns/cert.pem";

    private final Set<String> topics;
    private final List<String> certUrls;
    private final List<String> subscribeUrls;
    private final Supplier<? extends Collection<URI>> localBases;

    /**
     * @param topics         the trusted topic ARNs (exact)
     * @param certUrls       configured certificate URLs (exact, or prefixes ending in {@code /})
     * @param subscribeUrls  configured SubscribeURL prefixes (or exact URLs)
     * @param localBases     the local marketplace's base URLs (each ending in {@code /}); empty when not local
     */
    public SnsTrustPolicy(Collection<String> topics, Collection<String> certUrls, Collection<String> subscribeUrls,
                          Supplier<? extends Collection<URI>> localBases) {
        this.topics = Set.copyOf(topics);
        if (this.topics.isEmpty()) {
            throw new IllegalArgumentException("pavilion.marketplace.sns: no trusted topic");
        }
        this.certUrls = canonicalEntries(certUrls, "trusted-cert-urls");
        this.subscribeUrls = canonicalEntries(subscribeUrls, "trusted-subscribe-urls");
        this.localBases = localBases;
    }

    public Set<String> topics() {
        return topics;
    }

    public void checkTopic(String topicArn) {
        if (topicArn == null || !topics.contains(topicArn)) {
            throw new SnsVerificationException("untrusted topic");
        }
    }

    /**
     * A SigningCertURL that may be fetched, and the names its certificate must be issued for (one
     * of them): SNS's names when the host is an {@link SnsHost SNS host}, none for a URL trusted by
     * configuration or the local marketplace's own (its self-signed certificate names no SNS host).
     */
    public record AdmittedCertificateUrl(URI url, Set<String> certificateNames) {
        public AdmittedCertificateUrl {
            certificateNames = Set.copyOf(certificateNames);
        }
    }

    /**
     * SNS's own host: {@code sns.<region>.amazonaws.com}, or {@code sns.<cn-region>.amazonaws.com.cn}
     * in the China partition (and only there).
     */
    public record SnsHost(String region, boolean china) {

        /** The host if it is SNS's own (case-insensitive), else empty. */
        public static Optional<SnsHost> of(String host) {
            if (host == null) {
                return Optional.empty();
            }
            var m = SNS_HOST.matcher(host.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                return Optional.empty();
            }
            String region = m.group(1);
            boolean china = m.group(2) != null;
            // China regions are served only under .com.cn, and .com.cn serves only China regions
            if (region.startsWith("cn-") != china) {
                return Optional.empty();
            }
            return Optional.of(new SnsHost(region, china));
        }

        /**
         * The names SNS issues its signing certificates for, in this host's partition: {@code
         * sns.amazonaws.com} (or {@code sns.amazonaws.com.cn}), and the regional names AWS's own
         * SNS message manager expects for opt-in, GovCloud and China regions. The China partition's
         * names are accepted only for China hosts, and the others only outside it.
         */
        public Set<String> certificateNames() {
            if (china) {
                return Set.of("sns.amazonaws.com.cn", "sns-" + region + ".amazonaws.com.cn");
            }
            if (region.contains("-gov-")) {
                return Set.of("sns.amazonaws.com", "sns-us-gov-west-1.amazonaws.com");
            }
            return Set.of("sns.amazonaws.com", "sns-signing." + region + ".amazonaws.com");
        }
    }

    /** Admits a SigningCertURL or says why not. Returns the URL to fetch and the names its certificate must carry. */
    public AdmittedCertificateUrl checkCertUrl(String value) {
        URI url = parse(value, "certificate URL");
        if (url.getRawQuery() != null) {
            throw new SnsVerificationException("certificate URL has a query");
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        if (!path.toLowerCase(Locale.ROOT).endsWith(".pem")) {
            throw new SnsVerificationException("certificate URL does not end in .pem");
        }
        String canonical = canonical(url);
        boolean trusted = matches(canonical, path, certUrls) || localBases.get().stream()
                .anyMatch(base -> canonical.equals(canonical(base.resolve(LOCAL_CERT_PATH))));
        if (!trusted) {
            requireSnsHost(url, "certificate");
        }
        // An SNS host's certificate must name SNS however the URL was admitted.
        Set<String> names = SnsHost.of(url.getHost()).map(SnsHost::certificateNames).orElse(Set.of());
        return new AdmittedCertificateUrl(url, names);
    }

    /**
     * Whether a message was signed by this server's own local marketplace (its certificate URL is under a local
     * base): such a message may speak only of sessions on the local marketplace, never of MTurk's.
     */
    public boolean signedLocally(String signingCertUrl) {
        if (signingCertUrl == null) {
            return false;
        }
        try {
            String canonical = canonical(parse(signingCertUrl, "certificate URL"));
            return localBases.get().stream()
                    .anyMatch(base -> canonical.equals(canonical(base.resolve(LOCAL_CERT_PATH))));
        } catch (SnsVerificationException e) {
            return false;
        }
    }

    /** Admits a SubscribeURL or says why not. Returns the URL to GET. */
    public URI checkSubscribeUrl(String value) {
        URI url = parse(value, "SubscribeURL");
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        String canonical = canonical(url);
        if (matches(canonical, path, subscribeUrls)) {
            return url;
        }
        for (URI base : localBases.get()) {
            if (safePath(path) && canonical.startsWith(canonical(base))) {
                return url;
            }
        }
        requireSnsHost(url, "SubscribeURL");
        return url;
    }

    private static void requireSnsHost(URI url, String what) {
        if (!"https".equals(url.getScheme().toLowerCase(Locale.ROOT))) {
            throw new SnsVerificationException(what + " is not https");
        }
        if (SnsHost.of(url.getHost()).isEmpty()) {
            throw new SnsVerificationException(what + " host is not an SNS host");
        }
        if (url.getPort() != -1 && url.getPort() != 443) {
            throw new SnsVerificationException(what + " is not on the https port");
        }
    }

    private static boolean matches(String canonical, String rawPath, List<String> entries) {
        for (String entry : entries) {
            if (entry.endsWith("/") ? canonical.startsWith(entry) && safePath(rawPath) : canonical.equals(entry)) {
                return true;
            }
        }
        return false;
    }

    /** No dot segments, escapes or backslashes: a prefix match must not be walked out of. */
    private static boolean safePath(String rawPath) {
        if (rawPath.contains("%") || rawPath.contains("\\") || rawPath.contains("//")) {
            return false;
        }
        for (String segment : rawPath.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static URI parse(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new SnsVerificationException("no " + what);
        }
        if (value.length() > 2048) {
            throw new SnsVerificationException(what + " too long");
        }
        URI url;
        try {
            url = new URI(value);
        } catch (URISyntaxException e) {
            throw new SnsVerificationException(what + " is not a URL");
        }
        if (!url.isAbsolute() || url.isOpaque() || url.getHost() == null) {
            throw new SnsVerificationException(what + " is not an absolute URL");
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new SnsVerificationException(what + " is not https");
        }
        if (url.getRawUserInfo() != null || url.getRawFragment() != null) {
            throw new SnsVerificationException(what + " has user info or a fragment");
        }
        return url;
    }

    /** scheme://host:port/path?query with scheme and host in lower case and the port explicit. */
    static String canonical(URI url) {
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        int port = url.getPort() != -1 ? url.getPort() : scheme.equals("https") ? 443 : 80;
        String host = url.getHost().toLowerCase(Locale.ROOT);
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return scheme + "://" + host + ":" + port + path + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    }

    /** True for localhost, 127.0.0.0/8 and ::1 written literally. */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static List<String> canonicalEntries(Collection<String> entries, String property) {
        List<String> out = new ArrayList<>();
        for (String entry : entries) {
            if (entry == null || entry.isBlank()) {
                continue;
            }
            URI url;
            try {
                url = new URI(entry.strip());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("pavilion.marketplace.sns." + property + ": not a URL: " + entry);
            }
            if (!url.isAbsolute() || url.getHost() == null || url.getRawUserInfo() != null
                    || url.getRawFragment() != null) {
                throw new IllegalArgumentException("pavilion.marketplace.sns." + property
                        + ": needs an absolute http(s) URL without user info or fragment: " + entry);
            }
            String scheme = url.getScheme().toLowerCase(Locale.ROOT);
            boolean ok = scheme.equals("https") || scheme.equals("http") && isLoopback(url.getHost());
            if (!ok) {
                throw new IllegalArgumentException("pavilion.marketplace.sns." + property
                        + ": only https, or http on a loopback host, may be trusted: " + entry);
            }
            out.add(canonical(url));
        }
        return List.copyOf(out);
    }
}
