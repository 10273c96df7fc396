package org.pavilion.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One file of one exact npm package version, for browser tests that load old client bundles
 * (socket.io-client 1.3.5's browser build, for one, cannot be installed with {@code npm ci}: its own
 * dependencies point at GitHub tarballs). {@code npm pack name@version} fetches just the package's
 * tarball from the registry, checked by npm against the registry's integrity hash, into the build
 * directory, once; {@code tar} unpacks it. A test using it is skipped when npm or tar is missing or
 * the registry cannot be reached.
 */
public final class NpmBundles {

    private NpmBundles() {
    }

    /** {@code pathInPackage} of package {@code name} at exactly {@code version}. */
    public static synchronized Path file(String name, String version, String pathInPackage) throws Exception {
        Path testClasses = Paths.get(NpmBundles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = testClasses.getParent().resolve("npm-bundles").resolve(name.replace('/', '_') + "-" + version);
        Path file = dir.resolve("package").resolve(pathInPackage);
        if (Files.isRegularFile(file)) {
            return file;
        }
        Files.createDirectories(dir);
        assumeTrue(runs(List.of("npm", "pack", name + "@" + version, "--pack-destination", dir.toString()), dir, 120),
                "npm pack " + name + "@" + version + " failed (is the npm registry reachable?), see " + dir.resolve("npm.log"));
        String tarball = name.replace("@", "").replace('/', '-') + "-" + version + ".tgz";
        assumeTrue(runs(List.of("tar", "-xzf", tarball), dir, 60), "could not unpack " + dir.resolve(tarball));
        assumeTrue(Files.isRegularFile(file), name + "@" + version + " has no " + pathInPackage);
        return file;
    }

    private static boolean runs(List<String> command, Path dir, int timeoutSeconds) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("npm.log").toFile()).start();
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
