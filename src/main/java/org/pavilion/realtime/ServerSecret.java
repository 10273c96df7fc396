package org.pavilion.realtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secret that signs tokens: {@code pavilion.secret} (env PAVILION_SECRET) when configured,
 * else a random one kept in the data directory (owner-only), made on first start. Never logged.
 */
final class ServerSecret {

    private static final Logger log = LoggerFactory.getLogger(ServerSecret.class);

    private ServerSecret() {
    }

    static byte[] resolve(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            byte[] bytes = configured.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < 32) {
                throw new IllegalStateException("pavilion.secret must be at least 32 characters long");
            }
            return bytes;
        }
        Path file = dataDir.resolve("secret");
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).strip());
            }
            Files.createDirectories(dataDir);
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Files.writeString(file, Base64.getEncoder().encodeToString(secret));
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            log.info("made a new server secret in {} (set PAVILION_SECRET to choose your own)", file);
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the server secret in " + file, e);
        }
    }
}
