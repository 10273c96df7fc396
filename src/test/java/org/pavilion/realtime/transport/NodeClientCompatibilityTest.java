package org.pavilion.realtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.pavilion.testing.NodeScripts;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * The npm Socket.IO clients against Pavilion: 4.x (what Pavilion serves to browsers, Engine.IO v4)
 * and 2.x (the seed's crowd pages, Engine.IO v3), each over WebSocket only, polling only, and polling
 * upgraded to WebSocket (what browsers do by default).
 * src/test/node is installed with {@code npm ci} into the build directory; the test is skipped when
 * node or npm is missing or the npm registry cannot be reached.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
@Import(EchoNamespaceConfiguration.class)
class NodeClientCompatibilityTest {

    @LocalServerPort
    int port;

    @Test
    void nodeClients4And2EchoOverWebSocketPollingAndUpgrade() throws Exception {
        NodeScripts.Result check = NodeScripts.run(Duration.ofSeconds(120), "echo-check.js", "http://localhost:" + port);
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output().lines().filter(l -> l.contains("\"ok\":true")).count()).as(check.output())
                .isEqualTo(6);
    }
}
