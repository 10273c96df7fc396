package org.pavilion.realtime.pages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
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
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * Issue 14 item 5 in real headless Chromium: a worker's pages say exactly where the worker stands at every
 * step (waiting before the start, on the task, in reserve in a started session, job full, returned on the
 * marketplace, stopped and submitting), the status line never says "waiting" once the worker is not, and no
 * sentence shows twice. Screenshots of each step go to target/screenshots/.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
@Import(ExternalSubmitEndpoint.class)
class WorkerPageStatesBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(20);

    // Records every text the page's main element shows, across its own navigation (same tab, same origin).
    private static final String RECORDER = """
            if (!window.__recording) {
              window.__recording = true;
              var keep = function () {
                var main = document.querySelector('main');
                if (!main) { return; }
                var seen = JSON.parse(sessionStorage.getItem('seen') || '[]');
                var text = main.innerText;
                if (seen[seen.length - 1] !== text) { seen.push(text); sessionStorage.setItem('seen', JSON.stringify(seen)); }
              };
              new MutationObserver(keep).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
              keep();
            }
            """;

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
    @Autowired
    ExternalSubmitEndpoint.Submissions submissions;

    private final List<ChromeDriver> drivers = new ArrayList<>();
    private final List<Path> profiles = new ArrayList<>();
    private long session;
    private String hit;

    @BeforeEach
    void openSession() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM);
        assumeTrue(Files.isExecutable(CHROMEDRIVER), "chromedriver is not installed at " + CHROMEDRIVER);
        Files.createDirectories(SCREENSHOTS);
        long project = projects.create("States", "", Instant.now()).id();
        // minActive 2, minWaiting 0, maxActive 2, maxWaiting 1: two on the task, one in reserve, then full.
        long task = tasks.create(project, TaskSettings.basic("Talk with a robot", "A group chat, live.",
                "https://localhost/waiting_task", 50, new Thresholds(2, 0, 2, 1)), Instant.now()).id();
        session = sessions.open(task).sessionId();
        hit = "HIT" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        store.addSessionHit(session, "HT" + session, hit);
        for (int n = 1; n <= 5; n++) {
            ConfirmedArrivals.confirm(sessions, session, "WORKER" + n, "ASG" + n, hit);
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

    @Test
    void everyStepSaysWhereTheWorkerStands() throws Exception {
        Map<String, ChromeDriver> pages = new LinkedHashMap<>();
        try {
            // 1. Before the start: waiting for enough workers.
            ChromeDriver one = open(pages, "ASG1", "WORKER1");
            waitForText(one, "state-heading", "the task starts when enough workers have joined");
            waitForText(one, "connection", "Connected. You are in the waiting room.");
            waitForText(one, "waiting-count", "1");
            assertThat(text(one, "main")).contains("Waiting room places taken").contains("1 of 1")
                    .contains("Workers doing the task").contains("Your time waited").contains("Your waiting pay so far")
                    .contains("$7.25 per hour").doesNotContain("¢").doesNotContain("starts soon");
            step(one, "1-waiting");

            // 2. A second worker arrives (not through a page): minActive reached, WORKER1's page goes to the task.
            ConfirmedArrivals.arrive(sessions, session, "WORKER5", "ASG5", hit, "test");
            new WebDriverWait(one, WAIT).until(ExpectedConditions.urlContains("/main_task"));
            waitForText(one, "connection", "You are in the live task.");
            step(one, "2-active");

            // 3. The task has started and is at maxActive: the next worker waits in reserve, and is told so.
            ChromeDriver two = open(pages, "ASG2", "WORKER2");
            waitForText(two, "state-heading", "The task has started: you are on the reserve list");
            waitForText(two, "connection", "Connected. You are waiting in reserve.");
            assertThat(text(two, "main")).contains("when a place frees up").doesNotContain("starts soon")
                    .doesNotContain("when enough workers have joined");
            step(two, "3-reserve");

            // 4. Both queues full: the next worker is told to return the HIT, once, and not that it is waiting.
            ChromeDriver three = open(pages, "ASG3", "WORKER3");
            waitForText(three, "state-heading", "This job is full");
            waitForText(three, "notice", "Please return the HIT (do not submit it).");
            String full = text(three, "main");
            assertThat(full).contains("The session is full. Please return the HIT (do not submit it).")
                    .doesNotContain("Connected").doesNotContain("Waiting for").doesNotContain("starts soon");
            assertThat(count(full, "return the HIT")).isEqualTo(1);
            assertThat(three.findElement(By.id("connection")).isDisplayed()).isFalse();
            assertThat(three.findElement(By.id("submit")).isDisplayed()).isFalse();
            assertThat(three.findElement(By.id("figures")).isDisplayed()).isFalse();
            assertThat(full).doesNotContain("What you are paid"); // never joined: nothing to be paid
            step(three, "4-full");

            // 5. WORKER2 returns the HIT on the marketplace: its page says so (within its 10 s status check).
            sessions.submit(session, new QueueEvent.Leave("WORKER2", "ASG2", Departure.RETURN), "marketplace",
                    "AssignmentReturned").join();
            new WebDriverWait(two, Duration.ofSeconds(25)).until(
                    ExpectedConditions.textToBePresentInElementLocated(By.id("state-heading"), "You returned this HIT"));
            assertThat(text(two, "main")).doesNotContain("Connected").doesNotContain("Waiting")
                    .doesNotContain("reserve");
            assertThat(two.findElement(By.id("submit")).isDisplayed()).isFalse();
            step(two, "5-returned");

            // 6. Another worker takes the free reserve place; then the researcher stops the job.
            ChromeDriver four = open(pages, "ASG4", "WORKER4");
            waitForText(four, "connection", "Connected. You are waiting in reserve.");
            step(four, "6-reserve-again");
            sessions.apply(session, new QueueEvent.Stop("researcher"), "admin:researcher");
            for (ChromeDriver d : List.of(four, one)) {
                waitForText(d, "submitted", "HIT submitted");
            }
            assertThat(seen(four)).anySatisfy(t -> assertThat(t).contains("The job has ended")
                    .contains("Submitting your HIT so that you are paid for the time you waited…")
                    .doesNotContain("Connected"));
            assertThat(seen(one)).anySatisfy(t -> assertThat(t)
                    .contains("The researcher has ended the job. Submitting your HIT…"));
            assertThat(submissions.all()).contains(Map.of("assignmentId", "ASG4", "stage", "waiting"),
                    Map.of("assignmentId", "ASG1", "stage", "active"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(sessions.snapshot(session).workers().get("WORKER4")
                    .status()).isEqualTo(WorkerStatus.SUBMITTED));

            // At no step did a page show one sentence twice.
            for (Map.Entry<String, ChromeDriver> e : pages.entrySet()) {
                List<String> texts = seen(e.getValue());
                assertThat(texts).as(e.getKey()).isNotEmpty();
                for (String t : texts) {
                    assertThat(repeated(t)).as(e.getKey() + " showed:\n" + t).isEmpty();
                }
            }
        } catch (AssertionError | RuntimeException e) {
            for (Map.Entry<String, ChromeDriver> p : pages.entrySet()) {
                System.err.println("---- " + p.getKey() + " saw: " + seen(p.getValue()));
            }
            throw e;
        }
    }

    /** A worker's waiting page, with the recorder installed on it and on every page it goes to. */
    private ChromeDriver open(Map<String, ChromeDriver> pages, String assignment, String worker) throws IOException {
        ChromeDriver d = browser();
        d.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                Map.of("source", "document.addEventListener('DOMContentLoaded', function () {" + RECORDER + "});"));
        d.get(url(assignment, worker));
        pages.put(worker, d);
        return d;
    }

    @SuppressWarnings("unchecked")
    private static List<String> seen(ChromeDriver d) {
        try {
            Object raw = ((JavascriptExecutor) d).executeScript("return JSON.parse(sessionStorage.getItem('seen') || '[]');");
            return (List<String>) raw;
        } catch (RuntimeException e) {
            return List.of("(cannot read: " + e.getMessage() + ")");
        }
    }

    /** The sentences of a text shown more than once (a sentence ends with . ! ? … or a line). */
    static List<String> repeated(String text) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String s : text.split("(?<=[.!?…])\\s+|\\n")) {
            String sentence = s.strip();
            if (sentence.length() > 3) {
                counts.merge(sentence, 1, Integer::sum);
            }
        }
        return counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static void step(ChromeDriver d, String name) throws IOException {
        assertThat(repeated(text(d, "main"))).as(name).isEmpty();
        Files.write(SCREENSHOTS.resolve("worker-" + name + ".png"), d.getScreenshotAs(OutputType.BYTES));
    }

    private ChromeDriver browser() throws IOException {
        Path profile = Files.createTempDirectory("pavilion-chromium-");
        profiles.add(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=900,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
        drivers.add(driver);
        return driver;
    }

    private String url(String assignmentId, String workerId) {
        return "http://localhost:" + port + "/waiting_task?assignmentId=" + enc(assignmentId) + "&hitId=" + enc(hit)
                + "&workerId=" + enc(workerId) + "&turkSubmitTo=" + enc("http://localhost:" + port);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String text(WebDriver d, String idOrTag) {
        By by = idOrTag.equals("main") ? By.tagName("main") : By.id(idOrTag);
        return d.findElement(by).getText().strip();
    }

    private static void waitForText(WebDriver d, String id, String expected) {
        new WebDriverWait(d, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id(id), expected));
    }
}
