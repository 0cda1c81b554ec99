package io.iploop.server.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.StripeStub.STRIPE;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.StripeStub;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Stripe beyond Checkout (docs/billing.md#stripe), against the local stand-in of Stripe's API and
 * webhooks signed as Stripe signs them: an auto top-up is charged to the saved card off-session and
 * credited once (the synchronous answer and the later {@code payment_intent.succeeded} together); a
 * declined card leaves the invoice open and tells the customer how to transfer; a refund made in the
 * Stripe dashboard and a dispute are each recorded once however often and by whichever events they
 * arrive; a dashboard refund the billing rules refuse (spent credits) is stored with the refusal and
 * moves nothing.
 */
@PlatformTest
@ExtendWith(StripeStub.class)
class StripeOffSessionIT {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    LedgerService ledger;

    private record Customer(String token, UUID id) {}

    /** A customer who bought credits-25 through Checkout, paid by payment intent {@code intent}. */
    private record Paid(Customer customer, String invoiceId, String stripeCustomer, String intent) {}

    private Paid paidByCard() {
        JsonNode login = registerCustomer();
        Customer c = new Customer(token(login), UUID.fromString(login.at("/user/id").asString()));
        Response checkout = call("POST", "/api/billing/checkout", c.token(), Map.of("packageId", "credits-25"));
        assertThat(checkout.status()).as(checkout.toString()).isEqualTo(200);
        String invoiceId = call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0/id").asString();
        String intent = "pi_3" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        HttpResponse<String> paid = StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "checkout.session.completed", """
                {"id":"cs_test_%s","object":"checkout.session","mode":"payment","status":"complete",
                 "payment_status":"paid","amount_total":2500,"currency":"usd","customer":"cus_x",
                 "client_reference_id":"%s","metadata":{"invoiceId":"%s","userId":"%s"},
                 "payment_intent":"%s"}""".formatted(intent, invoiceId, invoiceId, c.id(), intent)));
        assertThat(paid.body()).contains("invoice_paid");
        // Checkout was asked to keep the card for off-session charges.
        STRIPE.verify(postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
                .withRequestBody(containing("client_reference_id=" + invoiceId))
                .withRequestBody(containing("payment_intent_data[setup_future_usage]=off_session")));
        String stripeCustomer = jdbc.sql("SELECT customer_id FROM billing_stripe_customers WHERE user_id = ?")
                .param(c.id()).query(String.class).single();
        return new Paid(c, invoiceId, stripeCustomer, intent);
    }

    private BigDecimal credits(UUID userId) {
        return ledger.account(userId, AccountPurpose.CUSTOMER_CREDITS).balance();
    }

    private static void runJob() {
        Response r = call("POST", "/api/admin/jobs/billing-credit-watch/run", adminToken(), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private static List<JsonNode> notifications(String token, String kind) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode n : call("GET", "/api/notifications?limit=100", token, null).body().get("notifications")) {
            if (n.get("kind").asString().equals(kind)) {
                found.add(n);
            }
        }
        return found;
    }

    private static void autoTopUp(String token) {
        Response saved = call("PUT", "/api/billing/auto-top-up", token,
                Map.of("enabled", true, "thresholdUsd", 30, "packageId", "credits-10", "maxPerMonth", 2));
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
    }

    private static void customerWithCard(String stripeCustomer, String defaultMethod) {
        STRIPE.stubFor(get(urlEqualTo("/v1/customers/" + stripeCustomer)).willReturn(json("""
                {"id":"%s","object":"customer","balance":0,"created":1764547200,"currency":"usd",
                 "email":"customer@example.com","livemode":false,"metadata":{},"name":null,
                 "invoice_settings":{"custom_fields":null,"default_payment_method":%s,"footer":null,
                   "rendering_options":null}}""".formatted(stripeCustomer,
                defaultMethod == null ? "null" : "\"" + defaultMethod + "\""))));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("Request-Id", "req_test").withBody(body);
    }

    private static void assertLedgerConsistent() {
        JsonNode report = call("GET", "/api/admin/ledger/consistency", adminToken(), null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }

    @Test
    void anAutoTopUpIsChargedToTheSavedCardOffSessionAndCreditedOnce() {
        Paid p = paidByCard();
        Customer c = p.customer();
        assertThat(credits(c.id())).isEqualByComparingTo("27");
        customerWithCard(p.stripeCustomer(), "pm_1DefaultVisa");
        String topUpIntent = StripeStub.newId("pi_3Off");
        STRIPE.stubFor(post(urlEqualTo("/v1/payment_intents"))
                .withRequestBody(containing("customer=" + p.stripeCustomer())).willReturn(json("""
                        {"id":"%s","object":"payment_intent","amount":1000,"amount_received":1000,
                         "capture_method":"automatic","confirmation_method":"automatic","created":1764547200,
                         "currency":"usd","customer":"%s","latest_charge":"ch_3Off1","livemode":false,
                         "metadata":{},"payment_method":"pm_1DefaultVisa","status":"succeeded"}"""
                        .formatted(topUpIntent, p.stripeCustomer()))));

        // 27 is under the threshold of 30: the job creates the credits-10 invoice and charges the card.
        autoTopUp(c.token());
        runJob();
        runJob();
        JsonNode topUp = call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0");
        assertThat(topUp.get("packageId").asString()).isEqualTo("credits-10");
        assertThat(topUp.get("status").asString()).as(topUp.toString()).isEqualTo("paid");
        assertThat(topUp.get("paymentReference").asString()).isEqualTo("stripe " + topUpIntent);
        String topUpId = topUp.get("id").asString();
        STRIPE.verify(1, postRequestedFor(urlEqualTo("/v1/payment_intents"))
                .withRequestBody(containing("customer=" + p.stripeCustomer()))
                .withRequestBody(containing("payment_method=pm_1DefaultVisa"))
                .withRequestBody(containing("confirm=true"))
                .withRequestBody(containing("off_session=true"))
                .withRequestBody(containing("amount=" + topUp.get("totalCents").asLong()))
                .withRequestBody(containing("metadata[invoiceId]=" + topUpId))
                .withHeader("Idempotency-Key", com.github.tomakehurst.wiremock.client.WireMock.equalTo(
                        "offsession:" + topUpId)));
        BigDecimal afterTopUp = credits(c.id());
        assertThat(afterTopUp).isGreaterThanOrEqualTo(new BigDecimal("37"));
        assertThat(notifications(c.token(), "auto_top_up").getFirst().get("body").asString())
                .contains("being charged to your card");

        // Stripe's payment_intent.succeeded for the same charge arrives afterwards (twice): nothing moves.
        String succeeded = StripeStub.webhookEvent(StripeStub.newEventId(), "payment_intent.succeeded", """
                {"id":"%s","object":"payment_intent","amount":%d,"amount_received":%d,"currency":"usd",
                 "customer":"%s","metadata":{"invoiceId":"%s","userId":"%s"},"status":"succeeded"}"""
                .formatted(topUpIntent, topUp.get("totalCents").asLong(), topUp.get("totalCents").asLong(),
                        p.stripeCustomer(), topUpId, c.id()));
        assertThat(StripeStub.deliverWebhook(succeeded).body()).contains("invoice_already_paid");
        assertThat(StripeStub.deliverWebhook(succeeded).body()).contains("duplicate");
        assertThat(credits(c.id())).isEqualByComparingTo(afterTopUp);
        assertThat(jdbc.sql("SELECT count(*) FROM ledger_transactions WHERE idempotency_key = ?")
                .param("invoice:" + topUpId + ":paid").query(Long.class).single()).isEqualTo(1);
        assertLedgerConsistent();
    }

    @Test
    void aProcessingChargeIsPaidByItsWebhookOnce() {
        Paid p = paidByCard();
        Customer c = p.customer();
        customerWithCard(p.stripeCustomer(), "pm_1DefaultSepa");
        String intent = StripeStub.newId("pi_3Slow");
        STRIPE.stubFor(post(urlEqualTo("/v1/payment_intents"))
                .withRequestBody(containing("customer=" + p.stripeCustomer())).willReturn(json("""
                        {"id":"%s","object":"payment_intent","amount":1000,"amount_received":0,
                         "created":1764547200,"currency":"usd","customer":"%s","livemode":false,
                         "metadata":{},"payment_method":"pm_1DefaultSepa","status":"processing"}"""
                        .formatted(intent, p.stripeCustomer()))));
        autoTopUp(c.token());
        runJob();
        JsonNode topUp = call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0");
        assertThat(topUp.get("status").asString()).isEqualTo("open");
        assertThat(credits(c.id())).isEqualByComparingTo("27");

        long total = topUp.get("totalCents").asLong();
        String succeeded = StripeStub.webhookEvent(StripeStub.newEventId(), "payment_intent.succeeded", """
                {"id":"%s","object":"payment_intent","amount":%d,"amount_received":%d,"currency":"usd",
                 "customer":"%s","metadata":{"invoiceId":"%s","userId":"%s"},"status":"succeeded"}"""
                .formatted(intent, total, total, p.stripeCustomer(), topUp.get("id").asString(), c.id()));
        assertThat(StripeStub.deliverWebhook(succeeded).body()).contains("invoice_paid");
        assertThat(StripeStub.deliverWebhook(succeeded).body()).contains("duplicate");
        JsonNode paid = call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0");
        assertThat(paid.get("status").asString()).isEqualTo("paid");
        assertThat(paid.get("paymentReference").asString()).isEqualTo("stripe " + intent);
        assertThat(credits(c.id())).isGreaterThanOrEqualTo(new BigDecimal("37"));
        assertLedgerConsistent();
    }

    @Test
    void aDeclinedCardLeavesTheInvoiceOpenAndTheCustomerIsToldHowToTransfer() {
        Paid p = paidByCard();
        Customer c = p.customer();
        // No default card: the first saved one is used.
        customerWithCard(p.stripeCustomer(), null);
        STRIPE.stubFor(get(urlPathEqualTo("/v1/customers/" + p.stripeCustomer() + "/payment_methods"))
                .willReturn(json("""
                        {"object":"list","data":[{"id":"pm_1SavedCard","object":"payment_method","type":"card",
                          "card":{"brand":"visa","last4":"0341","exp_month":12,"exp_year":2030},
                          "customer":"%s","created":1764547200,"livemode":false,"metadata":{}}],
                         "has_more":false,"url":"/v1/customers/%s/payment_methods"}"""
                        .formatted(p.stripeCustomer(), p.stripeCustomer()))));
        STRIPE.stubFor(post(urlEqualTo("/v1/payment_intents"))
                .withRequestBody(containing("customer=" + p.stripeCustomer())).willReturn(aResponse().withStatus(402)
                        .withHeader("Content-Type", "application/json").withHeader("Request-Id", "req_declined")
                        .withBody("""
                                {"error":{"code":"card_declined","decline_code":"insufficient_funds",
                                  "doc_url":"https://stripe.com/docs/error-codes/card-declined",
                                  "message":"Your card has insufficient funds.","charge":"ch_3Declined",
                                  "type":"card_error"}}""")));
        autoTopUp(c.token());
        runJob();
        runJob();

        JsonNode topUp = call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0");
        assertThat(topUp.get("packageId").asString()).isEqualTo("credits-10");
        assertThat(topUp.get("status").asString()).isEqualTo("open");
        STRIPE.verify(1, postRequestedFor(urlEqualTo("/v1/payment_intents"))
                .withRequestBody(containing("customer=" + p.stripeCustomer()))
                .withRequestBody(containing("payment_method=pm_1SavedCard")));
        assertThat(credits(c.id())).isEqualByComparingTo("27");
        List<String> bodies = notifications(c.token(), "auto_top_up").stream().map(n -> n.get("body").asString())
                .toList();
        assertThat(bodies).hasSize(2);
        assertThat(bodies).anySatisfy(b -> assertThat(b).contains("insufficient_funds", "IBAN",
                topUp.get("number").asString()));
        assertLedgerConsistent();
    }

    @Test
    void aDashboardRefundAndADisputeAreEachRecordedOnce() {
        Paid p = paidByCard();
        Customer c = p.customer();
        String refundId = StripeStub.newId("re_3");
        String refunded = StripeStub.webhookEvent(StripeStub.newEventId(), "charge.refunded", """
                {"id":"ch_3Ref","object":"charge","amount":2500,"amount_refunded":500,"currency":"usd",
                 "payment_intent":"%s","refunded":false,"status":"succeeded",
                 "refunds":{"object":"list","data":[{"id":"%s","object":"refund","amount":500,"charge":"ch_3Ref",
                   "currency":"usd","payment_intent":"%s","reason":"requested_by_customer","status":"succeeded"}],
                   "has_more":false}}""".formatted(p.intent(), refundId, p.intent()));
        assertThat(StripeStub.deliverWebhook(refunded).body()).contains("refund_recorded");
        assertThat(StripeStub.deliverWebhook(refunded).body()).contains("duplicate");
        // Newer API versions send refund.created for the same refund: still one refund.
        assertThat(StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "refund.created", """
                {"id":"%s","object":"refund","amount":500,"charge":"ch_3Ref","currency":"usd",
                 "payment_intent":"%s","reason":"requested_by_customer","status":"succeeded"}"""
                .formatted(refundId, p.intent()))).body()).contains("refund_already_recorded");

        String disputeId = StripeStub.newId("du_1");
        String dispute = """
                {"id":"%s","object":"dispute","amount":2000,"charge":"ch_3Ref","currency":"usd",
                 "payment_intent":"%s","reason":"fraudulent","status":"needs_response","is_charge_refundable":false}"""
                .formatted(disputeId, p.intent());
        String created = StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.created", dispute);
        assertThat(StripeStub.deliverWebhook(created).body()).contains("chargeback_recorded");
        assertThat(StripeStub.deliverWebhook(created).body()).contains("duplicate");
        assertThat(StripeStub.deliverWebhook(StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.funds_withdrawn", dispute)).body())
                .contains("chargeback_already_recorded");

        JsonNode notes = call("GET", "/api/admin/billing/invoices/" + p.invoiceId() + "/credit-notes", adminToken(),
                null).body();
        List<String> kinds = new ArrayList<>();
        long total = 0;
        for (JsonNode n : notes.isArray() ? notes : notes.get("creditNotes")) {
            kinds.add(n.get("kind").asString() + ":" + n.get("amountCents").asLong());
            total += n.get("amountCents").asLong();
        }
        assertThat(kinds).as(notes.toString()).containsExactly("refund:500", "chargeback:2000");
        assertThat(total).isEqualTo(2500);
        assertThat(credits(c.id())).as("everything taken back").isEqualByComparingTo("0");
        assertThat(jdbc.sql("SELECT count(*) FROM billing_stripe_events WHERE payload->'data'->'object'->>'id' IN (?, ?)")
                .param(refundId).param(disputeId).query(Long.class).single()).as("refund.created + 2 dispute events")
                .isEqualTo(3);
        assertLedgerConsistent();
    }

    @Test
    void aDashboardRefundOfSpentCreditsIsStoredAsRefusedAndMovesNothing() {
        Paid p = paidByCard();
        Customer c = p.customer();
        BigDecimal spent = new BigDecimal("20");
        ledger.post(io.iploop.server.ledger.NewTransaction.of(io.iploop.server.ledger.TransactionKind.PREMIUM_TARGETING,
                "test-spend:" + UUID.randomUUID(), "test spend",
                new io.iploop.server.ledger.Posting(ledger.account(c.id(), AccountPurpose.CUSTOMER_CREDITS).id(),
                        spent.negate()),
                new io.iploop.server.ledger.Posting(ledger.platformAccount(AccountPurpose.PREMIUM_TARGETING_REVENUE).id(),
                        spent)));
        String refund = StripeStub.webhookEvent(StripeStub.newEventId(), "refund.created", """
                {"id":"%s","object":"refund","amount":2500,"charge":"ch_3Spent","currency":"usd",
                 "payment_intent":"%s","reason":"requested_by_customer","status":"succeeded"}"""
                .formatted(StripeStub.newId("re_3"), p.intent()));
        HttpResponse<String> answer = StripeStub.deliverWebhook(refund);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("not_recorded: refund_exceeds_unspent");
        assertThat(StripeStub.deliverWebhook(refund).body()).contains("duplicate");
        assertThat(call("GET", "/api/admin/billing/invoices/" + p.invoiceId() + "/credit-notes", adminToken(), null)
                .body().toString()).doesNotContain("\"kind\"");
        assertThat(credits(c.id())).isEqualByComparingTo("7");
        assertLedgerConsistent();
    }

    @Test
    void aRefundOrDisputeOfAnUnknownPaymentIsStoredOnceAndMovesNothing() {
        String event = StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.created", """
                {"id":"du_1Unknown","object":"dispute","amount":2000,"charge":"ch_x","currency":"usd",
                 "payment_intent":"pi_3NotOurs","reason":"fraudulent","status":"needs_response"}""");
        assertThat(StripeStub.deliverWebhook(event).body()).contains("unknown payment");
        assertThat(StripeStub.deliverWebhook(event).body()).contains("duplicate");
    }
}
