package org.pavilion.admin.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pavilion.marketplace.local.FaultInjector;
import org.pavilion.marketplace.local.LocalMarketplace;
import org.pavilion.project.TaskRepository;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 14 item 2 in real headless Chromium: a task typed with only its title, description, reward and
 * thresholds (everything else the form's defaults, the worker-facing URL included) goes live on the local
 * marketplace; an empty description is refused on the form next to its field; a marketplace refusal comes
 * back to the task page in plain words.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem", "pavilion.marketplace.hire-poll=200ms",
        "pavilion.admin.email=" + GoLiveFromTheFormBrowserTest.EMAIL,
        "pavilion.admin.password=" + GoLiveFromTheFormBrowserTest.PASSWORD})
class GoLiveFromTheFormBrowserTest {

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
    FaultInjector faults;
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
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,2400", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
    }

    @AfterEach
    void close() throws IOException {
        faults.clear();
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
    void aTaskTypedWithOnlyItsOwnValuesGoesLiveAndAnEmptyDescriptionIsRefusedNextToItsField() throws IOException {
        logInAndOpenANewTaskForm("Defaults study");
        String workerUrl = "http://localhost:" + port + "/waiting_task";
        assertThat(driver.findElement(By.id("task-externalUrl")).getAttribute("value")).isEqualTo(workerUrl);
        assertThat(text("task-externalUrl-hint")).contains("waiting room").contains("/waiting_task");
        assertThat(text("task-description-hint")).startsWith("Required");

        // Everything but the description: refused next to the description field, nothing stored.
        int before = tasks.list().size();
        type("task-title", "Steer a robot together");
        type("task-reward", "0.50");
        type("task-minActive", "1");
        type("task-maxActive", "1");
        type("task-minWaiting", "0");
        type("task-maxWaiting", "2");
        screenshot("task-form.png");
        submitTaskForm();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(
                By.id("task-description-error")));
        assertThat(text("task-description-error")).isEqualTo("Description is required.");
        assertThat(driver.findElement(By.id("task-description")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(driver.findElement(By.id("task-description")).getAttribute("aria-describedby"))
                .contains("task-description-error");
        assertThat(text("error-summary")).contains("Description is required.");
        assertThat(driver.findElements(By.cssSelector("p.error"))).hasSize(1);
        assertThat(tasks.list()).hasSize(before);
        // what was typed is kept, the default URL too
        assertThat(driver.findElement(By.id("task-title")).getAttribute("value")).isEqualTo("Steer a robot together");
        assertThat(driver.findElement(By.id("task-externalUrl")).getAttribute("value")).isEqualTo(workerUrl);

        driver.findElement(By.id("task-description")).sendKeys("A live task for two workers.");
        submitTaskForm();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/tasks/\\d+$"));

        // Go live on the local marketplace: the HIT opens this server's waiting room.
        driver.findElement(By.id("go-live-button")).click();
        acceptConfirm();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/sessions/\\d+$"));
        assertThat(text("main")).contains("is live");
        LocalMarketplace.HitView hit = local.getHit(text("session-hit"));
        assertThat(hit.externalUrl()).isEqualTo(workerUrl);
        assertThat(hit.description()).isEqualTo("A live task for two workers.");
        assertThat(hit.reward()).isEqualByComparingTo("0.50");
        assertThat(hit.maxAssignments()).isEqualTo(3);
    }

    @Test
    void aMarketplaceRefusalIsToldOnTheTaskPageInPlainWords() throws IOException {
        logInAndOpenANewTaskForm("Refusal study");
        type("task-title", "A task MTurk refuses");
        driver.findElement(By.id("task-description")).sendKeys("Refused at Go live.");
        type("task-keywords", "chat, live");
        type("task-reward", "0.25");
        type("task-minActive", "1");
        type("task-maxActive", "1");
        type("task-minWaiting", "0");
        type("task-maxWaiting", "1");
        submitTaskForm();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/tasks/\\d+$"));
        String taskUrl = driver.getCurrentUrl();

        faults.failNext("CreateHITType", 1, FaultInjector.Fault.INVALID_PARAMETER);
        driver.findElement(By.id("go-live-button")).click();
        acceptConfirm();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".flash .notice-error")));
        assertThat(driver.getCurrentUrl()).isEqualTo(taskUrl + "#go-live"); // the task page, not the POST's address
        String problem = driver.findElement(By.cssSelector(".flash .notice-error")).getText();
        assertThat(problem).startsWith("Not posted: the marketplace refused the task's Keywords")
                .contains("Edit the task and change Keywords (comma-separated, at most 1000 characters)")
                .doesNotContainPattern("\\d{9,}").doesNotContain("AWS.MechanicalTurk", "RequestError", "502");
        assertThat(driver.findElement(By.cssSelector("#go-live-fix a")).getAttribute("href"))
                .endsWith("/edit#task-keywords");
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("A task MTurk refuses");

        // Nothing is left half-done: the next Go live (the marketplace accepting again) posts.
        driver.findElement(By.id("go-live-button")).click();
        acceptConfirm();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/sessions/\\d+$"));
        assertThat(local.getHit(text("session-hit")).keywords()).isEqualTo("chat, live");
    }

    private void logInAndOpenANewTaskForm(String projectName) {
        driver.get(url("/login"));
        driver.findElement(By.id("username")).sendKeys(EMAIL);
        driver.findElement(By.id("password")).sendKeys(PASSWORD);
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlContains("/admin"));
        driver.get(url("/admin/projects"));
        driver.findElement(By.id("project-name")).sendKeys(projectName);
        driver.findElement(By.cssSelector("form[action$='/admin/projects'] button[type=submit]")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlMatches(".*/admin/projects/\\d+$"));
        driver.findElement(By.linkText("New task")).click();
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("task-title")));
    }

    private void submitTaskForm() {
        driver.findElement(By.cssSelector("form.stacked button[type=submit]")).click();
    }

    /** The whole page, top to bottom (the window grown to the page's height). */
    private void screenshot(String name) throws IOException {
        long height = (Long) driver.executeScript("return document.documentElement.scrollHeight");
        driver.manage().window().setSize(new Dimension(1280, (int) height + 120));
        driver.executeScript("window.scrollTo(0, 0); document.activeElement.blur();");
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), dir.resolve(name),
                StandardCopyOption.REPLACE_EXISTING);
    }

    private void acceptConfirm() {
        Alert alert = new WebDriverWait(driver, WAIT).until(ExpectedConditions.alertIsPresent());
        assertThat(alert.getText()).contains("as a new session on the local marketplace (Pavilion's own");
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

    private String text(String idOrTag) {
        By by = idOrTag.equals("main") ? By.tagName("main") : By.id(idOrTag);
        return driver.findElement(by).getText().strip();
    }
}
