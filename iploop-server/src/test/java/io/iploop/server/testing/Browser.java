package io.iploop.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.testing.Api.Admin;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
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
import org.webjars.WebJarVersionLocator;
import tools.jackson.databind.JsonNode;

/**
 * The browser fixture of {@link BrowserTest}: the server bound by {@link Api} driven by Debian's
 * headless Chromium through Selenium, one browser per test class (started before all its tests,
 * quit after them). Offers navigation and sign-in helpers, {@link #screenshots} (full-page PNGs at
 * 375, 768 and 1440 px in light and dark themes into {@code target/screenshots/}) and {@link
 * #assertAccessible} (axe-core injected into the page; serious and critical violations fail the
 * test). When {@code /usr/bin/chromium} or {@code /usr/bin/chromedriver} is missing, it installs
 * Debian's {@code chromium} and {@code chromium-driver} as root, or fails naming them: never skips.
 *
 * <p>The helpers are static and act on the browser of the running test class, like {@link Api}'s;
 * test classes run one after the other.
 */
public final class Browser implements BeforeAllCallback, AfterAllCallback {

    /**
     * Selenium warns on every start that it has no DevTools bindings for this Chromium version; the
     * tests use only raw CDP commands, which need none. Kept in a field so the setting is not collected.
     */
    private static final java.util.logging.Logger CDP_LOG = quiet("org.openqa.selenium.devtools.CdpVersionFinder");

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** Where screenshots (and the page source of a failed {@link #find}) go. */
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final int[] WIDTHS = {375, 768, 1440};
    /** The password {@link Api#registerCustomer()} gives every account. */
    public static final String PASSWORD = Api.TEST_PASSWORD;

    private static volatile @Nullable ChromeDriver current;
    private static volatile @Nullable WebDriverWait currentWait;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        ensureChromium();
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--window-size=1440,1000", "--force-prefers-reduced-motion",
                "--lang=en-US", "--user-data-dir=" + Files.createTempDirectory("iploop-chromium-"));
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        Files.createDirectories(SCREENSHOTS);
        current = driver;
        currentWait = wait;
        Object instance = context.getTestInstance().orElse(null);
        if (instance != null) {
            inject(instance, driver, wait);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ChromeDriver driver = current;
        current = null;
        currentWait = null;
        if (driver != null) {
            driver.quit();
        }
    }

    /** Sets the test instance's fields of type ChromeDriver and WebDriverWait (inherited ones too). */
    private static void inject(Object instance, ChromeDriver driver, WebDriverWait wait) {
        for (Class<?> c = instance.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Object value = f.getType() == ChromeDriver.class ? driver : f.getType() == WebDriverWait.class ? wait : null;
                if (value != null) {
                    f.setAccessible(true);
                    try {
                        f.set(instance, value);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException("cannot set " + f, e);
                    }
                }
            }
        }
    }

    /** The browser of the running test class. */
    public static ChromeDriver driver() {
        ChromeDriver d = current;
        if (d == null) {
            throw new IllegalStateException("no browser: annotate the test class with @BrowserTest");
        }
        return d;
    }

    private static WebDriverWait await() {
        WebDriverWait w = currentWait;
        if (w == null) {
            throw new IllegalStateException("no browser: annotate the test class with @BrowserTest");
        }
        return w;
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

    /** The bound server's base URL, {@code http://127.0.0.1:<port>}. */
    public static String baseUrl() {
        return "http://127.0.0.1:" + Api.port();
    }

    /** Opens {@code path} and waits until the page and its htmx requests have settled. */
    public static void open(String path) {
        driver().get(baseUrl() + path);
        settle();
    }

    /** Waits for the document, Alpine and every running htmx request. */
    public static void settle() {
        await().until(d -> Boolean.TRUE.equals(js("return document.readyState === 'complete'"
                + " && (!document.querySelector('[x-data]') || !!window.Alpine)"
                + " && !document.querySelector('.htmx-request')")));
    }

    /** Runs {@code script} in the page; its result as Selenium converts it. */
    public static @Nullable Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver()).executeScript(script, args);
    }

    /** The first displayed element matching {@code css}, waiting up to 15 s; fails with the page's URL and text. */
    public static WebElement find(String css) {
        try {
            return await().ignoring(StaleElementReferenceException.class).until(d -> {
                List<WebElement> found = d.findElements(By.cssSelector(css));
                return found.isEmpty() || !found.getFirst().isDisplayed() ? null : found.getFirst();
            });
        } catch (TimeoutException e) {
            String text = String.valueOf(js("return document.body ? document.body.innerText : ''"));
            try {
                Files.writeString(SCREENSHOTS.resolve("failure-" + System.nanoTime() + ".html"), driver().getPageSource());
            } catch (IOException io) {
                e.addSuppressed(io);
            }
            throw new AssertionError("no visible " + css + " on " + driver().getCurrentUrl() + ": "
                    + text.substring(0, Math.min(800, text.length())), e);
        }
    }

    /**
     * The text of the first visible {@code [data-test=…]} element, read again if an htmx swap
     * replaced the element between finding and reading it.
     */
    public static String textOf(String dataTest) {
        return await().ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement e = d.findElement(By.cssSelector("[data-test='" + dataTest + "']"));
            return e.isDisplayed() ? e.getText() : null;
        });
    }

    /** {@link #assertCss} on the first visible {@code [data-test=…]} element. */
    public static void assertText(String dataTest, Consumer<String> assertion) {
        assertCss("[data-test='" + dataTest + "']", assertion);
    }

    /**
     * Asserts on the text of the first visible element matching {@code css} ({@link #assertRead}).
     */
    public static void assertCss(String css, Consumer<String> assertion) {
        assertRead(() -> {
            List<WebElement> found = driver().findElements(By.cssSelector(css));
            return found.isEmpty() || !found.getFirst().isDisplayed() ? null : found.getFirst().getText();
        }, assertion);
    }

    /**
     * Asserts on a text the page shows, reading it again until {@code assertion} passes: after a
     * click, an htmx swap replaces the element (or its text) a moment later, so one read may see the
     * old element (stale) or the old text. {@code read} returns null while there is nothing to read
     * yet. Fails with the last assertion's error once the page wait (15 s) runs out.
     */
    public static void assertRead(Supplier<@Nullable String> read, Consumer<String> assertion) {
        AssertionError[] last = new AssertionError[1];
        try {
            await().ignoring(StaleElementReferenceException.class).until(d -> {
                String text = read.get();
                if (text == null) {
                    return null;
                }
                try {
                    assertion.accept(text);
                    return true;
                } catch (AssertionError failed) {
                    last[0] = failed;
                    return null;
                }
            });
        } catch (TimeoutException e) {
            if (last[0] != null) {
                last[0].addSuppressed(e);
                throw last[0];
            }
            throw e;
        }
    }

    /** The first visible {@code [data-test=…]} element (see {@link #find}). */
    public static WebElement test(String dataTest) {
        return find("[data-test='" + dataTest + "']");
    }

    /** Clears the first visible element matching {@code css} and types {@code text} into it. */
    public static void type(String css, String text) {
        WebElement e = find(css);
        e.clear();
        e.sendKeys(text);
    }

    /** Signs in through the login form and waits for the dashboard. */
    public static void signIn(String email, String password) {
        driver().manage().deleteAllCookies();
        open("/login");
        type("#login-email", email);
        type("#login-password", password);
        test("sign-in").click();
        await().until(d -> d.getCurrentUrl().endsWith("/dashboard"));
        settle();
    }

    /**
     * Signs in an account that uses 2FA: password step, then the code step with a fresh TOTP code
     * of {@code secret} (computed like an authenticator app, {@link Api#totpCode}); waits for the dashboard.
     */
    public static void signInWithCode(String email, String password, String secret) {
        driver().manage().deleteAllCookies();
        open("/login");
        type("#login-email", email);
        type("#login-password", password);
        test("sign-in").click();
        type("#totp-code", Api.totpCode(secret));
        test("verify-code").click();
        await().until(d -> d.getCurrentUrl().endsWith("/dashboard"));
        settle();
    }

    /**
     * A fresh admin with 2FA ({@link Api#newAdminWithTwoFactor()}) signed in in the browser with a
     * code, so the admin pages let it in (README, "Administration").
     */
    public static Admin signInNewAdminWithTwoFactor() {
        Admin admin = Api.newAdminWithTwoFactor();
        signInWithCode(admin.email(), PASSWORD, admin.secret());
        return admin;
    }

    /** A fresh Enterprise customer (see {@link Api#registerUnlimitedCustomer()}) signed in in the browser. */
    public static JsonNode signInNewCustomer() {
        JsonNode customer = Api.registerUnlimitedCustomer();
        signIn(customer.at("/user/email").asString(), PASSWORD);
        return customer;
    }

    /** A fresh admin account (created through the accounts service) signed in in the browser; returns its e-mail. */
    public static String signInNewAdmin() {
        String email = "admin-" + java.util.UUID.randomUUID() + "@example.com";
        Api.bean(AccountsService.class).create(new NewAccount(email, PASSWORD, "Ada", "Admin", null, UserRole.ADMIN, false));
        signIn(email, PASSWORD);
        return email;
    }

    /** The browser's login cookie, for calling the API as the signed-in user. */
    public static String sessionCookie() {
        Cookie c = driver().manage().getCookieNamed("IPLOOP_SESSION");
        assertThat(c).as("login cookie").isNotNull();
        assertThat(c.isHttpOnly()).as("login cookie is HttpOnly").isTrue();
        return c.getValue();
    }

    /**
     * Switches the theme as the toggle does (saved preference, attribute, redraw event) without
     * reloading, so a page rendered by a POST is not submitted again.
     */
    public static void theme(String theme) {
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
    public static void screenshots(String name) {
        for (String theme : List.of("light", "dark")) {
            theme(theme);
            for (int width : WIDTHS) {
                screenshot(name + "-" + width + "-" + theme, width);
            }
        }
        theme("light");
    }

    /** One full-page PNG at {@code width} CSS px (device metrics emulated, so media queries apply). */
    public static void screenshot(String file, int width) {
        ChromeDriver driver = driver();
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", 900, "deviceScaleFactor", 1, "mobile", width < 768));
        try {
            settleLayout();
            Number height = (Number) js("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)");
            int h = Math.min(Math.max(height == null ? 0 : height.intValue(), 600), 6000);
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

    private static void settleLayout() {
        // Two animation frames: layout, charts and the map have reacted to the new size.
        ((JavascriptExecutor) driver()).executeAsyncScript(
                "var done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 150)));");
    }

    /**
     * Runs axe-core on the current page in both themes and fails on serious or critical violations
     * (labels, contrast, focus order, ARIA), listing each with the offending elements.
     */
    public static void assertAccessible(String page) {
        for (String theme : List.of("light", "dark")) {
            theme(theme);
            js(axeSource());
            Object result = ((JavascriptExecutor) driver()).executeAsyncScript("""
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

    /**
     * Fails unless the text of the first element matching {@code css} has a WCAG contrast of at
     * least 4.5:1 against the first opaque background behind it, in both themes. For text axe-core
     * only marks "needs review" (it does so for multi-column boxes such as the backup codes), where
     * {@link #assertAccessible} cannot see it.
     */
    public static void assertContrast(String css) {
        WebElement e = find(css);
        for (String theme : List.of("light", "dark")) {
            theme(theme);
            Object ratio = js("""
                    function rgb(c) { var m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 && m[3] === 0 ? null : m.slice(0, 3); }
                    function lum(c) { var a = c.map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                      return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2]; }
                    var el = arguments[0], fg = rgb(getComputedStyle(el).color), bg = null;
                    for (var n = el; n && !bg; n = n.parentElement) { bg = rgb(getComputedStyle(n).backgroundColor); }
                    bg = bg || [255, 255, 255];
                    var l1 = lum(fg), l2 = lum(bg);
                    return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);""", e);
            assertThat(((Number) ratio).doubleValue()).as("contrast of %s (%s theme)", css, theme).isGreaterThanOrEqualTo(4.5);
        }
        theme("light");
    }

    private static @Nullable String axeSource;

    private static synchronized String axeSource() {
        String source = axeSource;
        if (source == null) {
            String path = new WebJarVersionLocator().fullPath("axe-core", "axe.min.js");
            assertThat(path).as("axe-core webjar on the test classpath").isNotNull();
            try (InputStream in = Browser.class.getResourceAsStream("/" + path)) {
                assertThat(in).as("axe-core webjar on the test classpath").isNotNull();
                source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            axeSource = source;
        }
        return source;
    }
}
