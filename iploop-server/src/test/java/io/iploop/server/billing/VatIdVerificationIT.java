package io.iploop.server.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.VatPlatformTest;
import io.iploop.server.testing.ViesStub;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The VIES check of EU VAT ids (docs/billing.md#vies) on a platform whose seller is registered for
 * VAT in Germany, against a local stand-in of the EC's VIES REST service: an id VIES confirms gives
 * reverse charge and its name and consultation number are kept; an id VIES does not know is charged
 * VAT with a note saying why; when VIES is unavailable the customer is told, VAT is charged, and the
 * recheck job gives reverse charge once VIES confirms the id.
 */
@VatPlatformTest
class VatIdVerificationIT {

    private static String customer() {
        return token(registerCustomer());
    }

    private static Response save(String token, String country, String vatId) {
        return call("PUT", "/api/billing/details", token, Map.of("country", country, "vatId", vatId,
                "company", "Acme " + country, "address", "Rue 1"));
    }

    private static JsonNode topUp(String token) {
        Response r = call("POST", "/api/billing/top-ups", token, Map.of("packageId", "credits-10"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.body().get("invoice");
    }

    @Test
    void aVatIdViesConfirmsGivesReverseChargeAndItsConsultationNumberIsKept() {
        String c = customer();
        ViesStub.valid("FR", "40303265045", "SA ACME FRANCE", "WAPIAAAAZ5vIGXQr");
        Response saved = save(c, "FR", "FR 40 303 265 045");
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
        assertThat(saved.body().at("/vies/status").asString()).isEqualTo("valid");
        assertThat(saved.body().at("/vies/name").asString()).isEqualTo("SA ACME FRANCE");
        assertThat(saved.body().at("/vies/consultationNumber").asString()).isEqualTo("WAPIAAAAZ5vIGXQr");
        assertThat(saved.body().at("/vies/checkedAt").isNull()).isFalse();
        // The seller's own VAT id is sent as requester, which is what makes VIES give a consultation number.
        ViesStub.VIES.verify(postRequestedFor(urlEqualTo("/check-vat-number")).withRequestBody(equalToJson("""
                {"countryCode":"FR","vatNumber":"40303265045","requesterMemberStateCode":"DE",
                 "requesterNumber":"123456789"}""")));
        assertThat(call("GET", "/api/billing/details", c, null).body().at("/vies/status").asString()).isEqualTo("valid");

        JsonNode invoice = topUp(c);
        assertThat(invoice.get("taxCents").asLong()).isZero();
        assertThat(invoice.get("taxNote").asString()).isEqualTo("VAT reverse charge, Art. 196 Directive 2006/112/EC");
    }

    @Test
    void aVatIdViesDoesNotKnowIsChargedVat() {
        String c = customer();
        ViesStub.invalid("FR", "83404833048");
        Response saved = save(c, "FR", "FR83404833048");
        assertThat(saved.status()).as("the details are saved; VIES only decides the tax").isEqualTo(200);
        assertThat(saved.body().at("/vies/status").asString()).isEqualTo("invalid");
        assertThat(saved.body().at("/vies/message").asString()).contains("VIES does not know");
        JsonNode invoice = topUp(c);
        assertThat(invoice.get("taxCents").asLong()).isEqualTo(190);
        assertThat(invoice.get("taxNote").asString()).contains("FR83404833048", "not confirmed by VIES (invalid)");
        // A bad format is still a 400 naming the field, and VIES is not asked.
        Response bad = save(c, "FR", "FR123");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().at("/error/field").asString()).isEqualTo("vatId");
        ViesStub.VIES.verify(0, postRequestedFor(urlEqualTo("/check-vat-number"))
                .withRequestBody(equalToJson("{\"vatNumber\":\"123\"}", true, true)));
    }

    @Test
    void whenViesIsUnavailableVatIsChargedUntilTheRecheckConfirmsTheId() {
        String c = customer();
        ViesStub.unavailable("NL", "123456789B01");
        Response saved = save(c, "NL", "NL123456789B01");
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
        assertThat(saved.body().at("/vies/status").asString()).isEqualTo("unavailable");
        assertThat(saved.body().at("/vies/message").asString()).contains("MS_UNAVAILABLE", "VAT is charged until");
        JsonNode taxed = topUp(c);
        assertThat(taxed.get("taxCents").asLong()).isEqualTo(190);
        assertThat(taxed.get("taxNote").asString()).contains("not confirmed by VIES (unavailable)");

        // VIES is back: the recheck job confirms the id; new invoices get reverse charge, issued ones stay.
        ViesStub.valid("NL", "123456789B01", "ACME B.V.", "WAPIAAAAZ6NL");
        Response run = call("POST", "/api/admin/jobs/billing-vies-recheck/run", adminToken(), null);
        assertThat(run.status()).as(run.toString()).isEqualTo(200);
        JsonNode details = call("GET", "/api/billing/details", c, null).body();
        assertThat(details.at("/vies/status").asString()).as(details.toString()).isEqualTo("valid");
        assertThat(details.at("/vies/consultationNumber").asString()).isEqualTo("WAPIAAAAZ6NL");
        assertThat(topUp(c).get("taxCents").asLong()).isZero();
        assertThat(call("GET", "/api/billing/invoices", c, null).body().at("/invoices/1/taxCents").asLong())
                .isEqualTo(190);
    }

    @Test
    void outsideTheEuThereIsNoViesCheck() {
        String c = customer();
        Response saved = save(c, "CH", "CHE123456789");
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
        assertThat(saved.body().get("vies").isNull()).isTrue();
        assertThat(topUp(c).get("taxCents").asLong()).isZero();
    }
}
