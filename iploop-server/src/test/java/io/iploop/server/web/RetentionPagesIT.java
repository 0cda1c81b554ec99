package io.iploop.server.web;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.js;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.signInNewAdminWithTwoFactor;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The admin's data-retention page (docs/privacy.md#retention) in a real browser: it shows the
 * per-request usage retention in force, as the API reports it; an admin changes it with the form
 * and the API then serves the new value; an out-of-range value is refused naming the field and
 * changes nothing; a customer is not let in.
 */
@PlatformTest
@BrowserTest
class RetentionPagesIT {

    // set by @BrowserTest
    ChromeDriver driver;

    private static int apiDays() {
        return call("GET", "/api/admin/usage/retention", adminToken(), null).body().get("perRequestDays").asInt();
    }

    @Test
    void anAdminSeesTheRetentionInForceAndChangesItWithTheForm() {
        int before = apiDays();
        try {
            signInNewAdminWithTwoFactor();
            open("/admin/retention");
            assertThat(textOf("retention-days")).isEqualTo(Integer.toString(before));
            assertThat(textOf("retention-table")).contains("Per-request usage rows", "Daily usage aggregates", "usage-retention");
            screenshots("admin-retention");
            assertAccessible("admin-retention");

            type("[data-test='retention-input']", Integer.toString(before + 7));
            test("retention-save").click();
            assertThat(textOf("done")).contains("Retention saved");
            assertThat(textOf("retention-days")).isEqualTo(Integer.toString(before + 7));
            assertThat(driver.findElements(By.cssSelector("[data-test='retention-updated']"))).hasSize(1);
            assertThat(apiDays()).isEqualTo(before + 7);

            // Past the browser's own min check: the server refuses it, naming the field.
            js("document.querySelector(\"[data-test='retention-input']\").removeAttribute('min')");
            type("[data-test='retention-input']", "0");
            test("retention-save").click();
            assertThat(textOf("error")).contains("perRequestDays").contains("1 to 3650").contains("nothing was changed");
            assertThat(textOf("retention-days")).isEqualTo(Integer.toString(before + 7));
            assertThat(apiDays()).isEqualTo(before + 7);
        } finally {
            assertThat(call("PUT", "/api/admin/usage/retention", adminToken(), Map.of("perRequestDays", before)).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void aCustomerIsNotLetIn() {
        signInNewCustomer();
        open("/admin/retention");
        assertThat(textOf("error-page")).contains("Not allowed");
        assertThat(driver.findElements(By.cssSelector("[data-test='retention-form']"))).isEmpty();
    }
}
