package org.pavilion.marketplace.mturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * The headers of a real request as a server receives them, and its SigV4 signature recomputed on
 * the server side twice: with the AWS SDK's signer and with an independent implementation of the
 * algorithm written here.
 */
class MTurkSigningTest {

    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, "
                    + "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");

    private ScriptedMTurkServer server;

    @BeforeEach
    void start() throws Exception {
        server = new ScriptedMTurkServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void headersAreJson11WithTargetAndSigV4Authorization() {
        server.ok("{\"AvailableBalance\": \"12.50\"}");
        MTurkTestSupport.client(server.endpoint()).accountBalance();

        ScriptedMTurkServer.Recorded request = server.last();
        assertEquals("application/x-amz-json-1.1", request.header("Content-Type"));
        assertEquals("MTurkRequesterServiceV20170117.GetAccountBalance", request.header("X-Amz-Target"));
        assertEquals("20260314T150926Z", request.header("X-Amz-Date"));

        Matcher auth = AUTHORIZATION.matcher(request.header("Authorization"));
        assertTrue(auth.matches(), request.header("Authorization"));
        assertEquals(MTurkTestSupport.ACCESS_KEY, auth.group(1));
        assertEquals("20260314", auth.group(2));
        assertEquals("us-east-1", auth.group(3));
        assertEquals("mturk-requester", auth.group(4));
        List<String> signed = Arrays.asList(auth.group(5).split(";"));
        assertTrue(signed.contains("host"), signed.toString());
        assertTrue(signed.contains("x-amz-date"), signed.toString());
        assertTrue(signed.contains("x-amz-target"), signed.toString());
        assertTrue(signed.contains("content-type"), signed.toString());
        // the secret never travels
        assertTrue(request.headers().values().stream().flatMap(List::stream)
                .noneMatch(v -> v.contains(MTurkTestSupport.SECRET_KEY)));
    }

    @Test
    void signatureVerifiesWithTheSdkSignerOnTheServerSide() {
        server.ok("{\"HITTypeId\": \"3AQN9REUTFGXEXAMPLEHITTYPE0001\"}");
        MTurkTestSupport.client(server.endpoint()).createHitType(new org.pavilion.marketplace.Marketplace.HitTypeSpec(
                "Title with ünïcödé & symbols", "D", "k", 50, 600, 60, List.of()));
        ScriptedMTurkServer.Recorded request = server.last();

        String recomputed = sdkAuthorization(request, request.bodyBytes());
        assertEquals(request.header("Authorization"), recomputed);

        // the payload is signed: another body does not verify
        byte[] tampered = request.body().replace("\"Reward\":\"0.50\"", "\"Reward\":\"5.00\"")
                .getBytes(StandardCharsets.UTF_8);
        assertNotEquals(request.body(), new String(tampered, StandardCharsets.UTF_8));
        assertNotEquals(request.header("Authorization"), sdkAuthorization(request, tampered));
    }

    @Test
    void signatureVerifiesWithAnIndependentSigV4Implementation() throws Exception {
        server.ok("{}");
        MTurkTestSupport.client(URI.create(server.endpoint() + "/local-mturk")).approve(
                "3KYQYYSHYV3ZEXAMPLEASSIGN00001", "Thanks");
        ScriptedMTurkServer.Recorded request = server.last();
        assertEquals("/local-mturk/", request.path());

        assertTrue(verifyByHand(request, MTurkTestSupport.SECRET_KEY));
        assertTrue(!verifyByHand(request, "another-secret"));
    }

    /** Recomputes the Authorization header with the SDK's signer over what the server received. */
    private String sdkAuthorization(ScriptedMTurkServer.Recorded request, byte[] body) {
        Matcher auth = AUTHORIZATION.matcher(request.header("Authorization"));
        assertTrue(auth.matches());
        Instant signedAt = Instant.from(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
                .parse(request.header("X-Amz-Date")));
        SdkHttpRequest.Builder http = SdkHttpRequest.builder().method(SdkHttpMethod.valueOf(request.method()))
                .uri(URI.create("http://" + request.header("Host") + request.path()));
        for (String name : auth.group(5).split(";")) {
            if (!name.equals("host")) {
                http.putHeader(name, request.headers().get(name));
            }
        }
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsBasicCredentials.create(auth.group(1), MTurkTestSupport.SECRET_KEY))
                .request(http.build())
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, auth.group(4))
                .putProperty(AwsV4HttpSigner.REGION_NAME, auth.group(3))
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)));
        String authorization = signed.request().firstMatchingHeader("Authorization").orElse(null);
        assertNotNull(authorization);
        return authorization;
    }

    /** SigV4 as documented: canonical request, string to sign, derived key, HMAC. */
    static boolean verifyByHand(ScriptedMTurkServer.Recorded request, String secret) throws Exception {
        Matcher auth = AUTHORIZATION.matcher(request.header("Authorization"));
        assertTrue(auth.matches());
        String date = auth.group(2);
        String region = auth.group(3);
        String service = auth.group(4);
        String signedHeaders = auth.group(5);
        String canonicalHeaders = Arrays.stream(signedHeaders.split(";"))
                .map(name -> name + ":" + String.join(",", request.headers().get(name)).trim().replaceAll("\\s+", " ")
                        + "\n")
                .collect(Collectors.joining());
        String canonicalRequest = request.method() + "\n" + request.path() + "\n" + "" + "\n" + canonicalHeaders
                + "\n" + signedHeaders + "\n" + hex(sha256(request.bodyBytes()));
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + request.header("X-Amz-Date") + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        String signature = hex(hmac(key, stringToSign));
        return signature.equals(auth.group(6));
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes).toLowerCase(Locale.ROOT);
    }

    @Test
    void sigV4HelperReturnsTheHeadersToSend() {
        SigV4 signer = new SigV4("mturk-requester", "us-east-1", MTurkTestSupport.CLOCK);
        Map<String, String> headers = signer.signPost(URI.create("https://mturk-requester.us-east-1.amazonaws.com/"),
                Map.of("Content-Type", "application/x-amz-json-1.1",
                        "X-Amz-Target", "MTurkRequesterServiceV20170117.GetAccountBalance"),
                "{}", AwsBasicCredentials.create(MTurkTestSupport.ACCESS_KEY, MTurkTestSupport.SECRET_KEY));
        assertEquals("mturk-requester.us-east-1.amazonaws.com", headers.get("Host"));
        assertEquals("20260314T150926Z", headers.get("X-Amz-Date"));
        assertTrue(headers.get("Authorization").startsWith("AWS4-HMAC-SHA256 Credential=" + MTurkTestSupport.ACCESS_KEY
                + "/20260314/us-east-1/mturk-requester/aws4_request, SignedHeaders="), headers.get("Authorization"));
    }
}
