package io.iploop.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.webjars.WebJarVersionLocator;
import tools.jackson.databind.JsonNode;

/**
 * Base of the dashboard's browser tests: the shared server of {@link ServerTestSupport} driven by
 * Debian's headless Chromium through Selenium, one browser per test class. Offers navigation and
 * sign-in helpers, {@link #screenshots} (full-page PNGs at 375, 768 and 1440 px in light and dark
 * themes into {@code target/screenshots/}) and {@link #assertAccessible} (axe-core injected into
 * the page; serious and critical violations fail the test). When {@code /usr/bin/chromium} or
 * {@code /usr/bin/chromedriver} is missing, it installs Debian's {@code chromium} and
 * {@code chromium-driver} as root, or fails naming them: never skips.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BrowserTestSupport extends ServerTestSupport {

    /**
     * Selenium warns on every start that it has no DevTools bindings for this Chromium version; the
     * tests use only raw CDP commands, which need none. Kept in a field so the setting is not collected.
     */
    private static final java.util.logging.Logger CDP_LOG = quiet("org.openqa.selenium.devtools.CdpVersionFinder");

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final int[] WIDTHS = {375, 768, 1440};
    /** The password {@link ApiTestSupport#registerCustomer()} gives every account. */
    static final String PASSWORD = "correct horse";

    @Autowired
    AccountsService accountsService;

    ChromeDriver driver;
    WebDriverWait wait;

    @BeforeAll
    void startBrowser() throws IOException {
        ensureChromium();
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--window-size=1440,1000", "--force-prefers-reduced-motion",
                "--lang=en-US", "--user-data-dir=" + Files.createTempDirectory("iploop-chromium-"));
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    void stopBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.SEVERE);
        return logger;
    }

    /** Installs Debian's chromium and chromium-driver when missing and running as root; otherwise fails naming them. */
    static synchronized void ensureChromium() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("The dashboard browser tests need Debian's packages 'chromium' and 'chromium-driver' ("
                    + CHROMIUM + ", " + CHROMEDRIVER + "): apt-get install -y chromium chromium-driver");
        }
        try {
            run("apt-get", "update", "-q");
            run("apt-get", "install", "-y", "-q", "chromium", "chromium-driver");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(CHROMIUM).as("chromium after apt-get install").isExecutable();
        assertThat(CHROMEDRIVER).as("chromium-driver after apt-get install").isExecutable();
    }

    private static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).inheritIO().redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed; install chromium and chromium-driver");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Opens {@code path} and waits until the page and its htmx requests have settled. */
    void open(String path) {
        driver.get(baseUrl() + path);
        settle();
    }

    /** Waits for the document, Alpine and every running htmx request. */
    void settle() {
        wait.until(d -> Boolean.TRUE.equals(js("return document.readyState === 'complete'"
                + " && (!document.querySelector('[x-data]') || !!window.Alpine)"
                + " && !document.querySelector('.htmx-request')")));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** The first displayed element matching {@code css}, waiting up to 15 s; fails with the page's URL and text. */
    WebElement find(String css) {
        try {
            return wait.ignoring(StaleElementReferenceException.class).until(d -> {
                List<WebElement> found = d.findElements(By.cssSelector(css));
                return found.isEmpty() || !found.getFirst().isDisplayed() ? null : found.getFirst();
            });
        } catch (TimeoutException e) {
            String text = String.valueOf(js("return document.body ? document.body.innerText : ''"));
            try {
                Files.writeString(SCREENSHOTS.resolve("failure-" + System.nanoTime() + ".html"), driver.getPageSource());
            } catch (IOException io) {
                e.addSuppressed(io);
            }
            throw new AssertionError("no visible " + css + " on " + driver.getCurrentUrl() + ": "
                    + text.substring(0, Math.min(800, text.length())), e);
        }
    }

    /**
     * The text of the first visible {@code [data-test=…]} element, read again if an htmx swap
     * replaced the element between finding and reading it.
     */
    String textOf(String dataTest) {
        return wait.ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement e = d.findElement(By.cssSelector("[data-test='" + dataTest + "']"));
            return e.isDisplayed() ? e.getText() : null;
        });
    }

    WebElement test(String dataTest) {
        return find("[data-test='" + dataTest + "']");
    }

    void type(String css, String text) {
        WebElement e = find(css);
        e.clear();
        e.sendKeys(text);
    }

    /** Signs in through the login form and waits for the dashboard. */
    void signIn(String email, String password) {
        driver.manage().deleteAllCookies();
        open("/login");
        type("#login-email", email);
        type("#login-password", password);
        test("sign-in").click();
        wait.until(d -> d.getCurrentUrl().endsWith("/dashboard"));
        settle();
    }

    /**
     * Signs in an account that uses 2FA: password step, then the code step with a fresh TOTP code
     * of {@code secret} (computed like an authenticator app, {@link #totpCode}); waits for the dashboard.
     */
    void signInWithCode(String email, String password, String secret) {
        driver.manage().deleteAllCookies();
        open("/login");
        type("#login-email", email);
        type("#login-password", password);
        test("sign-in").click();
        type("#totp-code", totpCode(secret));
        test("verify-code").click();
        wait.until(d -> d.getCurrentUrl().endsWith("/dashboard"));
        settle();
    }

    /**
     * A fresh admin with 2FA ({@link #newAdminWithTwoFactor()}) signed in in the browser with a
     * code, so the admin pages let it in (docs/product/accounts.md#two-factor-authentication).
     */
    Admin signInNewAdminWithTwoFactor() {
        Admin admin = newAdminWithTwoFactor();
        signInWithCode(admin.email(), PASSWORD, admin.secret());
        return admin;
    }

    /** A fresh Enterprise customer (see {@link #registerUnlimitedCustomer()}) signed in in the browser. */
    JsonNode signInNewCustomer() {
        JsonNode customer = registerUnlimitedCustomer();
        signIn(customer.at("/user/email").asString(), PASSWORD);
        return customer;
    }

    /** A fresh admin account (created through the accounts service) signed in in the browser; returns its e-mail. */
    String signInNewAdmin() {
        String email = "admin-" + java.util.UUID.randomUUID() + "@example.com";
        accountsService.create(new NewAccount(email, PASSWORD, "Ada", "Admin", null, UserRole.ADMIN, false));
        signIn(email, PASSWORD);
        return email;
    }

    /** The browser's login cookie, for calling the API as the signed-in user. */
    String sessionCookie() {
        Cookie c = driver.manage().getCookieNamed("IPLOOP_SESSION");
        assertThat(c).as("login cookie").isNotNull();
        assertThat(c.isHttpOnly()).as("login cookie is HttpOnly").isTrue();
        return c.getValue();
    }

    /**
     * Switches the theme as the toggle does (saved preference, attribute, redraw event) without
     * reloading, so a page rendered by a POST is not submitted again.
     */
    void theme(String theme) {
        js("localStorage.setItem('iploop-theme', arguments[0]);"
                + " document.documentElement.setAttribute('data-bs-theme', arguments[0]);"
                + " document.dispatchEvent(new CustomEvent('iploop:theme', { detail: arguments[0] }));", theme);
        settle();
        assertThat(js("return document.documentElement.getAttribute('data-bs-theme')")).isEqualTo(theme);
    }

    /**
     * Full-page screenshots of the current page at 375, 768 and 1440 px in the light and dark theme:
     * {@code target/screenshots/<name>-<width>-<theme>.png}. Leaves the page in the light theme.
     */
    void screenshots(String name) {
        for (String theme : List.of("light", "dark")) {
            theme(theme);
            for (int width : WIDTHS) {
                screenshot(name + "-" + width + "-" + theme, width);
            }
        }
        theme("light");
    }

    /** One full-page PNG at {@code width} CSS px (device metrics emulated, so media queries apply). */
    void screenshot(String file, int width) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", 900, "deviceScaleFactor", 1, "mobile", width < 768));
        try {
            settleLayout();
            Number height = (Number) js("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)");
            int h = Math.min(Math.max(height.intValue(), 600), 6000);
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", width, "height", h, "deviceScaleFactor", 1, "mobile", width < 768));
            settleLayout();
            Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png"));
            Files.write(SCREENSHOTS.resolve(file + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    private void settleLayout() {
        // Two animation frames: layout, charts and the map have reacted to the new size.
        ((JavascriptExecutor) driver).executeAsyncScript(
                "var done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 150)));");
    }

    /**
     * Runs axe-core on the current page in both themes and fails on serious or critical violations
     * (labels, contrast, focus order, ARIA), listing each with the offending elements.
     */
    void assertAccessible(String page) {
        for (String theme : List.of("light", "dark")) {
            theme(theme);
            js(axeSource());
            Object result = ((JavascriptExecutor) driver).executeAsyncScript("""
                    var done = arguments[arguments.length - 1];
                    axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
                      done(r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
                        .map(function (v) { return v.impact + ' ' + v.id + ': ' + v.help + ' -> '
                          + v.nodes.slice(0, 5).map(function (n) { return n.target.join(' '); }).join(' | '); }));
                    }).catch(function (e) { done(['axe failed: ' + e]); });
                    """);
            @SuppressWarnings("unchecked")
            List<String> violations = new ArrayList<>((List<String>) result);
            assertThat(violations).as("accessibility of %s (%s theme)", page, theme).isEmpty();
        }
        theme("light");
    }

    private static String axeSource;

    private static synchronized String axeSource() {
        if (axeSource == null) {
            String path = new WebJarVersionLocator().fullPath("axe-core", "axe.min.js");
            assertThat(path).as("axe-core webjar on the test classpath").isNotNull();
            try (InputStream in = BrowserTestSupport.class.getResourceAsStream("/" + path)) {
                assertThat(in).as("axe-core webjar on the test classpath").isNotNull();
                axeSource = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return axeSource;
    }
}
