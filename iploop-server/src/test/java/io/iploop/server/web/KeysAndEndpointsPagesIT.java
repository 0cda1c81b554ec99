package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertRead;
import static io.iploop.server.testing.Browser.assertCss;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.js;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.PASSWORD;
import static io.iploop.server.testing.Browser.assertText;
import static io.iploop.server.testing.Browser.screenshot;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.signIn;
import static io.iploop.server.testing.Browser.sessionCookie;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The API keys page (docs/product/proxy.md#api-keys, #key-rotation, docs/product/accounts.md#ip-whitelist), the proxy endpoints page with its URL
 * builder and the docs (docs/product/dashboard.md#proxy-endpoints-page) in a real browser; the URL the builder composes is used
 * through the real gateway.
 */
@PlatformTest
@BrowserTest
class KeysAndEndpointsPagesIT {

    // this class's browser and its 15 s wait, set by @BrowserTest
    ChromeDriver driver;
    WebDriverWait wait;

    @Autowired
    DataPlane dataPlane;

    @Test
    void manageKeysToggleWhitelistRotateAndDelete() {
        JsonNode customer = signInNewCustomer();
        String token = sessionCookie();
        open("/api-keys");
        screenshots("api-keys-empty");
        test("create-key-open").click();
        test("create-key").click();
        assertCss("#key-name-error", t -> assertThat(t).isEqualTo("Give the key a name"));
        type("#key-name", "alpha");
        test("create-key").click();
        String alpha = test("new-key-value").getAttribute("value");
        screenshots("api-keys-created");
        assertAccessible("api-keys");
        open("/api-keys");
        test("create-key-open").click();
        type("#key-name", "beta");
        new Select(test("key-expiry")).selectByValue("30");
        test("create-key").click();
        test("new-key");
        assertRead(() -> row("beta").getText(), t -> assertThat(t).as("expiry chosen at creation").contains("Expires"));
        assertThat(apiKey(token, "beta").get("expiresAt").isNull()).isFalse();
        assertThat(apiKey(token, "alpha").get("expiresAt").isNull()).isTrue();

        // Toggle: the API agrees.
        row("alpha").findElement(By.cssSelector("[data-test='key-toggle']")).click();
        assertText("done", t -> assertThat(t).contains("disabled"));
        assertRead(() -> row("alpha").findElement(By.cssSelector("[data-test='key-status']")).getText(),
                t -> assertThat(t).isEqualTo("Inactive"));
        assertThat(apiKey(token, "alpha").get("isActive").asBoolean()).isFalse();
        row("alpha").findElement(By.cssSelector("[data-test='key-toggle']")).click();
        assertRead(() -> row("alpha").findElement(By.cssSelector("[data-test='key-status']")).getText(),
                t -> assertThat(t).isEqualTo("Active"));

        // Whitelist: a bad entry is named, a good list is saved.
        row("beta").findElement(By.cssSelector("[data-test='key-whitelist-toggle']")).click();
        WebElement area = row("beta").findElement(By.cssSelector("textarea"));
        area.sendKeys("203.0.113.7\nnot-an-ip");
        row("beta").findElement(By.cssSelector("[data-test='whitelist-save']")).click();
        assertRead(() -> row("beta").findElement(By.cssSelector(".invalid-feedback")).getText(),
                t -> assertThat(t).contains("not-an-ip"));
        area = row("beta").findElement(By.cssSelector("textarea"));
        area.clear();
        area.sendKeys("203.0.113.7\n2001:db8::/32");
        row("beta").findElement(By.cssSelector("[data-test='whitelist-save']")).click();
        assertText("done", t -> assertThat(t).contains("whitelist"));
        assertThat(apiKey(token, "beta").get("ipWhitelist").toString()).contains("203.0.113.7").contains("2001:db8::/32");

        // Rotate: a successor shown once, the old key listed with its grace period.
        // Rotate asks first: Cancel keeps the key as it is.
        row("alpha").findElement(By.cssSelector("[data-test='key-rotate']")).click();
        assertRead(() -> row("alpha").getText(), t -> assertThat(t).contains("Rotate alpha?").contains("24 hours"));
        screenshot("keys-rotate-confirm-375-light", 375);
        assertAccessible("keys-rotate-confirm");
        row("alpha").findElement(By.xpath(".//div[@role='alertdialog']//button[text()='Cancel']")).click();
        assertThat(rows("alpha")).hasSize(1);
        row("alpha").findElement(By.cssSelector("[data-test='key-rotate']")).click();
        row("alpha").findElement(By.cssSelector("[data-test='key-rotate-confirm']")).click();
        String successor = test("new-key-value").getAttribute("value");
        assertThat(successor).startsWith("iploop_").isNotEqualTo(alpha);
        List<WebElement> alphas = rows("alpha");
        assertThat(alphas).hasSize(2);
        WebElement old = alphas.stream().filter(r -> r.getText().contains("Rotated")).findFirst().orElseThrow();
        assertThat(old.findElement(By.cssSelector("[data-test='key-grace']")).getText()).contains("Works until").containsPattern("in 2[34]h");

        // Delete with confirmation: Cancel keeps it, confirming deletes it.
        row("beta").findElement(By.cssSelector("[data-test='key-delete']")).click();
        row("beta").findElement(By.xpath(".//div[contains(@aria-label, 'Confirm deleting')]//button[text()='Cancel']")).click();
        assertThat(rows("beta")).hasSize(1);
        row("beta").findElement(By.cssSelector("[data-test='key-delete']")).click();
        row("beta").findElement(By.cssSelector("[data-test='key-delete-confirm']")).click();
        assertText("done", t -> assertThat(t).contains("deleted"));
        assertThat(rows("beta")).isEmpty();
        assertThat(customer.at("/user/id").asString()).isNotBlank();

        // Another account's key is a 404, never a 403.
        String otherKeyId = call("POST", "/api/proxy/keys", token(registerCustomer()), java.util.Map.of("name", "theirs"))
                .body().get("id").asString();
        js("var f = document.createElement('form'); f.method = 'post'; f.action = '/api-keys/' + arguments[0] + '/delete';"
                + " var c = document.querySelector('input[name=_csrf]'); f.appendChild(c.cloneNode()); document.body.appendChild(f); f.submit();",
                otherKeyId);
        settle();
        assertText("error-page", t -> assertThat(t).contains("404"));
    }

    @Test
    void endpointsBuilderComposesAUrlThatWorksThroughTheGateway() throws Exception {
        JsonNode customer = signInNewCustomer();
        String customerId = customer.at("/user/customerId").asString();
        String key = call("POST", "/api/proxy/keys", token(customer), java.util.Map.of("name", "builder")).body().get("key").asString();
        open("/endpoints");
        int httpPort = dataPlane.ports().orElseThrow().httpProxy();
        assertThat(find("#http-endpoint").getAttribute("value")).isEqualTo("127.0.0.1:" + httpPort);
        // Without the full key the builder never composes a truncated one (it would answer 407).
        assertText("builder-credentials", t -> assertThat(t).isEqualTo(customerId + ":API_KEY"));
        assertCss("#b-secret-hint", t -> assertThat(t).contains("shown only once"));
        // Countries come from the live inventory: the local node's DE, not a fixed list.
        assertThat(new Select(test("builder-country")).getOptions().stream().map(o -> o.getAttribute("value")).toList())
                .contains("de").doesNotContain("jp", "br");
        type("[data-test='builder-secret']", key.substring(0, 20));
        assertThat(test("builder-secret-error").isDisplayed()).isTrue();
        assertText("builder-credentials", t -> assertThat(t).isEqualTo(customerId + ":API_KEY"));
        new Select(test("builder-country")).selectByValue("de");
        // A city as people write it, in the form the gateway matches (docs/product/proxy.md#targeting-parameters).
        type("[data-test='builder-city']", "São Paulo");
        assertText("builder-credentials", t -> assertThat(t).isEqualTo(customerId + ":API_KEY-country-de-city-sao_paulo"));
        test("builder-city").sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        assertText("builder-credentials", t -> assertThat(t).isEqualTo(customerId + ":API_KEY-country-de"));
        type("[data-test='builder-session']", "bad session!");
        assertThat(find("#b-session-error").isDisplayed()).isTrue();
        type("[data-test='builder-session']", "s1");
        new Select(test("builder-sesstype")).selectByValue("sticky");
        new Select(test("builder-lifetime")).selectByValue("10");
        type("[data-test='builder-secret']", key);
        String credentials = test("builder-credentials").getText();
        assertThat(credentials).isEqualTo(customerId + ":" + key + "-country-de-session-s1-sesstype-sticky-lifetime-10");
        assertText("example", t -> assertThat(t).startsWith("curl -x 'http://" + credentials + "@127.0.0.1:" + httpPort + "'"));
        test("tab-Python").click();
        assertText("example", t -> assertThat(t).contains("import requests").contains(credentials));
        test("tab-Java").click();
        assertText("example", t -> assertThat(t).contains("HttpClient").contains("\"" + customerId + "\""));
        screenshots("endpoints");
        assertAccessible("endpoints");

        // The composed credentials work: a sticky German exit through the real gateway.
        try (TestOrigin origin = TestOrigin.http()) {
            Curl.Result r = Curl.run("-x", "http://" + credentials + "-debug-1@127.0.0.1:" + httpPort, origin.url("/bytes/10"));
            assertThat(r.status()).as(r.stderr()).isEqualTo(200);
            assertThat(r.header("X-IPLoop-Country")).isEqualToIgnoringCase("DE");
        }
    }

    @Test
    void builderOffersOnlyWhatTheTrialPlanAllowsAndTakesTheKeyFromItsOneTimeDisplay() throws Exception {
        JsonNode customer = registerCustomer();
        // Trial: country targeting only, no sticky sessions (set here: another test may change the sign-up plan)
        io.iploop.server.testing.Api.bean(io.iploop.server.plans.PlansService.class)
                .subscribe(java.util.UUID.fromString(customer.at("/user/id").asString()), "trial");
        signIn(customer.at("/user/email").asString(), PASSWORD);
        String customerId = customer.at("/user/customerId").asString();
        open("/api-keys");
        test("create-key-open").click();
        type("#key-name", "trial key");
        test("create-key").click();
        settle();
        String key = test("new-key-value").getAttribute("value");
        test("new-key-builder").click();
        wait.until(d -> d.getCurrentUrl().endsWith("/endpoints"));
        settle();
        assertText("builder-credentials", t -> assertThat(t).as("the full key handed over from the one-time display")
                .isEqualTo(customerId + ":" + key));
        assertThat(driver.findElements(By.cssSelector("[data-test='builder-city']"))).as("no city on Trial").isEmpty();
        assertThat(driver.findElements(By.cssSelector("[data-test='builder-session']"))).as("no sticky sessions on Trial").isEmpty();
        assertThat(new Select(test("builder-sesstype")).getOptions().stream().map(o -> o.getAttribute("value")).toList())
                .doesNotContain("sticky");
        assertText("builder-plan-note", t -> assertThat(t).contains("city targeting or sticky sessions"));
        screenshots("endpoints-trial");
        assertAccessible("endpoints-trial");
        new Select(test("builder-country")).selectByValue("de");
        String credentials = test("builder-credentials").getText();
        try (TestOrigin origin = TestOrigin.http()) {
            Curl.Result r = Curl.run("-x", "http://" + credentials + "@127.0.0.1:" + dataPlane.ports().orElseThrow().httpProxy(),
                    origin.url("/bytes/10"));
            assertThat(r.status()).as("the URL the builder made works: " + r.stderr()).isEqualTo(200);
        }
        // Reloading does not keep the key anywhere.
        open("/endpoints");
        assertText("builder-credentials", t -> assertThat(t).isEqualTo(customerId + ":API_KEY"));
    }

    @Test
    void docsShowTheCustomersOwnCommandsAndCollapse() {
        JsonNode customer = signInNewCustomer();
        open("/docs");
        assertCss("#doc-quick", t -> assertThat(t).contains(customer.at("/user/customerId").asString())
                .contains("127.0.0.1:" + dataPlane.ports().orElseThrow().httpProxy()));
        assertCss("#response-codes", t -> assertThat(t).contains("407").contains("X-IPLoop-Alternatives"));
        find("#socks5 summary").click();
        assertCss("#doc-socks", t -> assertThat(t).contains("--socks5-hostname"));
        screenshots("docs");
        assertAccessible("docs");
    }

    @Test
    void analyticsAndUsageShowEmptyStatesAndRejectABadPeriod() {
        signInNewCustomer();
        open("/analytics");
        assertText("empty-state", t -> assertThat(t).contains("No traffic in this period"));
        assertThat(find("[data-test='period-30d']").getAttribute("aria-current")).isEqualTo("true");
        screenshots("analytics-empty");
        assertAccessible("analytics-empty");
        open("/usage?period=90d");
        assertText("empty-state", t -> assertThat(t).contains("No usage in this period"));
        assertAccessible("usage-empty");
        open("/usage?period=2w");
        assertText("error-page", t -> assertThat(t).contains("400").contains("period"));
    }

    /**
     * The key's current row, waiting for it: right after a form submit the old page may still be
     * replaced by the new one, which has no rows for a moment.
     */
    private WebElement row(String name) {
        try {
            return wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> rows(name).stream().filter(r -> !r.getText().contains("Rotated")).findFirst().orElse(null));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no key row " + name, e);
        }
    }

    private List<WebElement> rows(String name) {
        settle();
        return driver.findElements(By.cssSelector("[data-test='key-row']")).stream()
                .filter(r -> r.findElement(By.cssSelector("[data-test='key-name']")).getText().equals(name)).toList();
    }

    private JsonNode apiKey(String token, String name) {
        for (JsonNode k : call("GET", "/api/proxy/keys", token, null).body().get("keys")) {
            if (k.get("name").asString().equals(name) && k.get("replacedBy").isNull()) {
                return k;
            }
        }
        throw new AssertionError("no key " + name);
    }
}
