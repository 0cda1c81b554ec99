package io.iploop.server.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.StripeStub.STRIPE;
import static io.iploop.server.testing.StripeStub.card;
import static io.iploop.server.testing.StripeStub.stubCard;
import static io.iploop.server.testing.StripeStub.stubCards;
import static io.iploop.server.testing.StripeStub.stubCustomer;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.StripeStub;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Saved payment methods (docs/billing.md#payment-methods) against the local Stripe stand-in answering
 * with the shapes Stripe documents: a SetupIntent is started for the customer with the client secret
 * and publishable key for Stripe.js, the confirmed card is adopted (and made the default, the first
 * time), listed with brand, last 4 digits and expiry only, made the default, removed; the card an
 * auto top-up or a card subscription is charged to is not removed (409 naming why) and another
 * customer's card answers 404 with nothing sent to Stripe that would change it.
 */
@PlatformTest
@ExtendWith(StripeStub.class)
class PaymentMethodsIT {

    @Autowired
    JdbcClient jdbc;

    private record Customer(String token, UUID id) {}

    private static Customer customer() {
        JsonNode login = registerCustomer();
        return new Customer(token(login), UUID.fromString(login.at("/user/id").asString()));
    }

    private String stripeCustomer(UUID userId) {
        return jdbc.sql("SELECT customer_id FROM billing_stripe_customers WHERE user_id = ?").param(userId)
                .query(String.class).single();
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("Request-Id", "req_test").withBody(body);
    }

    /** Starts a SetupIntent for {@code c} (creating its Stripe customer) and returns the customer id. */
    private String startSetup(Customer c) {
        // A Stripe customer of its own for each account (the stand-in's default answers one id per test).
        STRIPE.stubFor(post(urlEqualTo("/v1/customers")).withRequestBody(containing("metadata[userId]=" + c.id()))
                .willReturn(json("""
                        {"id":"%s","object":"customer","balance":0,"created":1764547200,"currency":null,
                         "email":"customer@example.com","livemode":false,"metadata":{},"name":null}"""
                        .formatted(StripeStub.newId("cus_")))));
        String seti = StripeStub.newId("seti_1");
        STRIPE.stubFor(post(urlEqualTo("/v1/setup_intents")).withRequestBody(containing("metadata[userId]=" + c.id()))
                .willReturn(json("""
                        {"id":"%s","object":"setup_intent","application":null,"automatic_payment_methods":null,
                         "cancellation_reason":null,"client_secret":"%s_secret_RtAq7Kx","created":1764547200,
                         "customer":"cus_x","description":null,"flow_directions":null,"last_setup_error":null,
                         "latest_attempt":null,"livemode":false,"mandate":null,"metadata":{"userId":"%s"},
                         "next_action":null,"on_behalf_of":null,"payment_method":null,
                         "payment_method_options":{"card":{"mandate_options":null,"network":null,
                           "request_three_d_secure":"automatic"}},"payment_method_types":["card"],
                         "single_use_mandate":null,"status":"requires_payment_method","usage":"off_session"}"""
                        .formatted(seti, seti, c.id()))));
        Response started = call("POST", "/api/billing/payment-methods", c.token(), null);
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        assertThat(started.body().get("setupIntentId").asString()).isEqualTo(seti);
        assertThat(started.body().get("clientSecret").asString()).isEqualTo(seti + "_secret_RtAq7Kx");
        assertThat(started.body().get("publishableKey").asString()).isEqualTo(StripeStub.PUBLISHABLE_KEY);
        String customer = stripeCustomer(c.id());
        STRIPE.verify(postRequestedFor(urlEqualTo("/v1/setup_intents"))
                .withRequestBody(containing("customer=" + customer))
                .withRequestBody(containing("usage=off_session")));
        return customer;
    }

    @Test
    void aCardIsSavedListedMadeDefaultAndRemoved() {
        Customer c = customer();
        // Never paid by card: an empty list, and no Stripe customer is made for it.
        Response empty = call("GET", "/api/billing/payment-methods", c.token(), null);
        assertThat(empty.status()).as(empty.toString()).isEqualTo(200);
        assertThat(empty.body().get("paymentMethods")).isEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM billing_stripe_customers WHERE user_id = ?").param(c.id())
                .query(Long.class).single()).isZero();

        String customer = startSetup(c);
        // Stripe.js confirmed the SetupIntent: the card is attached to the customer already.
        String visa = StripeStub.newId("pm_1Visa");
        stubCard(visa, card(visa, customer, "visa", "4242", 8, 2030));
        stubCustomer(customer, null);
        Response added = call("POST", "/api/billing/payment-methods", c.token(), Map.of("paymentMethodId", visa));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        assertThat(added.body().at("/paymentMethod/isDefault").asBoolean()).as("the first card is the default").isTrue();
        STRIPE.verify(postRequestedFor(urlPathEqualTo("/v1/customers/" + customer))
                .withRequestBody(containing("invoice_settings[default_payment_method]=" + visa)));
        STRIPE.verify(0, postRequestedFor(urlPathEqualTo("/v1/payment_methods/" + visa + "/attach")));

        // A card made with Stripe.js and not attached yet is attached now.
        String master = StripeStub.newId("pm_1Master");
        stubCard(master, card(master, null, "mastercard", "4444", 1, 2031));
        STRIPE.stubFor(post(urlPathEqualTo("/v1/payment_methods/" + master + "/attach"))
                .willReturn(json(card(master, customer, "mastercard", "4444", 1, 2031))));
        stubCustomer(customer, visa);
        Response second = call("POST", "/api/billing/payment-methods", c.token(), Map.of("paymentMethodId", master));
        assertThat(second.status()).as(second.toString()).isEqualTo(201);
        assertThat(second.body().at("/paymentMethod/isDefault").asBoolean()).isFalse();
        stubCard(master, card(master, customer, "mastercard", "4444", 1, 2031)); // Stripe has it attached now
        STRIPE.verify(postRequestedFor(urlPathEqualTo("/v1/payment_methods/" + master + "/attach"))
                .withRequestBody(containing("customer=" + customer)));

        stubCards(customer, card(master, customer, "mastercard", "4444", 1, 2031), card(visa, customer, "visa", "4242", 8, 2030));
        Response list = call("GET", "/api/billing/payment-methods", c.token(), null);
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        JsonNode methods = list.body().get("paymentMethods");
        assertThat(methods).hasSize(2);
        assertThat(methods.get(0).toString()).isEqualTo("""
                {"id":"%s","type":"card","brand":"mastercard","last4":"4444","expMonth":1,"expYear":2031,\
                "isDefault":false}""".formatted(master));
        assertThat(methods.get(1).get("isDefault").asBoolean()).isTrue();
        assertThat(list.body().toString()).doesNotContain("fingerprint", "Xt5EWLLDS7FJjR1c", "checks");

        Response made = call("PUT", "/api/billing/payment-methods/" + master + "/default", c.token(), null);
        assertThat(made.status()).as(made.toString()).isEqualTo(200);
        assertThat(made.body().at("/paymentMethod/isDefault").asBoolean()).isTrue();
        STRIPE.verify(postRequestedFor(urlPathEqualTo("/v1/customers/" + customer))
                .withRequestBody(containing("invoice_settings[default_payment_method]=" + master)));

        // Now the Visa is not the default: it goes.
        stubCustomer(customer, master);
        STRIPE.stubFor(post(urlPathEqualTo("/v1/payment_methods/" + visa + "/detach"))
                .willReturn(json(card(visa, null, "visa", "4242", 8, 2030))));
        Response removed = call("DELETE", "/api/billing/payment-methods/" + visa, c.token(), null);
        assertThat(removed.status()).as(removed.toString()).isEqualTo(204);
        STRIPE.verify(1, postRequestedFor(urlPathEqualTo("/v1/payment_methods/" + visa + "/detach")));

        Response malformed = call("DELETE", "/api/billing/payment-methods/not-a-card", c.token(), null);
        assertThat(malformed.status()).as(malformed.toString()).isEqualTo(400);
        assertThat(malformed.body().at("/error/field").asString()).isEqualTo("id");
        Response badBody = call("POST", "/api/billing/payment-methods", c.token(), Map.of("paymentMethodId", "4242424242424242"));
        assertThat(badBody.status()).as(badBody.toString()).isEqualTo(400);
        assertThat(badBody.body().at("/error/field").asString()).isEqualTo("paymentMethodId");
    }

    @Test
    void theCardAnAutoTopUpOrASubscriptionIsChargedToIsNotRemoved() {
        Customer c = customer();
        String customer = startSetup(c);
        String visa = StripeStub.newId("pm_1Visa");
        String amex = StripeStub.newId("pm_1Amex");
        stubCard(visa, card(visa, customer, "visa", "4242", 8, 2030));
        stubCard(amex, card(amex, customer, "amex", "0005", 3, 2029));
        stubCustomer(customer, visa);
        stubCards(customer, card(amex, customer, "amex", "0005", 3, 2029), card(visa, customer, "visa", "4242", 8, 2030));
        Response saved = call("PUT", "/api/billing/auto-top-up", c.token(),
                Map.of("enabled", true, "thresholdUsd", 5, "packageId", "credits-10", "maxPerMonth", 2));
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);

        Response refused = call("DELETE", "/api/billing/payment-methods/" + visa, c.token(), null);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.body().at("/error/code").asString()).isEqualTo("payment_method_in_use");
        assertThat(refused.body().at("/error/message").asString()).contains("visa ending in 4242", "auto top-up",
                "make another card the default");
        STRIPE.verify(0, postRequestedFor(urlPathEqualTo("/v1/payment_methods/" + visa + "/detach")));

        // The other card is not charged: it can go.
        STRIPE.stubFor(post(urlPathEqualTo("/v1/payment_methods/" + amex + "/detach"))
                .willReturn(json(card(amex, null, "amex", "0005", 3, 2029))));
        assertThat(call("DELETE", "/api/billing/payment-methods/" + amex, c.token(), null).status()).isEqualTo(204);

        // Auto top-up off, but a live card subscription: still refused, saying so.
        assertThat(call("PUT", "/api/billing/auto-top-up", c.token(), Map.of("enabled", false)).status()).isEqualTo(200);
        jdbc.sql("""
                INSERT INTO billing_stripe_subscriptions (subscription_id, user_id, plan_id, status, last_event_at)
                VALUES (?, ?, 'starter', 'active', now())""").param(StripeStub.newId("sub_1")).param(c.id()).update();
        Response bySubscription = call("DELETE", "/api/billing/payment-methods/" + visa, c.token(), null);
        assertThat(bySubscription.status()).as(bySubscription.toString()).isEqualTo(409);
        assertThat(bySubscription.body().at("/error/message").asString()).contains("starter card subscription");
        STRIPE.verify(0, postRequestedFor(urlPathEqualTo("/v1/payment_methods/" + visa + "/detach")));
    }

    @Test
    void anotherCustomersCardIs404AndNothingIsSentToStripeToChangeIt() {
        Customer a = customer();
        String customerA = startSetup(a);
        String cardOfA = StripeStub.newId("pm_1OfA");
        stubCard(cardOfA, card(cardOfA, customerA, "visa", "1881", 5, 2032));
        stubCustomer(customerA, cardOfA);

        Customer b = customer();
        // B without a Stripe customer, then with one: A's card is unknown to B either way.
        for (int round = 0; round < 2; round++) {
            if (round == 1) {
                String customerB = startSetup(b);
                stubCustomer(customerB, null);
                stubCards(customerB);
            }
            Response delete = call("DELETE", "/api/billing/payment-methods/" + cardOfA, b.token(), null);
            assertThat(delete.status()).as(delete.toString()).isEqualTo(404);
            assertThat(delete.body().at("/error/code").asString()).isEqualTo("payment_method_not_found");
            Response makeDefault = call("PUT", "/api/billing/payment-methods/" + cardOfA + "/default", b.token(), null);
            assertThat(makeDefault.status()).as(makeDefault.toString()).isEqualTo(404);
        }
        Response adopt = call("POST", "/api/billing/payment-methods", b.token(), Map.of("paymentMethodId", cardOfA));
        assertThat(adopt.status()).as(adopt.toString()).isEqualTo(404);
        assertThat(adopt.body().toString()).doesNotContain(customerA);
        STRIPE.verify(0, anyRequestedFor(urlPathMatching("/v1/payment_methods/" + cardOfA + "/.*")));
        STRIPE.verify(0, postRequestedFor(urlPathEqualTo("/v1/customers/" + customerA)));
    }
}
