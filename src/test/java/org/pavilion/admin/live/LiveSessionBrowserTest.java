package org.pavilion.admin.live;

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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.queue.QueueSnapshot;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.session.LiveSessionService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The researcher's whole live flow in real headless Chromium: log in, create a project and a task
 * through the pages, go live on the local marketplace, two workers accept the HIT and open the
 * task page in tabs of the same browser, the live view's counters follow without a reload,
 * migrate (forced past maxActive), stop, and download the events CSV.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=200ms",
        "pavilion.admin.email=" + LiveSessionBrowserTest.EMAIL,
        "pavilion.admin.password=" + LiveSessionBrowserTest.PASSWORD})
class LiveSessionBrowserTest {

    static final String EMAIL = "researcher@lab.example";
    static final String PASSWORD = "correct horse battery staple 42";

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @LocalServerPort
    int port;
    @Autowired
    LocalMarketplace local;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    LiveControls controls;
    @Autowired
    org.pavilion.project.ProjectRepository projects;
    @Autowired
    org.pavilion.project.TaskRepository tasks;

    private ChromeDriver driver;
    private Path profile;
    private Path downloads;

    @BeforeEach
    void chromium() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM);
        assumeTrue(Files.isExecutable(CHROMEDRIVER), "chromedriver is not installed at " + CHROMEDRIVER);
        profile = Files.createTempDirectory("pavilion-chromium-");
        downloads = Files.createTempDirectory("pavilion-downloads-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1600", "--user-data-dir=" + profile);
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("download.default_directory", downloads.toString());
        prefs.put("download.prompt_for_download", false);
        options.setExperimentalOption("prefs", prefs);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
    }

    @AfterEach
    void close() throws IOException {
        if (driver != null) {
            try {
                driver.quit();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        for (Path dir : new Path[] {profile, downloads}) {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    void logInCreateGoLiveWatchTwoWorkersMigrateStopAndDownloadTheLog() throws Exception {
        try {
            // Log in.
            driver.get(url("/login"));
            driver.findElement(By.id("username")).sendKeys(EMAIL);
            driver.findElement(By.id("password")).sendKeys(PASSWORD);
            driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/admin"));

            // A project and a task, through the pages: minActive 1, maxActive 1, maxWaiting 2.
            driver.get(url("/admin/projects"));
            driver.findElement(By.id("project-name")).sendKeys("Robot steering study");
            driver.findElement(By.id("project-description")).sendKeys("Pilot, browser test");
            driver.findElement(By.cssSelector("form[action$='/admin/projects'] button[type=submit]")).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/projects/\\d+$"));
            driver.findElement(By.linkText("New task")).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("task-title")));
            type("task-title", "Steer a robot together");
            driver.findElement(By.id("task-description")).sendKeys("A live task for two workers.");
            type("task-externalUrl", "http://localhost:" + port + "/waiting_task");
            type("task-reward", "0.50");
            type("task-minActive", "1");
            type("task-maxActive", "1");
            type("task-minWaiting", "0");
            type("task-maxWaiting", "2");
            driver.findElement(By.cssSelector("form.stacked button[type=submit]")).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/tasks/\\d+$"));
            assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Steer a robot together");

            // Go live (one click, one confirmation): the live view of the new session.
            driver.findElement(By.xpath("//button[normalize-space()='Go live']")).click();
            acceptConfirm("as a new session on the local marketplace (Pavilion's own");
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/sessions/\\d+$"));
            String currentUrl = driver.getCurrentUrl();
            long session = Long.parseLong(currentUrl.substring(currentUrl.lastIndexOf('/') + 1));
            assertThat(text("main")).contains("is live");
            assertThat(text("session-status")).isEqualTo("live");
            assertThat(text("counter-capacity")).isEqualTo("3");
            assertThat(text("counter-waiting")).isEqualTo("0");
            assertThat(text("counter-active")).isEqualTo("0");
            waitForText("live-status", "connected");
            String hitId = text("session-hit");
            assertThat(local.getHit(hitId).maxAssignments()).isEqualTo(3);
            String adminTab = driver.getWindowHandle();
            ((JavascriptExecutor) driver).executeScript("window.__sameDocument = true;");

            // Two workers accept the HIT at the marketplace and open the task page in new tabs.
            String w1 = openWorkerTab("W1", local.accept("W1", hitId).assignmentId(), hitId);
            driver.switchTo().window(w1);
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/main_task")); // minActive 1
            String w2 = openWorkerTab("W2", local.accept("W2", hitId).assignmentId(), hitId);
            driver.switchTo().window(w2);
            waitForText("connection", "Connected");

            // The admin view followed without a reload.
            driver.switchTo().window(adminTab);
            waitForText("counter-active", "1");
            waitForText("counter-waiting", "1");
            assertThat(((JavascriptExecutor) driver).executeScript("return window.__sameDocument === true"))
                    .as("the live view was not reloaded").isEqualTo(true);
            waitForText("active-rows", "W1");
            waitForText("waiting-rows", "W2");
            assertThat(text("waiting-rows")).containsPattern("\\d+:\\d\\d").containsPattern("\\$\\d+\\.\\d\\d");
            waitForText("timeline-rows", "W2 arrived");
            assertThat(text("timeline-rows")).contains("worker:W1").contains("session started");
            assertThat(driver.findElements(By.cssSelector("#chart path.line-waiting"))).hasSize(1);
            assertThat(driver.findElements(By.cssSelector("#chart path.line-active"))).hasSize(1);

            // Migrate W2 past maxActive (forced), confirmed.
            WebDriverWait wait = new WebDriverWait(driver, WAIT);
            driver.findElement(By.id("migrate-count")).clear();
            driver.findElement(By.id("migrate-count")).sendKeys("1");
            driver.findElement(By.id("migrate-force")).click();
            driver.findElement(By.id("migrate-button")).click();
            acceptConfirm("Move 1 waiting worker(s) to the active queue now? (forced past maxActive)");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".flash"), "1 worker moved"));
            waitForText("counter-active", "2");
            waitForText("counter-waiting", "0");
            assertThat(text("timeline-rows")).contains("W2 migrated: waiting → active").contains("admin:" + EMAIL)
                    .contains("migrate 1 (force past maxActive)");
            driver.switchTo().window(w2);
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/main_task"));

            // Stop the job: both pages submit by themselves, the view follows.
            driver.switchTo().window(adminTab);
            ((JavascriptExecutor) driver).executeScript("window.__sameDocument = true;");
            driver.findElement(By.id("stop-button")).click();
            acceptConfirm("Stop the job?");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".flash"), "stopped"));
            assertThat(text("session-status")).isEqualTo("stopped");
            assertThat(driver.findElement(By.id("stop-button")).isEnabled()).isFalse();
            ((JavascriptExecutor) driver).executeScript("window.__sameDocument = true;");
            waitForText("counter-active", "0");
            assertThat(((JavascriptExecutor) driver).executeScript("return window.__sameDocument === true"))
                    .isEqualTo(true);
            waitForText("workers-rows", "submitted");
            await().atMost(WAIT).untilAsserted(() -> {
                QueueSnapshot s = sessions.snapshot(session);
                assertThat(s.stopped()).isTrue();
                assertThat(s.workers().get("W1").status()).isEqualTo(WorkerStatus.SUBMITTED);
                assertThat(s.workers().get("W2").status()).isEqualTo(WorkerStatus.SUBMITTED);
            });
            assertThat(text("timeline-rows")).contains("job stopped");

            // Download the event log as CSV from the view's link.
            driver.findElement(By.id("export-events-csv")).click();
            Path csv = await().atMost(WAIT).until(() -> {
                try (Stream<Path> files = Files.list(downloads)) {
                    return files.filter(p -> p.toString().endsWith(".csv")).findFirst().orElse(null);
                }
            }, p -> p != null && p.toFile().length() > 0);
            String content = Files.readString(csv);
            assertThat(content.lines().count()).isGreaterThan(5);
            assertThat(content).contains("admin:" + EMAIL).contains("W1").contains("W2").containsIgnoringCase("stopped")
                    .containsIgnoringCase("migrated");
        } catch (AssertionError | RuntimeException e) {
            dumpConsole();
            throw e;
        }
    }

    /**
     * Issue 14 item 6 in the browser: a session with many events; the timeline pages (Older, then Newer back
     * to the newest) and an older page stays put while events arrive; a filter by worker; a worker that
     * really connected opens from the timeline and shows "connected", then, its tab closed, "disconnected,
     * inside the grace period until ...". Screenshots in target/screenshots/ (session.png, worker.png).
     */
    @Test
    void theTimelinePagesAndAWorkersViewOpensFromIt() throws Exception {
        try {
            long taskId = LiveTestSupport.task(projects, tasks, port, new org.pavilion.queue.Thresholds(1, 0, 1, 80),
                    725);
            var posted = controls.goLive(taskId, EMAIL, true);
            long session = posted.sessionId();
            // 60 workers confirmed and arrived on the server: more than two pages of the timeline.
            for (int i = 1; i <= 60; i++) {
                org.pavilion.testing.ConfirmedArrivals.arrive(sessions, session, "S" + i, "ASG-S" + i, "worker:S" + i);
            }

            driver.get(url("/login"));
            driver.findElement(By.id("username")).sendKeys(EMAIL);
            driver.findElement(By.id("password")).sendKeys(PASSWORD);
            driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/admin"));

            // A real worker accepts the HIT and waits on its page (connected).
            String admin = driver.getWindowHandle();
            String workerTab = openWorkerTab("WB", local.accept("WB", posted.hitId()).assignmentId(), posted.hitId());
            waitForText("connection", "Connected");
            driver.switchTo().window(admin);

            driver.get(url("/admin/sessions/" + session));
            waitForText("live-status", "connected");
            waitForText("timeline-rows", "WB arrived");
            assertThat(driver.findElements(By.cssSelector("#timeline-rows tr"))).hasSize(Timeline.DEFAULT_SIZE);
            assertThat(driver.findElement(By.id("timeline-older")).isDisplayed()).isTrue();
            assertThat(driver.findElement(By.id("timeline-newer")).isDisplayed()).isFalse();
            assertThat(text("waiting-pay-rate")).isEqualTo("$7.25 per hour");
            assertThat(text("chart-legend")).contains("waiting").contains("maxActive");
            // Read in one script each: live.js redraws the chart whenever the queues change.
            JavascriptExecutor js = (JavascriptExecutor) driver;
            assertThat((List<Object>) js.executeScript("return Array.from(document.querySelectorAll('#chart .ref-label'))"
                    + ".map(function (t) { return t.textContent; });"))
                    .containsExactlyInAnyOrder("minActive = maxActive 1", "maxWaiting 80");
            // Both series at 0 before the first arrival: drawn dashed, so neither hides the other.
            assertThat(js.executeScript("return document.querySelectorAll('#chart path.line-equal').length;"))
                    .isEqualTo(1L);
            assertThat(js.executeScript("return getComputedStyle(document.querySelector('#chart text')).fontFamily;"))
                    .isEqualTo(js.executeScript("return getComputedStyle(document.body).fontFamily;"));
            screenshot("session.png");
            long newestSeq = firstSeq();

            // Older: the next 50, all older; Newer is offered.
            driver.findElement(By.id("timeline-older")).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("before="));
            waitForText("timeline-range", "Events #");
            long pageTwoFirst = firstSeq();
            assertThat(pageTwoFirst).isLessThan(newestSeq);
            assertThat(driver.findElement(By.id("timeline-newer")).isDisplayed()).isTrue();
            String pageTwo = text("timeline-rows");
            ((JavascriptExecutor) driver).executeScript("document.getElementById('timeline').scrollIntoView();");
            screenshot("session-timeline.png");

            // Events arrive meanwhile; after the page's next refresh it still shows the same events.
            for (int i = 61; i <= 63; i++) {
                org.pavilion.testing.ConfirmedArrivals.arrive(sessions, session, "S" + i, "ASG-S" + i, "worker:S" + i);
            }
            waitForText("counter-waiting", "63"); // the live view has refreshed since (60 + WB + 3 - 1 active)
            assertThat(text("timeline-rows")).isEqualTo(pageTwo);

            // Newer: the events right after page two (the new arrivals are newer still); then Newest.
            driver.findElement(By.id("timeline-newer")).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("after="));
            waitForText("timeline-range", "Events #");
            assertThat(lastSeq()).isGreaterThan(pageTwoFirst);
            assertThat(driver.findElement(By.id("timeline-newest")).isDisplayed()).isTrue();
            driver.findElement(By.id("timeline-newest")).click();
            waitForText("timeline-rows", "S63 arrived");
            assertThat(firstSeq()).isGreaterThan(newestSeq);

            // Filter by worker: WB's events only.
            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("timeline-worker")))
                    .selectByVisibleText("WB");
            driver.findElement(By.id("timeline-filter-button")).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("worker=WB"));
            waitForText("timeline-range", "matching");
            @SuppressWarnings("unchecked")
            List<String> workers = (List<String>) ((JavascriptExecutor) driver).executeScript(
                    "return Array.from(document.querySelectorAll('#timeline-rows td:nth-child(4)'))"
                            + ".map(function (td) { return td.textContent.trim(); })"
                            + ".filter(function (w, i, all) { return all.indexOf(w) === i; });");
            assertThat(workers).containsExactly("WB");

            // The worker's view, from the timeline: connected.
            // live updates redraw the rows: a link found just before a redraw is clicked again, found anew
            new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> {
                        d.findElement(By.cssSelector("#timeline-rows a")).click();
                        return true;
                    });
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/workers/WB"));
            assertThat(text("worker-id")).isEqualTo("WB");
            assertThat(text("worker-status")).isEqualTo("waiting");
            assertThat(text("worker-connection")).isEqualTo("connected");
            assertThat(text("timeline-rows")).contains("WB arrived");

            // Its tab closes: disconnected, inside the grace period until a time.
            driver.switchTo().window(workerTab);
            driver.close();
            driver.switchTo().window(admin);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                driver.navigate().refresh();
                assertThat(text("worker-connection"))
                        .matches("disconnected, inside the grace period until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC");
            });
            screenshot("worker.png");
        } catch (AssertionError | RuntimeException e) {
            dumpConsole();
            throw e;
        }
    }

    // Read in one script: live.js may replace the rows between a find and a read.
    private long lastSeq() {
        return ((Number) ((JavascriptExecutor) driver).executeScript(
                "var c = document.querySelectorAll('#timeline-rows tr td:first-child');"
                        + "return Number(c[c.length - 1].textContent);")).longValue();
    }

    private long firstSeq() {
        return ((Number) ((JavascriptExecutor) driver).executeScript(
                "return Number(document.querySelector('#timeline-rows tr td').textContent);")).longValue();
    }

    private void screenshot(String name) throws IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        byte[] png = driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
        Files.write(dir.resolve(name), png);
    }

    private String openWorkerTab(String worker, String assignmentId, String hitId) {
        driver.switchTo().newWindow(WindowType.TAB);
        driver.get(url("/waiting_task?assignmentId=" + enc(assignmentId) + "&hitId=" + enc(hitId) + "&workerId="
                + enc(worker) + "&turkSubmitTo=" + enc("http://localhost:" + port + "/local-mturk")));
        return driver.getWindowHandle();
    }

    private void acceptConfirm(String expected) {
        Alert alert = new WebDriverWait(driver, WAIT).until(ExpectedConditions.alertIsPresent());
        assertThat(alert.getText()).contains(expected);
        alert.accept();
    }

    private void type(String id, String value) {
        var input = driver.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private String text(String idOrTag) {
        By by = idOrTag.equals("main") ? By.tagName("main") : By.id(idOrTag);
        return driver.findElement(by).getText().strip();
    }

    private void waitForText(String id, String expected) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id(id), expected));
    }

    private void dumpConsole() {
        if (driver == null) {
            return;
        }
        try {
            List<String> handles = new ArrayList<>(driver.getWindowHandles());
            for (String h : handles) {
                driver.switchTo().window(h);
                System.err.println("---- tab at " + driver.getCurrentUrl());
                for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                    System.err.println(entry);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("(no console log: " + e + ")");
        }
    }
}
