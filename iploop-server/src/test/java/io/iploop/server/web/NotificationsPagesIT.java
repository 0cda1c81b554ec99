package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.notifications.NotificationsService;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The bell with the unread count in the top bar, the notifications page and its read state, and the
 * usage alert fields of the settings page (docs/plans-and-alerts.md#notifications, #usage-alerts), in
 * a real browser.
 */
@PlatformTest
@BrowserTest
class NotificationsPagesIT {

    // this class's browser, set by @BrowserTest
    ChromeDriver driver;

    @Autowired
    NotificationsService notifications;

    @Test
    void theBellCountsUnreadNotificationsAndThePageMarksThemRead() {
        JsonNode customer = signInNewCustomer();
        UUID id = UUID.fromString(customer.at("/user/id").asString());
        assertThat(driver.findElements(By.cssSelector("[data-test='unread-count']"))).isEmpty();
        notifications.notify(id, "usage_alert", "You have used 80 % of your GB for this period", "Plan Starter: …", "/docs#plans");
        notifications.notify(id, "usage_alert", "Your GB for this period are used up", "Plan Starter: …", "/docs#plans");

        open("/dashboard");
        assertThat(textOf("unread-count")).isEqualTo("2");
        test("notifications-bell").click();
        assertThat(textOf("notification-title")).isEqualTo("Your GB for this period are used up");
        assertAccessible("notifications");

        test("mark-read").click();
        assertThat(textOf("unread-count")).isEqualTo("1");
        test("read-all").click();
        find("[data-test='notification']");
        assertThat(driver.findElements(By.cssSelector("[data-test='unread-count']"))).isEmpty();
        assertThat(call("GET", "/api/notifications", token(customer), null).body().get("unread").asLong()).isZero();
    }

    @Test
    void theSettingsPageSavesUsageAlertsAndNamesABadCustomThreshold() {
        JsonNode customer = signInNewCustomer();
        open("/settings#usage-alerts");
        type("[data-test='alert-custom']", "150");
        test("save-usage-alerts").click();
        assertThat(textOf("alert-custom-error")).contains("1 to 100");

        type("[data-test='alert-custom']", "65");
        test("alert-80").click(); // off
        test("save-usage-alerts").click();
        assertThat(textOf("done")).isEqualTo("Usage alerts saved.");
        JsonNode saved = call("GET", "/api/billing/alerts", token(customer), null).body();
        assertThat(saved.get("customPercent").asInt()).isEqualTo(65);
        assertThat(saved.get("at80").asBoolean()).isFalse();
        assertThat(saved.get("at100").asBoolean()).isTrue();
        assertThat(test("alert-custom").getAttribute("value")).isEqualTo("65");
    }
}
