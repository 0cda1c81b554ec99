package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Browser.PASSWORD;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.js;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshot;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.signIn;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.PlanHelp;
import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Page states after something happened (docs/product/dashboard.md#errors-and-states), checked like
 * first loads: an exhausted plan says so and links to where more GB can be had, as the proxy's 402
 * does; a locked sign-in says when it ends in the reader's own time; long names wrap; primary
 * buttons show keyboard focus. Each state is screenshotted and checked with axe-core.
 */
@PlatformTest
@BrowserTest
class PageStatesIT {

    ChromeDriver driver;

    @Autowired
    DataPlane dataPlane;
    @Autowired
    PlansService plans;

    @Test
    void anExhaustedPlanSaysSoAndLinksToWhereMoreCanBeHadLikeThe402() throws Exception {
        JsonNode customer = registerCustomer();
        UUID id = UUID.fromString(customer.at("/user/id").asString());
        plans.subscribe(id, "trial");
        String key = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "exhausted")).body().get("key").asString();
        plans.setBalance(UUID.fromString(Api.newAdminWithTwoFactor().login().at("/user/id").asString()), id, BigDecimal.ZERO, "test: used up");

        AtomicReference<Curl.Result> refused = new AtomicReference<>();
        try (TestOrigin origin = TestOrigin.http()) {
            String proxy = "http://" + customer.at("/user/customerId").asString() + ":" + key + "@127.0.0.1:"
                    + dataPlane.ports().orElseThrow().httpProxy();
            Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
                refused.set(Curl.run("-x", proxy, origin.url("/bytes/10")));
                return refused.get().status() == 402;
            });
        }
        assertThat(refused.get().bodyText()).as("the 402 names where to go").contains(PlanHelp.PATH).doesNotContain("top up");

        signIn(customer.at("/user/email").asString(), PASSWORD);
        assertThat(textOf("plan-status")).isEqualTo("GB used up");
        assertThat(textOf("plan-exhausted")).contains("402");
        String href = find("[data-test='plan-exhausted'] a").getAttribute("href");
        assertThat(href).endsWith(PlanHelp.PATH);
        screenshots("dashboard-exhausted");
        assertAccessible("dashboard-exhausted");
        find("[data-test='plan-exhausted'] a").click();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().endsWith(PlanHelp.PATH));
        assertThat(textOf("credit-balance")).as("the billing page, where more can be bought").isEqualTo("0");
        assertThat(find("[data-test='plans-link'] a").getAttribute("href")).endsWith("/docs#plans");
    }

    @Test
    void aLockedSignInSaysWhenItEndsInLocalTime() {
        JsonNode customer = registerCustomer();
        String email = customer.at("/user/email").asString();
        driver.manage().deleteAllCookies();
        // The browser's zone differs from UTC, so a local time is told apart from the server's UTC one.
        driver.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", "Asia/Kolkata"));
        try {
            for (int i = 0; i < 5; i++) {
                open("/login");
                type("#login-email", email);
                type("#login-password", "wrong password " + i);
                test("sign-in").click();
                find("[data-test='error']");
            }
            String text = textOf("retry-at");
            assertThat(text).matches("You can try again in \\d+ minutes?, at \\d{1,2}:\\d{2}.*\\.");
            assertThat(text).doesNotContain("UTC");
            String iso = find("[data-test='retry-at'] time").getAttribute("datetime");
            Object local = js("return new Date(arguments[0]).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'})", iso);
            assertThat(text).contains((String) local);
            screenshot("login-locked-375-light", 375);
            assertAccessible("login-locked");
        } finally {
            driver.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", ""));
        }
    }

    @Test
    void longNamesWrapAndPrimaryButtonsShowKeyboardFocus() {
        JsonNode customer = registerCustomer();
        String longName = "a-very-long-key-name-without-any-space-" + "x".repeat(60);
        call("POST", "/api/proxy/keys", token(customer), Map.of("name", longName));
        signIn(customer.at("/user/email").asString(), PASSWORD);
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 375, "height", 800, "deviceScaleFactor", 1, "mobile", true));
        try {
            open("/api-keys");
            assertThat(textOf("key-name").replace("\n", "")).isEqualTo(longName);
            assertThat(js("return document.documentElement.scrollWidth <= window.innerWidth"))
                    .as("the page is not wider than the phone").isEqualTo(true);
            screenshot("keys-long-name-375-light", 375);
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }

        open("/settings");
        find("#company").click();
        find("#company").sendKeys(Keys.TAB, Keys.TAB); // phone, then the primary "Save changes"
        assertThat(js("return document.activeElement.getAttribute('data-test')")).isEqualTo("save-profile");
        Object outline = js("var s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth, s.outlineColor, "
                + "getComputedStyle(document.activeElement).backgroundColor]");
        assertThat(outline.toString()).as("a visible focus ring on the primary button").contains("solid").contains("3px");
        assertThat(driver.findElements(By.cssSelector("[data-test='save-profile']:focus-visible"))).hasSize(1);
        screenshot("settings-focus-primary-1440-light", 1440);
    }

    @Test
    void anExpiredSubscriptionSaysSoLikeThe402() {
        JsonNode customer = registerCustomer();
        UUID id = UUID.fromString(customer.at("/user/id").asString());
        plans.setExpiry(id, id, java.time.Instant.now().minusSeconds(60));

        signIn(customer.at("/user/email").asString(), PASSWORD);
        assertThat(textOf("plan-status")).isEqualTo("Expired");
        assertThat(textOf("plan-expired")).contains("402").contains("subscription_expired");
        assertThat(find("[data-test='plan-expired'] a").getAttribute("href")).endsWith(PlanHelp.PATH);
    }
}
