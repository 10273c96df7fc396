package org.pavilion.marketplace.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs the SubscribeURL with the JDK's HTTP client: no redirects, a timeout, the answer discarded. */
public final class HttpSubscriptionConfirmer implements SubscriptionConfirmer {

    private final HttpClient http;
    private final Duration timeout;

    public HttpSubscriptionConfirmer(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public void confirm(URI subscribeUrl) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(subscribeUrl).timeout(timeout).GET().build();
        HttpResponse<Void> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while confirming the subscription", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException("subscription confirmation answered HTTP " + response.statusCode());
        }
    }
}
