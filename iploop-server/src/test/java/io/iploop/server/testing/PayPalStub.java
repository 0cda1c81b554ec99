package io.iploop.server.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The PayPal stand-in: a local WireMock server for the PayPal REST API (OAuth2 token, Payouts) for
 * the whole test JVM, started when this class is first used. As an extension
 * ({@code @ExtendWith(PayPalStub.class)}) it stubs PayPal's client-credentials answer before each
 * test; the tests stub the Payouts answers they need (see {@code CashoutPayPalIT}).
 */
public final class PayPalStub implements BeforeEachCallback {

    /** The OAuth2 client the shared platform is configured with. */
    public static final String CLIENT_ID = "test-client";
    /** The secret of {@link #CLIENT_ID}. */
    public static final String CLIENT_SECRET = "test-secret";
    /** The stand-in; {@link SharedPlatform} points the platform's PayPal base URL at it. */
    public static final WireMockServer PAYPAL = new WireMockServer(WireMockConfiguration.options().dynamicPort()
            .bindAddress("127.0.0.1"));

    static {
        PAYPAL.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        // PayPal's documented client-credentials answer, for the configured test client only.
        PAYPAL.stubFor(post(urlEqualTo("/v1/oauth2/token"))
                .withBasicAuth(CLIENT_ID, CLIENT_SECRET)
                .withRequestBody(equalTo("grant_type=client_credentials"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                        {"scope":"https://uri.paypal.com/services/payments/payouts","access_token":"A21AAtest",
                         "token_type":"Bearer","app_id":"APP-80W284485P519543T","expires_in":32400,"nonce":"n"}""")));
    }
}
