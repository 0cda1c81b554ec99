package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.PASSWORD;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertRead;
import static io.iploop.server.testing.Browser.assertText;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signIn;
import static io.iploop.server.testing.Browser.signInNewAdminWithTwoFactor;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.server.testing.Browser;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.StripeStub;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.chrome.ChromeDriver;
import tools.jackson.databind.JsonNode;

/**
 * The billing pages (docs/billing.md) in a real browser: a customer requests a credit package on
 * {@code /billing} and sees the open invoice with the bank details; an admin with 2FA marks it paid
 * on {@code /admin/billing} with the transfer's reference; the customer then sees 25 + 2 credits
 * and the invoice paid. With Stripe configured (the test platform's stand-in), "Pay by card" beside
 * a package opens an invoice to be paid by card and sends the browser to Stripe's Checkout page.
 */
@PlatformTest
@BrowserTest
@ExtendWith(StripeStub.class)
class BillingPagesIT {

    // set by @BrowserTest
    ChromeDriver driver;

    @Test
    void aCustomerRequestsCreditsAndAnAdminMarksTheInvoicePaid() {
        JsonNode customer = signInNewCustomer();
        String email = customer.at("/user/email").asString();
        open("/billing");
        assertThat(textOf("credit-balance")).isEqualTo("0");
        assertThat(textOf("feature-sessions")).isEqualTo("No open time-based targeting session");
        assertThat(textOf("auto-top-up")).isEqualTo("Auto top-up: off");
        assertThat(textOf("payment-instructions")).contains("Bank transfer (manual provider)", "IBAN");
        test("buy-credits-25").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().contains("requested="));
        settle();
        JsonNode invoice = call("GET", "/api/billing/invoices", customer.get("token").asString(), null).body()
                .at("/invoices/0");
        String number = invoice.get("number").asString();
        assertThat(textOf("requested")).contains(number, "USD 25");
        assertThat(textOf("invoice-status")).isEqualTo("open");
        assertThat(find("[data-test='invoice-pdf']").getAttribute("href"))
                .endsWith("/billing/invoices/" + invoice.get("id").asString() + "/pdf");
        assertAccessible("billing");

        signInNewAdminWithTwoFactor();
        open("/admin/billing");
        String row = "[data-invoice-id='" + invoice.get("id").asString() + "'] ";
        find(row + "[data-test='invoice-reference']").sendKeys("SEPA-PAGE-1");
        find(row + "[data-test='invoice-mark-paid']").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().contains("done=paid"));
        settle();
        assertThat(textOf("done")).contains(number, "marked paid");
        assertAccessible("admin-billing");

        assertThat(call("PUT", "/api/billing/auto-top-up", customer.get("token").asString(),
                Map.of("enabled", true, "thresholdUsd", 5, "packageId", "credits-10", "maxPerMonth", 2))
                .status()).isEqualTo(200);
        signIn(email, PASSWORD);
        open("/billing");
        assertThat(textOf("credit-balance")).isEqualTo("27");
        assertThat(textOf("auto-top-up")).isEqualTo("Auto top-up: credits-10 when under USD 5, at most 2 per month");
        Browser.screenshots("billing-credits");
        assertThat(textOf("invoice-status")).isEqualTo("paid");
    }

    @Test
    void payByCardSendsTheBrowserToStripeCheckoutWithAnOpenCardInvoice() {
        JsonNode customer = signInNewCustomer();
        open("/billing");
        assertText("buy-credits-10", t -> assertThat(t).isEqualTo("Request invoice"));
        assertText("card-credits-10", t -> assertThat(t).isEqualTo("Pay by card"));
        assertAccessible("billing-card");
        test("card-credits-10").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().equals(StripeStub.CHECKOUT_PAGE));
        assertThat(driver.getTitle()).contains("Stripe Checkout");
        JsonNode invoice = call("GET", "/api/billing/invoices", customer.get("token").asString(), null).body()
                .at("/invoices/0");
        assertThat(invoice.get("provider").asString()).isEqualTo("stripe");
        assertThat(invoice.get("status").asString()).isEqualTo("open");
        assertThat(invoice.get("totalCents").asLong()).isEqualTo(1000);
        // Back from Stripe (its cancel URL): the invoice waits, open, and the browser is on our origin again.
        open("/billing");
        assertThat(textOf("invoice-status")).isEqualTo("open");
    }

    @Test
    void aCustomerBuysAnUpstreamPoolPlanFromTheBillingPage() {
        JsonNode customer = signInNewCustomer();
        String token = customer.get("token").asString();
        open("/billing");
        assertRead(() -> find("[data-test='buy-pool-basic']").findElement(org.openqa.selenium.By.xpath("..")).getText(),
                t -> assertThat(t)
                .contains("Pool plan Basic: 10 threads, 1 GB/month, 30 days", "USD 10"));
        assertText("card-pool-pro", t -> assertThat(t).isEqualTo("Pay by card"));
        test("buy-pool-basic").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().contains("requested="));
        settle();
        JsonNode invoice = call("GET", "/api/billing/invoices", token, null).body().at("/invoices/0");
        assertThat(invoice.get("packageId").asString()).isEqualTo("pool-basic");
        assertThat(textOf("requested")).contains(invoice.get("number").asString(), "USD 10");
        assertThat(textOf("invoice-status")).isEqualTo("open");
        assertThat(call("GET", "/api/proxies", token, null, Map.of("Accept", "application/json")).body()
                .get("ports").size()).as("nothing before payment").isZero();

        assertThat(call("POST", "/api/admin/billing/invoices/" + invoice.get("id").asString() + "/mark-paid",
                io.iploop.server.testing.Api.adminToken(), Map.of("paymentReference", "SEPA-POOL-PAGE")).status())
                .isEqualTo(200);
        open("/billing");
        assertThat(textOf("invoice-status")).isEqualTo("paid");
        assertAccessible("billing-pool");
        Browser.screenshots("billing-pool");
    }
}
