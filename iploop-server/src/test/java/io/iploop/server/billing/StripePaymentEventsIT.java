package io.iploop.server.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.StripeStub.STRIPE;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.StripeStub;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Payments that fail after they started and disputes that end (docs/billing.md#failed-payments,
 * #disputes), against the local Stripe stand-in with webhooks signed as Stripe signs them: a
 * processing debit that fails credits nothing and tells the customer once; a payment that had been
 * credited and then fails is taken back in one ledger transaction (the spent part booked as a loss),
 * once however many events report it; a dispute won gives back what its chargeback took, once, in
 * whatever order and however often its events arrive; a lost one changes nothing more.
 */
@PlatformTest
@ExtendWith(StripeStub.class)
class StripePaymentEventsIT {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    LedgerService ledger;

    private record Customer(String token, UUID id) {}

    /** A customer who bought credits-25 (27 credits) through Checkout, paid by payment intent {@code intent}. */
    private record Paid(Customer customer, String invoiceId, String stripeCustomer, String intent) {}

    private Paid paidByCard() {
        JsonNode login = registerCustomer();
        Customer c = new Customer(token(login), UUID.fromString(login.at("/user/id").asString()));
        Response checkout = call("POST", "/api/billing/checkout", c.token(), Map.of("packageId", "credits-25"));
        assertThat(checkout.status()).as(checkout.toString()).isEqualTo(200);
        String invoiceId = call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0/id").asString();
        String intent = StripeStub.newId("pi_3");
        assertThat(deliver(StripeStub.webhookEvent(StripeStub.newEventId(), "checkout.session.completed", session(invoiceId, c.id(), intent, "paid")))
                .body()).contains("invoice_paid");
        String stripeCustomer = jdbc.sql("SELECT customer_id FROM billing_stripe_customers WHERE user_id = ?")
                .param(c.id()).query(String.class).single();
        return new Paid(c, invoiceId, stripeCustomer, intent);
    }

    private static String session(String invoiceId, UUID userId, String intent, String paymentStatus) {
        return """
                {"id":"cs_test_%s","object":"checkout.session","mode":"payment","status":"complete",
                 "payment_status":"%s","amount_total":2500,"currency":"usd","customer":"cus_x",
                 "client_reference_id":"%s","metadata":{"invoiceId":"%s","userId":"%s"},
                 "payment_intent":"%s"}""".formatted(intent, paymentStatus, invoiceId, invoiceId, userId, intent);
    }

    private static String failedIntent(String intent, long amount, String metadata) {
        return """
                {"id":"%s","object":"payment_intent","amount":%d,"amount_received":0,"currency":"usd",
                 "customer":"cus_x","metadata":%s,"status":"requires_payment_method",
                 "last_payment_error":{"code":"payment_intent_payment_attempt_failed","decline_code":"insufficient_funds",
                   "message":"The debit was returned: insufficient funds.","type":"invalid_request_error",
                   "payment_method":{"id":"pm_1Sepa","object":"payment_method","type":"sepa_debit"}}}"""
                .formatted(intent, amount, metadata);
    }

    private static String dispute(String disputeId, String intent, String status) {
        return """
                {"id":"%s","object":"dispute","amount":2500,"charge":"ch_3Disputed","currency":"usd",
                 "payment_intent":"%s","reason":"fraudulent","status":"%s","is_charge_refundable":false}"""
                .formatted(disputeId, intent, status);
    }

    private static HttpResponse<String> deliver(String payload) {
        HttpResponse<String> response = StripeStub.deliverWebhook(payload);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response;
    }

    private BigDecimal credits(UUID userId) {
        return ledger.account(userId, AccountPurpose.CUSTOMER_CREDITS).balance();
    }

    private BigDecimal platform(AccountPurpose purpose) {
        return ledger.platformAccount(purpose).balance();
    }

    private long transactions(String key) {
        return jdbc.sql("SELECT count(*) FROM ledger_transactions WHERE idempotency_key = ?").param(key)
                .query(Long.class).single();
    }

    private static JsonNode invoice(String token, String invoiceId) {
        for (JsonNode i : call("GET", "/api/billing/invoices", token, null).body().get("invoices")) {
            if (i.get("id").asString().equals(invoiceId)) {
                return i;
            }
        }
        throw new AssertionError("no invoice " + invoiceId);
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

    private static void assertLedgerConsistent() {
        JsonNode report = call("GET", "/api/admin/ledger/consistency", adminToken(), null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("Request-Id", "req_test").withBody(body);
    }

    @Test
    void aProcessingDebitThatFailsCreditsNothingAndTellsTheCustomerOnce() {
        Paid p = paidByCard();
        Customer c = p.customer();
        // An auto top-up charged to a SEPA mandate: Stripe answers processing, nothing is credited yet.
        STRIPE.stubFor(get(urlEqualTo("/v1/customers/" + p.stripeCustomer())).willReturn(json("""
                {"id":"%s","object":"customer","balance":0,"created":1764547200,"currency":"usd",
                 "email":"customer@example.com","livemode":false,"metadata":{},"name":null,
                 "invoice_settings":{"custom_fields":null,"default_payment_method":"pm_1Sepa","footer":null,
                   "rendering_options":null}}""".formatted(p.stripeCustomer()))));
        String intent = StripeStub.newId("pi_3Sepa");
        STRIPE.stubFor(post(urlEqualTo("/v1/payment_intents"))
                .withRequestBody(containing("customer=" + p.stripeCustomer())).willReturn(json("""
                        {"id":"%s","object":"payment_intent","amount":1000,"amount_received":0,
                         "created":1764547200,"currency":"usd","customer":"%s","livemode":false,
                         "metadata":{},"payment_method":"pm_1Sepa","status":"processing"}"""
                        .formatted(intent, p.stripeCustomer()))));
        Response auto = call("PUT", "/api/billing/auto-top-up", c.token(),
                Map.of("enabled", true, "thresholdUsd", 30, "packageId", "credits-10", "maxPerMonth", 1));
        assertThat(auto.status()).as(auto.toString()).isEqualTo(200);
        assertThat(call("POST", "/api/admin/jobs/billing-credit-watch/run", adminToken(), null).status()).isEqualTo(200);
        JsonNode topUp = call("GET", "/api/billing/invoices", c.token(), null).body().at("/invoices/0");
        assertThat(topUp.get("packageId").asString()).isEqualTo("credits-10");
        assertThat(topUp.get("status").asString()).isEqualTo("open");
        assertThat(credits(c.id())).as("nothing is granted while the debit is processing").isEqualByComparingTo("27");

        String failed = StripeStub.webhookEvent(StripeStub.newEventId(), "payment_intent.payment_failed", failedIntent(intent,
                topUp.get("totalCents").asLong(), "{\"invoiceId\":\"%s\",\"userId\":\"%s\"}"
                        .formatted(topUp.get("id").asString(), c.id())));
        assertThat(deliver(failed).body()).contains("payment_failed_invoice_open");
        assertThat(deliver(failed).body()).contains("duplicate");
        // Stripe may report the same failure by another event: told once.
        assertThat(deliver(StripeStub.webhookEvent(StripeStub.newEventId(), "payment_intent.payment_failed", failedIntent(intent,
                topUp.get("totalCents").asLong(), "{\"invoiceId\":\"%s\"}".formatted(topUp.get("id").asString()))))
                .body()).contains("payment_failure_already_told");

        assertThat(invoice(c.token(), topUp.get("id").asString()).get("status").asString()).isEqualTo("open");
        assertThat(credits(c.id())).isEqualByComparingTo("27");
        List<JsonNode> told = notifications(c.token(), "payment_failed");
        assertThat(told).hasSize(1);
        assertThat(told.getFirst().get("body").asString()).contains("insufficient funds", "Nothing was credited", "IBAN",
                topUp.get("number").asString());
        assertThat(transactions("invoice:" + topUp.get("id").asString() + ":paid")).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM mail_outbox WHERE subject LIKE ?")
                .param("%Payment of invoice " + topUp.get("number").asString() + " failed%").query(Long.class).single())
                .as("and by e-mail").isEqualTo(1);
        assertLedgerConsistent();
    }

    @Test
    void aCreditedPaymentThatFailsIsTakenBackOnceAndTheSpentPartIsALoss() {
        Paid p = paidByCard();
        Customer c = p.customer();
        assertThat(credits(c.id())).isEqualByComparingTo("27");
        // The customer spends 10 of the 27 credits (stand-in for spending: a posting to a platform account).
        ledger.post(NewTransaction.of(TransactionKind.ADJUSTMENT, "test-spend:" + c.id(), "spent in a test",
                new Posting(ledger.account(c.id(), AccountPurpose.CUSTOMER_CREDITS).id(), new BigDecimal("-10")),
                new Posting(ledger.platformAccount(AccountPurpose.PREMIUM_TARGETING_REVENUE).id(), new BigDecimal("10"))));
        BigDecimal payments = platform(AccountPurpose.CUSTOMER_PAYMENTS);
        BigDecimal losses = platform(AccountPurpose.CHARGEBACK_LOSSES);
        BigDecimal bonuses = platform(AccountPurpose.CREDIT_BONUSES);

        // The payment that was credited fails afterwards (a returned debit): Checkout's payment intent
        // carries no invoice id, the invoice is the one this payment paid.
        String failed = StripeStub.webhookEvent(StripeStub.newEventId(), "payment_intent.payment_failed", failedIntent(p.intent(), 2500, "{}"));
        assertThat(deliver(failed).body()).contains("payment_failed_reversed");
        assertThat(deliver(failed).body()).contains("duplicate");
        assertThat(deliver(StripeStub.webhookEvent(StripeStub.newEventId(), "payment_intent.payment_failed", failedIntent(p.intent(), 2500, "{}"))).body())
                .contains("payment_failure_already_reversed");
        assertThat(deliver(StripeStub.webhookEvent(StripeStub.newEventId(), "checkout.session.async_payment_failed",
                session(p.invoiceId(), c.id(), p.intent(), "unpaid"))).body())
                .contains("payment_failure_already_reversed");

        assertThat(credits(c.id())).as("the unspent 17 taken back, never below zero").isEqualByComparingTo("0");
        assertThat(platform(AccountPurpose.CUSTOMER_PAYMENTS).subtract(payments)).isEqualByComparingTo("25");
        assertThat(platform(AccountPurpose.CHARGEBACK_LOSSES).subtract(losses)).as("spent: a loss")
                .isEqualByComparingTo("-10");
        assertThat(platform(AccountPurpose.CREDIT_BONUSES).subtract(bonuses)).as("the bonus back")
                .isEqualByComparingTo("2");
        assertThat(transactions("invoice:" + p.invoiceId() + ":payment_failed")).isEqualTo(1);
        JsonNode invoice = invoice(c.token(), p.invoiceId());
        assertThat(invoice.get("status").asString()).isEqualTo("failed");
        assertThat(notifications(c.token(), "payment_failed")).singleElement()
                .satisfies(n -> assertThat(n.get("body").asString()).contains("taken back", "USD 10"));
        // A late success of the same payment credits nothing (the invoice is final; logged for a person).
        assertThat(deliver(StripeStub.webhookEvent(StripeStub.newEventId(), "checkout.session.completed", session(p.invoiceId(), c.id(), p.intent(), "paid")))
                .body()).contains("ignored: invoice failed");
        assertThat(credits(c.id())).isEqualByComparingTo("0");
        assertLedgerConsistent();
    }

    @Test
    void aWonDisputeGivesBackWhatItsChargebackTookOnce() {
        Paid p = paidByCard();
        Customer c = p.customer();
        BigDecimal payments = platform(AccountPurpose.CUSTOMER_PAYMENTS);
        String disputeId = StripeStub.newId("du_1");
        String created = StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.created", dispute(disputeId, p.intent(), "needs_response"));
        String withdrawn = StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.funds_withdrawn", dispute(disputeId, p.intent(), "needs_response"));
        String won = StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.closed", dispute(disputeId, p.intent(), "won"));

        assertThat(deliver(created).body()).contains("chargeback_recorded");
        assertThat(deliver(withdrawn).body()).contains("chargeback_already_recorded");
        assertThat(credits(c.id())).isEqualByComparingTo("0");
        assertThat(invoice(c.token(), p.invoiceId()).get("refundedCents").asLong()).isEqualTo(2500);

        assertThat(deliver(won).body()).contains("dispute_won_given_back");
        assertThat(credits(c.id())).as("the 27 credits are back").isEqualByComparingTo("27");
        assertThat(platform(AccountPurpose.CUSTOMER_PAYMENTS)).isEqualByComparingTo(payments);
        assertThat(invoice(c.token(), p.invoiceId()).get("refundedCents").asLong()).isZero();

        // Replays of all three, as Stripe redelivers them and as new deliveries, in random order: nothing moves.
        List<String> replays = new ArrayList<>(List.of(created, withdrawn, won,
                StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.created", dispute(disputeId, p.intent(), "needs_response")),
                StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.funds_withdrawn", dispute(disputeId, p.intent(), "needs_response")),
                StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.closed", dispute(disputeId, p.intent(), "won"))));
        Collections.shuffle(replays, new Random(disputeId.hashCode()));
        for (String replay : replays) {
            deliver(replay);
        }
        assertThat(credits(c.id())).isEqualByComparingTo("27");
        String chargebackKey = "invoice:" + p.invoiceId() + ":chargeback:" + disputeId;
        assertThat(transactions(chargebackKey)).isEqualTo(1);
        assertThat(transactions(chargebackKey + ":won")).isEqualTo(1);
        assertThat(notifications(c.token(), "dispute_won")).hasSize(1);
        // The invoice is refundable again in full: a later refund is computed without the given-back chargeback.
        Response refund = call("POST", "/api/admin/billing/invoices/" + p.invoiceId() + "/refund", adminToken(),
                Map.of("amountCents", 2500, "reason", "after the dispute", "idempotencyKey", "after-" + disputeId));
        assertThat(refund.status()).as(refund.toString()).isEqualTo(201);
        assertThat(credits(c.id())).isEqualByComparingTo("0");
        assertLedgerConsistent();
    }

    @Test
    void disputeEventsInAnyOrderEndAsTheOutcomeSays() {
        Random random = new Random(20261206L);
        for (int round = 0; round < 6; round++) {
            // A Stripe customer of its own per account (the stand-in gives one id per test otherwise).
            STRIPE.stubFor(post(urlEqualTo("/v1/customers")).willReturn(json("""
                    {"id":"%s","object":"customer","balance":0,"created":1764547200,"currency":null,
                     "email":"customer@example.com","livemode":false,"metadata":{},"name":null}"""
                    .formatted(StripeStub.newId("cus_R")))));
            Paid p = paidByCard();
            boolean won = round % 2 == 0;
            String disputeId = StripeStub.newId("du_1R");
            List<String> events = new ArrayList<>(List.of(
                    StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.created", dispute(disputeId, p.intent(), "needs_response")),
                    StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.funds_withdrawn", dispute(disputeId, p.intent(), "under_review")),
                    StripeStub.webhookEvent(StripeStub.newEventId(), "charge.dispute.closed", dispute(disputeId, p.intent(), won ? "won" : "lost"))));
            events.add(events.get(random.nextInt(events.size()))); // one of them delivered twice
            Collections.shuffle(events, random);
            List<String> outcomes = new ArrayList<>();
            for (String e : events) {
                outcomes.add(deliver(e).body());
            }
            assertThat(credits(p.customer().id())).as("round %d (%s): %s", round, won ? "won" : "lost", outcomes)
                    .isEqualByComparingTo(won ? "27" : "0");
            String key = "invoice:" + p.invoiceId() + ":chargeback:" + disputeId;
            assertThat(transactions(key)).as(outcomes.toString()).isLessThanOrEqualTo(1);
            assertThat(transactions(key + ":won")).isEqualTo(won ? transactions(key) : 0);
            assertThat(invoice(p.customer().token(), p.invoiceId()).get("refundedCents").asLong())
                    .isEqualTo(won ? 0 : 2500);
        }
        assertLedgerConsistent();
    }
}
