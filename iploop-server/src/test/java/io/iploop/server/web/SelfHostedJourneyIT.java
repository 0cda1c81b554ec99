package io.iploop.server.web;

import static io.iploop.server.testing.Api.HTTP;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.assertCss;
import static io.iploop.server.testing.Browser.assertText;
import static io.iploop.server.testing.Browser.baseUrl;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.js;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshot;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.sessionCookie;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signInNewAdminWithTwoFactor;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.nodes.LiveNodes;
import io.iploop.server.nodes.NetworkSummary;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.OverviewFigures;
import io.iploop.server.testing.ServerTest;
import io.iploop.server.testing.SharedPlatform;
import io.iploop.server.web.internal.Fmt;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A new self-hoster's first customer, the whole way in one browser (issue 17's "Done when";
 * docs/product/dashboard.md#first-hour, docs/product/accounts.md): sign up on a platform without
 * SMTP, take the verification link from the server log as the self-hoster would (and find the same
 * link on the admin Mailbox page), verify, sign in,
 * create a key and hand it from the one-time display to the proxy URL builder, pick a country,
 * copy the built URL with the page's Copy button, send real traffic through the gateway and the
 * local node with curl using exactly that URL, find the bytes curl counted on Analytics, Usage and
 * the usage CSV, and see every overview figure equal its source (the network summary, the gateway's
 * connected nodes and the customer APIs the page is built from).
 *
 * <p>Its own server (own data directory, no SMTP), because the shared platform mails to GreenMail.
 */
@ServerTest
@BrowserTest
@ExtendWith(OutputCaptureExtension.class)
class SelfHostedJourneyIT {

    @DynamicPropertySource
    static void withoutSmtp(DynamicPropertyRegistry r) {
        try {
            SharedPlatform.embeddedServer(r, Files.createTempDirectory("iploop-it-self-hosted-journey-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        r.add("iploop.mail.smtp-host", () -> "");
    }

    // this class's browser and its 15 s wait, set by @BrowserTest
    ChromeDriver driver;
    WebDriverWait wait;

    @Autowired
    DataPlane dataPlane;
    @Autowired
    NodesService nodes;
    @Autowired
    LiveNodes live;

    @Test
    void signUpVerifyFromTheLogBuildAUrlSendTrafficAndSeeItEverywhere(CapturedOutput log) throws Exception {
        String email = "self-hosted-" + UUID.randomUUID() + "@example.org";
        String password = "first customer password";

        // 1. Sign up in the browser; the page says plainly that this server sends no mail.
        open("/login?signup");
        type("#firstName", "Katherine");
        type("#lastName", "Johnson");
        type("#signup-email", email);
        type("#signup-password", password);
        type("#confirmPassword", password);
        test("accept-terms").click();
        test("create-account").click();
        settle();
        assertThat(textOf("signup-done")).contains(email);
        assertThat(textOf("mail-not-configured")).contains("sends no e-mail");
        screenshots("self-hosted-journey-signup-done");

        // 2. The verification link from the server log, where a self-hoster without SMTP finds it.
        Pattern link = Pattern.compile("to " + Pattern.quote(email) + ": \"Verify.*links: (\\S+/verify-email\\?token=[^\\s,;\"]+)");
        String verifyUrl = Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            Matcher m = link.matcher(log.getOut());
            return m.find() ? m.group(1) : null;
        }, java.util.Objects::nonNull);
        // The self-hoster's other place to find it: the admin Mailbox page shows the same link.
        signInNewAdminWithTwoFactor();
        open("/admin/mailbox");
        assertThat(textOf("mail-not-configured")).contains("IPLOOP_SMTP_HOST");
        List<WebElement> mails = driver.findElements(By.cssSelector("[data-test='mail-row']"));
        assertThat(textOf("mail-count")).isEqualTo(mails.size() == 1 ? "Newest message" : "Newest " + mails.size() + " messages");
        WebElement mail = driver.findElements(By.cssSelector("[data-test='mail-row']")).stream()
                .filter(r -> r.findElement(By.cssSelector("[data-test='mail-to']")).getText().equals(email))
                .findFirst().orElseThrow(() -> new AssertionError("no mail to " + email + " on the Mailbox page"));
        mail.findElement(By.tagName("summary")).click();
        assertThat(mail.findElement(By.cssSelector("[data-test='mail-body']")).getText()).contains(verifyUrl);
        screenshot("self-hosted-journey-admin-mailbox-1440-light", 1440);
        driver.manage().deleteAllCookies();
        URI verify = URI.create(verifyUrl);
        assertThat(verify.getHost()).as("the configured public URL").isEqualTo("dashboard.test");
        open(verify.getRawPath() + "?" + verify.getRawQuery());
        test("verify").click();
        assertText("verified", t -> assertThat(t).isEqualTo("E-mail verified"));
        test("continue").click();

        // 3. Sign in.
        type("#login-email", email);
        type("#login-password", password);
        test("sign-in").click();
        wait.until(d -> d.getCurrentUrl().endsWith("/dashboard"));
        settle();
        String session = sessionCookie();
        var profile = call("GET", "/api/auth/profile", session, null).body();
        assertThat(profile.at("/user/emailVerified").asBoolean()).isTrue();
        String customerId = profile.at("/user/customerId").asString();

        // 4. A key, handed from its one-time display to the URL builder.
        test("nav-api-keys").click();
        settle();
        test("create-key-open").click();
        type("#key-name", "first key");
        test("create-key").click();
        settle();
        String key = test("new-key-value").getAttribute("value");
        assertThat(key).matches("iploop_[0-9a-f]{48}");
        test("new-key-builder").click();
        wait.until(d -> d.getCurrentUrl().endsWith("/endpoints"));
        settle();
        assertThat(textOf("builder-credentials")).isEqualTo(customerId + ":" + key);

        // 5. Pick options the plan offers (countries from the live inventory) and copy the cURL
        // example with the page's own Copy button; the URL is read back from the clipboard.
        new Select(test("builder-country")).selectByValue("de");
        String credentials = textOf("builder-credentials");
        assertThat(credentials).isEqualTo(customerId + ":" + key + "-country-de");
        driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", baseUrl(),
                "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
        find("[data-copy-target='example']").click();
        assertCss("[data-copy-target='example']", t -> assertThat(t).contains("Copied"));
        String copied = (String) ((JavascriptExecutor) driver).executeAsyncScript(
                "var done = arguments[arguments.length - 1];"
                        + " navigator.clipboard.readText().then(done, function (e) { done('clipboard: ' + e); });");
        screenshots("self-hosted-journey-builder");
        Matcher proxyArg = Pattern.compile("^curl -x '([^']+)'").matcher(copied);
        assertThat(proxyArg.find()).as("a cURL command on the clipboard: " + copied).isTrue();
        String proxyUrl = proxyArg.group(1);
        int proxyPort = dataPlane.ports().orElseThrow().httpProxy();
        assertThat(proxyUrl).isEqualTo("http://" + credentials + "@127.0.0.1:" + proxyPort);

        // 6. Real traffic with exactly that URL through the gateway and the local node.
        long networkBefore = nodes.network().bandwidthBytes();
        long up = 0;
        long down = 0;
        long bodies = 0;
        List<String> paths = List.of("/bytes/5000", "/bytes/1200");
        try (TestOrigin origin = TestOrigin.http()) {
            for (String path : paths) {
                Curl.Result r = Curl.run("-x", proxyUrl, origin.url(path));
                assertThat(r.status()).as("the URL the builder made works: " + r.stderr()).isEqualTo(200);
                up += r.sizeRequest();
                down += r.sizeHeader() + r.sizeDownload();
                bodies += r.sizeDownload();
            }
        }
        long total = up + down;
        Fmt fmt = new Fmt();

        // 7. Analytics and Usage show the requests and the bytes curl counted (usage is flushed
        // within a second; the page is reloaded until then); the CSV has them to the byte.
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            open("/analytics?period=7d");
            assertThat(textOf("sum-requests")).isEqualTo(Integer.toString(paths.size()));
        });
        assertThat(textOf("sum-gb")).isEqualTo(fmt.bytes(total));
        assertThat(textOf("country-table")).contains("Germany");
        screenshot("self-hosted-journey-analytics-1440-light", 1440);
        test("nav-usage").click();
        settle();
        test("period-7d").click();
        settle();
        assertThat(textOf("usage-requests")).isEqualTo(Integer.toString(paths.size()));
        assertThat(textOf("usage-gb")).isEqualTo(fmt.bytes(total));
        assertThat(textOf("key-usage-table")).contains("first key").contains(fmt.bytes(total));
        screenshots("self-hosted-journey-usage");
        String href = test("csv-daily").getAttribute("href");
        HttpResponse<String> csv = HTTP.send(HttpRequest.newBuilder(URI.create(href))
                .header("Cookie", "IPLOOP_SESSION=" + session).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(csv.statusCode()).isEqualTo(200);
        List<CSVRecord> rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv.body())).getRecords();
        CSVRecord today = rows.stream().filter(r -> r.get("date").equals(LocalDate.now(ZoneOffset.UTC).toString()))
                .findFirst().orElseThrow();
        assertThat(today.get("requests")).isEqualTo(Integer.toString(paths.size()));
        assertThat(Long.parseLong(today.get("total_bytes"))).as("bytes curl saw on the wire").isEqualTo(total);

        // 8. Every overview figure equals its source: the network summary once the gateway's
        // counters stand still (checked against its connected nodes) and the APIs the page reads.
        NetworkSummary network = OverviewFigures.settledNetwork(nodes, live, networkBefore + bodies);
        OverviewFigures.assertOverview(network);
        OverviewFigures.assertCustomerApis(session, network);
        // The plan card's figures equal the subscription the profile API reports, and that
        // subscription charged exactly the bytes curl counted (1 GB = 10^9 bytes, docs/product/plans.md).
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(call("GET", "/api/auth/profile", session, null).body().at("/plan/gbUsed").decimalValue()
                        .movePointRight(9).longValueExact()).as("GB charged, in bytes").isEqualTo(total));
        var plan = call("GET", "/api/auth/profile", session, null).body().get("plan");
        open("/dashboard");
        assertThat(textOf("plan-name")).isEqualTo(plan.get("planName").asString());
        assertThat(textOf("gb-used")).isEqualTo(fmt.decimal(plan.get("gbUsed").decimalValue(), 3));
        screenshots("self-hosted-journey-overview");
    }
}
