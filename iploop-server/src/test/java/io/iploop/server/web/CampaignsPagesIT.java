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

import io.iploop.server.campaigns.CampaignWalletService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.CampaignSiteStubs;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The campaigns page (docs/campaigns.md#dashboard) in a real browser: claim a domain and see how to
 * verify it, verify it by DNS, a project refused on an unverified URL then created, paused and edited,
 * the wallet balance and the price quote.
 */
@PlatformTest
@BrowserTest
class CampaignsPagesIT {

    // this class's browser and its 15 s wait, set by @BrowserTest
    ChromeDriver driver;
    WebDriverWait wait;

    @Test
    void claimVerifyCreatePauseEditAndQuote() {
        JsonNode customer = signInNewCustomer();
        UUID userId = UUID.fromString(customer.at("/user/id").asString());
        String token = sessionCookie();
        String domain = "page-" + UUID.randomUUID().toString().substring(0, 8) + ".example";
        open("/campaigns");
        assertText("wallet-balance", t -> assertThat(t).isEqualTo("€0.00"));

        type("#domain-name", domain);
        test("claim-domain").click();
        assertText("done", t -> assertThat(t).contains("Domain claimed"));
        String txt = test("domain-txt").getText();
        assertThat(txt).startsWith("iploop-verification=");
        test("domain-verify").click();
        assertText("error", t -> assertThat(t).contains("could not verify " + domain));

        CampaignSiteStubs.txt.put(domain, List.of(txt));
        test("domain-verify").click();
        assertText("domain-status", t -> assertThat(t).isEqualTo("Verified (dns)"));

        type("#project-name", "Launch");
        type("#project-urls", "https://elsewhere.example/");
        test("create-project").click();
        assertText("error", t -> assertThat(t).contains("settings.urls[0]").contains("not on a domain you verified"));

        open("/campaigns");
        type("#project-name", "Launch");
        type("#project-urls", "https://www." + domain + "/");
        type("#project-countries", "US:70, DE:30");
        type("#project-daily", "100");
        test("create-project").click();
        assertText("done", t -> assertThat(t).contains("Project created"));
        WebElement row = driver.findElement(By.cssSelector("[data-test='project-row'][data-project='Launch']"));
        assertThat(row.findElement(By.cssSelector("[data-test='project-status']")).getText()).isEqualTo("active");
        assertThat(row.findElement(By.cssSelector("[data-test='project-counters']")).getText()).contains("0 of 100 visits today");
        screenshots("campaigns");
        assertAccessible("campaigns");

        row.findElement(By.cssSelector("[data-test='project-paused']")).click();
        assertText("project-status", t -> assertThat(t).isEqualTo("paused"));

        test("project-edit").click();
        WebElement settings = test("project-settings");
        settings.clear();
        String edited = "{\"urls\": [\"https://" + domain + "/\"],\n  \"trafficSpeed\": 80, \"note\": \"été\"}";
        settings.sendKeys(edited);
        test("project-save").click();
        assertText("done", t -> assertThat(t).contains("Project saved"));
        JsonNode listed = call("GET", "/api/projects", token, null).body().at("/projects/0");
        assertThat(listed.get("status").asString()).isEqualTo("paused");
        assertThat(listed.at("/settings/trafficSpeed").asInt()).isEqualTo(80);
        assertThat(listed.at("/settings/note").asString()).isEqualTo("été");

        Api.bean(CampaignWalletService.class).credit(userId, new BigDecimal("129"), "campaign-topup:page:" + UUID.randomUUID(),
                "Test top-up", Map.of());
        open("/campaigns?amount=500");
        assertText("wallet-balance", t -> assertThat(t).isEqualTo("€129.00"));
        assertText("quote-result", t -> assertThat(t).contains("1,250,000 visits").contains("€0.40 per 1,000"));
    }
}
