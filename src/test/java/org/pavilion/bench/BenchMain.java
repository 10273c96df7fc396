package org.pavilion.bench;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of this package: 1 fork, 3 × 1 s warmup, 5 × 1 s measurement.
 *
 * <pre>
 * mvn -B -q test-compile exec:java \
 *     -Dexec.classpathScope=test -Dexec.mainClass=org.pavilion.bench.BenchMain
 * </pre>
 *
 * (exec-maven-plugin 3.7.0 needs Maven 3.9; 3.6.3 runs on Maven 3.8.)
 *
 * An optional first argument is a regular expression selecting benchmarks (default: this package).
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException {
        exposeClasspathToForks();
        String include = args.length > 0 ? args[0] : EngineBenchmark.class.getPackageName() + "\\..*";
        Options options = new OptionsBuilder()
                .include(include)
                .forks(1)
                .jvmArgs("-Xms1g", "-Xmx1g") // replaces the options inherited from Maven's JVM
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(1))
                .threads(1)
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();

        System.out.println();
        System.out.println("benchmark                          ops/s         ± error (99.9%)");
        for (RunResult r : results) {
            var score = r.getPrimaryResult();
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            System.out.printf("%-32s %14.0f %14.0f  %s%n", name, score.getScore(), score.getScoreError(),
                    score.getScoreUnit());
        }
        // exec:java waits for non-daemon threads; JMH leaves none we need.
        System.exit(0);
    }

    /**
     * JMH starts each fork with {@code -cp $java.class.path}. Under {@code mvn exec:java} that
     * property names Maven's own launcher, not the project, so the fork could not find the
     * benchmarks: rebuild it from the class loader exec:java gave us.
     */
    private static void exposeClasspathToForks() {
        ClassLoader loader = BenchMain.class.getClassLoader();
        if (!(loader instanceof URLClassLoader urls)) {
            return; // plain `java -cp ...`: java.class.path is already right
        }
        List<String> entries = new ArrayList<>();
        for (URL url : urls.getURLs()) {
            if ("file".equals(url.getProtocol())) {
                try {
                    entries.add(Paths.get(url.toURI()).toString());
                } catch (URISyntaxException e) {
                    entries.add(url.getPath());
                }
            }
        }
        if (!entries.isEmpty()) {
            System.setProperty("java.class.path", String.join(File.pathSeparator, entries));
        }
    }
}
