package io.iploop.server.billing;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.openpdf.text.pdf.PdfReader;
import org.openpdf.text.pdf.parser.PdfTextExtractor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Paying in through the manual provider (docs/billing.md): a customer's top-up request becomes an
 * open invoice with payment instructions and a PDF; an admin marking it paid credits exactly once
 * (also when two admins click at the same time) and keeps the ledger consistent; a void invoice
 * credits nothing; invoice numbers have no gaps, even when an invoice's transaction rolls back.
 */
@PlatformTest
class BillingIT {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    LedgerService ledger;
    @Autowired
    PlansService plans;
    @Autowired
    BillingService billing;
    @Autowired
    TransactionTemplate transactions;

    private record Customer(String token, UUID id) {}

    private static Customer customer() {
        JsonNode login = registerCustomer();
        return new Customer(token(login), UUID.fromString(login.at("/user/id").asString()));
    }

    private BigDecimal credits(UUID userId) {
        return ledger.account(userId, AccountPurpose.CUSTOMER_CREDITS).balance();
    }

    private BigDecimal gb(UUID userId) {
        return plans.current(userId).orElseThrow().gbBalance();
    }

    private long paymentTransactions(String invoiceId) {
        return jdbc.sql("SELECT count(*) FROM ledger_transactions WHERE metadata->>'invoiceId' = ?")
                .param(invoiceId).query(Long.class).single();
    }

    private static JsonNode topUp(Customer c, String packageId) {
        Response r = call("POST", "/api/billing/top-ups", c.token(), Map.of("packageId", packageId));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.body();
    }

    private static void assertLedgerConsistent(String admin) {
        JsonNode report = call("GET", "/api/admin/ledger/consistency", admin, null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }

    @Test
    void aPaidCreditPackageCreditsItsCreditsAndBonusOnceOnAConsistentLedger() throws Exception {
        Customer c = customer();
        String admin = adminToken();
        JsonNode packages = call("GET", "/api/billing/packages", c.token(), null).body();
        assertThat(packages.at("/packages").toString()).contains("credits-25", "gb-5");
        assertThat(packages.at("/creditBalanceUsd").decimalValue()).isZero();
        assertThat(packages.at("/paymentInstructions/providerLabel").asString()).contains("manual");

        JsonNode created = topUp(c, "credits-25");
        JsonNode invoice = created.get("invoice");
        String id = invoice.get("id").asString();
        assertThat(invoice.get("status").asString()).isEqualTo("open");
        assertThat(invoice.get("number").asString()).matches("INV-\\d{4}-\\d{6}");
        assertThat(invoice.get("totalCents").asLong()).isEqualTo(2500);
        assertThat(invoice.get("taxCents").asLong()).isZero();
        assertThat(invoice.get("taxNote").asString()).as("default seller: not VAT registered").contains("not registered");
        assertThat(invoice.at("/lines/0/amountCents").asLong()).isEqualTo(2500);
        assertThat(created.at("/paymentInstructions/iban").asString()).isNotBlank();
        assertThat(credits(c.id())).as("nothing before the money arrives").isZero();

        // The PDF is the owner's, names the number and the payment reference to quote.
        HttpResponse<byte[]> pdf = pdf(c.token(), id);
        assertThat(pdf.statusCode()).isEqualTo(200);
        assertThat(pdf.headers().firstValue("Content-Type")).hasValue("application/pdf");
        String text = new PdfTextExtractor(new PdfReader(pdf.body())).getTextFromPage(1);
        assertThat(text).contains(invoice.get("number").asString(), "OPEN", "USD 25.00", "IBAN",
                "the seller is not registered for VAT");
        assertThat(pdf(customer().token(), id).statusCode()).as("another customer").isEqualTo(404);

        // The customer cannot pay their own invoice; a missing reference is refused naming the field.
        assertThat(call("POST", "/api/admin/billing/invoices/" + id + "/mark-paid", c.token(),
                Map.of("paymentReference", "x")).status()).isEqualTo(403);
        Response noReference = call("POST", "/api/admin/billing/invoices/" + id + "/mark-paid", admin, Map.of());
        assertThat(noReference.status()).isEqualTo(400);
        assertThat(noReference.body().at("/error/field").asString()).isEqualTo("paymentReference");
        assertThat(call("GET", "/api/admin/billing/invoices?status=open&limit=500", admin, null).body().toString())
                .contains(id);

        Response paid = call("POST", "/api/admin/billing/invoices/" + id + "/mark-paid", admin,
                Map.of("paymentReference", "SEPA-4711"));
        assertThat(paid.status()).as(paid.toString()).isEqualTo(200);
        assertThat(paid.body().get("status").asString()).isEqualTo("paid");
        assertThat(paid.body().get("paymentReference").asString()).isEqualTo("SEPA-4711");
        assertThat(credits(c.id())).isEqualByComparingTo("27");
        assertThat(call("GET", "/api/billing/packages", c.token(), null).body().at("/creditBalanceUsd").decimalValue())
                .isEqualByComparingTo("27");

        // Marking it again changes nothing.
        Response again = call("POST", "/api/admin/billing/invoices/" + id + "/mark-paid", admin,
                Map.of("paymentReference", "SEPA-4711"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("ledgerTransactionId").asString())
                .isEqualTo(paid.body().get("ledgerTransactionId").asString());
        assertThat(credits(c.id())).isEqualByComparingTo("27");
        assertThat(paymentTransactions(id)).isEqualTo(1);
        assertThat(new PdfTextExtractor(new PdfReader(pdf(c.token(), id).body())).getTextFromPage(1))
                .contains("PAID", "SEPA-4711");
        assertThat(call("GET", "/api/audit-logs?limit=50&action=invoice_marked_paid", admin, null).body().toString())
                .contains(id).contains("SEPA-4711");
        assertThat(call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0/status").asString())
                .isEqualTo("paid");
        assertLedgerConsistent(admin);
    }

    @Test
    void aPaidGbPackageAddsItsGbToThePlanBalance() {
        Customer c = customer();
        String admin = adminToken();
        BigDecimal before = gb(c.id());
        String id = topUp(c, "gb-5").at("/invoice/id").asString();
        assertThat(gb(c.id())).isEqualByComparingTo(before);
        Response paid = call("POST", "/api/admin/billing/invoices/" + id + "/mark-paid", admin,
                Map.of("paymentReference", "wire 99"));
        assertThat(paid.status()).as(paid.toString()).isEqualTo(200);
        assertThat(gb(c.id())).isEqualByComparingTo(before.add(new BigDecimal("5")));
        call("POST", "/api/admin/billing/invoices/" + id + "/mark-paid", admin, Map.of("paymentReference", "wire 99"));
        assertThat(gb(c.id())).as("once").isEqualByComparingTo(before.add(new BigDecimal("5")));
        assertThat(credits(c.id())).isZero();
        assertLedgerConsistent(admin);
    }

    @Test
    void twoSimultaneousMarkPaidCallsCreditOnce() throws Exception {
        Customer c = customer();
        String admin = adminToken();
        String id = topUp(c, "credits-100").at("/invoice/id").asString();
        int callers = 6;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return call("POST", "/api/admin/billing/invoices/" + id + "/mark-paid", admin,
                            Map.of("paymentReference", "race"));
                }));
            }
            start.countDown();
            for (Future<Response> f : answers) {
                Response r = f.get();
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertThat(r.body().get("status").asString()).isEqualTo("paid");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(credits(c.id())).isEqualByComparingTo("115");
        assertThat(paymentTransactions(id)).isEqualTo(1);
        assertLedgerConsistent(admin);
    }

    @Test
    void aVoidInvoiceCreditsNothingAndCannotBePaid() {
        Customer c = customer();
        String admin = adminToken();
        String id = topUp(c, "credits-10").at("/invoice/id").asString();
        Response shortReason = call("POST", "/api/admin/billing/invoices/" + id + "/void", admin, Map.of("reason", "x"));
        assertThat(shortReason.status()).isEqualTo(400);
        assertThat(shortReason.body().at("/error/field").asString()).isEqualTo("reason");
        Response voided = call("POST", "/api/admin/billing/invoices/" + id + "/void", admin,
                Map.of("reason", "customer changed their mind"));
        assertThat(voided.status()).as(voided.toString()).isEqualTo(200);
        assertThat(voided.body().get("status").asString()).isEqualTo("void");
        Response pay = call("POST", "/api/admin/billing/invoices/" + id + "/mark-paid", admin,
                Map.of("paymentReference", "late"));
        assertThat(pay.status()).isEqualTo(409);
        assertThat(pay.body().at("/error/code").asString()).isEqualTo("invoice_not_open");
        assertThat(call("POST", "/api/admin/billing/invoices/" + id + "/void", admin,
                Map.of("reason", "twice over")).status()).isEqualTo(409);
        assertThat(credits(c.id())).isZero();
        assertThat(paymentTransactions(id)).isZero();
        assertThat(call("POST", "/api/admin/billing/invoices/" + UUID.randomUUID() + "/void", admin,
                Map.of("reason", "no such invoice")).status()).isEqualTo(404);
    }

    @Test
    void badRequestsNameTheField() {
        Customer c = customer();
        for (Object body : List.of(Map.of("packageId", "credits-7"), Map.of(), Map.of("packageId", " "))) {
            Response r = call("POST", "/api/billing/top-ups", c.token(), body);
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.body().at("/error/field").asString()).isEqualTo("packageId");
        }
        assertThat(call("GET", "/api/billing/invoices", c.token(), null).body().get("invoices")).isEmpty();
        Response limit = call("GET", "/api/billing/invoices?limit=0", c.token(), null);
        assertThat(limit.status()).isEqualTo(400);
        assertThat(limit.body().at("/error/field").asString()).isEqualTo("limit");
        Response status = call("GET", "/api/admin/billing/invoices?status=maybe", adminToken(), null);
        assertThat(status.status()).isEqualTo(400);
        assertThat(status.body().at("/error/field").asString()).isEqualTo("status");
        assertThat(call("GET", "/api/billing/packages", null, null).status()).isEqualTo(401);
    }

    @Test
    void invoiceNumbersFollowEachOtherWithoutGapsEvenAfterARollback() {
        Customer c = customer();
        int first = sequence(topUp(c, "credits-5").at("/invoice/number").asString());
        String rolledBack = transactions.execute(status -> {
            String number = billing.requestTopUp(c.id(), "credits-5").number();
            status.setRollbackOnly();
            return number;
        });
        assertThat(sequence(rolledBack)).isEqualTo(first + 1);
        int second = sequence(topUp(c, "credits-5").at("/invoice/number").asString());
        int third = sequence(topUp(c, "credits-10").at("/invoice/number").asString());
        assertThat(List.of(second, third)).as("the rolled-back number is reused, nothing skipped")
                .containsExactly(first + 1, first + 2);
        assertThat(call("GET", "/api/billing/invoices", c.token(), null).body().get("invoices")).hasSize(3);
    }

    private static int sequence(String number) {
        return Integer.parseInt(number.substring(number.lastIndexOf('-') + 1));
    }

    private static HttpResponse<byte[]> pdf(String token, String id) throws Exception {
        return Api.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Api.port()
                + "/api/billing/invoices/" + id + "/pdf")).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}
