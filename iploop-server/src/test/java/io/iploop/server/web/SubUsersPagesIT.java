package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.sessionCookie;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The sub-users page (docs/sub-users.md#dashboard) in a real browser: create with the password shown
 * once in the same card as a new API key's, the usage against the limit, disable and delete.
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
        assertThat(test("empty-state").getText()).contains("No sub-users yet");

        type("#sub-name", "Bad Name");
        test("create-sub-user").click();
        assertThat(test("error").getText()).contains("name");

        open("/sub-users");
        type("#sub-name", "team_a");
        type("#sub-limit", "5");
        test("create-sub-user").click();
        String password = test("new-key-value").getAttribute("value");
        assertThat(password).matches("iploop_[0-9a-f]{48}");
        String customerId = customer.at("/user/customerId").asString();
        assertThat(test("new-key-credentials").getText()).isEqualTo(customerId + "-sub-team_a:" + password);
        assertAccessible("sub-users");
        JsonNode listed = call("GET", "/api/sub-users", token, null).body().at("/subUsers/0");
        assertThat(listed.get("trafficLimitBytes").asLong()).isEqualTo(5_000_000_000L);
        assertThat(row("team_a").findElement(By.cssSelector("[data-test='sub-user-usage']")).getText())
                .contains("0 B of 5").contains("this month");

        // Shown once: a reload lists the prefix only.
        open("/sub-users");
        assertThat(driver.getPageSource()).doesNotContain(password);

        row("team_a").findElement(By.cssSelector("[data-test='sub-user-toggle']")).click();
        assertThat(test("done").getText()).contains("disabled");
        assertThat(row("team_a").findElement(By.cssSelector("[data-test='sub-user-status']")).getText()).isEqualTo("Disabled");
        assertThat(call("GET", "/api/sub-users", token, null).body().at("/subUsers/0/enabled").asBoolean()).isFalse();

        row("team_a").findElement(By.cssSelector("[data-test='sub-user-delete']")).click();
        row("team_a").findElement(By.cssSelector("[data-test='sub-user-delete-confirm']")).click();
        assertThat(test("done").getText()).contains("deleted");
        assertThat(rows("team_a")).isEmpty();
        assertThat(call("GET", "/api/sub-users", token, null).body().get("subUsers").size()).isZero();
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
