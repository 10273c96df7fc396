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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
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
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * The worker pages in real headless Chromium against the running app: a preview does not join;
 * two waiting pages start when the second arrives (minActive 2), move to the main task page,
 * chat, and submit to a local stand-in for MTurk's externalSubmit.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
@Import(ExternalSubmitEndpoint.class)
class WorkerPagesBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);

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
    void openSession() {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM);
        assumeTrue(Files.isExecutable(CHROMEDRIVER), "chromedriver is not installed at " + CHROMEDRIVER);
        long project = projects.create("Browser", "", Instant.now()).id();
        long task = tasks.create(project, TaskSettings.basic("Talk with a robot", "A group chat, live.",
                "https://localhost/waiting_task", 50, new Thresholds(2, 1, 3, 3)), Instant.now()).id();
        session = sessions.open(task).sessionId();
        hit = "HIT" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        store.addSessionHit(session, "HT" + session, hit);
        for (int n = 1; n <= 4; n++) { // these workers accepted their assignments on the marketplace
            ConfirmedArrivals.confirm(sessions, session, "WORKER" + n, "ASG" + n, hit);
        }
    }

    @Test
    void aPageWaitsForTheMarketplacesConfirmationAndThenJoins() throws Exception {
        ChromeDriver d = browser();
        try {
            // The page opened before MTurk's AssignmentAccepted notification arrived: it says so and waits.
            d.get(url("/waiting_task", "ASG9", "WORKER9"));
            waitForText(d, "connection", "Confirming your assignment");
            assertThat(d.findElement(By.id("pavilion-page")).getAttribute("data-token")).isNullOrEmpty();
            Thread.sleep(300);
            assertThat(sessions.snapshot(session).workers()).isEmpty();

            ConfirmedArrivals.confirm(sessions, session, "WORKER9", "ASG9", hit);
            waitForText(d, "connection", "Connected");
            waitForText(d, "waiting-count", "1");
            assertThat(sessions.snapshot(session).waiting()).containsExactly("WORKER9");
        } catch (AssertionError | RuntimeException e) {
            dumpConsole("worker", d);
            throw e;
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
    void twoWorkersWaitStartChatAndSubmit() throws Exception {
        ChromeDriver one = browser();
        ChromeDriver two = browser();
        try {
            // A preview neither loads the real-time client nor joins.
            one.get(url("/waiting_task", WorkerPagesController.PREVIEW_ASSIGNMENT, null));
            assertThat(text(one, "main")).contains("Talk with a robot").contains("Accept the HIT to join");
            assertThat(((JavascriptExecutor) one).executeScript(
                    "return typeof io === 'undefined' && typeof Pavilion === 'undefined'")).isEqualTo(true);
            Thread.sleep(500);
            assertThat(sessions.snapshot(session).workers()).isEmpty();

            // The first worker waits: connected, counted, paid for waiting.
            one.get(url("/waiting_task", "ASG1", "WORKER1"));
            waitForText(one, "connection", "Connected");
            waitForText(one, "waiting-count", "1");
            assertThat(text(one, "max-waiting")).isEqualTo("3");
            waitForText(one, "active-count", "0");
            assertThat(text(one, "pay-earned")).matches("\\$0\\.\\d\\d");
            assertThat(text(one, "time-waited")).matches("0:\\d\\d");
            QueueSnapshot waitingOne = sessions.snapshot(session);
            assertThat(waitingOne.waiting()).containsExactly("WORKER1");
            assertThat(waitingOne.active()).isEmpty();
            assertThat(one.findElement(By.id("error")).isDisplayed()).isFalse();

            // The second arrival reaches minActive: both pages move to the live task.
            two.get(url("/waiting_task", "ASG2", "WORKER2"));
            for (ChromeDriver d : List.of(one, two)) {
                new WebDriverWait(d, WAIT).until(ExpectedConditions.urlContains("/main_task"));
                waitForText(d, "connection", "You are in the live task");
                assertThat(d.getCurrentUrl()).contains("hitId=" + hit).contains("turkSubmitTo=");
            }
            assertThat(one.getCurrentUrl()).contains("workerId=WORKER1").contains("assignmentId=ASG1");
            assertThat(two.getCurrentUrl()).contains("workerId=WORKER2").contains("assignmentId=ASG2");
            await().atMost(WAIT).untilAsserted(() -> {
                QueueSnapshot s = sessions.snapshot(session);
                assertThat(s.active()).containsExactly("WORKER1", "WORKER2");
                assertThat(s.waiting()).isEmpty();
                assertThat(s.started()).isTrue();
                // IAmReady closed both waiting periods
                assertThat(s.workers().get("WORKER1").ready()).isTrue();
                assertThat(s.workers().get("WORKER2").ready()).isTrue();
            });

            // One sends a chat message; the other sees it under an alias, the sender as its own.
            WebElement input = one.findElement(By.id("chat-text"));
            input.sendKeys("hello from <one>");
            one.findElement(By.id("chat-send")).click();
            waitForText(two, "messages", "hello from <one>");
            String seenByTwo = text(two, "messages");
            assertThat(seenByTwo).matches("(?s).*Worker \\d+: hello from <one>.*").doesNotContain("WORKER1");
            waitForText(one, "messages", "You: hello from <one>");
            assertThat(one.findElements(By.cssSelector("#messages li.mine"))).hasSize(1);
            assertThat(two.findElements(By.cssSelector("#messages li.mine"))).isEmpty();
            assertThat(one.findElement(By.id("chat-text")).getAttribute("value")).isEmpty();
            for (ChromeDriver d : List.of(one, two)) {
                assertThat(d.findElement(By.id("error")).isDisplayed()).as("no error on the page").isFalse();
            }

            // Both submit: the server hears submit_active, MTurk (here: the stand-in) gets the form.
            one.findElement(By.id("submit")).click();
            waitForText(one, "submitted", "HIT submitted");
            two.findElement(By.id("submit")).click();
            waitForText(two, "submitted", "HIT submitted");

            assertThat(submissions.all()).filteredOn(f -> f.get("assignmentId").startsWith("ASG"))
                    .containsExactly(Map.of("assignmentId", "ASG1", "stage", "active"),
                            Map.of("assignmentId", "ASG2", "stage", "active"));
            await().atMost(WAIT).untilAsserted(() -> {
                QueueSnapshot s = sessions.snapshot(session);
                assertThat(s.active()).isEmpty();
                assertThat(s.waiting()).isEmpty();
                assertThat(s.workers().get("WORKER1").status()).isEqualTo(WorkerStatus.SUBMITTED);
                assertThat(s.workers().get("WORKER2").status()).isEqualTo(WorkerStatus.SUBMITTED);
            });
        } catch (AssertionError | RuntimeException e) {
            dumpConsole("worker 1", one);
            dumpConsole("worker 2", two);
            throw e;
        }
    }

    @Test
    void theWaitingPageShowsTheWaitingQueueOutOfMaxWaitingAndWhoIsOnTheTask() throws Exception {
        // Two workers start the session (minActive 2); the third waits: waiting 1 is not above minWaiting 1.
        ConfirmedArrivals.arrive(sessions, session, "WORKER1", "ASG1", hit, "test");
        ConfirmedArrivals.arrive(sessions, session, "WORKER2", "ASG2", hit, "test");
        ChromeDriver d = browser();
        try {
            d.get(url("/waiting_task", "ASG3", "WORKER3"));
            waitForText(d, "connection", "Connected");
            // update_worker_count {count: 1, max_count: 3} is the waiting queue of maxWaiting, not the 3
            // hired of 6; workers_status gives the 2 on the task.
            waitForText(d, "active-count", "2");
            assertThat(text(d, "waiting-count")).isEqualTo("1");
            assertThat(text(d, "max-waiting")).isEqualTo("3");
            assertThat(text(d, "main")).contains("Waiting room places taken").contains("1 of 3")
                    .contains("Workers doing the task").doesNotContain("hired");
            QueueSnapshot s = sessions.snapshot(session);
            assertThat(s.waiting()).containsExactly("WORKER3");
            assertThat(s.active()).containsExactly("WORKER1", "WORKER2");
        } catch (AssertionError | RuntimeException e) {
            dumpConsole("worker", d);
            throw e;
        }
    }

    @Test
    void aWaitingWorkerSubmitsARepeatVisitIsToldToReturnTheHitAndStopSubmitsTheOthers() throws Exception {
        ChromeDriver d = browser();
        try {
            // A waiting worker leaves with the submit button: submit_waiting, then the form to MTurk.
            d.get(url("/waiting_task", "ASG3", "WORKER3"));
            waitForText(d, "connection", "Connected");
            waitForText(d, "waiting-count", "1");
            assertThat(sessions.snapshot(session).waiting()).containsExactly("WORKER3");
            d.findElement(By.id("submit")).click();
            waitForText(d, "submitted", "HIT submitted");
            assertThat(submissions.all()).contains(Map.of("assignmentId", "ASG3", "stage", "waiting"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(sessions.snapshot(session).workers().get("WORKER3")
                    .status()).isEqualTo(WorkerStatus.SUBMITTED));

            // Coming back is not a new arrival: job_is_full, return the HIT, no submit button.
            d.get(url("/waiting_task", "ASG3", "WORKER3"));
            waitForText(d, "notice", "Please return the HIT");
            assertThat(text(d, "notice")).contains("already took part");
            assertThat(d.findElement(By.id("submit")).isEnabled()).isFalse();

            // The researcher stops the job: a waiting page submits as a waiting worker by itself.
            d.get(url("/waiting_task", "ASG4", "WORKER4"));
            waitForText(d, "connection", "Connected");
            await().atMost(WAIT).untilAsserted(() -> assertThat(sessions.snapshot(session).waiting())
                    .containsExactly("WORKER4"));
            sessions.apply(session, new QueueEvent.Stop("researcher"), "admin:researcher");
            waitForText(d, "submitted", "HIT submitted");
            assertThat(submissions.all()).contains(Map.of("assignmentId", "ASG4", "stage", "waiting"));
            await().atMost(WAIT).untilAsserted(() -> {
                QueueSnapshot s = sessions.snapshot(session);
                assertThat(s.stopped()).isTrue();
                assertThat(s.waiting()).isEmpty();
                assertThat(s.workers().get("WORKER4").status()).isEqualTo(WorkerStatus.SUBMITTED);
            });
            assertThat(submissions.assignmentIds()).filteredOn(a -> a.equals("ASG3")).hasSize(1);
        } catch (AssertionError | RuntimeException e) {
            dumpConsole("worker", d);
            throw e;
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
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
        drivers.add(driver);
        return driver;
    }

    private String url(String path, String assignmentId, String workerId) {
        StringBuilder b = new StringBuilder("http://localhost:").append(port).append(path)
                .append("?assignmentId=").append(enc(assignmentId)).append("&hitId=").append(enc(hit));
        if (workerId != null) {
            b.append("&workerId=").append(enc(workerId));
        }
        return b.append("&turkSubmitTo=").append(enc("http://localhost:" + port)).toString();
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

    private static void dumpConsole(String who, ChromeDriver d) {
        if (d == null) {
            return;
        }
        try {
            System.err.println("---- " + who + " at " + d.getCurrentUrl());
            for (LogEntry entry : d.manage().logs().get(LogType.BROWSER)) {
                System.err.println(entry);
            }
        } catch (RuntimeException e) {
            System.err.println("(no console log: " + e + ")");
        }
    }
}
