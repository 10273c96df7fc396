package org.pavilion.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pavilion.admin.security.AdminBootstrap;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 14, the researcher's whole journey in real headless Chromium, as a new user walks it on the embedded
 * default (H2 in memory, the local marketplace): the one-time setup link creates the first admin, who logs in,
 * creates a project and a task (only its own values typed), reads the Go live dialog and goes live with a
 * session name and a changed maxWaiting; two workers take the HIT from the local worker board (one active, one
 * waiting) and appear on the live view; the timeline and a worker's view say who is where; a worker submits
 * from the board and the Payments page lists its pay; the events CSV, fetched with the admin's browser
 * session, holds the worker and the session. Each main screen is saved as
 * target/screenshots/journey-NN-name.png.
 */
// No configured first admin (empty on purpose, whatever the environment holds): the setup link is the way in.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=200ms",
        "pavilion.admin.email=", "pavilion.admin.password="})
class ResearcherJourneyBrowserTest {

    private static final String EMAIL = "new.researcher@lab.example";
    private static final String PASSWORD = "a first admin's long passphrase";
    private static final String TITLE = "Guide a rover together";
    private static final String SESSION_NAME = "pilot A";

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @LocalServerPort
    int port;
    @Autowired
    AdminBootstrap bootstrap;
    @Autowired
    LocalMarketplace local;

    private ChromeDriver driver;
    private Path profile;

    @BeforeEach
    void chromium() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM);
        assumeTrue(Files.isExecutable(CHROMEDRIVER), "chromedriver is not installed at " + CHROMEDRIVER);
        profile = Files.createTempDirectory("pavilion-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1600", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
        driver.manage().timeouts().scriptTimeout(WAIT);
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
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aNewResearcherSetsUpGoesLiveWatchesWorkersPaysAndExports() throws Exception {
        try {
            walk();
        } catch (AssertionError | RuntimeException e) {
            dumpConsole();
            throw e;
        }
    }

    private void walk() throws Exception {
        // 1. The first-admin setup page, from the link Pavilion printed to its log.
        String link = bootstrap.setupLink().orElseThrow(() -> new AssertionError("no setup link was printed"));
        assertThat(link).startsWith("http://localhost:" + port + "/setup?token=");
        driver.get(link);
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Set up Pavilion");
        assertThat(text("main")).contains("Create the first admin account");
        type("email", EMAIL);
        type("password", PASSWORD);
        type("confirmPassword", PASSWORD);
        screenshot("01-setup");
        driver.findElement(By.cssSelector("#setup-form button[type=submit]")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/login?created"));
        assertThat(text("setup-done")).isNotEmpty();
        // the link is used up: no second first admin
        assertThat(bootstrap.setupLink()).isEmpty();
        type("username", EMAIL);
        type("password", PASSWORD);
        screenshot("02-login");
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/admin"));
        assertThat(driver.findElement(By.cssSelector("header .who")).getText()).isEqualTo(EMAIL);

        // 2. A project, then a task typed with only its own values; the rest are the form's defaults.
        driver.get(url("/admin/projects"));
        type("project-name", "Rover study");
        driver.findElement(By.cssSelector("form[action$='/admin/projects'] button[type=submit]")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/projects/\\d+$"));
        assertThat(driver.findElement(By.tagName("h1")).getText()).contains("Rover study");
        driver.findElement(By.linkText("New task")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("task-title")));
        String workerUrl = url("/waiting_task");
        assertThat(driver.findElement(By.id("task-externalUrl")).getAttribute("value")).isEqualTo(workerUrl);
        type("task-title", TITLE);
        driver.findElement(By.id("task-description")).sendKeys("Two people steer one rover through a maze.");
        type("task-reward", "0.50");
        type("task-minActive", "1");
        type("task-maxActive", "1");
        type("task-minWaiting", "0");
        type("task-maxWaiting", "2");
        screenshot("03-task-form");
        driver.findElement(By.cssSelector("form.stacked button[type=submit]")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/tasks/\\d+$"));
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo(TITLE);
        assertThat(text("main")).contains("Never posted.");

        // 3. The Go live dialog: the marketplace, the balance, the first hour's cost (the task's thresholds:
        // 1 + 2 initial assignments at $0.50).
        driver.findElement(By.linkText("Go live…")).click();
        Select marketplace = new Select(driver.findElement(By.id("go-live-marketplace-choice")));
        assertThat(marketplace.getFirstSelectedOption().getText()).startsWith("the local marketplace");
        assertThat(text("go-live-marketplace")).isEqualTo("the local marketplace (Pavilion's own, no real money)");
        assertThat(text("go-live-balance")).isEqualTo("$10000.00"); // the local marketplace's play money
        // Per hour: the task's maxWaiting 2 at the default waiting pay; the first hour adds the initial HIT.
        String perHour = text("go-live-per-hour");
        assertThat(perHour).contains("(2 workers × $7.25)");
        Matcher first = Pattern.compile("(\\$\\d+\\.\\d\\d): the initial HIT \\(3 assignments, rewards \\$1\\.50 "
                + "\\+ fees (\\$\\d+\\.\\d\\d)\\) and one hour at full queues").matcher(text("go-live-first-hour"));
        assertThat(first.matches()).as(text("go-live-first-hour")).isTrue();
        assertThat(cents(first.group(2))).as("MTurk's 20 % fee on $1.50").isEqualTo(30);
        assertThat(cents(first.group(1))).isEqualTo(150 + 30 + cents(perHour));
        assertThat(driver.findElements(By.id("go-live-warning"))).as("the local balance covers it").isEmpty();
        assertThat(driver.findElement(By.id("go-live-max-waiting")).getAttribute("value")).isEqualTo("2");
        type("go-live-name", SESSION_NAME);
        type("go-live-max-waiting", "3");
        // The figures follow the choice at once: now 3 waiting workers paid an hour, 4 initial assignments.
        waitForText("go-live-per-hour", "(3 workers × $7.25)");
        waitForText("go-live-first-hour", "the initial HIT (4 assignments, rewards $2.00");
        // A choice going live would refuse is said before going live; a good one again clears it.
        type("go-live-max-active", "0");
        waitForText("go-live-choice-problem", "maxActive");
        type("go-live-max-active", "1");
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.invisibilityOfElementLocated(
                By.id("go-live-choice-problem")));
        waitForText("go-live-per-hour", "(3 workers × $7.25)");
        screenshot("04-go-live");
        driver.findElement(By.id("go-live-button")).click();
        Alert confirm = new WebDriverWait(driver, WAIT).until(ExpectedConditions.alertIsPresent());
        assertThat(confirm.getText()).contains("Post “" + TITLE + "” as a new session on the local marketplace "
                + "(Pavilion's own, no real money)?").contains("about $");
        confirm.accept();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/sessions/\\d+$"));
        String sessionUrl = driver.getCurrentUrl();
        long session = Long.parseLong(sessionUrl.substring(sessionUrl.lastIndexOf('/') + 1));

        // 4. The session view: its name, where it is, the header's badge, the preview on the local board.
        assertThat(text("session-marketplace")).isEqualTo(
                "Session " + session + " “" + SESSION_NAME + "” is on the local marketplace (Pavilion's own, no real money)"
                        + " · see its HIT as a worker does");
        assertThat(text("marketplace-badge")).isEqualTo("Marketplace: local");
        assertThat(driver.findElement(By.id("preview-link")).getAttribute("href")).endsWith("/local-mturk/board");
        assertThat(text("session-status")).isEqualTo("live");
        assertThat(text("main")).contains("1 / 0 / 1 / 3"); // this session's maxWaiting, not the task's
        String hitId = text("session-hit");
        LocalMarketplace.HitView hit = local.getHit(hitId);
        assertThat(hit.externalUrl()).isEqualTo(workerUrl);
        assertThat(hit.maxAssignments()).isEqualTo(4);
        waitForText("live-status", "connected");
        screenshot("05-session");
        String admin = driver.getWindowHandle();

        // The preview link shows the HIT on the local board as a worker sees it, before anyone took it.
        String preview = driver.findElement(By.id("preview-link")).getAttribute("href");
        driver.switchTo().newWindow(WindowType.TAB);
        driver.get(preview);
        String hitRow = driver.findElement(By.cssSelector("#hits tr[data-hit-id='" + hitId + "']")).getText();
        assertThat(hitRow).contains(TITLE).contains("Two people steer one rover through a maze.").contains("$0.50")
                .contains("4 of 4");
        assertThat(text("main")).contains("Choose a worker id above to accept a HIT.");
        driver.close();
        driver.switchTo().window(admin);

        // 5. Two workers take the HIT from the local worker board, in tabs of their own.
        String w1 = workerAccepts("W1JOURNEY");
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/main_task")); // minActive 1
        screenshot("06-worker-active");
        String w2 = workerAccepts("W2JOURNEY");
        waitForText("connection", "Connected");
        assertThat(driver.getCurrentUrl()).contains("/waiting_task");
        // the worker's page counts places against this session's maxWaiting (3, set at Go live), not the task's 2
        waitForText("waiting-count", "1");
        assertThat(text("max-waiting")).isEqualTo("3");
        waitForText("active-count", "1");
        screenshot("07-worker-waiting");

        // They appear on the live view, without a reload.
        driver.switchTo().window(admin);
        waitForText("counter-active", "1");
        waitForText("counter-waiting", "1");
        waitForText("active-rows", "W1JOURNEY");
        waitForText("waiting-rows", "W2JOURNEY");
        waitForText("timeline-rows", "W2JOURNEY arrived");
        // Times the page's script wrote (live updates) read exactly like the ones the server wrote.
        String byScript = driver.findElement(By.cssSelector("#timeline-rows tr:first-child time")).getText();
        String byServer = driver.findElement(By.cssSelector("main p.muted time")).getText();
        assertThat(byScript).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC.*");
        assertThat(byScript.substring(19)).as("the zone, as the server writes it").isEqualTo(byServer.substring(19));
        screenshot("08-live-view");

        // 6. The timeline: few events, one page (no Older/Newer); newest first; the filter by worker.
        driver.navigate().refresh();
        waitForText("timeline-rows", "W2JOURNEY arrived");
        assertThat(driver.findElement(By.id("timeline-older")).isDisplayed()).isFalse();
        assertThat(driver.findElement(By.id("timeline-newer")).isDisplayed()).isFalse();
        List<Long> seqs = seqs();
        assertThat(seqs).hasSizeGreaterThanOrEqualTo(3);
        assertThat(seqs).isSortedAccordingTo(Comparator.reverseOrder());
        assertThat(text("timeline-rows")).contains("session started").contains("W1JOURNEY arrived");
        new Select(driver.findElement(By.id("timeline-worker"))).selectByVisibleText("W1JOURNEY");
        driver.findElement(By.id("timeline-filter-button")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("worker=W1JOURNEY"));
        waitForText("timeline-range", "matching");
        assertThat(timelineWorkers()).containsExactly("W1JOURNEY");
        assertThat(text("timeline-rows")).contains("W1JOURNEY arrived").doesNotContain("W2JOURNEY");
        screenshot("09-timeline-filtered");

        // A worker's view, opened from the waiting queue: waiting, connected.
        driver.get(sessionUrl);
        waitForText("waiting-rows", "W2JOURNEY");
        driver.findElement(By.cssSelector("#waiting-rows a")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/workers/W2JOURNEY"));
        assertThat(text("worker-id")).isEqualTo("W2JOURNEY");
        assertThat(text("worker-status")).isEqualTo("waiting");
        assertThat(text("worker-connection")).isEqualTo("connected");
        assertThat(text("timeline-rows")).contains("W2JOURNEY arrived");
        screenshot("10-worker");

        // 7. The active worker submits from the board; the Payments page lists its pay.
        driver.switchTo().window(w1);
        driver.get(url("/local-mturk/board?workerId=W1JOURNEY"));
        driver.findElement(By.cssSelector("#assignments button[aria-label='Submit " + TITLE + " now']")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/externalSubmit"));
        assertThat(text("main")).contains(TITLE);
        screenshot("11-worker-submitted");
        driver.switchTo().window(admin);
        driver.get(sessionUrl);
        driver.findElement(By.id("payments-link")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/sessions/" + session + "/payments$"));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            driver.navigate().refresh();
            assertThat(text("payment-rows")).contains("W1JOURNEY").contains("approved");
        });
        // One row, W1's: it submitted, its $0.50 reward approved (the task's default: automatic approval).
        assertThat(driver.findElements(By.cssSelector("#payment-rows tr"))).hasSize(1);
        String row = driver.findElement(By.xpath("//tbody[@id='payment-rows']/tr[contains(., 'W1JOURNEY')]")).getText();
        assertThat(row).contains("submitted").contains("$0.50").contains("approved").doesNotContain("W2JOURNEY");
        screenshot("12-payments");

        // 8. The exports: every one linked from the session view; events.csv with the admin's browser session.
        driver.get(sessionUrl);
        for (String export : List.of("events.csv", "events.json", "workers.csv", "workers.json", "taskdata.csv",
                "taskdata.json", "payments.csv", "payments.json")) {
            String id = "export-" + export.replace('.', '-');
            assertThat(driver.findElement(By.id(id)).getAttribute("href"))
                    .endsWith("/api/admin/sessions/" + session + "/export/" + export);
        }
        // Fetched by the page itself: the admin's own login cookie, no second client. The CSV has no session
        // column; the session is in the attachment's name, and its HIT in every worker row.
        String fetched = (String) ((JavascriptExecutor) driver).executeAsyncScript(
                "var done = arguments[arguments.length - 1];"
                        + "fetch(document.getElementById('export-events-csv').href, {credentials: 'same-origin'})"
                        + ".then(function (r) { return r.text().then(function (t) {"
                        + "  done(r.status + '\\n' + r.headers.get('Content-Disposition') + '\\n' + t); }); })"
                        + ".catch(function (e) { done('error ' + e); });");
        String[] parts = fetched.split("\n", 3);
        assertThat(parts[0]).as(fetched).isEqualTo("200");
        assertThat(parts[1]).contains("attachment").contains("pavilion-session-" + session + "-events.csv");
        String csv = parts[2];
        assertThat(csv.lines().findFirst().orElseThrow()).startsWith("seq,at,kind,worker,assignment,");
        String w1Assignment = local.assignmentsOf("W1JOURNEY").get(0).assignmentId();
        // W1's way through the queues, with its assignment: arrived waiting, promoted, submitted.
        assertThat(csv).as(csv).contains(",status,W1JOURNEY," + w1Assignment + ",,waiting,arrived,")
                .contains(",status,W1JOURNEY," + w1Assignment + ",waiting,active,promoted,")
                .contains(",status,W1JOURNEY," + w1Assignment + ",active,submitted,submitted,");
        assertThat(csv).contains(hitId).contains("W2JOURNEY");
        driver.switchTo().window(w2);
        driver.close();
        driver.switchTo().window(admin);
    }

    /** A worker opens the board in a new tab, enters its id, accepts the HIT, and lands on the task's page. */
    private String workerAccepts(String worker) {
        driver.switchTo().newWindow(WindowType.TAB);
        driver.get(url("/local-mturk/board"));
        type("workerId", worker);
        driver.findElement(By.cssSelector("form.worker-form button[type=submit]")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("button[aria-label='Accept " + TITLE + "']")));
        assertThat(text("hits")).contains(TITLE).contains("$0.50");
        driver.findElement(By.cssSelector("button[aria-label='Accept " + TITLE + "']")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("workerId=" + worker));
        return driver.getWindowHandle();
    }

    private List<Long> seqs() {
        @SuppressWarnings("unchecked")
        List<Object> raw = (List<Object>) ((JavascriptExecutor) driver).executeScript(
                "return Array.from(document.querySelectorAll('#timeline-rows tr td:first-child'))"
                        + ".map(function (td) { return Number(td.textContent); });");
        return raw.stream().map(o -> ((Number) o).longValue()).toList();
    }

    private List<String> timelineWorkers() {
        @SuppressWarnings("unchecked")
        List<String> workers = (List<String>) ((JavascriptExecutor) driver).executeScript(
                "return Array.from(document.querySelectorAll('#timeline-rows td:nth-child(4)'))"
                        + ".map(function (td) { return td.textContent.trim(); })"
                        + ".filter(function (w, i, all) { return w && all.indexOf(w) === i; });");
        return workers;
    }

    private static long cents(String text) {
        Matcher m = Pattern.compile("\\$(\\d+)\\.(\\d\\d)").matcher(text);
        assertThat(m.find()).as("an amount in " + text).isTrue();
        return Long.parseLong(m.group(1)) * 100 + Long.parseLong(m.group(2));
    }

    /** The whole page, top to bottom, as target/screenshots/journey-NN-name.png. */
    private void screenshot(String name) throws IOException {
        long height = (Long) ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollHeight");
        driver.manage().window().setSize(new Dimension(1280, (int) Math.min(height + 120, 6000)));
        ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0);");
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        Files.write(dir.resolve("journey-" + name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    private void type(String id, String value) {
        var input = driver.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
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
                System.err.println(driver.findElement(By.tagName("body")).getText());
                for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                    System.err.println(entry);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("(no console log: " + e + ")");
        }
    }
}
