package org.pavilion.realtime.pages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.pavilion.testing.NpmBundles;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The old Socket.IO browser clients the seed's crowd pages load, in real headless Chromium:
 * socket.io-client 1.3.5 (the seed layout's CDN version: binary polling payloads) and 2.5.0 (whose
 * decoder refuses a CONNECT answer with a payload), each the package's own browser bundle fetched
 * from npm at the exact version. A page like the seed's connects to {@code /chat}, claims its worker
 * with {@code connected}, and when the second worker arrives (minActive 2) each page hears
 * {@code start_your_task} naming itself.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
@Import(OldClientPagesBrowserTest.Pages.class)
class OldClientPagesBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Client version → its browser bundle on disk (filled before a page asks for it). */
    static final Map<String, Path> BUNDLES = new ConcurrentHashMap<>();

    @LocalServerPort
    int port;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    SessionStore store;

    private final List<ChromeDriver> drivers = new ArrayList<>();
    private final List<Path> profiles = new ArrayList<>();

    @ParameterizedTest(name = "socket.io-client {0}")
    @CsvSource({"1.3.5, socket.io.js", "2.5.0, dist/socket.io.js"})
    void aSeedLikePageJoinsChatAndIsStarted(String version, String bundlePath) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM);
        assumeTrue(Files.isExecutable(CHROMEDRIVER), "chromedriver is not installed at " + CHROMEDRIVER);
        BUNDLES.put(version, NpmBundles.file("socket.io-client", version, bundlePath));

        long project = projects.create("Old clients", "", Instant.now()).id();
        long task = tasks.create(project, TaskSettings.basic("Talk", "A group chat, live.",
                "https://localhost/waiting_task", 50, new Thresholds(2, 1, 3, 3)), Instant.now()).id();
        long session = sessions.open(task).sessionId();
        String hit = "HIT" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        store.addSessionHit(session, "HT" + session, hit);
        for (String w : List.of("W1", "W2")) { // these workers accepted their assignments on the marketplace
            ConfirmedArrivals.confirm(sessions, session, w, "ASG-" + w, hit);
        }

        ChromeDriver one = browser();
        ChromeDriver two = browser();
        try {
            one.get(page(version, "W1", hit));
            waitForState(one, "joined");
            two.get(page(version, "W2", hit));
            waitForState(two, "start:{\"message\":[\"W2\"]}");
            waitForState(one, "start:{\"message\":[\"W1\"]}");
            // the client really spoke Engine.IO 3 (and did not fall back to anything else)
            assertThat(one.findElement(By.id("state")).getAttribute("data-eio")).isEqualTo("3");
            assertThat(sessions.snapshot(session).active()).containsExactlyInAnyOrder("W1", "W2");
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("page logs: W1 " + log(one) + " / W2 " + log(two), e);
        }
    }

    @AfterEach
    void closeBrowsers() throws IOException {
        for (ChromeDriver d : drivers) {
            try {
                d.quit();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        for (Path profile : profiles) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private String page(String version, String worker, String hit) {
        return "http://localhost:" + port + "/old-clients/page?client=" + enc(version) + "&worker=" + enc(worker)
                + "&aid=" + enc("ASG-" + worker) + "&hit=" + enc(hit);
    }

    private static void waitForState(ChromeDriver driver, String expected) {
        new WebDriverWait(driver, WAIT).until(d -> expected.equals(d.findElement(By.id("state")).getText()));
    }

    private static String log(ChromeDriver driver) {
        try {
            return driver.findElement(By.id("state")).getText() + " | " + driver.findElement(By.id("log")).getText();
        } catch (RuntimeException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private ChromeDriver browser() throws IOException {
        Path profile = Files.createTempDirectory("pavilion-chromium-");
        profiles.add(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
        drivers.add(driver);
        return driver;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * Test only: a page that behaves like the seed's waiting page (written for this test), and the
     * client bundles it loads, at {@code /old-clients/**} on the app's own origin.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class Pages {

        private static final String PAGE = """
                <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Old client</title>
                <script src="/old-clients/client.js?v=%s"></script></head>
                <body><div id="state">loading</div><pre id="log"></pre>
                <script>
                (function () {
                  var q = {};
                  location.search.substring(1).split('&').forEach(function (kv) {
                    var p = kv.split('='); q[decodeURIComponent(p[0])] = decodeURIComponent(p[1] || '');
                  });
                  var state = document.getElementById('state');
                  function log(s) { document.getElementById('log').textContent += s + '\\n'; }
                  var socket = io(location.protocol + '//' + location.host + '/chat');
                  socket.on('connect', function () {
                    var transport = socket.io.engine && socket.io.engine.transport;
                    state.setAttribute('data-eio', transport && transport.query ? String(transport.query.EIO) : '');
                    log('connect');
                    socket.emit('connected', {workerId: q.worker, aid: q.aid, hit_id: q.hit});
                    state.textContent = 'joined';
                  });
                  socket.on('start_your_task', function (data) { state.textContent = 'start:' + JSON.stringify(data); });
                  socket.on('error', function (e) { log('error ' + JSON.stringify(e)); });
                  socket.on('connect_error', function (e) { log('connect_error ' + e); });
                  socket.on('disconnect', function (r) { log('disconnect ' + r); });
                })();
                </script></body></html>
                """;

        @Bean
        @Order(0)
        SecurityFilterChain oldClientPagesSecurity(HttpSecurity http) throws Exception {
            return http.securityMatcher("/old-clients/**")
                    .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                    .build();
        }

        @Bean
        RouterFunction<ServerResponse> oldClientPagesRoute() {
            return RouterFunctions.route()
                    .GET("/old-clients/page", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                            .body(PAGE.formatted(URLEncoder.encode(request.param("client").orElseThrow(),
                                    StandardCharsets.UTF_8))))
                    .GET("/old-clients/client.js", request -> {
                        Path bundle = BUNDLES.get(request.param("v").orElse(""));
                        return bundle == null ? ServerResponse.notFound().build()
                                : ServerResponse.ok().contentType(MediaType.valueOf("application/javascript"))
                                        .body(Files.readString(bundle, StandardCharsets.UTF_8));
                    })
                    .build();
        }
    }
}
