package org.pavilion.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Node scripts of src/test/node (real npm Socket.IO clients, 4.x and 2.x) from tests:
 * the folder is copied into the build directory and installed there with {@code npm ci}, once per
 * lock file. A test using it is skipped when node or npm is missing or npm cannot install.
 */
public final class NodeScripts {

    /** A finished script: its exit code and everything it printed. */
    public record Result(int exitCode, String output) {
    }

    private NodeScripts() {
    }

    /** The installed script folder, ready to run. */
    public static synchronized Path installed() throws Exception {
        assumeTrue(runs(List.of("node", "--version"), null, 30), "node is not installed");
        assumeTrue(runs(List.of("npm", "--version"), null, 30), "npm is not installed");
        Path source = Paths.get(System.getProperty("basedir", "."), "src", "test", "node");
        Path testClasses = Paths.get(NodeScripts.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path work = testClasses.getParent().resolve("node-scripts");
        Files.createDirectories(work);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(source, "*.{js,json}")) {
            for (Path file : files) {
                Files.copy(file, work.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path installedLock = work.resolve("node_modules").resolve(".package-lock.json");
        Path stamp = work.resolve("installed.lock");
        boolean upToDate = Files.exists(installedLock) && Files.exists(stamp)
                && Files.mismatch(stamp, work.resolve("package-lock.json")) == -1L;
        if (!upToDate) {
            boolean installed = runs(List.of("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                    "--prefer-offline"), work, 300);
            assumeTrue(installed, "npm ci failed (is the npm registry reachable?), see " + work.resolve("npm.log"));
            Files.copy(work.resolve("package-lock.json"), stamp, StandardCopyOption.REPLACE_EXISTING);
        }
        return work;
    }

    /** Runs {@code node script args...} in the installed folder and waits for it (killed past the timeout). */
    public static Result run(Duration timeout, String script, String... args) throws Exception {
        Path work = installed();
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(work, script.replace(".js", "-"), ".log");
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.destroyForcibly().waitFor();
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        return new Result(finished ? process.exitValue() : -1, finished ? output : output + "\n(killed after " + timeout + ")");
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
