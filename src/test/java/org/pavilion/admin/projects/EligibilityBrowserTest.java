package org.pavilion.admin.projects;

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
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pavilion.marketplace.MarketplaceService;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.LiveSessionService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * In Chromium: the admin excludes workers on the project's page (one, then a paste with a bad id, which is
 * reported), and an excluded worker who accepted the HIT at the marketplace opens the waiting page and reads,
 * in words, that it cannot take part; the session is unchanged.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem",
        "pavilion.admin.email=" + EligibilityBrowserTest.EMAIL,
        "pavilion.admin.password=" + EligibilityBrowserTest.PASSWORD})
class EligibilityBrowserTest {

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
    MarketplaceService market;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;

    private ChromeDriver driver;
    private Path profile;

    @BeforeEach
    void chromium() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM);
        assumeTrue(Files.isExecutable(CHROMEDRIVER), "chromedriver is not installed at " + CHROMEDRIVER);
        profile = Files.createTempDirectory("pavilion-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1600", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
    }

    @AfterEach
    void close() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theAdminExcludesWorkersAndAnExcludedWorkerReadsWhyItCannotTakePart() {
        long project = projects.create("Browser eligibility", "", Instant.now()).id();
        driver.get(url("/login"));
        driver.findElement(By.id("username")).sendKeys(EMAIL);
        driver.findElement(By.id("password")).sendKeys(PASSWORD);
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/admin"));

        driver.get(url("/admin/projects/" + project));
        driver.findElement(By.id("excluded-workers-link")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("worker-id")));
        assertThat(driver.findElement(By.id("excluded-none")).getText()).contains("No worker is excluded");
        driver.findElement(By.id("worker-id")).sendKeys("AEXCLUDED");
        driver.findElement(By.cssSelector("#exclude-one button[type=submit]")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("excluded-list")));
        assertThat(driver.findElement(By.id("excluded-list")).getText()).contains("AEXCLUDED");

        driver.findElement(By.id("import-text")).sendKeys("ABULK1\nnot-an-id\nAEXCLUDED");
        driver.findElement(By.cssSelector("#exclude-import button[type=submit]")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("import-refused")));
        assertThat(driver.findElement(By.cssSelector(".notice")).getText())
                .contains("1 worker added, 1 excluded already, 1 refused");
        assertThat(driver.findElement(By.id("import-refused")).getText()).contains("not-an-id")
                .contains("not an MTurk worker id");
        assertThat(driver.findElement(By.id("excluded-list")).getText()).contains("ABULK1").contains("AEXCLUDED");

        // The excluded worker accepts the live HIT at the marketplace and opens the task's waiting page.
        TaskSettings basic = TaskSettings.basic("Chat", "A live task", url("/waiting_task"), 50,
                new Thresholds(1, 0, 2, 2));
        long task = tasks.create(project, basic, Instant.now()).id();
        MarketplaceService.Posted posted = market.goLive(task, EMAIL);
        String assignment = local.accept("AEXCLUDED", posted.hitId()).assignmentId();
        driver.get(url("/waiting_task?assignmentId=" + enc(assignment) + "&hitId=" + enc(posted.hitId())
                + "&workerId=AEXCLUDED&turkSubmitTo=" + enc(url("/local-mturk"))));
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"),
                "You cannot take part in this HIT"));
        assertThat(driver.findElement(By.id("notice")).getText()).contains("excluded your worker id")
                .contains("please return the HIT");
        assertThat(driver.findElement(By.id("submit")).isEnabled()).isFalse();
        assertThat(sessions.snapshot(posted.sessionId()).workers()).isEmpty();
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
