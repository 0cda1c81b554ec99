package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertText;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.sessionCookie;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.affiliates.AffiliatesService;
import io.iploop.server.campaigns.CampaignWalletService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Browser;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The affiliate page (docs/affiliates.md#page) in a real browser: reached from the sidebar, it shows the
 * link and code, the clicks and sign-ups, pending and available commission and the commissions table
 * with figures equal to {@code GET /api/affiliates/me}; a payout below the minimum is refused naming the
 * amount, a valid one leads to the cash-out confirmation.
 */
@PlatformTest
@BrowserTest
class AffiliatesPagesIT {

    // this class's browser and its 15 s wait, set by @BrowserTest
    ChromeDriver driver;
    WebDriverWait wait;

    @Test
    void theAffiliatePageShowsLinkFiguresCommissionsAndRequestsAPayout() throws Exception {
        JsonNode affiliate = signInNewCustomer();
        String token = sessionCookie();
        String code = call("GET", "/api/affiliates/me", token, null).body().get("code").asString();

        // A referred customer (signed up through the link, by API) tops up their campaign wallet twice.
        String email = "aff-page-" + UUID.randomUUID() + "@example.com";
        var signup = Api.send("POST", "/api/auth/register?ref=" + code, null, Map.of("acceptTerms", true, "email", email,
                "password", Api.TEST_PASSWORD, "firstName", "Pia", "lastName", "Page"), Map.of());
        assertThat(signup.statusCode()).as(signup.body()).isEqualTo(201);
        UUID referee = Api.bean(io.iploop.server.accounts.AccountsService.class).findActiveByEmail(email).orElseThrow().id();
        CampaignWalletService wallet = Api.bean(CampaignWalletService.class);
        wallet.credit(referee, new BigDecimal("300.00"), "campaign-topup:page:" + UUID.randomUUID(), "Test top-up", Map.of());
        Api.bean(AffiliatesService.class).releaseDue(Instant.now().plus(Duration.ofDays(31)));
        wallet.credit(referee, new BigDecimal("40.00"), "campaign-topup:page:" + UUID.randomUUID(), "Test top-up", Map.of());

        open("/dashboard");
        driver.findElement(By.cssSelector("a[href='/affiliates']")).click();
        wait.until(d -> d.getCurrentUrl().endsWith("/affiliates"));
        assertText("affiliate-code", t -> assertThat(t).isEqualTo(code));
        assertThat(test("affiliate-link").getDomProperty("value")).endsWith("ref=" + code);
        assertText("affiliate-signups", t -> assertThat(t).isEqualTo("1"));
        assertText("affiliate-clicks", t -> assertThat(t).isEqualTo("0"));
        assertText("affiliate-available", t -> assertThat(t).isEqualTo("€60.00"));
        assertText("affiliate-pending", t -> assertThat(t).isEqualTo("€8.00"));
        assertText("affiliate-paid", t -> assertThat(t).isEqualTo("€0.00"));
        assertThat(driver.findElements(By.cssSelector("[data-test='commission-amount']"))).extracting(e -> e.getText())
                .containsExactly("€8.00", "€60.00");
        assertThat(driver.findElements(By.cssSelector("[data-test='commission-status']"))).extracting(e -> e.getText())
                .containsExactly("Pending", "Available");
        screenshots("affiliates");
        assertThat(Files.exists(Browser.SCREENSHOTS.resolve("affiliates-1440-light.png"))).isTrue();
        assertAccessible("affiliates");

        // Below the minimum: refused on the page, naming the amount, nothing reserved.
        type("#payout-amount", "20");
        type("#payout-iban", "DE89370400440532013000");
        type("#payout-swift", "DEUTDEFF");
        type("#payout-holder", "Al Affiliate");
        test("payout-submit").click();
        assertText("payout-error", t -> assertThat(t).contains("amount").contains("minimum payout of EUR 50"));
        assertText("affiliate-available", t -> assertThat(t).isEqualTo("€60.00"));

        type("#payout-amount", "55");
        type("#payout-iban", "DE89370400440532013000");
        type("#payout-swift", "DEUTDEFF");
        type("#payout-holder", "Al Affiliate");
        test("payout-submit").click();
        wait.until(d -> d.getCurrentUrl().contains("/earn/cashout?confirm="));
        JsonNode history = call("GET", "/api/earn/cashout/history", token, null).body();
        assertThat(history.toString()).contains("\"currency\":\"EUR\"").contains("awaiting_confirmation");
        assertThat(affiliate.at("/user/id").asString()).isNotBlank();
    }
}
