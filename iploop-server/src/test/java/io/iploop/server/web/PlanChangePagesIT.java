package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.Browser;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The "Change plan" card of {@code /billing} (docs/billing.md#plan-changes) in a real browser: a
 * customer on Growth schedules a downgrade to Starter and sees it as pending with its date (the API
 * shows the same), withdraws it, then upgrades to Business, which takes effect at once with an open
 * invoice for the prorated difference.
 */
@PlatformTest
@BrowserTest
class PlanChangePagesIT {

    // set by @BrowserTest
    ChromeDriver driver;

    @Autowired
    PlansService plans;

    @Test
    void aCustomerSchedulesADowngradeSeesItPendingWithdrawsItAndUpgrades() {
        JsonNode customer = signInNewCustomer();
        String token = customer.get("token").asString();
        UUID userId = UUID.fromString(customer.at("/user/id").asString());
        plans.subscribe(userId, "growth");

        open("/billing#change-plan");
        assertThat(textOf("current-plan")).startsWith("Current plan: Growth, period ends ");
        assertThat(driver.findElements(By.cssSelector("[data-test='pending-change']"))).isEmpty();

        new Select(test("plan-id")).selectByValue("starter");
        test("change-plan-submit").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().contains("done=change-plan"));
        settle();
        assertThat(driver.getCurrentUrl()).endsWith("#change-plan");
        assertThat(textOf("done")).isEqualTo("Plan change saved.");
        assertThat(textOf("pending-change")).startsWith("Scheduled: moves to Starter on ");
        assertThat(textOf("current-plan")).startsWith("Current plan: Growth");
        JsonNode view = call("GET", "/api/billing/subscription", token, null).body();
        assertThat(view.get("pendingPlanId").asString()).isEqualTo("starter");
        assertAccessible("billing-change-plan-pending");
        Browser.screenshots("billing-change-plan-pending");

        test("withdraw-change").click();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                driver.findElements(By.cssSelector("[data-test='pending-change']")).isEmpty());
        assertThat(call("GET", "/api/billing/subscription", token, null).body().get("pendingPlanId").isNull()).isTrue();

        new Select(test("plan-id")).selectByValue("business");
        test("change-plan-submit").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().contains("requested="));
        settle();
        assertThat(textOf("current-plan")).startsWith("Current plan: Business");
        assertThat(textOf("requested")).contains("is open");
        assertThat(plans.current(userId).orElseThrow().planId()).isEqualTo("business");
        JsonNode invoice = call("GET", "/api/billing/invoices", token, null).body().at("/invoices/0");
        assertThat(invoice.get("packageKind").asString()).isEqualTo("plan");
        assertThat(invoice.get("status").asString()).isEqualTo("open");
        assertThat(invoice.get("totalCents").asLong()).as("USD 350 for almost the whole period").isBetween(34_000L, 35_000L);
    }
}
