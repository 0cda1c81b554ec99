package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertCss;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signInNewAdminWithTwoFactor;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Admin;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.Browser;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/**
 * The billing forms (docs/billing.md#auto-top-up, #low-balance-alerts, #refunds-and-chargebacks) in a
 * real browser: a customer saves auto top-up and the low-balance alert on {@code /billing} and the API
 * returns what was saved, a bad threshold is shown next to its field; an admin with 2FA refunds part of a
 * paid invoice on {@code /admin/billing}, first too much (refused in words), then USD 10 and sees the
 * credit note the API lists, then, once the customer spent most credits, the rest (refused as unspent).
 */
@PlatformTest
@BrowserTest
class BillingFormsPagesIT {

    // set by @BrowserTest
    ChromeDriver driver;

    @Test
    void aCustomerSavesAutoTopUpAndTheLowBalanceAlertAndSeesFieldErrors() {
        JsonNode customer = signInNewCustomer();
        String token = customer.get("token").asString();
        open("/billing");
        assertThat(test("auto-enabled").isSelected()).isFalse();

        test("auto-enabled").click();
        type("[data-test='auto-threshold']", "0");
        new Select(test("auto-package")).selectByValue("credits-10");
        type("[data-test='auto-max']", "3");
        test("auto-save").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !driver.findElements(
                org.openqa.selenium.By.cssSelector("[data-test='thresholdUsd-error']")).isEmpty());
        settle();
        assertThat(driver.getCurrentUrl()).endsWith("/billing/auto-top-up#auto-top-up");
        assertThat(textOf("thresholdUsd-error")).isEqualTo("Threshold: 0 (expected: USD 0.01-10000, 2 decimals at most)");
        assertThat(test("auto-threshold").getAttribute("aria-describedby")).isEqualTo("thresholdUsd-error");
        // What was typed stays in the form, and nothing was saved.
        assertThat(test("auto-max").getAttribute("value")).isEqualTo("3");
        assertThat(call("GET", "/api/billing/auto-top-up", token, null).body().get("enabled").asBoolean()).isFalse();
        assertAccessible("billing-auto-top-up-error");
        Browser.screenshots("billing-auto-top-up-error");

        type("[data-test='auto-threshold']", "7.50");
        test("auto-save").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().contains("done=auto-top-up"));
        settle();
        assertThat(driver.getCurrentUrl()).endsWith("#auto-top-up");
        assertThat(textOf("done")).isEqualTo("Auto top-up saved.");
        JsonNode saved = call("GET", "/api/billing/auto-top-up", token, null).body();
        assertThat(saved.get("enabled").asBoolean()).isTrue();
        assertThat(saved.get("thresholdUsd").decimalValue()).isEqualByComparingTo(new BigDecimal("7.50"));
        assertThat(saved.get("packageId").asString()).isEqualTo("credits-10");
        assertThat(saved.get("maxPerMonth").asInt()).isEqualTo(3);
        assertThat(textOf("auto-top-up")).isEqualTo("Auto top-up: credits-10 when under USD 7.5, at most 3 per month");
        assertThat(test("auto-threshold").getAttribute("value")).isEqualTo("7.50");

        type("[data-test='low-balance-usd']", "lots");
        test("low-balance-save").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !driver.findElements(
                org.openqa.selenium.By.cssSelector("[data-test='lowBalanceUsd-error']")).isEmpty());
        assertThat(textOf("lowBalanceUsd-error")).isEqualTo("Alert threshold: 'lots' is not an amount in USD (e.g. 10 or 12.50)");
        type("[data-test='low-balance-usd']", "3");
        test("low-balance-save").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().contains("done=low-balance"));
        settle();
        assertThat(driver.getCurrentUrl()).endsWith("#low-balance");
        assertThat(textOf("done")).isEqualTo("Low-balance alert saved.");
        assertThat(call("GET", "/api/billing/alerts/credits", token, null).body().get("lowBalanceUsd").decimalValue())
                .isEqualByComparingTo("3");
        assertAccessible("billing-forms");
        Browser.screenshots("billing-forms-saved");
    }

    @Test
    void anAdminRefundsPartOfAPaidInvoiceAndSeesTheCreditNote() {
        JsonNode customer = Api.registerCustomer();
        String token = customer.get("token").asString();
        Response topUp = call("POST", "/api/billing/top-ups", token, Map.of("packageId", "credits-25"));
        assertThat(topUp.status()).as(topUp.toString()).isEqualTo(201);
        String id = topUp.body().at("/invoice/id").asString();
        Admin admin = signInNewAdminWithTwoFactor();
        Response paid = call("POST", "/api/admin/billing/invoices/" + id + "/mark-paid", admin.token(),
                Map.of("paymentReference", "SEPA-REFUND-1"));
        assertThat(paid.status()).as(paid.toString()).isEqualTo(200);

        open("/admin/billing?status=paid");
        String row = "[data-invoice-id='" + id + "'] ";
        type(row + "[data-test='refund-amount']", "30");
        type(row + "[data-test='refund-reason']", "Customer asked");
        find(row + "[data-test='refund-submit']").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !driver.findElements(
                org.openqa.selenium.By.cssSelector(row + "[data-test='refund-amount-error']")).isEmpty());
        settle();
        assertThat(driver.getCurrentUrl()).endsWith("#invoice-" + id);
        assertCss(row + "[data-test='refund-amount-error']", t -> assertThat(t)
                .startsWith("Refused: that is more than what is left of the invoice to refund."));
        assertThat(call("GET", "/api/admin/billing/invoices/" + id + "/credit-notes", admin.token(), null).body()
                .get("creditNotes").size()).isZero();
        assertAccessible("admin-billing-refund-error");

        type(row + "[data-test='refund-amount']", "10");
        find(row + "[data-test='refund-submit']").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().contains("done=refund"));
        settle();
        assertThat(driver.getCurrentUrl()).endsWith("#invoice-" + id);
        JsonNode notes = call("GET", "/api/admin/billing/invoices/" + id + "/credit-notes", admin.token(), null).body()
                .get("creditNotes");
        assertThat(notes.size()).isEqualTo(1);
        assertThat(notes.get(0).get("amountCents").asLong()).isEqualTo(1000);
        assertThat(notes.get(0).get("reason").asString()).isEqualTo("Customer asked");
        String number = notes.get(0).get("number").asString();
        assertCss(row + "[data-test='refund-done']", t -> assertThat(t).isEqualTo("Refunded: credit note " + number + " issued."));
        assertCss(row + "[data-test='invoice-refunded']", t -> assertThat(t).isEqualTo("Refunded: $10.00, refundable: $15.00"));
        assertAccessible("admin-billing-refund");
        Browser.screenshots("admin-billing-refund");

        // The customer spends 15 of the 16.2 credits left (stand-in for spending: a posting to another
        // account, as BillingVatRefundIT does); refunding the other USD 15 would take back 16.2 credits.
        LedgerService ledger = Api.bean(LedgerService.class);
        UUID user = UUID.fromString(customer.at("/user/id").asString());
        ledger.post(NewTransaction.of(TransactionKind.ADJUSTMENT, "test-spend:" + user, "spent in a test",
                new Posting(ledger.account(user, AccountPurpose.CUSTOMER_CREDITS).id(), new BigDecimal("-15")),
                new Posting(ledger.platformAccount(AccountPurpose.CREDIT_BONUSES).id(), new BigDecimal("15"))));
        open("/admin/billing?status=paid");
        type(row + "[data-test='refund-amount']", "15");
        type(row + "[data-test='refund-reason']", "The rest");
        find(row + "[data-test='refund-submit']").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !driver.findElements(
                org.openqa.selenium.By.cssSelector(row + "[data-test='refund-amount-error']")).isEmpty());
        settle();
        assertCss(row + "[data-test='refund-amount-error']", t -> assertThat(t)
                .startsWith("Refused: the customer has already spent part of what this refund would take back.")
                .contains("unspent"));
        assertThat(find(row + "[data-test='refund-amount']").getAttribute("value")).isEqualTo("15");
        assertThat(call("GET", "/api/admin/billing/invoices/" + id + "/credit-notes", admin.token(), null).body()
                .get("creditNotes").size()).isEqualTo(1);
        assertAccessible("admin-billing-refund-unspent");
        Browser.screenshots("admin-billing-refund-unspent");
    }
}
