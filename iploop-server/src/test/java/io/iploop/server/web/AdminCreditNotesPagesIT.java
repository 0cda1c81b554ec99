package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.driver;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signInNewAdminWithTwoFactor;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.CreditNote;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Admin;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.Browser;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

/**
 * The credit notes of each invoice on {@code /admin/billing} (docs/billing.md#refunds-and-chargebacks)
 * in a real browser: an invoice refunded once and charged back once lists both credit notes with
 * number, kind, amount and reason, as the API does, and each links to its PDF, which the admin's
 * session downloads and a customer's does not.
 */
@PlatformTest
@BrowserTest
class AdminCreditNotesPagesIT {

    @Test
    void eachInvoiceListsItsCreditNotesWithTheirPdfs() {
        JsonNode customer = Api.registerCustomer();
        String token = customer.get("token").asString();
        Response topUp = call("POST", "/api/billing/top-ups", token, Map.of("packageId", "credits-25"));
        assertThat(topUp.status()).as(topUp.toString()).isEqualTo(201);
        String id = topUp.body().at("/invoice/id").asString();
        Admin admin = signInNewAdminWithTwoFactor();
        assertThat(call("POST", "/api/admin/billing/invoices/" + id + "/mark-paid", admin.token(),
                Map.of("paymentReference", "SEPA-CN-1")).status()).isEqualTo(200);
        Response refund = call("POST", "/api/admin/billing/invoices/" + id + "/refund", admin.token(),
                Map.of("amountCents", 1000, "reason", "Customer asked", "idempotencyKey", "cn-page-" + id));
        assertThat(refund.status()).as(refund.toString()).isEqualTo(201);
        CreditNote chargeback = Api.bean(BillingService.class).recordChargeback(UUID.fromString(id), 500,
                "Bank dispute du_page", "du_page_" + id);

        open("/admin/billing?status=paid");
        String row = "[data-invoice-id='" + id + "'] ";
        find(row + "[data-test='credit-notes']");
        List<WebElement> rows = driver().findElements(By.cssSelector(row + "[data-test='credit-note-row']"));
        assertThat(rows).hasSize(2);
        JsonNode api = call("GET", "/api/admin/billing/invoices/" + id + "/credit-notes", admin.token(), null).body()
                .get("creditNotes");
        for (int i = 0; i < 2; i++) {
            WebElement r = rows.get(i);
            assertThat(r.findElement(By.cssSelector("[data-test='credit-note-number']")).getText())
                    .isEqualTo(api.get(i).get("number").asString());
            assertThat(r.findElement(By.cssSelector("[data-test='credit-note-kind']")).getText())
                    .isEqualTo(api.get(i).get("kind").asString());
        }
        assertThat(rows.get(0).findElement(By.cssSelector("[data-test='credit-note-amount']")).getText()).isEqualTo("$10.00");
        assertThat(rows.get(0).findElement(By.cssSelector("[data-test='credit-note-reason']")).getText())
                .isEqualTo("Customer asked");
        assertThat(rows.get(1).findElement(By.cssSelector("[data-test='credit-note-number']")).getText())
                .isEqualTo(chargeback.number());
        assertThat(rows.get(1).findElement(By.cssSelector("[data-test='credit-note-amount']")).getText()).isEqualTo("$5.00");
        assertThat(rows.get(1).findElement(By.cssSelector("[data-test='credit-note-reason']")).getText())
                .isEqualTo("Bank dispute du_page");
        settle();
        assertAccessible("admin-billing-credit-notes");
        Browser.screenshots("admin-billing-credit-notes");

        // The PDF link works in the admin's session: the credit note's immutable PDF, named by its number.
        String href = rows.get(1).findElement(By.cssSelector("[data-test='credit-note-pdf']")).getAttribute("href");
        assertThat(href).endsWith("/admin/billing/credit-notes/" + chargeback.id() + "/pdf");
        Object fetched = ((org.openqa.selenium.JavascriptExecutor) driver()).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0]).then(async r => done(r.status + ' ' + r.headers.get('content-type') + ' '
                    + r.headers.get('content-disposition') + ' ' + (await r.text()).substring(0, 5)))
                    .catch(e => done('error ' + e));""", href);
        assertThat(String.valueOf(fetched)).startsWith("200 application/pdf").contains(chargeback.number() + ".pdf")
                .endsWith("%PDF-");
        // A customer's session gets no other account's credit note through the admin route.
        Browser.signInNewCustomer();
        open("/admin/billing/credit-notes/" + chargeback.id() + "/pdf");
        assertThat(driver().getPageSource()).doesNotContain("%PDF-");
    }
}
