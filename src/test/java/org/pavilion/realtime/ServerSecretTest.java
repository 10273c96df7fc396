package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated server secret on disk: owner-only from the start, whole, made once. */
class ServerSecretTest {

    @TempDir
    Path dir;

    private boolean posix() throws Exception {
        return Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
    }

    private List<String> names(Path d) throws Exception {
        try (Stream<Path> files = Files.list(d)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aNewSecretIsCreatedOwnerReadWriteOnly() throws Exception {
        assumeTrue(posix(), "a POSIX file system");
        Path data = dir.resolve("data"); // made if missing
        byte[] secret = ServerSecret.resolve(null, data);
        Path file = data.resolve("secret");
        assertThat(secret).hasSize(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).isEqualTo(secret);
        assertThat(names(data)).as("no temporary file left").containsExactly("secret");
        assertThat(ServerSecret.resolve(null, data)).as("made once").isEqualTo(secret);
    }

    @Test
    void anExistingSecretIsReadUnchanged() throws Exception {
        byte[] mine = new byte[40];
        for (int i = 0; i < mine.length; i++) {
            mine[i] = (byte) (i * 7);
        }
        String content = Base64.getEncoder().encodeToString(mine) + "\n";
        Path file = dir.resolve("secret");
        Files.writeString(file, content);
        if (posix()) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        var modified = Files.getLastModifiedTime(file);

        assertThat(ServerSecret.resolve(null, dir)).isEqualTo(mine);
        assertThat(Files.readString(file)).isEqualTo(content);
        assertThat(Files.getLastModifiedTime(file)).isEqualTo(modified);
        assertThat(names(dir)).containsExactly("secret");
    }

    @Test
    void anExistingSecretReadableByOthersIsMadeOwnerOnlyAndKept() throws Exception {
        assumeTrue(posix(), "a POSIX file system");
        byte[] mine = new byte[32];
        mine[0] = 42;
        Path file = dir.resolve("secret");
        Files.writeString(file, Base64.getEncoder().encodeToString(mine));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(ServerSecret.resolve(null, dir)).isEqualTo(mine);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aDamagedSecretFileIsAClearErrorAndIsLeftAlone() throws Exception {
        Path file = dir.resolve("secret");
        Files.writeString(file, "not base64 at all!");
        assertThatThrownBy(() -> ServerSecret.resolve(null, dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not Base64");
        Files.writeString(file, Base64.getEncoder().encodeToString(new byte[8]));
        assertThatThrownBy(() -> ServerSecret.resolve(null, dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shorter than 32 bytes");
        assertThat(Files.readString(file, StandardCharsets.US_ASCII))
                .isEqualTo(Base64.getEncoder().encodeToString(new byte[8]));
    }

    @Test
    void publishingNeverReplacesASecretAlreadyThere() throws Exception {
        Path file = dir.resolve("secret");
        assertThat(ServerSecret.publish(file, "first")).isTrue();
        assertThat(ServerSecret.publish(file, "second")).as("someone else's is there").isFalse();
        assertThat(Files.readString(file)).isEqualTo("first");
        assertThat(names(dir)).as("no temporary file left").containsExactly("secret");
        if (posix()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
    }

    @Test
    void processesStartingTogetherAllGetTheOneSecretThatWasPublished() throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            for (int round = 0; round < 10; round++) {
                Path data = dir.resolve("round-" + round);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<byte[]>> results = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Callable<byte[]> call = () -> {
                        start.await();
                        return ServerSecret.resolve(null, data);
                    };
                    results.add(pool.submit(call));
                }
                start.countDown();
                List<byte[]> got = new ArrayList<>();
                for (Future<byte[]> r : results) {
                    got.add(r.get());
                }
                byte[] onDisk = Base64.getDecoder().decode(Files.readString(data.resolve("secret")).strip());
                assertThat(got).as("round " + round).allSatisfy(g -> assertThat(g).isEqualTo(onDisk));
                assertThat(names(data)).containsExactly("secret");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aConfiguredSecretIsUsedAndNoFileIsMade() throws Exception {
        String configured = "a configured secret of more than 32 characters";
        assertThat(ServerSecret.resolve(configured, dir)).isEqualTo(configured.getBytes(StandardCharsets.UTF_8));
        assertThat(names(dir)).isEmpty();
        assertThatThrownBy(() -> ServerSecret.resolve("too short", dir)).isInstanceOf(IllegalStateException.class);
    }
}
