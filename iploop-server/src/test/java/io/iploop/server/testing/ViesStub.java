package io.iploop.server.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

/**
 * The stand-in of the EC's VIES REST service ({@code POST /check-vat-number}) for the whole test
 * JVM ({@link SharedPlatform} points the platform at it). By default every VAT id is valid, so other
 * features' tests of reverse charge see a confirmed id; {@link #valid}, {@link #invalid} and
 * {@link #unavailable} answer for one VAT number as VIES documents it.
 */
public final class ViesStub {

    /** The stand-in. */
    public static final WireMockServer VIES = new WireMockServer(WireMockConfiguration.options().dynamicPort()
            .bindAddress("127.0.0.1"));

    static {
        VIES.start();
        VIES.stubFor(post(urlEqualTo("/check-vat-number")).atPriority(10).willReturn(json(200, """
                {"countryCode":"XX","vatNumber":"0","requestDate":"2026-12-06T10:00:00.000Z","valid":true,
                 "requestIdentifier":"","name":"---","address":"---","traderName":"","traderStreet":"",
                 "traderPostalCode":"","traderCity":"","traderCompanyType":"","traderNameMatch":"NOT_PROCESSED",
                 "traderStreetMatch":"NOT_PROCESSED","traderPostalCodeMatch":"NOT_PROCESSED",
                 "traderCityMatch":"NOT_PROCESSED","traderCompanyTypeMatch":"NOT_PROCESSED"}""")));
    }

    private ViesStub() {}

    /** The base URL to configure as {@code iploop.billing.vies.api-base}. */
    public static String baseUrl() {
        return VIES.baseUrl();
    }

    /** VIES confirms {@code country}{@code number} for {@code name}, with a consultation number. */
    public static void valid(String country, String number, String name, String consultation) {
        answer(country, number, json(200, """
                {"countryCode":"%s","vatNumber":"%s","requestDate":"2026-12-06T10:00:00.000Z","valid":true,
                 "requestIdentifier":"%s","name":"%s","address":"Musterstrasse 1\\n10115 Berlin",
                 "traderNameMatch":"NOT_PROCESSED"}""".formatted(country, number, consultation, name)));
    }

    /** VIES does not know {@code country}{@code number}. */
    public static void invalid(String country, String number) {
        answer(country, number, json(200, """
                {"countryCode":"%s","vatNumber":"%s","requestDate":"2026-12-06T10:00:00.000Z","valid":false,
                 "requestIdentifier":"","name":"---","address":"---"}""".formatted(country, number)));
    }

    /** The member state's service does not answer (VIES's {@code MS_UNAVAILABLE}). */
    public static void unavailable(String country, String number) {
        answer(country, number, json(500, """
                {"actionSucceed":false,"errorWrappers":[{"error":"MS_UNAVAILABLE",
                 "message":"The application at the Member State is not replying or not available."}]}"""));
    }

    private static void answer(String country, String number,
            com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder response) {
        VIES.stubFor(post(urlEqualTo("/check-vat-number")).atPriority(1)
                .withRequestBody(equalToJson("{\"countryCode\":\"" + country + "\",\"vatNumber\":\"" + number + "\"}",
                        true, true))
                .willReturn(response));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }
}
