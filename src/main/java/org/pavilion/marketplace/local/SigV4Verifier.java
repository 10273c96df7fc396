package org.pavilion.marketplace.local;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Checks the AWS Signature Version 4 of a request to the local MTurk API against the local
 * credentials ({@code pavilion.marketplace.local.access-key-id} / {@code secret-access-key}), so
 * that the client's signing is exercised for real.
 *
 * <p>The check re-signs a reconstruction of the received request — its method, raw path and
 * query, exactly the headers named in {@code SignedHeaders} with their received values, and the
 * received body — with the AWS SDK v2's own {@link AwsV4HttpSigner}, at the request's
 * {@code X-Amz-Date}, and compares the signatures in constant time. Before that: the key id must
 * be the local one ({@code UnrecognizedClientException}), the credential scope must be
 * {@code <date>/<region>/mturk-requester/aws4_request} and {@code X-Amz-Date} within
 * {@code max-clock-skew} (15 min) of now ({@code InvalidSignatureException}).
 */
public class SigV4Verifier {

    public static final String SERVICE = "mturk-requester";
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    /** A refused request: {@code type} is AWS's error type, {@code status} the HTTP status. */
    public static final class Refused extends RuntimeException {
        private final String type;
        private final int status;

        Refused(String type, int status, String message) {
            super(message);
            this.type = type;
            this.status = status;
        }

        public String type() {
            return type;
        }

        public int status() {
            return status;
        }
    }

    /** What the verifier needs of a received request. */
    public record Received(String method, String scheme, String host, int port, String rawPath, String rawQuery,
                           Function<String, List<String>> headers, byte[] body) {
    }

    private final String accessKeyId;
    private final String secretAccessKey;
    private final String region;
    private final Duration maxSkew;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    public SigV4Verifier(String accessKeyId, String secretAccessKey, String region, Duration maxSkew, Clock clock) {
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.region = region;
        this.maxSkew = maxSkew;
        this.clock = clock;
    }

    /** @throws Refused when the request is not signed with the local credentials */
    public void verify(Received r) {
        String authorization = first(r.headers().apply("authorization"));
        if (authorization == null || authorization.isBlank()) {
            throw new Refused("MissingAuthenticationTokenException", 403,
                    "Missing Authentication Token: the local marketplace accepts only requests signed with AWS "
                            + "Signature Version 4 using the local credentials (pavilion.marketplace.local.access-key-id"
                            + " / secret-access-key)");
        }
        Map<String, String> auth = parseAuthorization(authorization);
        String credential = auth.get("Credential");
        String signedHeaders = auth.get("SignedHeaders");
        String signature = auth.get("Signature");
        if (credential == null || signedHeaders == null || signature == null) {
            throw new Refused("IncompleteSignatureException", 400, "Authorization header requires 'Credential', "
                    + "'SignedHeaders' and 'Signature' parameters (" + ALGORITHM + ")");
        }
        String[] scope = credential.split("/", -1);
        if (scope.length != 5) {
            throw new Refused("IncompleteSignatureException", 400, "Credential must have the form "
                    + "<access key id>/<date>/<region>/<service>/aws4_request, not '" + credential + "'");
        }
        if (!MessageDigest.isEqual(scope[0].getBytes(StandardCharsets.UTF_8),
                accessKeyId.getBytes(StandardCharsets.UTF_8))) {
            throw new Refused("UnrecognizedClientException", 400, "The security token included in the request is "
                    + "invalid: access key id '" + scope[0] + "' is not the local marketplace's "
                    + "(pavilion.marketplace.local.access-key-id)");
        }
        String amzDate = first(r.headers().apply("x-amz-date"));
        if (amzDate == null) {
            throw new Refused("IncompleteSignatureException", 400,
                    "Authorization requires the X-Amz-Date header (yyyyMMdd'T'HHmmss'Z')");
        }
        Instant date;
        try {
            date = LocalDateTime.parse(amzDate.strip(), AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new Refused("IncompleteSignatureException", 400, "X-Amz-Date '" + amzDate
                    + "' is not of the form yyyyMMdd'T'HHmmss'Z'");
        }
        if (!amzDate.strip().startsWith(scope[1])) {
            throw new Refused("InvalidSignatureException", 400, "Date in Credential scope does not match YYYYMMDD "
                    + "from ISO-8601 version of date from HTTP: '" + scope[1] + "' != '" + amzDate.strip()
                    .substring(0, 8) + "'");
        }
        if (!region.equals(scope[2])) {
            throw new Refused("InvalidSignatureException", 400, "Credential should be scoped to a valid region, "
                    + "not '" + scope[2] + "' (the local marketplace's region is '" + region + "')");
        }
        if (!SERVICE.equals(scope[3])) {
            throw new Refused("InvalidSignatureException", 400, "Credential should be scoped to correct service: '"
                    + SERVICE + "', not '" + scope[3] + "'");
        }
        if (!"aws4_request".equals(scope[4])) {
            throw new Refused("InvalidSignatureException", 400, "Credential should be scoped with a valid "
                    + "terminator: 'aws4_request', not '" + scope[4] + "'");
        }
        Instant now = clock.instant();
        if (date.isBefore(now.minus(maxSkew))) {
            throw new Refused("InvalidSignatureException", 400, "Signature expired: " + amzDate.strip()
                    + " is now earlier than " + AMZ_DATE.format(now.minus(maxSkew).atOffset(ZoneOffset.UTC))
                    + " (" + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC)) + " - " + maxSkew.toMinutes() + " min.)");
        }
        if (date.isAfter(now.plus(maxSkew))) {
            throw new Refused("InvalidSignatureException", 400, "Signature not yet current: " + amzDate.strip()
                    + " is still later than " + AMZ_DATE.format(now.plus(maxSkew).atOffset(ZoneOffset.UTC))
                    + " (" + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC)) + " + " + maxSkew.toMinutes() + " min.)");
        }
        List<String> names = List.of(signedHeaders.split(";"));
        if (!names.contains("host")) {
            throw new Refused("InvalidSignatureException", 400, "'Host' must be a signed header (SignedHeaders="
                    + signedHeaders + ")");
        }
        if (!names.contains("x-amz-date")) {
            throw new Refused("InvalidSignatureException", 400, "'X-Amz-Date' must be a signed header "
                    + "(SignedHeaders=" + signedHeaders + ")");
        }

        SdkHttpRequest.Builder request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(r.method().toUpperCase(Locale.ROOT)))
                .protocol(r.scheme())
                .host(r.host())
                .port(r.port())
                .encodedPath(r.rawPath());
        if (r.rawQuery() != null && !r.rawQuery().isEmpty()) {
            for (String pair : r.rawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                request.appendRawQueryParameter(name, value);
            }
        }
        for (String name : names) {
            List<String> values = r.headers().apply(name);
            if (values == null || values.isEmpty()) {
                throw new Refused("InvalidSignatureException", 400, "SignedHeaders names '" + name
                        + "', which the request does not carry");
            }
            String headerName = "host".equals(name) ? "Host" : "x-amz-date".equals(name) ? "X-Amz-Date" : name;
            for (String v : values) {
                request.appendHeader(headerName, v);
            }
        }
        SignedRequest signed;
        try {
            signed = signer.sign(s -> s.identity(AwsCredentialsIdentity.create(accessKeyId, secretAccessKey))
                    .request(request.build())
                    .payload(ContentStreamProvider.fromByteArray(r.body() == null ? new byte[0] : r.body()))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SERVICE)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                    .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(date, ZoneOffset.UTC)));
        } catch (RuntimeException e) {
            throw new Refused("InvalidSignatureException", 400, "The request cannot be re-signed for checking: "
                    + e.getMessage());
        }
        Map<String, String> expected = parseAuthorization(
                signed.request().firstMatchingHeader("Authorization").orElse(""));
        boolean same = MessageDigest.isEqual(signature.strip().getBytes(StandardCharsets.UTF_8),
                String.valueOf(expected.get("Signature")).getBytes(StandardCharsets.UTF_8));
        if (!same) {
            String hint = signedHeaders.equals(expected.get("SignedHeaders")) ? ""
                    : " (the signer here signs the headers " + expected.get("SignedHeaders") + ", the request lists "
                    + signedHeaders + ")";
            throw new Refused("InvalidSignatureException", 400, "The request signature we calculated does not match "
                    + "the signature you provided. Check your AWS Secret Access Key and signing method "
                    + "(the local marketplace's secret is pavilion.marketplace.local.secret-access-key)" + hint);
        }
    }

    private static Map<String, String> parseAuthorization(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        String h = header.strip();
        if (!h.startsWith(ALGORITHM + " ")) {
            if (!h.isEmpty() && !h.startsWith(ALGORITHM)) {
                throw new Refused("IncompleteSignatureException", 400, "Unsupported Authorization type: only "
                        + ALGORITHM + " (Signature Version 4) is accepted");
            }
            return out;
        }
        List<String> parts = new ArrayList<>(List.of(h.substring(ALGORITHM.length()).split(",")));
        for (String part : parts) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq > 0) {
                out.put(p.substring(0, eq).strip(), p.substring(eq + 1).strip());
            }
        }
        return out;
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
