package io.iploop.server.web;

import static io.iploop.server.testing.Api.HTTP;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertCss;
import static io.iploop.server.testing.Browser.assertText;
import static io.iploop.server.testing.Browser.baseUrl;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.sessionCookie;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.type;
import static io.iploop.server.testing.Mailbox.awaitMail;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The customer's whole first hour in a real browser (docs/product/dashboard.md#first-hour): sign up, read the verification
 * mail, open the link and verify, sign in, create an API key and copy it from the one-time
 * display, send proxy traffic with that key through the real gateway and the local node, find the
 * traffic on Analytics and Usage, and download the usage CSV with the browser's own session.
 */
@PlatformTest
@BrowserTest
class DashboardJourneyIT {

    // this class's browser and its 15 s wait, set by @BrowserTest
    ChromeDriver driver;
    WebDriverWait wait;

    @Autowired
    DataPlane dataPlane;
    @Autowired
    PlansService plans;

    @Test
    void signUpToTrafficToCsv() throws Exception {
        String email = "journey-" + UUID.randomUUID() + "@example.com";
        String password = "journey password";

        // 1. Sign up.
        open("/login?signup");
        type("#firstName", "Grace");
        type("#lastName", "Hopper");
        type("#signup-email", email);
        type("#company", "Navy");
        type("#signup-password", password);
        type("#confirmPassword", password);
        test("accept-terms").click();
        test("create-account").click();
        assertText("signup-done", t -> assertThat(t).contains(email));

        // 2. The verification mail, its link, verify.
        String link = awaitMail(email, "Verify", 1).lines().filter(l -> l.contains("/verify-email?token=")).findFirst()
                .orElseThrow().strip();
        open(URI.create(link).getRawPath() + "?" + URI.create(link).getRawQuery());
        test("verify").click();
        assertText("verified", t -> assertThat(t).isEqualTo("E-mail verified"));
        test("continue").click();

        // 3. Sign in.
        type("#login-email", email);
        type("#login-password", password);
        test("sign-in").click();
        wait.until(d -> d.getCurrentUrl().endsWith("/dashboard"));
        settle();
        assertText("user-name", t -> assertThat(t).isEqualTo("Grace Hopper"));
        String session = sessionCookie();
        var profile = call("GET", "/api/auth/profile", session, null).body();
        String customerId = profile.at("/user/customerId").asString();
        assertThat(profile.at("/user/emailVerified").asBoolean()).isTrue();
        // Trial allows 2 req/s; this test is about the dashboard, not plan limits.
        plans.subscribe(UUID.fromString(profile.at("/user/id").asString()), "enterprise");

        // 4. Create an API key, read it from the one-time display, copy it.
        test("nav-api-keys").click();
        settle();
        assertText("empty-state", t -> assertThat(t).contains("No API keys yet"));
        test("create-key-open").click();
        type("#key-name", "journey");
        test("create-key").click();
        settle();
        String key = test("new-key-value").getAttribute("value");
        assertThat(key).matches("iploop_[0-9a-f]{48}");
        assertText("new-key", t -> assertThat(t).contains("Save this API key now! It will not be shown again."));
        find("#main .copy-btn").click();
        assertCss("#main .copy-btn", t -> assertThat(t).contains("Copied"));
        assertText("key-prefix", t -> assertThat(t).isEqualTo(key.substring(0, 14) + "..."));
        open("/api-keys");
        assertThat(driver.getPageSource()).as("shown once").doesNotContain(key);

        // 5. Proxy traffic with that key through the real gateway and the local node.
        int proxyPort = dataPlane.ports().orElseThrow().httpProxy();
        long up = 0;
        long down = 0;
        try (TestOrigin origin = TestOrigin.http()) {
            String proxy = "http://" + customerId + ":" + key + "@127.0.0.1:" + proxyPort;
            for (String path : List.of("/bytes/1000", "/bytes/2500", "/bytes/400", "/missing")) {
                Curl.Result r = Curl.run("-x", proxy, origin.url(path));
                assertThat(r.status()).as(r.stderr()).isEqualTo(path.equals("/missing") ? 404 : 200);
                up += r.sizeRequest();
                down += r.sizeHeader() + r.sizeDownload();
            }
        }
        long totalBytes = up + down;

        // 6. Analytics shows it (usage is flushed within a second; the page is reloaded until then).
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            open("/analytics?period=7d");
            assertText("sum-requests", t -> assertThat(t).isEqualTo("4"));
        });
        assertText("sum-success", t -> assertThat(t).isEqualTo("100%"));
        assertThat(find("#chart-daily").isDisplayed()).isTrue();
        assertText("country-table", t -> assertThat(t).contains("Not targeted"));
        screenshots("journey-analytics");
        assertAccessible("analytics");

        // 7. Usage shows it per key, per domain and per day.
        test("nav-usage").click();
        settle();
        test("period-7d").click();
        settle();
        assertText("usage-requests", t -> assertThat(t).isEqualTo("4"));
        assertText("key-usage-table", t -> assertThat(t).contains("journey"));
        assertText("domain-table", t -> assertThat(t).contains("127.0.0.1"));
        assertText("daily-table", t -> assertThat(t).contains(LocalDate.now(ZoneOffset.UTC).toString()));
        assertText("recent-table", t -> assertThat(t).contains("404"));
        screenshots("journey-usage");
        assertAccessible("usage");

        // 8. The CSV download, read with the browser's own session cookie.
        String href = test("csv-daily").getAttribute("href");
        assertThat(href).endsWith("/api/usage/daily?period=7d&format=csv");
        HttpResponse<String> csv = HTTP.send(HttpRequest.newBuilder(URI.create(href))
                .header("Cookie", "IPLOOP_SESSION=" + session).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Disposition").orElseThrow()).contains("usage-daily-7d.csv");
        List<CSVRecord> rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv.body())).getRecords();
        CSVRecord today = rows.stream().filter(r -> r.get("date").equals(LocalDate.now(ZoneOffset.UTC).toString()))
                .findFirst().orElseThrow();
        assertThat(today.get("requests")).isEqualTo("4");
        assertThat(Long.parseLong(today.get("total_bytes"))).as("bytes curl saw on the wire").isEqualTo(totalBytes);
        assertThat(rows.stream().filter(r -> !r.equals(today)).mapToLong(r -> Long.parseLong(r.get("requests"))).sum())
                .as("no traffic on other days").isZero();

        // The cookie reads the API but never changes anything there (no CSRF protection on /api).
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/proxy/keys"))
                .header("Cookie", "IPLOOP_SESSION=" + session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"forged\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/proxy/keys", session, null).body().get("keys")).hasSize(1);
        assertThat(Map.of("up", up, "down", down)).allSatisfy((k, v) -> assertThat(v).isPositive());
    }
}
