package io.iploop.server.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.StripeStub.STRIPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.StripeStub;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Card payments through Stripe (docs/billing.md#stripe) against a local stand-in of Stripe's API
 * and webhooks signed with the configured secret as Stripe signs them: a package bought through
 * Checkout is credited once even when its event arrives twice at the same time; a bad signature is
 * refused and stores nothing; a subscription is created, renewed by its paid invoice, suspended
 * (402 from the real gateway) after its payment failed the last time, and restored by a payment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
@ExtendWith(StripeStub.class)
class StripeBillingIT {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    LedgerService ledger;
    @Autowired
    PlansService plans;
    @Autowired
    DataPlane dataPlane;

    private TestOrigin origin;

    @BeforeAll
    void start() throws Exception {
        origin = TestOrigin.http();
    }

    @AfterAll
    void stop() {
        origin.close();
    }

    private record Customer(String token, UUID id, JsonNode login) {}

    private static Customer customer() {
        JsonNode login = registerCustomer();
        return new Customer(token(login), UUID.fromString(login.at("/user/id").asString()), login);
    }

    private long events(String id) {
        return jdbc.sql("SELECT count(*) FROM billing_stripe_events WHERE id = ?").param(id).query(Long.class).single();
    }

    private BigDecimal credits(UUID userId) {
        return ledger.account(userId, AccountPurpose.CUSTOMER_CREDITS).balance();
    }

    private static void assertLedgerConsistent() {
        JsonNode report = call("GET", "/api/admin/ledger/consistency", adminToken(), null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }

    @Test
    void aPackageBoughtThroughCheckoutIsCreditedOnceEvenWhenItsEventArrivesTwiceAtOnce() throws Exception {
        Customer c = customer();
        Response checkout = call("POST", "/api/billing/checkout", c.token(), Map.of("packageId", "credits-25"));
        assertThat(checkout.status()).as(checkout.toString()).isEqualTo(200);
        assertThat(checkout.body().get("url").asString()).isEqualTo(StripeStub.CHECKOUT_PAGE);
        JsonNode invoice = call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0");
        String invoiceId = invoice.get("id").asString();
        assertThat(invoice.get("status").asString()).isEqualTo("open");
        assertThat(invoice.get("provider").asString()).isEqualTo("stripe");
        STRIPE.verify(postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
                .withRequestBody(containing("client_reference_id=" + invoiceId))
                .withRequestBody(containing("mode=payment")));
        assertThat(credits(c.id())).isZero();

        String eventId = StripeStub.newEventId();
        String payload = StripeStub.webhookEvent(eventId, "checkout.session.completed", """
                {"id":"cs_test_paid1","object":"checkout.session","mode":"payment","status":"complete",
                 "payment_status":"paid","amount_total":2500,"currency":"usd","customer":"cus_x",
                 "client_reference_id":"%s","metadata":{"invoiceId":"%s","userId":"%s"},
                 "payment_intent":"pi_3Test"}""".formatted(invoiceId, invoiceId, c.id()));
        int deliveries = 4;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(deliveries);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < deliveries; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return StripeStub.deliverWebhook(payload);
                }));
            }
            go.countDown();
            for (Future<HttpResponse<String>> f : answers) {
                assertThat(f.get().statusCode()).as(f.get().body()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(StripeStub.deliverWebhook(payload).body()).as("a later replay").contains("duplicate");

        assertThat(credits(c.id())).isEqualByComparingTo("27");
        assertThat(events(eventId)).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM ledger_transactions WHERE metadata->>'invoiceId' = ?")
                .param(invoiceId).query(Long.class).single()).isEqualTo(1);
        JsonNode paid = call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0");
        assertThat(paid.get("status").asString()).isEqualTo("paid");
        assertThat(paid.get("paymentReference").asString()).contains("pi_3Test");
        // The admin's mark-paid afterwards finds it paid: the manual path cannot credit it again.
        call("POST", "/api/admin/billing/invoices/" + invoiceId + "/mark-paid", adminToken(),
                Map.of("paymentReference", "SEPA-late"));
        assertThat(credits(c.id())).isEqualByComparingTo("27");
        assertLedgerConsistent();
    }

    @Test
    void aBadOrStaleSignatureIs400AndStoresNothing() {
        Customer c = customer();
        String eventId = StripeStub.newEventId();
        String payload = StripeStub.webhookEvent(eventId, "checkout.session.completed", """
                {"id":"cs_test_forged","object":"checkout.session","mode":"payment","payment_status":"paid",
                 "amount_total":2500,"currency":"usd","client_reference_id":"%s","metadata":{}}""".formatted(c.id()));
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> forged = StripeStub.postWebhook(payload, StripeStub.sign(payload, now, "whsec_wrong"));
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.body()).contains("invalid_signature");
        assertThat(StripeStub.postWebhook(payload, StripeStub.sign(payload, now - 400, StripeStub.WEBHOOK_SECRET)).statusCode())
                .as("older than the 300 s tolerance").isEqualTo(400);
        assertThat(StripeStub.postWebhook(payload.replace("2500", "250000"), StripeStub.sign(payload, now, StripeStub.WEBHOOK_SECRET))
                .statusCode()).as("tampered body").isEqualTo(400);
        assertThat(StripeStub.postWebhook(payload, "").statusCode()).as("no signature").isEqualTo(400);
        assertThat(events(eventId)).isZero();
    }

    private static String subscription(String subId, UUID userId, String status, boolean cancel, long start, long end) {
        return """
                {"id":"%s","object":"subscription","customer":"cus_x","status":"%s","cancel_at_period_end":%s,
                 "metadata":{"userId":"%s","planId":"starter"},
                 "items":{"object":"list","data":[{"id":"si_1","object":"subscription_item",
                   "current_period_start":%d,"current_period_end":%d,
                   "price":{"id":"%s","object":"price","recurring":{"interval":"month"},"unit_amount":2900}}]}}"""
                .formatted(subId, status, cancel, userId, start, end, StripeStub.STARTER_PRICE);
    }

    private static String invoice(String invId, String subId, UUID userId, String reason, int attempt,
            boolean retry, long start, long end, boolean paid) {
        return """
                {"id":"%s","object":"invoice","number":"ABC-%s","customer":"cus_x","billing_reason":"%s",
                 "amount_due":2900,"amount_paid":%d,"currency":"usd","attempt_count":%d,"next_payment_attempt":%s,
                 "status":"%s","parent":{"type":"subscription_details","subscription_details":{
                   "subscription":"%s","metadata":{"userId":"%s","planId":"starter"}}},
                 "lines":{"object":"list","data":[{"id":"il_1","object":"line_item","amount":2900,
                   "period":{"start":%d,"end":%d}}]}}"""
                .formatted(invId, invId.substring(3), reason, paid ? 2900 : 0, attempt,
                        retry ? Long.toString(end + 86_400) : "null", paid ? "paid" : "open", subId, userId, start, end);
    }

    @Test
    void aSubscriptionRenewsWhenPaidIsSuspendedAfterTheLastFailureAndRestoredByAPayment() throws Exception {
        Customer c = customer();
        Response checkout = call("POST", "/api/billing/subscription/checkout", c.token(),
                Map.of("planId", "starter", "interval", "month"));
        assertThat(checkout.status()).as(checkout.toString()).isEqualTo(200);
        STRIPE.verify(postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
                .withRequestBody(containing("mode=subscription"))
                .withRequestBody(containing(StripeStub.STARTER_PRICE)));
        Response noPrice = call("POST", "/api/billing/subscription/checkout", c.token(), Map.of("planId", "growth"));
        assertThat(noPrice.status()).isEqualTo(400);
        assertThat(noPrice.body().at("/error/field").asString()).isEqualTo("planId");
        Response badInterval = call("POST", "/api/billing/subscription/checkout", c.token(),
                Map.of("planId", "starter", "interval", "week"));
        assertThat(badInterval.body().at("/error/field").asString()).isEqualTo("interval");

        String subId = "sub_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        long start = Instant.now().getEpochSecond();
        long end = start + 30 * 86_400L;
        // Out of order: the first invoice is paid before the subscription's creation arrives.
        assertThat(StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "invoice.paid",
                invoice("in_first" + subId.substring(4, 10), subId, c.id(), "subscription_create", 1, false, start,
                        end, true))).statusCode()).isEqualTo(200);
        assertThat(StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "customer.subscription.created",
                subscription(subId, c.id(), "active", false, start, end))).statusCode()).isEqualTo(200);
        var sub = plans.current(c.id()).orElseThrow();
        assertThat(sub.planId()).isEqualTo("starter");
        assertThat(sub.gbBalance()).isEqualByComparingTo("5");
        JsonNode view = call("GET", "/api/billing/subscription", c.token(), null).body();
        assertThat(view.get("provider").asString()).isEqualTo("stripe");
        assertThat(view.get("status").asString()).isEqualTo("active");
        assertThat(view.get("cancelAtPeriodEnd").asBoolean()).isFalse();
        assertThat(call("POST", "/api/billing/portal", c.token(), null).body().get("url").asString())
                .startsWith("https://billing.stripe.com/");

        // A period boundary: the local period ended and the customer used 4.5 GB; the next invoice renews.
        jdbc.sql("""
                UPDATE user_plans SET period_start = now() - interval '1 month', period_end = now() - interval '1 minute',
                    gb_balance = 0.5 WHERE id = :id""").param("id", sub.id()).update();
        String renewal = StripeStub.webhookEvent(StripeStub.newEventId(), "invoice.paid",
                invoice("in_cycle" + subId.substring(4, 10), subId, c.id(), "subscription_cycle", 1, false, start, end,
                        true));
        assertThat(StripeStub.deliverWebhook(renewal).statusCode()).isEqualTo(200);
        assertThat(StripeStub.deliverWebhook(renewal).body()).contains("duplicate");
        var renewed = plans.current(c.id()).orElseThrow();
        assertThat(renewed.gbBalance()).as("reset to the plan's 5 GB").isEqualByComparingTo("5");
        assertThat(renewed.periodEnd()).isAfter(Instant.now());
        assertThat(jdbc.sql("SELECT count(*) FROM plan_renewals WHERE subscription_id = ?").param(sub.id())
                .query(Long.class).single()).isEqualTo(1);

        String key = call("POST", "/api/proxy/keys", c.token(), Map.of("name", "stripe")).body().get("key").asString();
        String proxy = "http://" + c.login().at("/user/customerId").asString() + ":" + key + "@127.0.0.1:"
                + dataPlane.ports().orElseThrow().httpProxy();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> Curl.run("-x", proxy, origin.url("/bytes/10")).status() == 200);

        // Dunning: three failures with a retry planned keep the plan; the last one suspends it.
        String failing = "in_fail" + subId.substring(4, 10);
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThat(StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "invoice.payment_failed",
                    invoice(failing, subId, c.id(), "subscription_cycle", attempt, true, start, end, false))).body())
                    .contains("payment_failed_attempt_" + attempt);
            JsonNode dunning = call("GET", "/api/billing/subscription", c.token(), null).body();
            assertThat(dunning.get("status").asString()).isEqualTo("past_due");
            assertThat(dunning.get("failedAttempts").asInt()).isEqualTo(attempt);
            assertThat(dunning.get("suspended").asBoolean()).isFalse();
        }
        assertThat(Curl.run("-x", proxy, origin.url("/bytes/10")).status()).isEqualTo(200);
        assertThat(StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "invoice.payment_failed",
                invoice(failing, subId, c.id(), "subscription_cycle", 4, false, start, end, false))).body())
                .contains("payment_failed_suspended");
        assertThat(call("GET", "/api/billing/subscription", c.token(), null).body().get("suspended").asBoolean())
                .isTrue();
        assertThat(call("GET", "/api/notifications?limit=20", c.token(), null).body().toString())
                .contains("Card payment failed");
        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(250))
                .until(() -> Curl.run("-x", proxy, origin.url("/bytes/10")).status() == 402);
        assertThat(Curl.run("-x", proxy, origin.url("/bytes/10")).header("X-IPLoop-Error"))
                .isEqualTo("subscription_expired");

        // The retried invoice is paid at last: the plan is back.
        assertThat(StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "invoice.paid",
                invoice(failing, subId, c.id(), "subscription_cycle", 5, false, start, end, true))).statusCode())
                .isEqualTo(200);
        JsonNode restored = call("GET", "/api/billing/subscription", c.token(), null).body();
        assertThat(restored.get("suspended").asBoolean()).isFalse();
        assertThat(restored.get("status").asString()).isEqualTo("active");
        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(250))
                .until(() -> Curl.run("-x", proxy, origin.url("/bytes/10")).status() == 200);

        // Cancelled at the period end (in the portal): the plan ends with the paid period.
        assertThat(StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "customer.subscription.updated",
                subscription(subId, c.id(), "active", true, start, end))).statusCode()).isEqualTo(200);
        assertThat(plans.current(c.id()).orElseThrow().expiresAt()).isEqualTo(Instant.ofEpochSecond(end));
        assertThat(call("GET", "/api/billing/subscription", c.token(), null).body().get("cancelAtPeriodEnd")
                .asBoolean()).isTrue();

        assertThat(jdbc.sql("SELECT count(*) FROM ledger_transactions WHERE metadata->>'stripeSubscription' = ?")
                .param(subId).query(Long.class).single()).as("three paid invoices").isEqualTo(3);
        assertLedgerConsistent();
    }
}
