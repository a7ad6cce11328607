package io.larkway.console;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium driving the console, through the Debian chromedriver at explicit paths (no Selenium
 * Manager, nothing downloaded). {@link #check()} fails the test on any console error the page logged (a failed
 * request of the API is the API's answer the page shows, not an error of the page) or an error banner shown.
 */
public final class Browser implements AutoCloseable {
    /** Where Debian's packages chromium and chromium-driver put them (.ci/run installs them). */
    static final String CHROMIUM = System.getProperty("larkway.test.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("larkway.test.chromedriver", "/usr/bin/chromedriver");
    /** Generous: the test machine is shared and slow. */
    static final Duration WAIT = Duration.ofSeconds(30);

    private final ChromeDriver driver;
    private final String baseUrl;
    private final WebDriverWait wait;

    public Browser(String baseUrl) {
        this.baseUrl = baseUrl;
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                "--no-first-run", "--disable-extensions", "--disable-background-networking");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new java.io.File(CHROMEDRIVER)).usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        // the Status tab re-renders every few seconds: an element found a moment ago may be gone, so look again
        this.wait = (WebDriverWait) new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    public ChromeDriver driver() { return driver; }

    public void open(String path) {
        driver.get(baseUrl + path);
    }

    public WebElement find(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    public WebElement click(By by) {
        WebElement e = wait.until(ExpectedConditions.elementToBeClickable(by));
        e.click();
        return e;
    }

    public void type(By by, String text) {
        WebElement e = find(by);
        e.clear();
        e.sendKeys(text);
    }

    /** The labelled control of a form: labels are how a person finds it, so the test finds it that way too. */
    public static By labelled(String form, String label) {
        return By.xpath("//form[@id='" + form + "']//label[normalize-space(.)='" + label + "']/following-sibling::*[self::input or self::select or self::textarea][1]"
                + " | //form[@id='" + form + "']//label[normalize-space(.)='" + label + "']/input");
    }

    public void select(By by, String value) {
        new org.openqa.selenium.support.ui.Select(find(by)).selectByValue(value);
    }

    public void waitText(By by, String text) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    public void until(java.util.function.Function<org.openqa.selenium.WebDriver, Boolean> condition) {
        wait.until(condition::apply);
    }

    /** Accepts the confirm() the page asks (a rotation, a deletion). */
    public void acceptAlert() {
        wait.until(ExpectedConditions.alertIsPresent()).accept();
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    public void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Fails on a console error of the page or a shown error banner. */
    public void check() {
        List<String> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(e -> !answerOfTheApi(e))
                .map(LogEntry::getMessage).toList();
        if (!errors.isEmpty()) {
            throw new AssertionError("the console logged errors: " + errors);
        }
        List<WebElement> banner = driver.findElements(By.cssSelector("#banner:not([hidden])"));
        if (!banner.isEmpty()) {
            throw new AssertionError("the console shows an error banner: " + banner.get(0).getText());
        }
    }

    /** Chrome logs every non-2xx fetch as an error; those of /api are answers the page shows as sentences. */
    private boolean answerOfTheApi(LogEntry e) {
        return e.getMessage().startsWith(baseUrl + "/api/") && e.getMessage().contains("Failed to load resource");
    }

    /** Saves a screenshot into docs/ when -Dlarkway.screenshots=true (the README's pictures). */
    public void screenshot(String name) {
        if (!Boolean.getBoolean("larkway.screenshots")) {
            return;
        }
        try {
            Path target = Path.of("docs", name + ".png");
            Files.createDirectories(target.getParent());
            Files.write(target, driver.getScreenshotAs(OutputType.BYTES));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
