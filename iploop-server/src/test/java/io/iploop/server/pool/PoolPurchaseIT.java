package io.iploop.server.pool;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.StripeStub;
import java.net.http.HttpResponse;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Customers buying pool plans themselves (docs/upstream-pool.md#buying-a-pool-plan), through the HTTP
 * API of the running platform with real PostgreSQL: the plans on sale next to the credit and GB
 * packages, an open invoice grants nothing, paying it (the manual provider's mark-paid) grants the
 * plan for 30 days exactly once (replays and simultaneous calls included), buying the same plan again
 * renews from the current end, another plan starts afresh, a void invoice grants nothing, a full
 * refund takes back exactly the days it added and posts balanced ledger entries, and a banned account
 * cannot buy. Paid by card through Stripe's Checkout (the local stand-in), the webhook grants once even
 * when delivered four times at once, and a payment that fails afterwards takes the access back; a
 * chargeback takes it back too, and the dispute won gives back the time it took, once.
 */
@PlatformTest
@ExtendWith(StripeStub.class)
class PoolPurchaseIT {

    @Autowired
    PoolService pool;
    @Autowired
    LedgerService ledger;
    @Autowired
    JdbcClient jdbc;

    private record Customer(String token, UUID id) {}

    private static Customer customer() {
        JsonNode login = registerCustomer();
        return new Customer(token(login), UUID.fromString(login.at("/user/id").asString()));
    }

    private static String request(Customer c, String packageId) {
        Response r = call("POST", "/api/billing/top-ups", c.token(), Map.of("packageId", packageId));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.body().at("/invoice/status").asString()).isEqualTo("open");
        assertThat(r.body().at("/invoice/packageKind").asString()).isEqualTo("pool");
        return r.body().at("/invoice/id").asString();
    }

    private static Response markPaid(String admin, String invoiceId, String reference) {
        return call("POST", "/api/admin/billing/invoices/" + invoiceId + "/mark-paid", admin,
                Map.of("paymentReference", reference));
    }

    private long paymentTransactions(String invoiceId) {
        return jdbc.sql("SELECT count(*) FROM ledger_transactions WHERE metadata->>'invoiceId' = ? AND kind = 'CUSTOMER_PAYMENT'")
                .param(invoiceId).query(Long.class).single();
    }

    private static void assertLedgerConsistent(String admin) {
        JsonNode report = call("GET", "/api/admin/ledger/consistency", admin, null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }

    private Instant end(Customer c) {
        return pool.subscription(c.id()).orElseThrow().expiresAt();
    }

    @Test
    void poolPlansAreOnSaleBesideTheOtherPackages() {
        Customer c = customer();
        JsonNode packages = call("GET", "/api/billing/packages", c.token(), null).body().get("packages");
        List<String> ids = packages.valueStream().map(p -> p.get("id").asString()).toList();
        assertThat(ids).contains("credits-25", "gb-5").containsSubsequence("pool-basic", "pool-pro", "pool-enterprise")
                .doesNotContain("pool-custom");
        JsonNode basic = packages.valueStream().filter(p -> p.get("id").asString().equals("pool-basic")).findFirst().orElseThrow();
        assertThat(basic.get("kind").asString()).isEqualTo("pool");
        assertThat(basic.get("priceCents").asLong()).isEqualTo(1000);
        assertThat(basic.get("name").asString()).contains("Basic", "10 threads", "1 GB/month", "30 days");
        assertThat(packages.valueStream().filter(p -> p.get("id").asString().equals("pool-pro")).findFirst()
                .orElseThrow().get("priceCents").asLong()).isEqualTo(5000);
        assertThat(packages.valueStream().filter(p -> p.get("id").asString().equals("pool-enterprise")).findFirst()
                .orElseThrow().get("priceCents").asLong()).isEqualTo(20000);
        Response unknown = call("POST", "/api/billing/top-ups", c.token(), Map.of("packageId", "pool-custom"));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().at("/error/field").asString()).isEqualTo("packageId");
    }

    @Test
    void paymentGrantsThePlanOnceAndRenewalAddsThirtyDaysToTheEnd() {
        Customer c = customer();
        String admin = adminToken();
        BigDecimal salesBefore = ledger.platformAccount(AccountPurpose.POOL_PLAN_SALES).balance();
        String first = request(c, "pool-basic");
        assertThat(pool.subscription(c.id())).as("an open invoice grants nothing").isEmpty();
        assertThat(pool.access(c.id())).isNull();

        Response paid = markPaid(admin, first, "SEPA-POOL-1");
        assertThat(paid.status()).as(paid.toString()).isEqualTo(200);
        Instant now = Instant.now();
        PoolSubscription s = pool.subscription(c.id()).orElseThrow();
        assertThat(s.planId()).isEqualTo("basic");
        assertThat(s.ports()).isEqualTo("all");
        assertThat(s.expiresAt()).isCloseTo(now.plus(30, ChronoUnit.DAYS), within(1, ChronoUnit.MINUTES));
        assertThat(pool.access(c.id())).isNotNull().satisfies(g -> {
            assertThat(g.maxThreads()).isEqualTo(10);
            assertThat(g.remainingBytes()).isEqualTo(1_000_000_000L);
        });
        assertThat(ledger.platformAccount(AccountPurpose.POOL_PLAN_SALES).balance().subtract(salesBefore))
                .isEqualByComparingTo("10.00");

        // A replayed payment grants and charges nothing more.
        Instant firstEnd = end(c);
        Response again = markPaid(admin, first, "SEPA-POOL-1");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("ledgerTransactionId").asString()).isEqualTo(paid.body().get("ledgerTransactionId").asString());
        assertThat(end(c)).isEqualTo(firstEnd);
        assertThat(paymentTransactions(first)).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM pool_purchases WHERE invoice_id = ?::uuid").param(first)
                .query(Long.class).single()).isEqualTo(1);

        // Renewal: the same plan bought again while live runs 30 days from the current end.
        String second = request(c, "pool-basic");
        assertThat(markPaid(admin, second, "SEPA-POOL-2").status()).isEqualTo(200);
        assertThat(end(c)).isEqualTo(firstEnd.plus(30, ChronoUnit.DAYS));
        assertThat(ledger.platformAccount(AccountPurpose.POOL_PLAN_SALES).balance().subtract(salesBefore))
                .isEqualByComparingTo("20.00");
        assertThat(call("GET", "/api/audit-logs?limit=50&action=pool_plan_purchased", admin, null).body().toString())
                .contains(first).contains(second);

        // A full refund of the renewal takes back its 30 days, once, with the money on the ledger.
        Map<String, Object> refund = Map.of("amountCents", 1000, "reason", "customer asked", "idempotencyKey", "pool-r-1");
        Response refunded = call("POST", "/api/admin/billing/invoices/" + second + "/refund", admin, refund);
        assertThat(refunded.status()).as(refunded.toString()).isIn(200, 201);
        assertThat(end(c)).isEqualTo(firstEnd);
        Response replay = call("POST", "/api/admin/billing/invoices/" + second + "/refund", admin, refund);
        assertThat(replay.status()).isIn(200, 201);
        assertThat(end(c)).as("the replayed refund takes nothing more").isEqualTo(firstEnd);
        assertThat(ledger.platformAccount(AccountPurpose.POOL_PLAN_SALES).balance().subtract(salesBefore))
                .isEqualByComparingTo("10.00");

        // Refunding the first as well ends the access now.
        assertThat(call("POST", "/api/admin/billing/invoices/" + first + "/refund", admin,
                Map.of("amountCents", 1000, "reason", "customer asked", "idempotencyKey", "pool-r-2")).status()).isIn(200, 201);
        assertThat(end(c)).isBeforeOrEqualTo(Instant.now());
        assertThat(pool.usablePorts(c.id())).isEmpty();
        assertLedgerConsistent(admin);
    }

    @Test
    void anotherPlanStartsAfreshAndAVoidInvoiceGrantsNothing() {
        Customer c = customer();
        String admin = adminToken();
        assertThat(markPaid(admin, request(c, "pool-basic"), "wire-1").status()).isEqualTo(200);
        Instant basicEnd = end(c);

        String voided = request(c, "pool-enterprise");
        assertThat(call("POST", "/api/admin/billing/invoices/" + voided + "/void", admin, Map.of("reason", "never paid"))
                .status()).isEqualTo(200);
        assertThat(markPaid(admin, voided, "late").status()).as("a void invoice cannot be paid").isEqualTo(409);
        assertThat(pool.subscription(c.id()).orElseThrow().planId()).isEqualTo("basic");
        assertThat(end(c)).isEqualTo(basicEnd);

        assertThat(markPaid(admin, request(c, "pool-pro"), "wire-2").status()).isEqualTo(200);
        PoolSubscription pro = pool.subscription(c.id()).orElseThrow();
        assertThat(pro.planId()).isEqualTo("pro");
        assertThat(pro.expiresAt()).isCloseTo(Instant.now().plus(30, ChronoUnit.DAYS), within(1, ChronoUnit.MINUTES));
        assertThat(pro.periodStart()).isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
        assertThat(pool.access(c.id()).maxThreads()).isEqualTo(50);
        assertLedgerConsistent(admin);
    }

    @Test
    void simultaneousPaymentsOfOneInvoiceGrantOnce() throws Exception {
        Customer c = customer();
        String admin = adminToken();
        String id = request(c, "pool-pro");
        int callers = 6;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                answers.add(threads.submit(() -> {
                    start.await();
                    return markPaid(admin, id, "race");
                }));
            }
            start.countDown();
            for (Future<Response> f : answers) {
                assertThat(f.get().status()).as(f.get().toString()).isEqualTo(200);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(end(c)).isCloseTo(Instant.now().plus(30, ChronoUnit.DAYS), within(1, ChronoUnit.MINUTES));
        assertThat(paymentTransactions(id)).isEqualTo(1);
        assertLedgerConsistent(admin);
    }

    @Test
    void boughtByCardTheWebhookGrantsOnceAndAFailedPaymentTakesItBack() throws Exception {
        Customer c = customer();
        Response checkout = call("POST", "/api/billing/checkout", c.token(), Map.of("packageId", "pool-enterprise"));
        assertThat(checkout.status()).as(checkout.toString()).isEqualTo(200);
        assertThat(checkout.body().get("url").asString()).isEqualTo(StripeStub.CHECKOUT_PAGE);
        JsonNode invoice = call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0");
        String invoiceId = invoice.get("id").asString();
        assertThat(invoice.get("provider").asString()).isEqualTo("stripe");
        assertThat(invoice.get("totalCents").asLong()).isEqualTo(20000);
        assertThat(pool.subscription(c.id())).as("nothing before Stripe reports the payment").isEmpty();

        String intent = StripeStub.newId("pi_");
        String payload = StripeStub.webhookEvent(StripeStub.newEventId(), "checkout.session.completed", """
                {"id":"%s","object":"checkout.session","mode":"payment","status":"complete",
                 "payment_status":"paid","amount_total":20000,"currency":"usd","customer":"cus_x",
                 "client_reference_id":"%s","metadata":{"invoiceId":"%s","userId":"%s"},
                 "payment_intent":"%s"}""".formatted(StripeStub.newId("cs_test_"), invoiceId, invoiceId, c.id(), intent));
        int deliveries = 4;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(deliveries);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < deliveries; i++) {
                answers.add(threads.submit(() -> {
                    go.await();
                    return StripeStub.deliverWebhook(payload);
                }));
            }
            go.countDown();
            for (Future<HttpResponse<String>> f : answers) {
                assertThat(f.get().statusCode()).as(f.get().body()).isEqualTo(200);
            }
        } finally {
            threads.shutdownNow();
        }
        PoolSubscription s = pool.subscription(c.id()).orElseThrow();
        assertThat(s.planId()).isEqualTo("enterprise");
        assertThat(s.expiresAt()).isCloseTo(Instant.now().plus(30, ChronoUnit.DAYS), within(1, ChronoUnit.MINUTES));
        assertThat(paymentTransactions(invoiceId)).isEqualTo(1);

        // The payment fails afterwards (e.g. a SEPA debit returned): the access it bought goes.
        String failed = StripeStub.webhookEvent(StripeStub.newEventId(), "payment_intent.payment_failed", """
                {"id":"%s","object":"payment_intent","status":"requires_payment_method",
                 "metadata":{"invoiceId":"%s"},
                 "last_payment_error":{"code":"card_declined","message":"Your card was declined."}}"""
                .formatted(intent, invoiceId));
        HttpResponse<String> reversed = StripeStub.deliverWebhook(failed);
        assertThat(reversed.statusCode()).as(reversed.body()).isEqualTo(200);
        assertThat(end(c)).isBeforeOrEqualTo(Instant.now());
        assertThat(pool.usablePorts(c.id())).isEmpty();
        assertThat(call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0/status").asString())
                .isEqualTo("failed");
        assertLedgerConsistent(adminToken());
    }

    @Test
    void aWonDisputeGivesBackTheAccessItsChargebackTookOnce() {
        Customer c = customer();
        Response checkout = call("POST", "/api/billing/checkout", c.token(), Map.of("packageId", "pool-pro"));
        assertThat(checkout.status()).as(checkout.toString()).isEqualTo(200);
        String invoiceId = call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0/id").asString();
        String intent = StripeStub.newId("pi_");
        HttpResponse<String> paid = StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(),
                "checkout.session.completed", """
                {"id":"%s","object":"checkout.session","mode":"payment","status":"complete",
                 "payment_status":"paid","amount_total":5000,"currency":"usd","customer":"cus_x",
                 "client_reference_id":"%s","metadata":{"invoiceId":"%s","userId":"%s"},
                 "payment_intent":"%s"}""".formatted(StripeStub.newId("cs_test_"), invoiceId, invoiceId, c.id(), intent)));
        assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
        Instant bought = end(c);
        assertThat(bought).isCloseTo(Instant.now().plus(30, ChronoUnit.DAYS), within(1, ChronoUnit.MINUTES));

        String disputeId = StripeStub.newId("du_");
        String dispute = """
                {"id":"%s","object":"dispute","amount":5000,"charge":"ch_3PoolDisputed","currency":"usd",
                 "payment_intent":"%s","reason":"fraudulent","status":"%%s","is_charge_refundable":false}"""
                .formatted(disputeId, intent);
        HttpResponse<String> chargeback = StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(),
                "charge.dispute.created", dispute.formatted("needs_response")));
        assertThat(chargeback.body()).contains("chargeback_recorded");
        assertThat(end(c)).as("the chargeback ends the access").isBeforeOrEqualTo(Instant.now());

        String won = StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.closed", dispute.formatted("won"));
        assertThat(StripeStub.deliverWebhook(won).body()).contains("dispute_won_given_back");
        Instant givenBack = end(c);
        assertThat(givenBack).as("the 30 days the chargeback took are back, from now")
                .isCloseTo(Instant.now().plus(30, ChronoUnit.DAYS), within(1, ChronoUnit.MINUTES));
        assertThat(pool.subscription(c.id()).orElseThrow().planId()).isEqualTo("pro");
        // Redelivered, and delivered anew: nothing moves.
        StripeStub.deliverWebhook(won);
        StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.closed", dispute.formatted("won")));
        assertThat(end(c)).isEqualTo(givenBack);
        assertThat(jdbc.sql("SELECT count(*) FROM audit_logs WHERE action = 'pool_plan_purchase_reinstated' AND resource_id = ?")
                .param(invoiceId).query(Long.class).single()).isEqualTo(1);

        // The invoice counts as paid again: a full refund afterwards takes the access back again.
        Response refund = call("POST", "/api/admin/billing/invoices/" + invoiceId + "/refund", adminToken(),
                Map.of("amountCents", 5000, "reason", "after the dispute", "idempotencyKey", "after-" + disputeId));
        assertThat(refund.status()).as(refund.toString()).isEqualTo(201);
        assertThat(end(c)).isBeforeOrEqualTo(Instant.now());
        assertLedgerConsistent(adminToken());
    }

    @Test
    void aBannedAccountCannotBuy() {
        Customer c = customer();
        String admin = adminToken();
        assertThat(markPaid(admin, request(c, "pool-basic"), "wire-b").status()).isEqualTo(200);
        assertThat(call("POST", "/api/admin/pool/customers/" + c.id() + "/ban", admin, Map.of("reason", "abuse"))
                .status()).isEqualTo(200);
        Response refused = call("POST", "/api/billing/top-ups", c.token(), Map.of("packageId", "pool-basic"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().at("/error/field").asString()).isEqualTo("packageId");
        assertThat(refused.body().toString()).contains("banned");
        assertThat(Duration.between(Instant.now(), end(c)).toDays()).isBetween(29L, 30L);
    }
}
