package org.pavilion.realtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    private final OriginPolicy sameOriginOnly = new OriginPolicy(List.of());

    @Test
    void noOriginIsNotABrowserCrossSiteRequest() {
        assertThat(sameOriginOnly.permits(null, "pavilion.example", null)).isTrue();
    }

    @Test
    void sameHostAndPortIsSameOrigin() {
        assertThat(sameOriginOnly.permits("http://localhost:8080", "localhost:8080", null)).isTrue();
        assertThat(sameOriginOnly.permits("https://pavilion.example", "pavilion.example", null)).isTrue();
        assertThat(sameOriginOnly.permits("https://pavilion.example", "pavilion.example:443", null)).isTrue();
        assertThat(sameOriginOnly.permits("https://Pavilion.Example", "pavilion.example", null)).isTrue();
        assertThat(sameOriginOnly.permits("https://pavilion.example", "internal:8080", "pavilion.example, proxy")).isTrue();
    }

    @Test
    void otherOriginsAreRefusedUnlessListed() {
        assertThat(sameOriginOnly.permits("http://localhost:9090", "localhost:8080", null)).isFalse();
        assertThat(sameOriginOnly.permits("https://evil.example", "pavilion.example", null)).isFalse();
        assertThat(sameOriginOnly.permits("null", "pavilion.example", null)).isFalse();
        assertThat(sameOriginOnly.permits("https://evil.example", null, null)).isFalse();

        OriginPolicy listed = new OriginPolicy(List.of("https://workersandbox.mturk.com/"));
        assertThat(listed.listed()).containsExactly("https://workersandbox.mturk.com");
        assertThat(listed.permits("https://WorkerSandbox.mturk.com", "pavilion.example", null)).isTrue();
        assertThat(listed.permits("https://evil.example", "pavilion.example", null)).isFalse();

        OriginPolicy all = new OriginPolicy(List.of("*"));
        assertThat(all.allowsAll()).isTrue();
        assertThat(all.permits("https://anything.example", "pavilion.example", null)).isTrue();
    }

    @Test
    void readsHeadersInAnyCase() {
        assertThat(sameOriginOnly.permits(Map.of("origin", List.of("http://h:1"), "HOST", List.of("h:1")))).isTrue();
        assertThat(sameOriginOnly.permits(Map.of("Origin", List.of("http://x:1"), "Host", List.of("h:1")))).isFalse();
        assertThat(sameOriginOnly.permits(Map.of())).isTrue();
    }
}
