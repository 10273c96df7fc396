package org.pavilion.realtime.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        assumeTrue(runs(List.of("node", "--version"), null, 30), "node is not installed");
        assumeTrue(runs(List.of("npm", "--version"), null, 30), "npm is not installed");

        Path work = prepare();
        Path out = work.resolve("run.log");
        Process check = new ProcessBuilder("node", "echo-check.js", "http://localhost:" + port)
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(check.waitFor(120, TimeUnit.SECONDS)).as("node finished").isTrue();
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(check.exitValue()).as(output).isZero();
        assertThat(output.lines().filter(l -> l.contains("\"ok\":true")).count()).as(output).isEqualTo(6);
    }

    /** Copies src/test/node into the build directory and installs it there (once per lock file). */
    private static Path prepare() throws Exception {
        Path source = Paths.get(System.getProperty("basedir", "."), "src", "test", "node");
        Path testClasses = Paths.get(NodeClientCompatibilityTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path work = testClasses.getParent().resolve("node-transport-check");
        Files.createDirectories(work);
        for (String file : List.of("package.json", "package-lock.json", "echo-check.js")) {
            Files.copy(source.resolve(file), work.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        Path installedLock = work.resolve("node_modules").resolve(".package-lock.json");
        Path stamp = work.resolve("installed.lock");
        boolean upToDate = Files.exists(installedLock) && Files.exists(stamp)
                && Files.mismatch(stamp, work.resolve("package-lock.json")) == -1L;
        if (!upToDate) {
            boolean installed = runs(List.of("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"),
                    work, 300);
            assumeTrue(installed, "npm ci failed (is the npm registry reachable?), see " + work.resolve("npm.log"));
            Files.copy(work.resolve("package-lock.json"), stamp, StandardCopyOption.REPLACE_EXISTING);
        }
        return work;
    }

    private static boolean runs(List<String> command, Path dir, int timeoutSeconds) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (dir != null) {
                builder.directory(dir.toFile()).redirectOutput(dir.resolve("npm.log").toFile());
            } else {
                builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            Process process = builder.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
