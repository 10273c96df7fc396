package org.pavilion.realtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secret that signs tokens: {@code pavilion.secret} (env PAVILION_SECRET) when configured,
 * else a random one kept in {@code <data-dir>/secret}, made on first start. Never logged.
 *
 * <p>The file is owner-only from its first byte on a POSIX file system: a temporary file is
 * created with mode {@code rw-------} (no window with default permissions), written and flushed to
 * disk, then published under its name by a hard link, which fails rather than replace a secret
 * another process published meanwhile (that one is then used). A concurrent reader sees no file
 * or the whole secret, never part of it. On a file system without POSIX permissions (or hard
 * links) it is created the same way with the file system's defaults, moved atomically into place,
 * and a warning says to restrict it.
 */
final class ServerSecret {

    private static final Logger log = LoggerFactory.getLogger(ServerSecret.class);

    static final String FILE_NAME = "secret";
    static final int MIN_BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private ServerSecret() {
    }

    static byte[] resolve(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            byte[] bytes = configured.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < MIN_BYTES) {
                throw new IllegalStateException("pavilion.secret must be at least 32 characters long");
            }
            return bytes;
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (Files.exists(file)) {
                return read(file);
            }
            Files.createDirectories(dataDir);
            byte[] secret = new byte[MIN_BYTES];
            new SecureRandom().nextBytes(secret);
            if (!publish(file, Base64.getEncoder().encodeToString(secret))) {
                return read(file); // another process made it first: everyone uses that one
            }
            log.info("made a new server secret in {} (set PAVILION_SECRET to choose your own)", file);
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the server secret in " + file, e);
        }
    }

    /** An existing secret, as it is; permissions looser than owner-only (an older Pavilion's file) are tightened. */
    private static byte[] read(Path file) throws IOException {
        byte[] secret;
        try {
            secret = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw new IllegalStateException("the server secret in " + file + " is not Base64: fix or delete it "
                    + "(a new one is then made; tokens already handed out stop working), or set PAVILION_SECRET", e);
        }
        if (secret.length < MIN_BYTES) {
            throw new IllegalStateException("the server secret in " + file + " is shorter than " + MIN_BYTES
                    + " bytes: delete it (a new one is then made), or set PAVILION_SECRET");
        }
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null) {
            Set<PosixFilePermission> now = posix.readAttributes().permissions();
            if (!OWNER_ONLY.containsAll(now)) {
                posix.setPermissions(OWNER_ONLY);
                log.warn("the server secret in {} was readable by others ({}); made it owner-only", file,
                        PosixFilePermissions.toString(now));
            }
        }
        return secret;
    }

    /**
     * Writes {@code content} to {@code file} without ever showing a partial or widely readable
     * file; false if another process published the file first.
     */
    static boolean publish(Path file, String content) throws IOException {
        Path dir = file.getParent();
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        Path temp = dir.resolve("." + FILE_NAME + "-" + HexFormat.of().formatHex(random) + ".tmp");
        FileAttribute<?>[] attributes = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        Files.createFile(temp, attributes);
        try {
            if (posix) {
                // The umask may have taken bits from the mode asked for; never adds any. Exactly rw-------.
                Files.setPosixFilePermissions(temp, OWNER_ONLY);
            }
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            try {
                Files.createLink(file, temp); // atomic, and never replaces an existing secret
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException | FileSystemException e) {
                // No hard links here (e.g. FAT, some network file systems): an atomic rename.
                if (Files.exists(file)) {
                    return false;
                }
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            }
            if (!posix) {
                log.warn("the file system of {} has no POSIX permissions: make sure only Pavilion's user can read "
                        + "the server secret there", file);
            }
            return true;
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
