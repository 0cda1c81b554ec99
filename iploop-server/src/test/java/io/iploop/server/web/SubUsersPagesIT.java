package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertRead;
import static io.iploop.server.testing.Browser.assertText;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.sessionCookie;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The sub-users page (docs/sub-users.md#dashboard) in a real browser: create with the password shown
 * once in the same card as a new API key's, the usage against the limit, the request limits shown
 * and edited within the plan, disable and delete.
 */
@PlatformTest
@BrowserTest
class SubUsersPagesIT {

    // this class's browser and its 15 s wait, set by @BrowserTest
    ChromeDriver driver;
    WebDriverWait wait;

    @Test
    void createShowOnceDisableAndDelete() {
        JsonNode customer = signInNewCustomer();
        String token = sessionCookie();
        open("/sub-users");
        assertText("empty-state", t -> assertThat(t).contains("No sub-users yet"));

        type("#sub-name", "Bad Name");
        test("create-sub-user").click();
        assertText("error", t -> assertThat(t).contains("name"));

        open("/sub-users");
        type("#sub-name", "team_a");
        type("#sub-limit", "5");
        test("create-sub-user").click();
        String password = test("new-key-value").getAttribute("value");
        assertThat(password).matches("iploop_[0-9a-f]{48}");
        String customerId = customer.at("/user/customerId").asString();
        assertText("new-key-credentials", t -> assertThat(t).isEqualTo(customerId + "-sub-team_a:" + password));
        assertAccessible("sub-users");
        JsonNode listed = call("GET", "/api/sub-users", token, null).body().at("/subUsers/0");
        assertThat(listed.get("trafficLimitBytes").asLong()).isEqualTo(5_000_000_000L);
        assertRead(() -> row("team_a").findElement(By.cssSelector("[data-test='sub-user-usage']")).getText(), t -> assertThat(t)
                .contains("0 B of 5").contains("this month"));

        // Shown once: a reload lists the prefix only.
        open("/sub-users");
        assertThat(driver.getPageSource()).doesNotContain(password);

        row("team_a").findElement(By.cssSelector("[data-test='sub-user-toggle']")).click();
        assertText("done", t -> assertThat(t).contains("disabled"));
        assertRead(() -> row("team_a").findElement(By.cssSelector("[data-test='sub-user-status']")).getText(),
                t -> assertThat(t).isEqualTo("Disabled"));
        assertThat(call("GET", "/api/sub-users", token, null).body().at("/subUsers/0/enabled").asBoolean()).isFalse();

        row("team_a").findElement(By.cssSelector("[data-test='sub-user-delete']")).click();
        row("team_a").findElement(By.cssSelector("[data-test='sub-user-delete-confirm']")).click();
        assertText("done", t -> assertThat(t).contains("deleted"));
        assertThat(rows("team_a")).isEmpty();
        assertThat(call("GET", "/api/sub-users", token, null).body().get("subUsers").size()).isZero();
    }

    @Test
    void requestLimitsAreSetShownAndEditedWithinThePlan() {
        // On Trial: 2 requests/s, 1,000 a day, 5 connections at once (docs/product/plans.md#rate-limits).
        JsonNode customer = signInNewCustomer();
        Api.bean(PlansService.class).subscribe(UUID.fromString(customer.at("/user/id").asString()), "trial");
        String token = sessionCookie();
        open("/sub-users");
        type("#sub-name", "limited");
        type("#sub-rps", "1");
        type("#sub-rpd", "500");
        type("#sub-conns", "3");
        test("create-sub-user").click();
        assertThat(test("new-key-value").getAttribute("value")).matches("iploop_[0-9a-f]{48}");
        JsonNode listed = call("GET", "/api/sub-users", token, null).body().at("/subUsers/0");
        assertThat(listed.get("requestsPerSecond").asInt()).isEqualTo(1);
        assertThat(listed.get("requestsPerDay").asLong()).isEqualTo(500);
        assertThat(listed.get("maxConcurrentConnections").asInt()).isEqualTo(3);
        String id = listed.get("id").asString();

        open("/sub-users");
        assertThat(limitsOf("limited")).isEqualTo("1 req/s 500 req/day 3 connections at once");
        WebElement form = row("limited").findElement(By.cssSelector("[data-test='sub-user-edit-form']"));
        assertThat(form.isDisplayed()).as("the edit form is closed until asked for").isFalse();
        row("limited").findElement(By.cssSelector("[data-test='sub-user-edit']")).click();
        wait.until(d -> form.isDisplayed());
        assertThat(form.findElement(By.cssSelector("[data-test='edit-conns']")).getAttribute("value")).isEqualTo("3");
        assertThat(form.findElement(By.cssSelector("[data-test='edit-rps']")).getAttribute("value")).isEqualTo("1");
        screenshots("sub-users-edit");

        // More connections than the plan: refused naming the field, nothing saved, the form still open.
        WebElement conns = form.findElement(By.cssSelector("[data-test='edit-conns']"));
        conns.clear();
        conns.sendKeys("9");
        form.findElement(By.cssSelector("[data-test='sub-user-save']")).click();
        assertText("error", t -> assertThat(t).contains("limited").contains("maxConcurrentConnections").contains("5"));
        assertThat(call("GET", "/api/sub-users/" + id, token, null).body().get("maxConcurrentConnections").asInt()).isEqualTo(3);
        WebElement reopened = row("limited").findElement(By.cssSelector("[data-test='sub-user-edit-form']"));
        assertThat(reopened.isDisplayed()).isTrue();
        screenshots("sub-users-edit-error");

        // Back to the plan's connections, 2 requests/s, a 1.5 GB limit and two countries.
        set(reopened, "edit-conns", "");
        set(reopened, "edit-rps", "2");
        set(reopened, "edit-limit", "1.5");
        set(reopened, "edit-countries", "de, fr");
        reopened.findElement(By.cssSelector("[data-test='sub-user-save']")).click();
        assertText("done", t -> assertThat(t).contains("saved"));
        JsonNode saved = call("GET", "/api/sub-users/" + id, token, null).body();
        assertThat(saved.get("maxConcurrentConnections").isNull()).isTrue();
        assertThat(saved.get("requestsPerSecond").asInt()).isEqualTo(2);
        assertThat(saved.get("requestsPerDay").asLong()).as("unchanged fields keep their values").isEqualTo(500);
        assertThat(saved.get("trafficLimitBytes").asLong()).isEqualTo(1_500_000_000L);
        assertThat(saved.get("allowedCountries").toString()).isEqualTo("[\"DE\",\"FR\"]");
        assertThat(limitsOf("limited")).isEqualTo("2 req/s 500 req/day Plan's connections");
        assertRead(() -> row("limited").findElement(By.cssSelector("[data-test='sub-user-usage']")).getText(),
                t -> assertThat(t).contains("of 1.50 GB"));
        assertAccessible("sub-users");
        screenshots("sub-users-limits");

        // The change is in the account's audit log, with what it was and what it became.
        JsonNode audit = call("GET", "/api/audit-logs?action=sub_user_updated", token, null).body().at("/items/0/details");
        assertThat(audit.get("maxConcurrentConnections").asString()).isEqualTo("3 -> null");
        assertThat(audit.get("requestsPerSecond").asString()).isEqualTo("1 -> 2");
    }

    private static void set(WebElement form, String dataTest, String value) {
        WebElement input = form.findElement(By.cssSelector("[data-test='" + dataTest + "']"));
        input.clear();
        input.sendKeys(value);
    }

    private String limitsOf(String name) {
        return row(name).findElement(By.cssSelector("[data-test='sub-user-request-limits']")).getText().replaceAll("\\s+", " ");
    }

    private WebElement row(String name) {
        try {
            return wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> rows(name).stream().findFirst().orElse(null));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no sub-user row " + name, e);
        }
    }

    private List<WebElement> rows(String name) {
        settle();
        return driver.findElements(By.cssSelector("[data-test='sub-user-row']")).stream()
                .filter(r -> r.findElement(By.cssSelector("[data-test='sub-user-name']")).getText().equals(name)).toList();
    }
}
