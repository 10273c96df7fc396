package org.pavilion.marketplace.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Shared by the local marketplace's Spring tests: one set of properties (so the tests share one
 * application context), an SNS receiver at {@code /test-sns-receiver} (the local notify-url), and
 * MTurk API calls signed with the AWS SDK v2's SigV4 signer.
 */
final class LocalTestSupport {

    /** The local credentials' defaults (MarketplaceSettings.Local). */
    static final String ACCESS_KEY = "LOCALPAVILIONKEY";
    static final String SECRET = "local-marketplace-secret-not-for-aws";

    static final String P1 = "pavilion.database.embedded=mem";
    static final String P2 = "pavilion.marketplace.local.notify-url=/test-sns-receiver";
    static final String P3 = "pavilion.marketplace.local.min-assignment-duration=1s";
    static final String P4 = "pavilion.marketplace.local.sweep-interval=100ms";
    static final String P5 = "pavilion.marketplace.local.delivery-backoff=50ms";

    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static final JsonMapper JSON = JsonMapper.builder().build();

    private LocalTestSupport() {
    }

    /** What the test SNS subscriber received: every POST, in order of arrival. */
    static final class SnsInbox {
        record Received(Map<String, String> headers, String body, JsonNode json, int answeredStatus) {
            String field(String name) {
                JsonNode v = json.get(name);
                return v == null || v.isNull() ? null : v.stringValue();
            }

            /** The message's string fields, for signature checks. */
            Map<String, String> fields() {
                Map<String, String> out = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : json.properties()) {
                    out.put(e.getKey(), e.getValue().stringValue());
                }
                return out;
            }
        }

        private final List<Received> received = new CopyOnWriteArrayList<>();
        private final AtomicInteger failNext = new AtomicInteger();
        private volatile String failTopic;

        /** The next {@code n} deliveries of the topic are answered 503. */
        void failNext(String topicArn, int n) {
            failTopic = topicArn;
            failNext.set(n);
        }

        List<Received> all() {
            return List.copyOf(received);
        }

        /** The messages answered 2xx for a topic, in order of arrival. */
        List<Received> accepted(String topicArn) {
            return received.stream().filter(r -> r.answeredStatus() == 200)
                    .filter(r -> topicArn.equals(r.field("TopicArn"))).collect(Collectors.toList());
        }

        List<Received> accepted(String topicArn, Predicate<Received> filter) {
            return accepted(topicArn).stream().filter(filter).collect(Collectors.toList());
        }

        int add(Map<String, String> headers, String body) {
            JsonNode json = JSON.readTree(body);
            JsonNode topic = json.get("TopicArn");
            boolean mine = topic != null && topic.isString() && topic.stringValue().equals(failTopic);
            int status = mine && failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 503 : 200;
            received.add(new Received(headers, body, json, status));
            return status;
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Receiver {
        @Bean
        SnsInbox snsInbox() {
            return new SnsInbox();
        }

        /** A subscriber's endpoint, not Pavilion's: open (the app's security denies unknown paths). */
        @Bean
        @Order(0)
        SecurityFilterChain testSnsReceiverSecurity(HttpSecurity http) throws Exception {
            return http.securityMatcher("/test-sns-receiver")
                    .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                    .csrf(c -> c.disable())
                    .build();
        }

        @Bean
        RouterFunction<ServerResponse> testSnsReceiverRoute(SnsInbox inbox) {
            return RouterFunctions.route().POST("/test-sns-receiver", request -> {
                Map<String, String> headers = new LinkedHashMap<>();
                request.headers().asHttpHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
                int status = inbox.add(headers, request.body(String.class));
                return ServerResponse.status(status).build();
            }).build();
        }
    }

    static URI endpoint(int port) {
        return URI.create("http://localhost:" + port + "/local-mturk/");
    }

    /** An MTurk API call signed with the SDK's SigV4 signer with the given credentials and clock. */
    static HttpResponse<String> call(int port, String operation, String body, String accessKey, String secret,
                                     Clock clock) {
        URI uri = endpoint(port);
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri)
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "MTurkRequesterServiceV20170117." + operation)
                .build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(accessKey, secret))
                .request(request)
                .payload(ContentStreamProvider.fromUtf8String(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "mturk-requester")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body));
        signed.request().forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) {
                values.forEach(v -> b.header(name, v));
            }
        });
        return send(b.build());
    }

    static HttpResponse<String> call(int port, String operation, String body) {
        return call(port, operation, body, ACCESS_KEY, SECRET, Clock.systemUTC());
    }

    /** A successful call's answer. */
    static JsonNode ok(int port, String operation, String body) {
        HttpResponse<String> r = call(port, operation, body);
        if (r.statusCode() != 200) {
            throw new AssertionError(operation + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    static HttpResponse<String> postJson(int port, String path, String json) {
        return send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static HttpResponse<String> postForm(int port, String path, Map<String, String> form) {
        List<String> pairs = new ArrayList<>();
        form.forEach((k, v) -> pairs.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(String.join("&", pairs))).build());
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    static String externalQuestion(String url) {
        return "<ExternalQuestion xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
                + "2006-07-14/ExternalQuestion.xsd\"><ExternalURL>" + url.replace("&", "&amp;")
                + "</ExternalURL><FrameHeight>600</FrameHeight></ExternalQuestion>";
    }

    /** A JSON string literal. */
    static String q(String s) {
        return JSON.writeValueAsString(s);
    }
}
