package io.iploop.server.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Stripe stand-in: a local WireMock server answering as Stripe documents {@code POST /v1/customers},
 * {@code /v1/checkout/sessions} and {@code /v1/billing_portal/sessions}, for the whole test JVM
 * ({@link SharedPlatform} points the platform's Stripe API base at it), plus {@link #sign} to sign
 * webhook payloads as Stripe does.
 */
public final class StripeStub implements BeforeEachCallback {

    /** The secret key the shared platform is configured with. */
    public static final String SECRET_KEY = "sk_test_iploop";
    /** The publishable key the shared platform hands to Stripe.js with a SetupIntent. */
    public static final String PUBLISHABLE_KEY = "pk_test_iploop";
    /** The webhook signing secret the shared platform is configured with. */
    public static final String WEBHOOK_SECRET = "whsec_test_iploop";
    /** The Stripe price of the Starter plan, monthly, in the shared platform's configuration. */
    public static final String STARTER_PRICE = "price_1StarterMonthly";
    /** The Stripe price of the Business plan, monthly (plan changes by card). */
    public static final String BUSINESS_PRICE = "price_1BusinessMonthly";
    /** The path of the Checkout page the stand-in's sessions link to. */
    public static final String CHECKOUT_PATH = "/c/pay/cs_test_a1b2c3";
    /** The stand-in. */
    public static final WireMockServer STRIPE = new WireMockServer(WireMockConfiguration.options().dynamicPort()
            .bindAddress("127.0.0.1"));

    static {
        STRIPE.start();
    }

    /** The Checkout page's URL on the stand-in. */
    public static final String CHECKOUT_PAGE = STRIPE.baseUrl() + CHECKOUT_PATH;

    @Override
    public void beforeEach(ExtensionContext context) {
        // A new customer id per test: each test's account gets a customer of its own.
        String customerId = "cus_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 14);
        STRIPE.stubFor(post(urlEqualTo("/v1/customers")).withHeader("Authorization", equalTo("Bearer " + SECRET_KEY))
                .willReturn(json("""
                        {"id":"%s","object":"customer","balance":0,
                         "created":1764547200,"currency":null,"email":"customer@example.com",
                         "livemode":false,"metadata":{},"name":null}""".formatted(customerId))));
        STRIPE.stubFor(post(urlEqualTo("/v1/checkout/sessions")).withHeader("Authorization", equalTo("Bearer " + SECRET_KEY))
                .willReturn(json("""
                        {"id":"cs_test_a1b2c3","object":"checkout.session",
                         "amount_total":null,"currency":"usd","livemode":false,"mode":"payment","payment_status":"unpaid",
                         "status":"open","url":"%s","metadata":{}}""".formatted(CHECKOUT_PAGE))));
        // Where Checkout's url leads in tests (Stripe's page is https://checkout.stripe.com/c/pay/…).
        STRIPE.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo(CHECKOUT_PATH))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/html; charset=utf-8")
                        .withBody("<!DOCTYPE html><html lang=\"en\"><head><title>Stripe Checkout (stand-in)</title>"
                                + "</head><body><h1>Pay IPLoop</h1></body></html>")));
        STRIPE.stubFor(post(urlEqualTo("/v1/billing_portal/sessions")).withHeader("Authorization", equalTo("Bearer " + SECRET_KEY))
                .willReturn(json("""
                        {"id":"bps_1Portal","object":"billing_portal.session","configuration":"bpc_1Conf",
                         "created":1764547200,"customer":"cus_x","livemode":false,"locale":null,
                         "return_url":"http://dashboard.test/billing",
                         "url":"https://billing.stripe.com/p/session/test_YWNjdF8x"}""")));
    }

    /** A card payment method as Stripe returns it ({@code GET /v1/payment_methods/{id}}), attached to {@code customer} or none. */
    public static String card(String id, @org.jspecify.annotations.Nullable String customer, String brand, String last4,
            int month, int year) {
        return """
                {"id":"%s","object":"payment_method","allow_redisplay":"unspecified",
                 "billing_details":{"address":{"city":null,"country":null,"line1":null,"line2":null,
                   "postal_code":null,"state":null},"email":null,"name":null,"phone":null},
                 "card":{"brand":"%s","checks":{"address_line1_check":null,"address_postal_code_check":null,
                   "cvc_check":"pass"},"country":"US","display_brand":"%s","exp_month":%d,"exp_year":%d,
                   "fingerprint":"Xt5EWLLDS7FJjR1c","funding":"credit","generated_from":null,"last4":"%s",
                   "networks":{"available":["%s"],"preferred":null},"three_d_secure_usage":{"supported":true},
                   "wallet":null},
                 "created":1764547200,"customer":%s,"livemode":false,"metadata":{},"type":"card"}"""
                .formatted(id, brand, brand, month, year, last4, brand,
                        customer == null ? "null" : "\"" + customer + "\"");
    }

    /** Serves {@code card} (from {@link #card}) at {@code GET /v1/payment_methods/{id}}. */
    public static void stubCard(String id, String card) {
        STRIPE.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/v1/payment_methods/" + id)).willReturn(json(card)));
    }

    /**
     * Serves the customer (retrieve and update) with {@code defaultMethod} as its
     * {@code invoice_settings.default_payment_method}.
     */
    public static void stubCustomer(String customer, @org.jspecify.annotations.Nullable String defaultMethod) {
        String body = """
                {"id":"%s","object":"customer","balance":0,"created":1764547200,"currency":"usd",
                 "email":"customer@example.com","livemode":false,"metadata":{},"name":null,
                 "invoice_settings":{"custom_fields":null,"default_payment_method":%s,"footer":null,
                   "rendering_options":null}}""".formatted(customer,
                defaultMethod == null ? "null" : "\"" + defaultMethod + "\"");
        STRIPE.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/v1/customers/" + customer)).willReturn(json(body)));
        STRIPE.stubFor(post(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/v1/customers/" + customer))
                .willReturn(json(body)));
    }

    /** Serves the customer's saved payment methods ({@code GET /v1/customers/{id}/payment_methods}), newest first. */
    public static void stubCards(String customer, String... cards) {
        STRIPE.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/v1/customers/" + customer + "/payment_methods"))
                .willReturn(json("""
                        {"object":"list","data":[%s],"has_more":false,"url":"/v1/customers/%s/payment_methods"}"""
                        .formatted(String.join(",", cards), customer))));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("Request-Id", "req_test").withBody(body);
    }

    /** The {@code Stripe-Signature} header Stripe would send for {@code payload} at {@code epochSeconds}. */
    public static String sign(String payload, long epochSeconds, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] v1 = mac.doFinal((epochSeconds + "." + payload).getBytes(StandardCharsets.UTF_8));
            return "t=" + epochSeconds + ",v1=" + HexFormat.of().formatHex(v1);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * POSTs {@code payload} to the server's Stripe webhook endpoint with the given
     * {@code Stripe-Signature} header; the answer as received.
     */
    public static HttpResponse<String> postWebhook(String payload, String signature) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + Api.port() + "/api/billing/webhooks/stripe"))
                    .header("Stripe-Signature", signature).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(payload)).build();
            return Api.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #postWebhook} signed now with {@link #WEBHOOK_SECRET}, as Stripe delivers an event. */
    public static HttpResponse<String> deliverWebhook(String payload) {
        return postWebhook(payload, sign(payload, Instant.now().getEpochSecond(), WEBHOOK_SECRET));
    }

    /** A Stripe event envelope of {@code type} around the JSON {@code object}, created now. */
    public static String webhookEvent(String id, String type, String object) {
        return """
                {"id":"%s","object":"event","api_version":"2026-07-29.dahlia","created":%d,"livemode":false,
                 "pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"%s",
                 "data":{"object":%s}}""".formatted(id, Instant.now().getEpochSecond(), type, object);
    }

    /** A new unique event id ({@code evt_…}). */
    public static String newEventId() {
        return "evt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    /** A new unique Stripe object id with {@code prefix} (e.g. {@code cus_}). */
    public static String newId(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }
}
