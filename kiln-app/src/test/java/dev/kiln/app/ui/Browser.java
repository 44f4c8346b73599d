package dev.kiln.app.ui;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium, headless, driven by Selenium through Debian's chromedriver, for tests of the web UI as a user
 * meets it. The packages are installed with apt-get when missing (CI machines start without them); Selenium's own
 * driver download is never used (the paths are given). Waits poll a condition with a deadline; nothing sleeps.
 */
public final class Browser implements AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(20);
    /**
     * Selenium looks for a DevTools binding of this chromium's version to no purpose (the tests send CDP commands through
     * chromedriver) and warns at every start; kept as a field so the setting is not collected with the logger.
     */
    private static final java.util.logging.Logger CDP_LOG = quiet("org.openqa.selenium.devtools.CdpVersionFinder");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(name);
        log.setLevel(java.util.logging.Level.SEVERE);
        return log;
    }

    private final ChromeDriver driver;
    private final String base;

    private Browser(ChromeDriver driver, String base) {
        this.driver = driver;
        this.base = base;
    }

    /** A browser at 1280 x 900 whose relative paths resolve against {@code baseUrl}. */
    public static Browser launch(String baseUrl) {
        return launch(baseUrl, 1280, 900);
    }

    public static Browser launch(String baseUrl, int width, int height) {
        ensureInstalled();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--window-size=" + width + "," + height, "--lang=en-GB");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(width, height));
        return new Browser(driver, baseUrl);
    }

    /** Installs Debian's chromium and chromium-driver when they are missing (needs root, as on CI machines). */
    static synchronized void ensureInstalled() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        if (!run(List.of("apt-get", "install", "-y", "-q", "chromium", "chromium-driver"))) {
            run(List.of("apt-get", "update", "-q"));
            run(List.of("apt-get", "install", "-y", "-q", "chromium", "chromium-driver"));
        }
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("the browser tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", "
                    + CHROMEDRIVER + "), and installing them with apt-get failed: run 'apt-get install chromium chromium-driver' as root");
        }
    }

    private static boolean run(List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(Path.of("target", "apt-get.log").toFile());
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            return p.waitFor(15, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Opens a path of the server (or a full URL). */
    public Browser open(String pathOrUrl) {
        driver.get(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
        return this;
    }

    public void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** The first element matching {@code css}, once it is there (or fails after the deadline, naming it). */
    public WebElement waitFor(String css) {
        return new WebDriverWait(driver, WAIT).withMessage(() -> "no element '" + css + "' on " + driver.getCurrentUrl()
                + "; the page says: " + bodyText() + consoleErrors())
                .until(d -> {
                    List<WebElement> found = d.findElements(By.cssSelector(css));
                    return found.isEmpty() ? null : found.get(0);
                });
    }

    /** The first element matching {@code css} whose text contains {@code text}, once it is there. */
    public WebElement waitForText(String css, String text) {
        return new WebDriverWait(driver, WAIT).withMessage(() -> "no '" + css + "' containing '" + text + "' on "
                + driver.getCurrentUrl() + "; the page says: " + bodyText() + consoleErrors())
                .ignoring(StaleElementReferenceException.class) // a table redrawn while it is read: look again
                .until(d -> d.findElements(By.cssSelector(css)).stream().filter(e -> e.getText().contains(text)).findFirst().orElse(null));
    }

    /** Waits until the URL (path and query) contains {@code part}. */
    public void waitForUrl(String part) {
        new WebDriverWait(driver, WAIT).withMessage(() -> "the URL " + driver.getCurrentUrl() + " never contained '" + part + "'")
                .until(d -> d.getCurrentUrl().contains(part));
    }

    /** Waits until no element matches {@code css}. */
    public void waitForGone(String css) {
        new WebDriverWait(driver, WAIT).withMessage(() -> "'" + css + "' is still on " + driver.getCurrentUrl())
                .until(d -> d.findElements(By.cssSelector(css)).isEmpty());
    }

    public void click(String css) {
        waitFor(css).click();
    }

    /** Clears the field and types {@code text} into it. */
    public void type(String css, String text) {
        WebElement e = waitFor(css);
        e.clear();
        e.sendKeys(text);
    }

    public List<String> texts(String css) {
        return driver.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public String bodyText() {
        try {
            return driver.findElement(By.tagName("body")).getText();
        } catch (RuntimeException e) {
            return "(no body: " + e.getMessage() + ")";
        }
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Severe messages of the page's console (script errors, CSP violations), for assertions and failure messages. */
    public List<String> consoleErrorList() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    private String consoleErrors() {
        try {
            List<String> errors = consoleErrorList();
            return errors.isEmpty() ? "" : "; console errors: " + errors;
        } catch (RuntimeException e) {
            return "";
        }
    }

    /**
     * Bytes the page has transferred so far (the document, its scripts, styles and API answers: the Resource Timing
     * API's transferSize, headers included; a file answered 304 from the cache counts only its headers).
     */
    public long transferredBytes() {
        Number n = (Number) script("const nav = performance.getEntriesByType('navigation').map(e => e.transferSize);"
                + "const res = performance.getEntriesByType('resource').map(e => e.transferSize);"
                + "return nav.concat(res).reduce((a, b) => a + b, 0);");
        return n.longValue();
    }

    /** Saves a PNG of the viewport under target/ui-screenshots/NAME.png and returns its path. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Saves a PNG of the whole page (the window grown to the page's height, then restored). */
    public Path fullScreenshot(String name) {
        Dimension before = driver.manage().window().getSize();
        Number height = (Number) script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)");
        driver.manage().window().setSize(new Dimension(before.getWidth(), Math.min(8000, Math.max(before.getHeight(), height.intValue() + 120))));
        try {
            return screenshot(name);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
