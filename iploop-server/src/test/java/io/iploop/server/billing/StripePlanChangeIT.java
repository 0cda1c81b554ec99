package io.iploop.server.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.StripeStub.STRIPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.server.jobs.JobsService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.StripeStub;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Plan changes and overage of a card subscription against the Stripe stand-in
 * (docs/billing.md#plan-changes, #overage, #card-renewal): the renewal job leaves a card subscription
 * alone at its local period end; an upgrade replaces the subscription item's price through stripe-java
 * with {@code proration_behavior=create_prorations}, and the {@code customer.subscription.updated}
 * event applies it to the plan exactly once (replayed and repeated events change nothing); the
 * overage of a period closed by the paid renewal invoice becomes one Stripe invoice item.
 */
@PlatformTest
@ExtendWith(StripeStub.class)
class StripePlanChangeIT {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    PlansService plans;
    @Autowired
    JobsService jobs;

    private static String subscription(String subId, UUID userId, String price, long start, long end) {
        return """
                {"id":"%s","object":"subscription","customer":"cus_x","status":"active","cancel_at_period_end":false,
                 "metadata":{"userId":"%s","planId":"starter"},
                 "items":{"object":"list","data":[{"id":"si_1","object":"subscription_item",
                   "current_period_start":%d,"current_period_end":%d,
                   "price":{"id":"%s","object":"price","recurring":{"interval":"month"},"unit_amount":4900}}]}}"""
                .formatted(subId, userId, start, end, price);
    }

    private static String invoice(String invId, String subId, UUID userId, String reason, long start, long end) {
        return """
                {"id":"%s","object":"invoice","number":"ABC-%s","customer":"cus_x","billing_reason":"%s",
                 "amount_due":4900,"amount_paid":4900,"currency":"usd","attempt_count":1,"next_payment_attempt":null,
                 "status":"paid","parent":{"type":"subscription_details","subscription_details":{
                   "subscription":"%s","metadata":{"userId":"%s","planId":"starter"}}},
                 "lines":{"object":"list","data":[{"id":"il_1","object":"line_item","amount":4900,
                   "period":{"start":%d,"end":%d}}]}}"""
                .formatted(invId, invId.substring(3), reason, subId, userId, start, end);
    }

    @Test
    void aCardSubscriptionIsUpgradedInStripeAppliedOnceByItsEventAndBilledItsOverageAsAnInvoiceItem() {
        JsonNode login = registerCustomer();
        String token = token(login);
        UUID userId = UUID.fromString(login.at("/user/id").asString());
        call("POST", "/api/billing/subscription/checkout", token, java.util.Map.of("planId", "starter"));
        String subId = "sub_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        long start = Instant.now().getEpochSecond() - 10 * 86_400L;
        long end = start + 30 * 86_400L;
        assertThat(StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "invoice.paid", invoice("in_f" + subId.substring(4, 12), subId, userId,
                "subscription_create", start, end))).statusCode()).isEqualTo(200);
        assertThat(StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "customer.subscription.created",
                subscription(subId, userId, StripeStub.STARTER_PRICE, start, end))).statusCode()).isEqualTo(200);
        Subscription linked = plans.current(userId).orElseThrow();
        assertThat(linked.planId()).isEqualTo("starter");
        assertThat(linked.renewsOnPayment()).as("Stripe renews it").isTrue();

        // The local period ends before Stripe reports the renewal paid: the job grants nothing.
        jdbc.sql("""
                UPDATE user_plans SET period_start = now() - interval '1 month', period_end = now() - interval '1 minute',
                    gb_balance = 1 WHERE id = :id""").param("id", linked.id()).update();
        jobs.runNow("plans-renewal");
        assertThat(plans.current(userId).orElseThrow().gbBalance()).as("no GB before the payment").isEqualByComparingTo("1");
        jdbc.sql("""
                UPDATE user_plans SET period_start = to_timestamp(:s), period_end = to_timestamp(:e), gb_balance = 3
                WHERE id = :id""").param("s", start).param("e", end).param("id", linked.id()).update();

        // Upgrade: the subscription item's price is replaced in Stripe, with prorations.
        STRIPE.stubFor(get(urlEqualTo("/v1/subscriptions/" + subId)).willReturn(json(
                subscription(subId, userId, StripeStub.STARTER_PRICE, start, end))));
        STRIPE.stubFor(post(urlEqualTo("/v1/subscriptions/" + subId)).willReturn(json(
                subscription(subId, userId, StripeStub.BUSINESS_PRICE, start, end))));
        Response up = call("POST", "/api/billing/subscription/change", token, java.util.Map.of("planId", "business"));
        assertThat(up.status()).as(up.toString()).isEqualTo(200);
        assertThat(up.body().get("kind").asString()).isEqualTo("upgrade");
        assertThat(up.body().get("provider").asString()).isEqualTo("stripe");
        assertThat(up.body().get("invoice").isNull()).as("Stripe bills it").isTrue();
        STRIPE.verify(postRequestedFor(urlEqualTo("/v1/subscriptions/" + subId))
                .withRequestBody(containing("proration_behavior=create_prorations"))
                .withRequestBody(containing("items[0][id]=si_1"))
                .withRequestBody(containing(StripeStub.BUSINESS_PRICE)));
        assertThat(plans.current(userId).orElseThrow().planId()).as("applied by the event").isEqualTo("starter");

        String updated = StripeStub.webhookEvent(StripeStub.newEventId(), "customer.subscription.updated",
                subscription(subId, userId, StripeStub.BUSINESS_PRICE, start, end));
        assertThat(StripeStub.deliverWebhook(updated).body()).contains("upgraded_to_business");
        assertThat(StripeStub.deliverWebhook(updated).body()).contains("duplicate");
        assertThat(StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "customer.subscription.updated",
                subscription(subId, userId, StripeStub.BUSINESS_PRICE, start, end))).body()).doesNotContain("upgraded");
        Subscription upgraded = plans.current(userId).orElseThrow();
        assertThat(upgraded.planId()).isEqualTo("business");
        assertThat(upgraded.id()).isEqualTo(linked.id());
        // 3 GB left + (100 − 5) GB × about 2/3 of the period.
        assertThat(upgraded.gbBalance().doubleValue()).isBetween(3 + 95 * 0.66, 3 + 95 * 0.67);
        assertThat(jdbc.sql("SELECT count(*) FROM billing_plan_changes WHERE stripe_subscription = ?").param(subId)
                .query(Long.class).single()).isEqualTo(1);

        // The period closes 2 GB over; the renewal invoice's payment renews it and bills the overage in Stripe.
        STRIPE.stubFor(post(urlEqualTo("/v1/invoiceitems")).willReturn(json("""
                {"id":"ii_1Overage","object":"invoiceitem","amount":800,"currency":"usd","customer":"cus_x",
                 "description":"Overage","livemode":false,"metadata":{}}""")));
        jdbc.sql("""
                UPDATE user_plans SET period_start = now() - interval '1 month', period_end = now() - interval '1 minute',
                    gb_balance = -2 WHERE id = :id""").param("id", linked.id()).update();
        long next = Instant.now().getEpochSecond();
        String renewal = StripeStub.webhookEvent(StripeStub.newEventId(), "invoice.paid", invoice("in_c" + subId.substring(4, 12), subId, userId,
                "subscription_cycle", next, next + 30 * 86_400L));
        assertThat(StripeStub.deliverWebhook(renewal).statusCode()).isEqualTo(200);
        assertThat(plans.current(userId).orElseThrow().gbBalance()).isEqualByComparingTo("100");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> STRIPE.verify(1,
                postRequestedFor(urlEqualTo("/v1/invoiceitems")).withRequestBody(containing("amount=800"))
                        .withHeader("Idempotency-Key", containing("overage:" + linked.id()))));
        await().atMost(Duration.ofSeconds(10)).until(() -> "ii_1Overage".equals(jdbc.sql(
                "SELECT stripe_invoice_item FROM billing_overage_charges WHERE subscription_id = ?")
                .param(linked.id()).query(String.class).optional().orElse(null)));
        jobs.runNow("billing-overage-push");
        STRIPE.verify(1, postRequestedFor(urlEqualTo("/v1/invoiceitems"))
                .withHeader("Idempotency-Key", containing("overage:" + linked.id())));
        assertThat(jdbc.sql("SELECT amount_cents FROM billing_overage_charges WHERE subscription_id = ?")
                .param(linked.id()).query(Long.class).single()).as("2 GB × USD 4").isEqualTo(800);

        JsonNode report = call("GET", "/api/admin/ledger/consistency", adminToken(), null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("Request-Id", "req_test").withBody(body);
    }
}
