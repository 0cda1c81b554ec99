package io.iploop.server.web;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertCss;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static io.iploop.server.testing.StripeStub.STRIPE;
import static io.iploop.server.testing.StripeStub.card;
import static io.iploop.server.testing.StripeStub.stubCard;
import static io.iploop.server.testing.StripeStub.stubCards;
import static io.iploop.server.testing.StripeStub.stubCustomer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.server.testing.Browser;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.StripeStub;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The billing page's "Payment methods" (docs/billing.md#payment-methods) in a real browser, with the
 * Stripe stand-in configured: "Add card" sends the browser to Stripe's hosted page in setup mode, the
 * way back makes the saved card the default, the cards are listed by brand, last 4 digits and expiry,
 * another is made the default, the card the auto top-up is charged to is refused removal with the
 * reason on the page, and another card is removed after confirming.
 */
@PlatformTest
@BrowserTest
@ExtendWith(StripeStub.class)
class PaymentMethodsPagesIT {

    // set by @BrowserTest
    ChromeDriver driver;

    @Autowired
    JdbcClient jdbc;

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("Request-Id", "req_test").withBody(body);
    }

    private String row(String cardId) {
        return "[data-payment-method-id='" + cardId + "'] ";
    }

    @Test
    void aCustomerAddsACardOnStripesPageThenMakesAnotherDefaultAndRemovesOne() {
        JsonNode customer = signInNewCustomer();
        UUID userId = UUID.fromString(customer.at("/user/id").asString());
        open("/billing");
        assertThat(textOf("payment-methods-empty")).contains("No saved card yet");
        assertAccessible("billing-payment-methods-empty");

        test("payment-method-add").click();
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.getCurrentUrl().equals(StripeStub.CHECKOUT_PAGE));
        String stripeCustomer = jdbc.sql("SELECT customer_id FROM billing_stripe_customers WHERE user_id = ?")
                .param(userId).query(String.class).single();
        STRIPE.verify(postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
                .withRequestBody(containing("mode=setup"))
                .withRequestBody(containing("customer=" + stripeCustomer))
                .withRequestBody(containing("success_url=" + java.net.URLEncoder.encode(
                        "http://dashboard.test/billing/payment-methods/added?session_id={CHECKOUT_SESSION_ID}",
                        java.nio.charset.StandardCharsets.UTF_8))));

        // Stripe's page saved a Visa and sends the browser back (the success URL, with the session's id).
        String session = "cs_test_setup" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String seti = "seti_1" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String visa = "pm_1Visa" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String master = "pm_1Master" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        STRIPE.stubFor(get(urlPathEqualTo("/v1/checkout/sessions/" + session)).willReturn(json("""
                {"id":"%s","object":"checkout.session","customer":"%s","livemode":false,"mode":"setup",
                 "payment_status":"no_payment_required","setup_intent":"%s","status":"complete","url":null,
                 "metadata":{"userId":"%s"}}""".formatted(session, stripeCustomer, seti, userId))));
        STRIPE.stubFor(get(urlPathEqualTo("/v1/setup_intents/" + seti)).willReturn(json("""
                {"id":"%s","object":"setup_intent","client_secret":"%s_secret_x","created":1764547200,
                 "customer":"%s","livemode":false,"metadata":{"userId":"%s"},"payment_method":"%s",
                 "payment_method_types":["card"],"status":"succeeded","usage":"off_session"}"""
                .formatted(seti, seti, stripeCustomer, userId, visa))));
        stubCustomer(stripeCustomer, null);
        stubCards(stripeCustomer, card(visa, stripeCustomer, "visa", "4242", 8, 2030));
        open("/billing/payment-methods/added?session_id=" + session);
        settle();
        assertThat(driver.getCurrentUrl()).contains("/billing?done=card-added");
        assertThat(textOf("card-done")).isEqualTo("Card saved.");
        STRIPE.verify(postRequestedFor(urlPathEqualTo("/v1/customers/" + stripeCustomer))
                .withRequestBody(containing("invoice_settings[default_payment_method]=" + visa)));

        // Two cards now, the Visa the default.
        stubCustomer(stripeCustomer, visa);
        stubCard(visa, card(visa, stripeCustomer, "visa", "4242", 8, 2030));
        stubCard(master, card(master, stripeCustomer, "mastercard", "4444", 1, 2031));
        stubCards(stripeCustomer, card(master, stripeCustomer, "mastercard", "4444", 1, 2031),
                card(visa, stripeCustomer, "visa", "4242", 8, 2030));
        open("/billing");
        assertCss(row(visa) + "[data-test='payment-method-label']", t -> assertThat(t)
                .isEqualTo("Visa ending in 4242, expires 8/2030"));
        assertCss(row(visa) + "[data-test='payment-method-default']", t -> assertThat(t).isEqualTo("Default"));
        assertCss(row(master) + "[data-test='payment-method-label']", t -> assertThat(t)
                .isEqualTo("Mastercard ending in 4444, expires 1/2031"));
        assertThat(driver.findElements(By.cssSelector(row(master) + "[data-test='payment-method-default']"))).isEmpty();
        assertAccessible("billing-payment-methods");
        Browser.screenshots("billing-payment-methods");

        find(row(master) + "[data-test='payment-method-make-default']").click();
        settle();
        assertThat(textOf("card-done")).isEqualTo("Default card changed.");
        STRIPE.verify(postRequestedFor(urlPathEqualTo("/v1/customers/" + stripeCustomer))
                .withRequestBody(containing("invoice_settings[default_payment_method]=" + master)));

        // The Mastercard is the default and the auto top-up is on: removing it is refused, saying why.
        stubCustomer(stripeCustomer, master);
        assertThat(call("PUT", "/api/billing/auto-top-up", customer.get("token").asString(),
                Map.of("enabled", true, "thresholdUsd", 5, "packageId", "credits-10", "maxPerMonth", 2)).status())
                .isEqualTo(200);
        open("/billing");
        find(row(master) + "[data-test='payment-method-remove']").click();
        find(row(master) + "[data-test='payment-method-remove-confirm']").click();
        settle();
        assertThat(textOf("payment-methods-error")).contains("mastercard ending in 4444", "auto top-up",
                "make another card the default first");
        STRIPE.verify(0, postRequestedFor(urlPathEqualTo("/v1/payment_methods/" + master + "/detach")));

        // The Visa is not charged by anything now: removed after confirming.
        STRIPE.stubFor(post(urlPathEqualTo("/v1/payment_methods/" + visa + "/detach"))
                .willReturn(json(card(visa, null, "visa", "4242", 8, 2030))));
        find(row(visa) + "[data-test='payment-method-remove']").click();
        assertCss(row(visa) + "[role='alertdialog']", t -> assertThat(t).contains("Remove this card?"));
        find(row(visa) + "[data-test='payment-method-remove-confirm']").click();
        settle();
        assertThat(textOf("card-done")).isEqualTo("Card removed.");
        STRIPE.verify(1, postRequestedFor(urlPathEqualTo("/v1/payment_methods/" + visa + "/detach")));
    }
}
