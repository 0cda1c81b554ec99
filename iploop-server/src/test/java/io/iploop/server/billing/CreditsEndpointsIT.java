package io.iploop.server.billing;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The billing endpoint names of docs/billing.md#credits-api that are aliases or views of existing
 * services: {@code GET /api/billing/credits/balance} answers as {@code GET /api/credits/balance},
 * {@code POST /api/credits/purchase} as {@code POST /api/billing/credits/purchase}, the credit ledger
 * lines newest first and paged, the hourly targeting rates with what the balance pays for, and the
 * plans on sale with their prices.
 */
@PlatformTest
class CreditsEndpointsIT {

    private static String buy(String token, String path, String packageId) {
        Response bought = call("POST", path, token, Map.of("packageId", packageId));
        assertThat(bought.status()).as(bought.toString()).isEqualTo(201);
        assertThat(bought.body().at("/paymentInstructions/iban").isMissingNode()).isFalse();
        String id = bought.body().at("/invoice/id").asString();
        Response paid = call("POST", "/api/admin/billing/invoices/" + id + "/mark-paid", adminToken(),
                Map.of("paymentReference", "SEPA-" + packageId));
        assertThat(paid.status()).as(paid.toString()).isEqualTo(200);
        return id;
    }

    @Test
    void purchaseBalanceTransactionsAndFeaturesUnderTheirOtherNames() {
        JsonNode login = registerCustomer();
        String t = token(login);
        Response none = call("GET", "/api/credits/transactions", t, null);
        assertThat(none.status()).as(none.toString()).isEqualTo(200);
        assertThat(none.body().get("lines")).isEmpty();
        assertThat(none.body().get("total").asLong()).isZero();
        JsonNode poor = call("GET", "/api/credits/features", t, null).body();
        assertThat(feature(poor, "city").get("ratePerHourUsd").decimalValue()).isEqualByComparingTo("0.75");
        assertThat(feature(poor, "city").get("available").asBoolean()).isFalse();

        buy(t, "/api/credits/purchase", "credits-25");
        Response gb = call("POST", "/api/credits/purchase", t, Map.of("packageId", "gb-5"));
        assertThat(gb.status()).as("a GB package is not a credit package").isEqualTo(400);
        assertThat(gb.body().at("/error/field").asString()).isEqualTo("packageId");
        buy(t, "/api/billing/credits/purchase", "credits-5");

        JsonNode balance = call("GET", "/api/billing/credits/balance", t, null).body();
        assertThat(balance.get("balanceUsd").decimalValue()).isEqualByComparingTo("32");
        assertThat(balance).isEqualTo(call("GET", "/api/credits/balance", t, null).body());

        JsonNode all = call("GET", "/api/credits/transactions?limit=100", t, null).body();
        List<BigDecimal> after = new ArrayList<>();
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode line : all.get("lines")) {
            after.add(line.get("balanceAfter").decimalValue());
            sum = sum.add(line.get("amount").decimalValue());
        }
        assertThat(sum).isEqualByComparingTo("32");
        assertThat(after.getFirst()).as("newest first").isEqualByComparingTo("32");
        assertThat(after.getLast()).as("oldest last").isLessThanOrEqualTo(new BigDecimal("27"));
        long total = all.get("total").asLong();
        assertThat(total).isEqualTo(all.get("lines").size());
        JsonNode second = call("GET", "/api/credits/transactions?page=2&limit=1", t, null).body();
        assertThat(second.get("lines")).hasSize(1);
        assertThat(second.at("/lines/0/entryId").asLong()).isEqualTo(all.at("/lines/1/entryId").asLong());
        Response badLimit = call("GET", "/api/credits/transactions?limit=0", t, null);
        assertThat(badLimit.status()).isEqualTo(400);
        assertThat(badLimit.body().at("/error/field").asString()).isEqualTo("limit");

        JsonNode features = call("GET", "/api/credits/features", t, null).body();
        assertThat(features.get("creditBalanceUsd").decimalValue()).isEqualByComparingTo("32");
        assertThat(feature(features, "country").get("ratePerHourUsd").decimalValue()).isEqualByComparingTo("0.50");
        assertThat(feature(features, "country").get("includedInPlan").asBoolean()).isTrue();
        assertThat(feature(features, "state").get("ratePerHourUsd").decimalValue()).isEqualByComparingTo("0.85");
        assertThat(feature(features, "isp").get("ratePerHourUsd").decimalValue()).isEqualByComparingTo("1.00");
        assertThat(feature(features, "isp").get("ratePerMinuteUsd").decimalValue()).isEqualByComparingTo("0.016667");
        assertThat(feature(features, "city").get("available").asBoolean()).isTrue();
    }

    private static JsonNode feature(JsonNode body, String name) {
        for (JsonNode f : body.get("features")) {
            if (f.get("feature").asString().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no feature " + name + " in " + body);
    }

    @Test
    void thePlansOnSaleWithTheirPricesAndWhetherACardCanPay() {
        JsonNode login = registerCustomer();
        Response r = call("GET", "/api/billing/plans", token(login), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (JsonNode p : r.body().get("plans")) {
            ids.add(p.at("/plan/id").asString());
            if (p.at("/plan/id").asString().equals("starter")) {
                assertThat(p.get("cardMonthly").asBoolean()).as("a Stripe price is configured").isTrue();
                assertThat(p.get("cardYearly").asBoolean()).isFalse();
                assertThat(p.at("/plan/priceMonthly/amount").decimalValue()).isPositive();
            }
        }
        assertThat(ids).contains("starter").doesNotContain("trial", "enterprise");
        Response anonymous = call("GET", "/api/billing/plans", null, null);
        assertThat(anonymous.status()).isEqualTo(401);
    }
}
