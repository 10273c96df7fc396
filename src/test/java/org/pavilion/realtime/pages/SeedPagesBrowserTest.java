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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
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
 * The seed's crowd pages, as the seed wrote them, against Pavilion in real headless Chromium, with each
 * Socket.IO browser client they may load: socket.io-client 1.3.5 (the seed layout's CDN version:
 * Engine.IO 3, binary polling payloads), 2.5.0 (Engine.IO 3; its decoder refuses a CONNECT answer with
 * a payload) and 4.8.1 (Engine.IO 4), each the package's own browser bundle fetched from npm at the
 * exact version. The two pages (written for this test) send what the seed's {@code waiting_task.js}
 * and {@code main_task.js} send, in the shapes they send it: {@code connected} at load, the counts as
 * "count / max_count", {@code IAmReady} with the timer's {@code "hh-mm-ss"} text and then straight to
 * the main page, which never identifies itself until it submits ({@code submit_active}); a waiting
 * page submits ({@code submit_waiting}) from its button or when it hears {@code stop}.
 *
 * <p>The walk (thresholds 2/1/3/3 as in the seed): W1 waits; W2 arrives and the session starts, both
 * are told {@code start_your_task} and move to the main page; W3 waits; W4 arrives and W3 is promoted
 * (a move is possible); W5 arrives and waits; W5 submits from the waiting page; W1 submits from the
 * main page; the admin stops the job, the waiting page hears it and submits, the main pages submit. Every worker ends submitted, no page
 * heard an error, and the waiting pages saw the seed's counts (the waiting queue out of maxWaiting).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
@Import(SeedPagesBrowserTest.Pages.class)
class SeedPagesBrowserTest {

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

    @ParameterizedTest(name = "socket.io-client {0} (Engine.IO {2})")
    @CsvSource({"1.3.5, socket.io.js, 3", "2.5.0, dist/socket.io.js, 3", "4.8.1, dist/socket.io.js, 4"})
    void theSeedsPagesWalkASessionUnchanged(String version, String bundlePath, String engineIo) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM);
        assumeTrue(Files.isExecutable(CHROMEDRIVER), "chromedriver is not installed at " + CHROMEDRIVER);
        BUNDLES.put(version, NpmBundles.file("socket.io-client", version, bundlePath));

        long project = projects.create("Seed pages " + version, "", Instant.now()).id();
        long task = tasks.create(project, new TaskSettings("Talk", "A group chat, live.", "", 50, 3600, 86_400,
                259_200, null, null, null, "https://localhost/waiting_task", 800, new Thresholds(2, 1, 3, 3), false,
                TaskSettings.DEFAULT_WAITING_PAY_CENTS_PER_HOUR, 2), Instant.now()).id(); // grace period 2 s
        long session = sessions.open(task).sessionId();
        String hit = "HIT" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        store.addSessionHit(session, "HT" + session, hit);
        List<String> workers = List.of("W1", "W2", "W3", "W4", "W5");
        for (String w : workers) { // these workers accepted their assignments on the marketplace
            ConfirmedArrivals.confirm(sessions, session, w, "ASG-" + w, hit);
        }
        Map<String, ChromeDriver> pages = new LinkedHashMap<>();
        try {
            pages.put("W1", open(version, "W1", hit));
            waitForState(pages.get("W1"), "waiting");
            waitForCount(pages.get("W1"), "1 / 3");
            assertThat(attribute(pages.get("W1"), "data-eio")).isEqualTo(engineIo); // it spoke its own protocol

            pages.put("W2", open(version, "W2", hit)); // the second arrival starts the session
            for (String w : List.of("W1", "W2")) {
                waitForState(pages.get(w), "main");
            }
            pages.put("W3", open(version, "W3", hit));
            waitForState(pages.get("W3"), "waiting");
            waitForCount(pages.get("W3"), "1 / 3");
            pages.put("W4", open(version, "W4", hit)); // two waiting, one active slot: W3 moves up
            waitForState(pages.get("W3"), "main");
            waitForState(pages.get("W4"), "waiting");
            pages.put("W5", open(version, "W5", hit));
            waitForState(pages.get("W5"), "waiting");
            waitForCount(pages.get("W4"), "2 / 3");
            QueueSnapshot during = sessions.snapshot(session);
            assertThat(during.active()).containsExactly("W1", "W2", "W3");
            assertThat(during.waiting()).containsExactly("W4", "W5");
            // IAmReady with the seed's "hh-mm-ss" text was taken. The page sends it, disconnects and navigates in
            // one go, and the browser may cancel that last request with the page (then the server sees the
            // transport lost right after the promotion, and keeps the worker active all the same): at least
            // one of the three arrives in practice; ChatProtocolBadInputTest checks the shapes one by one.
            assertThat(List.of("W1", "W2", "W3")).as("workers whose IAmReady arrived")
                    .anyMatch(w -> during.workers().get(w).ready());

            pages.get("W5").findElement(By.id("submit")).click(); // submit_waiting from the waiting page
            waitForState(pages.get("W5"), "submitted");
            awaitStatus(session, "W5", WorkerStatus.SUBMITTED);
            waitForCount(pages.get("W4"), "1 / 3");
            pages.get("W1").findElement(By.id("submit")).click(); // submit_active from the silent main page
            waitForState(pages.get("W1"), "submitted");
            awaitStatus(session, "W1", WorkerStatus.SUBMITTED);
            // The main pages of W2 and W3 have said nothing since they opened, past the 2 s grace period:
            // their workers are still active.
            Thread.sleep(3000);
            assertThat(sessions.snapshot(session).active()).containsExactly("W2", "W3");

            // The admin stops the job: the waiting page hears stop and submits. The seed's main pages are not
            // told (they never said who they are, so they are in no session's room); their workers submit.
            sessions.submit(session, new QueueEvent.Stop("admin@example.org"), "admin:admin@example.org", null).join();
            waitForState(pages.get("W4"), "submitted");
            awaitStatus(session, "W4", WorkerStatus.SUBMITTED);
            for (String w : List.of("W2", "W3")) {
                pages.get(w).findElement(By.id("submit")).click();
                waitForState(pages.get(w), "submitted");
                awaitStatus(session, w, WorkerStatus.SUBMITTED);
            }
            QueueSnapshot after = sessions.snapshot(session);
            assertThat(after.waiting()).isEmpty();
            assertThat(after.active()).isEmpty();
            for (String w : workers) {
                assertThat(after.workers().get(w).status()).as(w).isEqualTo(WorkerStatus.SUBMITTED);
                assertThat(log(pages.get(w))).as(w + "'s page log").doesNotContain("error");
            }
        } catch (AssertionError | RuntimeException e) {
            StringBuilder logs = new StringBuilder();
            pages.forEach((w, d) -> logs.append('\n').append(w).append(": ").append(log(d)));
            logs.append("\nsession log:");
            store.loadSession(session).ifPresent(l -> l.facts().forEach(f -> logs.append("\n  ").append(f)));
            throw new AssertionError("page logs:" + logs, e);
        }
    }

    private void awaitStatus(long session, String worker, WorkerStatus status) {
        Awaitility.await().atMost(WAIT).until(() -> sessions.snapshot(session).workers().get(worker).status() == status);
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

    private ChromeDriver open(String version, String worker, String hit) throws IOException {
        ChromeDriver driver = browser();
        // The query string MTurk gives an ExternalQuestion page.
        driver.get("http://localhost:" + port + "/seed-pages/waiting_task?client=" + enc(version)
                + "&workerId=" + enc(worker) + "&assignmentId=" + enc("ASG-" + worker) + "&hitId=" + enc(hit)
                + "&turkSubmitTo=" + enc("https://workersandbox.mturk.com"));
        return driver;
    }

    private static void waitForState(ChromeDriver driver, String expected) {
        new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class) // the page may be moving on
                .until(d -> expected.equals(d.findElement(By.id("state")).getText()));
    }

    private static void waitForCount(ChromeDriver driver, String expected) {
        new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class)
                .until(d -> expected.equals(d.findElement(By.id("worker_count")).getText()));
    }

    private static String attribute(ChromeDriver driver, String name) {
        return driver.findElement(By.id("state")).getAttribute(name);
    }

    private static String log(ChromeDriver driver) {
        try {
            return driver.getCurrentUrl().replaceAll("\\?.*", "") + " " + driver.findElement(By.id("state")).getText()
                    + " | " + driver.findElement(By.id("log")).getText();
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
     * Test only: two pages that behave as the seed's waiting and main task pages do (written for this
     * test, from what the seed's pages send), and the client bundles they load, at {@code /seed-pages/**}
     * on the app's own origin. Like the seed's, the pages keep a timer whose text ("hh-mm-ss") is what
     * they report as {@code time_waited}, and a reward as text.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class Pages {

        private static final String COMMON = """
                <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s</title>
                <script src="/seed-pages/client.js?v=%s"></script></head>
                <body><div id="state">loading</div><div id="worker_count"></div>
                <button id="submit" type="button">Submit</button><pre id="log"></pre>
                <script>
                var q = {};
                location.search.substring(1).split('&').forEach(function (kv) {
                  var p = kv.split('='); q[decodeURIComponent(p[0])] = decodeURIComponent(p[1] || '');
                });
                var state = document.getElementById('state');
                function log(s) { document.getElementById('log').textContent += s + '\\n'; }
                var started = Date.now();
                function timerText() { // the seed's timer text: hh-mm-ss
                  var t = Math.floor((Date.now() - started) / 1000);
                  function two(n) { return (n < 10 ? '0' : '') + n; }
                  return two(Math.floor(t / 3600)) + '-' + two(Math.floor(t / 60) %% 60) + '-' + two(t %% 60);
                }
                var reward = '0.00';
                function report() {
                  return {worker: q.workerId, aid: q.assignmentId, hit_id: q.hitId, time_waited: timerText(), reward: reward};
                }
                var socket = io.connect(location.protocol + '//' + document.domain + ':' + location.port + '/chat');
                socket.on('connect', function () {
                  var transport = socket.io.engine && socket.io.engine.transport;
                  state.setAttribute('data-eio', transport && transport.query ? String(transport.query.EIO) : '');
                  log('connect');
                });
                socket.on('error', function (e) { log('error ' + JSON.stringify(e)); });
                socket.on('disconnect', function (r) { log('disconnect ' + r); });
                </script>
                <script>%s</script></body></html>
                """;

        /** As the seed's waiting page: joins at load, moves on when started, submits on its button or on stop. */
        private static final String WAITING = """
                socket.emit('connected', {workerId: q.workerId, aid: q.assignmentId, hit_id: q.hitId});
                state.textContent = 'waiting';
                var done = false;
                function submitWaiting() {
                  if (done) { return; }
                  done = true;
                  socket.emit('submit_waiting', report());
                  socket.disconnect();
                  state.textContent = 'submitted';
                }
                socket.on('update_worker_count', function (e) {
                  document.getElementById('worker_count').textContent = e.count + ' / ' + e.max_count;
                });
                socket.on('job_is_full', function (e) { if (e.id === q.workerId) { done = true; state.textContent = 'full'; } });
                socket.on('start_your_task', function (e) {
                  for (var k in e.message) {
                    if (e.message[k] === q.workerId && !done) {
                      done = true;
                      socket.emit('IAmReady', report());
                      socket.disconnect();
                      location.replace('/seed-pages/main_task' + location.search + '&time_waited=' + timerText());
                      break;
                    }
                  }
                });
                socket.on('stop', submitWaiting);
                document.getElementById('submit').onclick = submitWaiting;
                """;

        /** As the seed's main page: silent until it submits. */
        private static final String MAIN = """
                state.textContent = 'main';
                document.getElementById('submit').onclick = function () {
                  socket.emit('submit_active', report());
                  socket.disconnect();
                  state.textContent = 'submitted';
                };
                """;

        @Bean
        @Order(0)
        SecurityFilterChain seedPagesSecurity(HttpSecurity http) throws Exception {
            return http.securityMatcher("/seed-pages/**")
                    .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                    .build();
        }

        @Bean
        RouterFunction<ServerResponse> seedPagesRoute() {
            return RouterFunctions.route()
                    .GET("/seed-pages/waiting_task", request -> page("Waiting", request.param("client"), WAITING))
                    .GET("/seed-pages/main_task", request -> page("Main task", request.param("client"), MAIN))
                    .GET("/seed-pages/client.js", request -> {
                        Path bundle = BUNDLES.get(request.param("v").orElse(""));
                        return bundle == null ? ServerResponse.notFound().build()
                                : ServerResponse.ok().contentType(MediaType.valueOf("application/javascript"))
                                        .body(Files.readString(bundle, StandardCharsets.UTF_8));
                    })
                    .build();
        }

        private static ServerResponse page(String title, Optional<String> client, String script) {
            return ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                    .body(COMMON.formatted(title, URLEncoder.encode(client.orElseThrow(), StandardCharsets.UTF_8), script));
        }
    }
}
