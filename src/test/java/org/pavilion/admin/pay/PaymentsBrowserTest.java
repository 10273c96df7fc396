package org.pavilion.admin.pay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pavilion.admin.live.LiveTestSupport;
import org.pavilion.pay.BonusLedger;
import org.pavilion.pay.PayLedger;
import org.pavilion.pay.PayLedger.Payout;
import org.pavilion.pay.PayoutState;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.Thresholds;
import org.pavilion.realtime.SignedTokens;
import org.pavilion.realtime.WorkerIdentity;
import org.pavilion.session.LiveSessionService;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The payments view in real headless Chromium, on a session of the running server (manual approval) whose
 * payouts its own commits wrote: the admin goes there from the session view, sees the rows, the totals and
 * the review buttons; a rejection without feedback comes back with the error at its field; a submission made
 * while the page is open appears without a reload, and its (script-built) Approve button works; the worker's
 * own pay page then shows its bonus.
 */
// The dispatcher is off: the session's assignments are confirmed in the test, not held at the marketplace,
// and the test moves ledger rows step by step itself.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=200ms", "pavilion.pay.dispatch=false",
        "pavilion.admin.email=" + PaymentsBrowserTest.EMAIL, "pavilion.admin.password=" + PaymentsBrowserTest.PASSWORD})
class PaymentsBrowserTest {

    static final String EMAIL = "payer@lab.example";
    static final String PASSWORD = "correct horse battery staple 43";

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @LocalServerPort
    int port;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    JdbcSessionStore store;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    PayLedger ledger;
    @Autowired
    BonusLedger bonuses;
    @Autowired
    SignedTokens tokens;

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
                "--disable-dev-shm-usage", "--window-size=1600,1400", "--user-data-dir=" + profile);
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
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void leave(long session, String worker, String assignment, Departure how) {
        sessions.apply(session, new QueueEvent.Leave(worker, assignment, how), "marketplace");
    }

    private Payout payout(long session, String worker) {
        return ledger.forSession(session).stream().filter(p -> p.workerId().equals(worker)).reduce((a, b) -> b)
                .orElseThrow();
    }

    @Test
    void theAdminReviewsSubmissionsOnThePaymentsPage() throws Exception {
        // A session with manual approval and a high waiting rate (a short wait earns cents).
        long task = LiveTestSupport.task(projects, tasks, port, new Thresholds(1, 0, 1, 2), 360_000);
        jdbc.update("update task set approval_policy = 'MANUAL' where id = ?", task);
        long session = sessions.open(task).sessionId();
        store.recordSessionHit(session, "TYPE-B", "HIT-B");
        ConfirmedArrivals.arrive(sessions, session, "W1", "A1", "HIT-B", "worker:W1");
        ConfirmedArrivals.arrive(sessions, session, "W2", "A2", "HIT-B", "worker:W2");
        ConfirmedArrivals.arrive(sessions, session, "W3", "A3", "HIT-B", "worker:W3");
        await().atMost(WAIT).until(() -> sessions.waitingPayCents(session, "W3").get() >= 1);
        leave(session, "W3", "A3", Departure.RETURN);
        bonuses.award(session, "W2", 7, "kept the robot on course");
        leave(session, "W1", "A1", Departure.SUBMIT);
        leave(session, "W2", "A2", Departure.SUBMIT);
        long w1 = payout(session, "W1").id();
        long w2 = payout(session, "W2").id();
        long w3 = payout(session, "W3").id();

        try {
            // Log in; from the session's live view to its payments.
            driver.get(url("/login"));
            driver.findElement(By.id("username")).sendKeys(EMAIL);
            driver.findElement(By.id("password")).sendKeys(PASSWORD);
            driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/admin"));
            driver.get(url("/admin/sessions/" + session));
            driver.findElement(By.id("payments-link")).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/sessions/\\d+/payments$"));

            // The rows, the totals, the review buttons.
            assertThat(driver.findElements(By.cssSelector("#payment-rows tr"))).hasSize(3);
            assertThat(text("payout-" + w1)).contains("W1").contains("submitted").contains("$0.50")
                    .contains("pending approval").contains("awaiting review");
            assertThat(text("payout-" + w2)).contains("W2").contains("$0.07 so far");
            assertThat(text("payout-" + w3)).contains("W3").contains("returned").contains("owed");
            assertThat(driver.findElements(By.cssSelector("#payout-" + w3 + " button"))).isEmpty();
            for (long id : new long[] {w1, w2}) {
                assertThat(driver.findElement(By.id("approve-" + id)).isDisplayed()).isTrue();
                assertThat(driver.findElement(By.id("reject-" + id)).isDisplayed()).isTrue();
            }
            assertThat(text("total-owed")).isEqualTo(payout(session, "W3").bonus().display());
            assertThat(text("total-grand")).matches("\\$\\d+\\.\\d\\d");
            assertThat(driver.findElement(By.id("review-all")).isDisplayed()).isTrue();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(
                    By.id("live-status"), "connected"));
            screenshot("payments-1.png");

            // Reject W1 without feedback: the error at its field, nothing changed.
            driver.findElement(By.id("reject-" + w1)).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(
                    By.id("feedback-" + w1 + "-error")));
            assertThat(text("feedback-" + w1 + "-error")).contains("A rejection needs feedback");
            assertThat(driver.findElement(By.id("feedback-" + w1)).getAttribute("aria-invalid")).isEqualTo("true");
            assertThat(payout(session, "W1").approvalState()).isEqualTo(PayoutState.Approval.REVIEW);

            // With feedback: rejected, the row says so and has no buttons left.
            driver.findElement(By.id("feedback-" + w1)).sendKeys("The task asked for steering; none was given.");
            driver.findElement(By.id("reject-" + w1)).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(
                    By.cssSelector(".flash"), "Rejected 1 submission"));
            assertThat(text("payout-" + w1)).contains("cancelled: submission rejected")
                    .contains("The task asked for steering; none was given.");
            assertThat(driver.findElements(By.cssSelector("#payout-" + w1 + " button"))).isEmpty();
            assertThat(payout(session, "W1").bonusState()).isEqualTo(PayoutState.Bonus.CANCELLED);

            // A worker submits while the page is open: its row appears without a reload, and its Approve works.
            ((JavascriptExecutor) driver).executeScript("window.__sameDocument = true;");
            ConfirmedArrivals.arrive(sessions, session, "W4", "A4", "HIT-B4", "worker:W4");
            leave(session, "W4", "A4", Departure.SUBMIT);
            long w4 = payout(session, "W4").id();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("approve-" + w4)));
            assertThat(((JavascriptExecutor) driver).executeScript("return window.__sameDocument === true"))
                    .as("the payments page was not reloaded").isEqualTo(true);
            assertThat(text("payout-" + w4)).contains("W4").contains("awaiting review");
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("counts"),
                    "2 awaiting review"));
            driver.findElement(By.id("approve-" + w4)).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(
                    By.cssSelector(".flash"), "Approved 1 submission"));
            assertThat(payout(session, "W4").approvalState()).isNotEqualTo(PayoutState.Approval.REVIEW);

            // Approve all: W2, the last one under review, after a confirmation.
            driver.findElement(By.id("approve-all")).click();
            Alert alert = new WebDriverWait(driver, WAIT).until(ExpectedConditions.alertIsPresent());
            assertThat(alert.getText()).contains("Approve every submission");
            alert.accept();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(
                    By.cssSelector(".flash"), "Approved 1 submission"));
            assertThat(payout(session, "W2").approvalState()).isNotEqualTo(PayoutState.Approval.REVIEW);
            assertThat(driver.findElement(By.id("review-all")).isDisplayed()).isFalse();
            screenshot("payments-2.png");

            // W2's own pay page (the link its task page carries) shows its bonus on its way.
            String token = tokens.workerToken(new WorkerIdentity(session, "W2", "A2", "HIT-B"), Duration.ofHours(1));
            driver.get(url("/my_pay#" + token));
            // Its waiting pay, and its bonus (the waiting pay and its task bonuses) on its way.
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("pay-list"),
                    "waiting pay " + payout(session, "W2").waitingPay().display()));
            assertThat(text("pay-list")).contains("Bonus $").containsPattern("Time waited \\d+:\\d\\d");
            // the one time format (here in the browser's zone), to the second
            assertThat(text("pay-status")).containsPattern(
                    "Everything is settled\\.|Updated \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC");
            assertThat(text("pay-list")).containsPattern("being sent|paid|delayed");
            assertThat(text("pay-worker")).isEqualTo("W2");
            screenshot("my-pay.png");
        } catch (AssertionError | RuntimeException e) {
            screenshot("payments-failed.png");
            throw e;
        }
    }

    private void screenshot(String name) {
        try {
            Path dir = Path.of("target", "screenshots");
            Files.createDirectories(dir);
            Files.write(dir.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException | RuntimeException e) {
            System.err.println("(no screenshot: " + e + ")");
        }
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    private String text(String id) {
        return driver.findElement(By.id(id)).getText().strip();
    }
}
