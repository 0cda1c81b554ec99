package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.textOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.ServerTest;
import io.iploop.server.testing.SharedPlatform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Payment methods on an installation without Stripe, the manual (bank transfer) provider of the
 * embedded default (docs/billing.md#payment-methods): every payment-method route answers 409
 * {@code payment_methods_unavailable} saying bank transfer is in use, no plan is offered by card, and
 * the billing page says so instead of offering to add a card.
 *
 * <p>Its own server (own data directory), because the shared platform has the Stripe stand-in configured.
 */
@ServerTest
@BrowserTest
class PaymentMethodsManualIT {

    @DynamicPropertySource
    static void withoutStripe(DynamicPropertyRegistry r) {
        try {
            SharedPlatform.embeddedServer(r, Files.createTempDirectory("iploop-it-manual-payments-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        r.add("iploop.mail.smtp-host", () -> "");
    }

    // set by @BrowserTest
    ChromeDriver driver;

    @Test
    void theRoutesAnswer409AndThePageSaysBankTransferIsInUse() {
        JsonNode customer = signInNewCustomer();
        String token = customer.get("token").asString();
        for (String[] route : new String[][] {{"GET", "/api/billing/payment-methods"}, {"POST", "/api/billing/payment-methods"},
                {"DELETE", "/api/billing/payment-methods/pm_1Anything"},
                {"PUT", "/api/billing/payment-methods/pm_1Anything/default"}}) {
            Response r = call(route[0], route[1], token, route[0].equals("POST") ? Map.of() : null);
            assertThat(r.status()).as(route[0] + " " + route[1] + ": " + r).isEqualTo(409);
            assertThat(r.body().at("/error/code").asString()).isEqualTo("payment_methods_unavailable");
            assertThat(r.body().at("/error/message").asString()).contains("bank transfer");
        }
        for (JsonNode p : call("GET", "/api/billing/plans", token, null).body().get("plans")) {
            assertThat(p.get("cardMonthly").asBoolean()).as(p.toString()).isFalse();
        }

        open("/billing");
        assertThat(textOf("payment-methods-unavailable")).contains("card payments are not configured", "bank transfer");
        assertThat(driver.findElements(By.cssSelector("[data-test='payment-method-add']"))).isEmpty();
        assertThat(textOf("payment-instructions")).contains("Bank transfer (manual provider)");
        assertAccessible("billing-manual-payment-methods");
    }
}
