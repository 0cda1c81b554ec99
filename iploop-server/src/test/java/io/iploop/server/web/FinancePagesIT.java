package io.iploop.server.web;

import static io.iploop.server.testing.Api.bean;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertCss;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshot;
import static io.iploop.server.testing.Browser.signInNewAdminWithTwoFactor;
import static io.iploop.server.testing.Browser.textOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.FinanceService;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.RevenueGrouping;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.VatPlatformTest;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The admin finance page (docs/billing.md#admin-finance) in a real browser: after a customer paid a
 * taxed invoice and got part of it refunded, an admin with 2FA sees today's net revenue, VAT, the
 * row of the day and of the buyer's plan, and twelve months of MRR; the figures are the finance
 * service's; the page passes the accessibility check; a bad period is a message, not an error page.
 */
@VatPlatformTest
@BrowserTest
class FinancePagesIT {

    // set by @BrowserTest
    ChromeDriver driver;

    @Test
    void anAdminSeesRevenueRefundsVatMarginAndMrr() {
        BillingService billing = bean(BillingService.class);
        UUID customer = UUID.fromString(registerCustomer().at("/user/id").asString());
        UUID admin = bean(AccountsService.class).firstAdmin().orElseThrow().id();
        Invoice invoice = billing.requestTopUp(customer, "credits-25"); // 2500 + 475 VAT
        billing.markPaid(admin, invoice.id(), "SEPA-PAGE");
        billing.refund(admin, invoice.id(), 595, "page test", null); // 500 + 95 VAT

        signInNewAdminWithTwoFactor();
        open("/admin/finance");
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        var now = java.time.Instant.now();
        var total = bean(FinanceService.class).revenue(LocalDate.now(ZoneOffset.UTC).minusDays(29)
                .atStartOfDay(ZoneOffset.UTC).toInstant(), now.plusSeconds(86_400), RevenueGrouping.DAY).total();
        assertThat(textOf("finance-net-revenue")).isEqualTo(String.format(java.util.Locale.ENGLISH, "$%,.2f",
                total.netRevenueCents() / 100.0));
        assertThat(total.netRevenueCents()).isGreaterThanOrEqualTo(2000);
        assertThat(textOf("finance-vat")).startsWith("$");
        assertCss("[data-test='finance-by-day']", t -> assertThat(t).contains(today));
        assertCss("[data-test='finance-by-plan']", t -> assertThat(t).contains("trial"));
        assertThat(driver.findElements(By.cssSelector("[data-test='finance-mrr-row']"))).hasSize(12);
        assertThat(textOf("finance-margin")).startsWith("$");
        assertAccessible("admin-finance");
        screenshot("admin-finance-1440-light", 1440);

        open("/admin/finance?from=2026-12-05&to=2026-12-01");
        assertCss("[role='alert'], .alert", t -> assertThat(t).contains("Choose a period"));
        assertThat(find("[data-test='finance-from']").getAttribute("value")).isNotEqualTo("2026-12-05");
    }
}
