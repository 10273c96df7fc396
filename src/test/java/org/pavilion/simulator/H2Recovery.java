package org.pavilion.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.h2.mvstore.MVStore;

/**
 * What an H2 database file, as a SIGKILL left it, holds on disk against what H2 recovers from it. The file is
 * read twice: block by block for every complete chunk (a header {@code chunk:<id>,...,len:<blocks>,...} at the
 * start of a block and a footer naming the same chunk in the chunk's last 128 bytes), and by opening a copy
 * read-only with H2's MVStore, which keeps only the chunks it finds from the file header on. {@link #dropped}
 * complete chunks newer than the recovered version are commits that were written to the file before the kill
 * and are still there, but that H2's recovery does not see (found in issue 13's simulated kills: see
 * docs/benchmarks.md, "A simulated crowd killed with -9").
 *
 * @param headerChunk      the chunk the file header names (hex)
 * @param recoveredVersion the version H2 opens the file at
 * @param newestOnDisk     the newest complete chunk's version on disk
 * @param dropped          complete chunks on disk newer than the recovered version
 * @param droppedFrom      when the oldest of those was written (null if none)
 * @param droppedTo        when the newest of those was written (null if none)
 */
public record H2Recovery(String headerChunk, long recoveredVersion, long newestOnDisk, int dropped,
                         Instant droppedFrom, Instant droppedTo) {

    private static final int BLOCK = 4096;
    private static final int FOOTER = 128;

    /** A chunk found on disk. */
    record Chunk(int id, long block, long version, Instant written) {
    }

    /** Analyses {@code file} (left as it is: H2 opens a copy of it). */
    public static H2Recovery of(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Map<String, String> header = fields(bytes, 0);
        long created = Long.parseLong(header.get("created"), 16);
        List<Chunk> chunks = new ArrayList<>();
        for (long block = 2; (block + 1) * BLOCK <= bytes.length; block++) {
            int at = (int) (block * BLOCK);
            if (!startsWith(bytes, at, "chunk:")) {
                continue;
            }
            Map<String, String> h = fields(bytes, at);
            try {
                long len = Long.parseLong(h.get("len"), 16);
                long end = (block + len) * BLOCK;
                if (len < 1 || end > bytes.length) {
                    continue;
                }
                Map<String, String> footer = fields(bytes, (int) (end - FOOTER));
                if (!h.get("chunk").equals(footer.get("chunk")) || !h.get("version").equals(footer.get("version"))) {
                    continue; // not complete
                }
                chunks.add(new Chunk(Integer.parseInt(h.get("chunk"), 16), block, Long.parseLong(h.get("version"), 16),
                        Instant.ofEpochMilli(created + Long.parseLong(h.get("time"), 16))));
            } catch (RuntimeException notAChunk) {
                // data that happens to start with "chunk:"
            }
        }
        long recovered;
        Path copy = Files.createTempFile("h2-recovery", ".mv.db");
        try {
            Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            MVStore store = new MVStore.Builder().fileName(copy.toString()).readOnly().open();
            try {
                recovered = store.getCurrentVersion();
            } finally {
                store.close();
            }
        } finally {
            Files.deleteIfExists(copy);
        }
        long newest = chunks.stream().mapToLong(Chunk::version).max().orElse(-1);
        List<Chunk> dropped = chunks.stream().filter(c -> c.version() > recovered).toList();
        Instant from = dropped.stream().map(Chunk::written).min(Instant::compareTo).orElse(null);
        Instant to = dropped.stream().map(Chunk::written).max(Instant::compareTo).orElse(null);
        return new H2Recovery(header.get("chunk"), recovered, newest, dropped.size(), from, to);
    }

    /** {@code java ... H2Recovery file.mv.db}: prints the analysis. */
    public static void main(String[] args) throws IOException {
        System.out.println(of(Path.of(args[0])));
    }

    private static boolean startsWith(byte[] bytes, int at, String text) {
        byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
        if (at + t.length > bytes.length) {
            return false;
        }
        for (int i = 0; i < t.length; i++) {
            if (bytes[at + i] != t[i]) {
                return false;
            }
        }
        return true;
    }

    /** The {@code key:value,...} text at {@code at}, up to a newline or a zero byte (at most 1 KB). */
    private static Map<String, String> fields(byte[] bytes, int at) {
        int end = at;
        while (end < bytes.length && end - at < 1024 && bytes[end] != '\n' && bytes[end] != 0) {
            end++;
        }
        Map<String, String> fields = new HashMap<>();
        for (String part : new String(bytes, at, end - at, StandardCharsets.ISO_8859_1).split(",")) {
            int colon = part.indexOf(':');
            if (colon > 0) {
                fields.put(part.substring(0, colon), part.substring(colon + 1));
            }
        }
        return fields;
    }
}
