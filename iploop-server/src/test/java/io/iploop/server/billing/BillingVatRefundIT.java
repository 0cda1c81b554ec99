package io.iploop.server.billing;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.VatPlatformTest;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openpdf.text.pdf.PdfReader;
import org.openpdf.text.pdf.parser.PdfTextExtractor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * VAT, refunds, chargebacks and the admin finance reports (docs/billing.md#vat, #refunds,
 * #admin-finance) through the API of a platform whose seller is registered for VAT in Germany
 * (19 %): billing details are validated and decide the tax of new invoices (domestic and consumer:
 * 19 %, EU business elsewhere: reverse charge, outside the EU: none), the tax is posted to
 * VAT_PAYABLE and printed on the PDF; a refund issues a numbered credit note, takes back unspent
 * credits only and happens once per idempotency key; a chargeback takes what is unspent and books
 * the rest as a loss; revenue, MRR and margin move by what happened.
 */
@VatPlatformTest
class BillingVatRefundIT {

    @Autowired
    LedgerService ledger;
    @Autowired
    PlansService plans;
    @Autowired
    BillingService billing;
    @Autowired
    JdbcClient jdbc;

    private record Customer(String token, UUID id) {}

    private static Customer customer() {
        JsonNode login = registerCustomer();
        return new Customer(token(login), UUID.fromString(login.at("/user/id").asString()));
    }

    private static Response details(Customer c, String country, String vatId) {
        Map<String, Object> body = new HashMap<>();
        body.put("country", country);
        body.put("vatId", vatId);
        body.put("company", vatId == null ? null : "Acme " + country);
        body.put("address", "Main street 1");
        return call("PUT", "/api/billing/details", c.token(), body);
    }

    private static JsonNode topUp(Customer c, String packageId) {
        Response r = call("POST", "/api/billing/top-ups", c.token(), Map.of("packageId", packageId));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.body().get("invoice");
    }

    private static JsonNode markPaid(String admin, JsonNode invoice) {
        Response r = call("POST", "/api/admin/billing/invoices/" + invoice.get("id").asString() + "/mark-paid", admin,
                Map.of("paymentReference", "SEPA-" + invoice.get("number").asString()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }

    private static Response refund(String admin, JsonNode invoice, long cents, String key) {
        Map<String, Object> body = new HashMap<>();
        body.put("amountCents", cents);
        body.put("reason", "customer asked");
        body.put("idempotencyKey", key);
        return call("POST", "/api/admin/billing/invoices/" + invoice.get("id").asString() + "/refund", admin, body);
    }

    private BigDecimal balance(AccountPurpose purpose) {
        return ledger.platformAccount(purpose).balance();
    }

    private BigDecimal credits(UUID user) {
        return ledger.account(user, AccountPurpose.CUSTOMER_CREDITS).balance();
    }

    private static String pdfText(String token, String path) throws Exception {
        HttpResponse<byte[]> r = Api.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Api.port() + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return new PdfTextExtractor(new PdfReader(r.body())).getTextFromPage(1);
    }

    private static void assertLedgerConsistent(String admin) {
        JsonNode report = call("GET", "/api/admin/ledger/consistency", admin, null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }

    @Test
    void billingDetailsAreCheckedAndDecideTheVatOfNewInvoices() throws Exception {
        String admin = adminToken();
        Customer c = customer();
        assertThat(call("GET", "/api/billing/details", c.token(), null).body().get("details").isNull()).isTrue();

        Response badCountry = details(c, "XX", null);
        assertThat(badCountry.status()).isEqualTo(400);
        assertThat(badCountry.body().at("/error/field").asString()).isEqualTo("country");
        Response wrongPrefix = details(c, "FR", "DE123456789");
        assertThat(wrongPrefix.status()).isEqualTo(400);
        assertThat(wrongPrefix.body().at("/error/field").asString()).isEqualTo("vatId");
        assertThat(details(c, "DE", "DE12345").status()).as("too short for DE").isEqualTo(400);

        // A German business: domestic, 19 %, the VAT id normalised.
        Response saved = details(c, "de", "de 123.456.789");
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
        assertThat(saved.body().at("/details/country").asString()).isEqualTo("DE");
        assertThat(saved.body().at("/details/vatId").asString()).isEqualTo("DE123456789");
        BigDecimal vatBefore = balance(AccountPurpose.VAT_PAYABLE);
        BigDecimal paymentsBefore = balance(AccountPurpose.CUSTOMER_PAYMENTS);
        JsonNode domestic = topUp(c, "credits-25");
        assertThat(domestic.get("subtotalCents").asLong()).isEqualTo(2500);
        assertThat(domestic.get("taxCents").asLong()).isEqualTo(475);
        assertThat(domestic.get("totalCents").asLong()).isEqualTo(2975);
        assertThat(domestic.get("taxRatePercent").decimalValue()).isEqualByComparingTo("19");
        assertThat(domestic.get("buyerVatId").asString()).isEqualTo("DE123456789");
        String text = pdfText(c.token(), "/api/billing/invoices/" + domestic.get("id").asString() + "/pdf");
        assertThat(text).contains("VAT (19 %)", "USD 4.75", "USD 29.75", "DE123456789", "Acme de");
        markPaid(admin, domestic);
        assertThat(credits(c.id())).as("credits are the package's, not the tax").isEqualByComparingTo("27");
        assertThat(balance(AccountPurpose.VAT_PAYABLE).subtract(vatBefore)).isEqualByComparingTo("4.75");
        assertThat(balance(AccountPurpose.CUSTOMER_PAYMENTS).subtract(paymentsBefore)).isEqualByComparingTo("-29.75");

        // Issued is immutable: the database refuses to change the amounts even to code that tries.
        assertThatThrownBy(() -> jdbc.sql("UPDATE billing_invoices SET tax_cents = 0, total_cents = subtotal_cents "
                + "WHERE id = ?").param(UUID.fromString(domestic.get("id").asString())).update())
                .hasMessageContaining("immutable");

        // A French business with a valid VAT id: reverse charge, no tax, the note on the PDF.
        Customer fr = customer();
        assertThat(details(fr, "FR", "FR40303265045").status()).isEqualTo(200);
        JsonNode reverse = topUp(fr, "gb-5");
        assertThat(reverse.get("taxCents").asLong()).isZero();
        assertThat(reverse.get("totalCents").asLong()).isEqualTo(2500);
        assertThat(reverse.get("taxNote").asString()).isEqualTo("VAT reverse charge, Art. 196 Directive 2006/112/EC");
        assertThat(pdfText(fr.token(), "/api/billing/invoices/" + reverse.get("id").asString() + "/pdf"))
                .contains("VAT reverse charge, Art. 196 Directive 2006/112/EC", "FR40303265045");

        // A French consumer: the seller country's rate; outside the EU: none.
        Customer consumer = customer();
        assertThat(details(consumer, "FR", null).status()).isEqualTo(200);
        assertThat(topUp(consumer, "credits-10").get("taxCents").asLong()).isEqualTo(190);
        Customer us = customer();
        assertThat(details(us, "US", null).status()).isEqualTo(200);
        JsonNode export = topUp(us, "credits-10");
        assertThat(export.get("taxCents").asLong()).isZero();
        assertThat(export.get("taxNote").asString()).contains("outside the EU");
        // Without details the buyer is taxed as a consumer in the seller's country.
        assertThat(topUp(customer(), "credits-5").get("taxCents").asLong()).isEqualTo(95);

        // Later edits never touch an issued invoice.
        assertThat(details(c, "US", null).status()).isEqualTo(200);
        assertThat(call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0/taxCents").asLong())
                .isEqualTo(475);
        assertLedgerConsistent(admin);
    }

    @Test
    void aRefundReturnsUnspentCreditsOnceWithANumberedCreditNote() throws Exception {
        String admin = adminToken();
        Customer c = customer();
        JsonNode invoice = topUp(c, "credits-25"); // 2500 + 475 VAT, 27 credits
        Response early = refund(admin, invoice, 100, "early");
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.body().at("/error/code").asString()).isEqualTo("invoice_not_paid");
        markPaid(admin, invoice);
        BigDecimal vatBefore = balance(AccountPurpose.VAT_PAYABLE);
        BigDecimal paymentsBefore = balance(AccountPurpose.CUSTOMER_PAYMENTS);

        assertThat(refund(c.token(), invoice, 100, "self").status()).as("customers cannot refund").isEqualTo(403);
        Response noReason = call("POST", "/api/admin/billing/invoices/" + invoice.get("id").asString() + "/refund",
                admin, Map.of("amountCents", 100));
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.body().at("/error/field").asString()).isEqualTo("reason");
        Response tooMuch = refund(admin, invoice, 2976, "too much");
        assertThat(tooMuch.status()).isEqualTo(409);
        assertThat(tooMuch.body().at("/error/code").asString()).isEqualTo("refund_exceeds_paid");

        Response first = refund(admin, invoice, 1000, "partial-1");
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        JsonNode note = first.body();
        assertThat(note.get("number").asString()).matches("CN-\\d{4}-\\d{6}");
        assertThat(note.get("kind").asString()).isEqualTo("refund");
        assertThat(note.get("taxCents").asLong()).isEqualTo(160); // round(475 × 1000 / 2975)
        assertThat(note.get("netCents").asLong()).isEqualTo(840);
        assertThat(note.get("credits").decimalValue()).isEqualByComparingTo("9.072"); // 27 × 840 / 2500
        assertThat(credits(c.id())).isEqualByComparingTo("17.928");
        assertThat(balance(AccountPurpose.VAT_PAYABLE).subtract(vatBefore)).isEqualByComparingTo("-1.60");
        assertThat(balance(AccountPurpose.CUSTOMER_PAYMENTS).subtract(paymentsBefore)).isEqualByComparingTo("10.00");

        // A retry with the same key is the same credit note; another amount under that key is refused.
        Response retry = refund(admin, invoice, 1000, "partial-1");
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.body().get("id").asString()).isEqualTo(note.get("id").asString());
        assertThat(credits(c.id())).isEqualByComparingTo("17.928");
        Response conflict = refund(admin, invoice, 999, "partial-1");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.body().at("/error/code").asString()).isEqualTo("idempotency_key_conflict");

        String text = pdfText(c.token(), "/api/billing/credit-notes/" + note.get("id").asString() + "/pdf");
        assertThat(text).contains(note.get("number").asString(), "Refund of invoice " + invoice.get("number").asString(),
                "USD -10.00", "USD -1.60", "customer asked");
        assertThat(call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0/refundedCents").asLong())
                .isEqualTo(1000);
        assertThat(call("GET", "/api/audit-logs?limit=50&action=invoice_refunded", admin, null).body().toString())
                .contains(note.get("number").asString());

        // The customer spends 15 of the 17.928 credits left (stand-in for credit spending: a posting
        // to another account); refunding the rest would take back 17.928 and is refused.
        ledger.post(NewTransaction.of(TransactionKind.ADJUSTMENT, "test-spend:" + c.id(), "spent in a test",
                new Posting(ledger.account(c.id(), AccountPurpose.CUSTOMER_CREDITS).id(), new BigDecimal("-15")),
                new Posting(ledger.platformAccount(AccountPurpose.CREDIT_BONUSES).id(), new BigDecimal("15"))));
        Response spent = refund(admin, invoice, 1975, "the rest");
        assertThat(spent.status()).as(spent.toString()).isEqualTo(409);
        assertThat(spent.body().at("/error/code").asString()).isEqualTo("refund_exceeds_unspent");
        assertThat(spent.body().at("/error/message").asString()).contains("unspent");
        assertThat(credits(c.id())).isEqualByComparingTo("2.928");
        // What is unspent can still be refunded.
        assertThat(refund(admin, invoice, 300, "what is left").status()).isEqualTo(201);
        assertThat(credits(c.id())).isGreaterThanOrEqualTo(BigDecimal.ZERO);
        assertLedgerConsistent(admin);
    }

    @Test
    void aChargebackTakesBackWhatIsUnspentAndBooksTheRestAsALoss() {
        String admin = adminToken();
        Customer c = customer();
        JsonNode invoice = topUp(c, "credits-10"); // 1000 + 190 VAT, 10 credits
        markPaid(admin, invoice);
        UUID id = UUID.fromString(invoice.get("id").asString());
        ledger.post(NewTransaction.of(TransactionKind.ADJUSTMENT, "test-spend:" + c.id(), "spent in a test",
                new Posting(ledger.account(c.id(), AccountPurpose.CUSTOMER_CREDITS).id(), new BigDecimal("-6")),
                new Posting(ledger.platformAccount(AccountPurpose.CREDIT_BONUSES).id(), new BigDecimal("6"))));
        BigDecimal lossesBefore = balance(AccountPurpose.CHARGEBACK_LOSSES);
        CreditNote note = billing.recordChargeback(id, 1190, "card dispute", "dp_test_" + id);
        assertThat(note.kind()).isEqualTo(CreditNoteKind.CHARGEBACK);
        assertThat(note.taxCents()).isEqualTo(190);
        assertThat(credits(c.id())).isZero();
        assertThat(balance(AccountPurpose.CHARGEBACK_LOSSES).subtract(lossesBefore)).isEqualByComparingTo("-6");
        // The provider's webhook arrives again: nothing more happens.
        assertThat(billing.recordChargeback(id, 1190, "card dispute", "dp_test_" + id).id()).isEqualTo(note.id());
        assertThat(balance(AccountPurpose.CHARGEBACK_LOSSES).subtract(lossesBefore)).isEqualByComparingTo("-6");
        assertThatThrownBy(() -> billing.recordChargeback(id, 1, "again", "dp_other_" + id))
                .isInstanceOf(BillingException.class).hasMessageContaining("cents left");
        assertLedgerConsistent(admin);
    }

    @Test
    void financeReportsMoveByWhatWasPaidRefundedSubscribedAndEarned() {
        String admin = adminToken();
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String revenuePath = "/api/admin/finance/revenue?from=" + today + "&to=" + today;
        JsonNode byPlanBefore = call("GET", revenuePath + "&groupBy=plan", admin, null).body();
        JsonNode byDayBefore = call("GET", revenuePath, admin, null).body();
        JsonNode mrrBefore = call("GET", "/api/admin/finance/mrr?months=3", admin, null).body();
        JsonNode marginBefore = call("GET", "/api/admin/finance/margin?from=" + today + "&to=" + today, admin, null).body();

        Customer c = customer();
        plans.subscribe(c.id(), "starter");
        JsonNode invoice = topUp(c, "credits-50"); // 5000 + 950 VAT
        markPaid(admin, invoice);
        assertThat(refund(admin, invoice, 1190, "partial").status()).isEqualTo(201); // 1000 net + 190 VAT
        UUID operator = c.id();
        ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, "test-earn:" + operator, "earned in a test",
                Posting.credits(ledger.platformAccount(AccountPurpose.EARN_ISSUED).id(), -7000),
                Posting.credits(ledger.account(operator, AccountPurpose.OPERATOR_EARNINGS).id(), 7000)));

        JsonNode byPlan = call("GET", revenuePath + "&groupBy=plan", admin, null).body();
        assertThat(byPlan.get("groupBy").asString()).isEqualTo("plan");
        assertThat(row(byPlan, "starter", "paidCents") - row(byPlanBefore, "starter", "paidCents")).isEqualTo(5950);
        assertThat(row(byPlan, "starter", "refundedCents") - row(byPlanBefore, "starter", "refundedCents")).isEqualTo(1190);
        assertThat(row(byPlan, "starter", "taxCents") - row(byPlanBefore, "starter", "taxCents")).isEqualTo(760);
        assertThat(row(byPlan, "starter", "netRevenueCents") - row(byPlanBefore, "starter", "netRevenueCents"))
                .isEqualTo(4000);
        JsonNode byDay = call("GET", revenuePath, admin, null).body();
        assertThat(row(byDay, today, "netRevenueCents") - row(byDayBefore, today, "netRevenueCents")).isEqualTo(4000);
        assertThat(byDay.at("/total/netRevenueCents").asLong() - byDayBefore.at("/total/netRevenueCents").asLong())
                .isEqualTo(4000);

        JsonNode mrr = call("GET", "/api/admin/finance/mrr?months=3", admin, null).body();
        assertThat(mrr.get("months").size()).isEqualTo(3);
        assertThat(mrr.at("/months/2/month").asString()).isEqualTo(YearMonth.now(ZoneOffset.UTC).toString());
        assertThat(mrr.at("/months/2/mrrCents").asLong() - mrrBefore.at("/months/2/mrrCents").asLong())
                .as("Starter is USD 49 a month").isEqualTo(4900);
        assertThat(mrr.at("/months/2/payingAtEnd").asLong() - mrrBefore.at("/months/2/payingAtEnd").asLong()).isEqualTo(1);

        JsonNode margin = call("GET", "/api/admin/finance/margin?from=" + today + "&to=" + today, admin, null).body();
        assertThat(margin.get("revenueUsd").decimalValue().subtract(marginBefore.get("revenueUsd").decimalValue()))
                .isEqualByComparingTo("40.00");
        assertThat(margin.get("operatorEarningsCredits").asLong() - marginBefore.get("operatorEarningsCredits").asLong())
                .isEqualTo(7000);
        assertThat(margin.get("marginUsd").decimalValue().subtract(marginBefore.get("marginUsd").decimalValue()))
                .isEqualByComparingTo("33.000");

        Response badGroup = call("GET", revenuePath + "&groupBy=week", admin, null);
        assertThat(badGroup.status()).isEqualTo(400);
        assertThat(badGroup.body().at("/error/field").asString()).isEqualTo("groupBy");
        Response backwards = call("GET", "/api/admin/finance/revenue?from=2026-12-02&to=2026-12-01", admin, null);
        assertThat(backwards.status()).isEqualTo(400);
        assertThat(backwards.body().at("/error/field").asString()).isEqualTo("to");
        assertThat(call("GET", "/api/admin/finance/revenue?from=yesterday", admin, null).body().at("/error/field")
                .asString()).isEqualTo("from");
        assertThat(call("GET", "/api/admin/finance/mrr?months=0", admin, null).status()).isEqualTo(400);
        assertThat(call("GET", "/api/admin/finance/mrr", c.token(), null).status()).as("admins only").isEqualTo(403);
    }

    private static long row(JsonNode report, String key, String field) {
        for (JsonNode r : report.get("rows")) {
            if (r.get("key").asString().equals(key)) {
                return r.get(field).asLong();
            }
        }
        return 0;
    }
}
