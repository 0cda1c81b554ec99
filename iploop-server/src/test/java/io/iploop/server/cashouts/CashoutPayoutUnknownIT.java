package io.iploop.server.cashouts;

import static io.iploop.server.testing.Api.*;
import static io.iploop.server.testing.Mailbox.*;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import static io.iploop.server.testing.CashoutFixtures.*;
import io.iploop.server.testing.CashoutFixtures.Operator;
import io.iploop.server.testing.PayPalStub;
import org.junit.jupiter.api.extension.ExtendWith;
import static io.iploop.server.testing.PayPalStub.PAYPAL;
import tools.jackson.databind.json.JsonMapper;
import io.iploop.server.ledger.LedgerService;
import org.springframework.beans.factory.annotation.Autowired;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.ledger.AccountPurpose;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A PayPal payout whose outcome nobody knows (PayPal accepted the batch, then answers 404 for it;
 * or times out past the retry limit) moves to {@code payout_unknown} and keeps its credits reserved
 * however often the payout job runs; only an admin resolves it, to paid or failed, each with one
 * ledger transaction (docs/earn-fraud.md).
 */
@PlatformTest
@ExtendWith(PayPalStub.class)
class CashoutPayoutUnknownIT {
    @Autowired
    JsonMapper json;

    @Autowired
    LedgerService ledger;


    private static String batchId(String cashoutId) {
        return "U" + cashoutId.replace("-", "").substring(0, 12).toUpperCase(Locale.ROOT);
    }

    /** PayPal accepts the payout as a new batch, then has never heard of that batch. */
    private static void acceptedThenLost(String cashoutId) {
        String batch = batchId(cashoutId);
        PAYPAL.stubFor(post(urlEqualTo("/v1/payments/payouts"))
                .withRequestBody(matchingJsonPath("$.sender_batch_header.sender_batch_id",
                        equalTo("cashout:" + cashoutId + ":payout")))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("""
                        {"batch_header":{"payout_batch_id":"%s","batch_status":"PENDING",
                          "sender_batch_header":{"sender_batch_id":"cashout:%s:payout"}}}""".formatted(batch, cashoutId))));
        PAYPAL.stubFor(get(urlEqualTo("/v1/payments/payouts/" + batch)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"name\":\"RESOURCE_NOT_FOUND\",\"message\":\"The specified resource does not exist.\"}")));
    }

    private String unknownCashout(Operator op, String admin, String email) {
        credit(op.id(), 10_000);
        String id = requestAndConfirm(op, paypal("6.00", email), 1).get("id").asString();
        assertThat(call("POST", "/api/admin/cashouts/" + id + "/approve", admin, Map.of()).status()).isEqualTo(200);
        acceptedThenLost(id);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            runJob(admin, "cashout-payouts");
            return cashout(op, id).get("status").asString().equals("payout_unknown");
        });
        return id;
    }

    @Test
    void anUnknownPayoutKeepsItsReservationUntilAnAdminResolvesIt() {
        Operator op = operator();
        String admin = adminToken();
        String id = unknownCashout(op, admin, "lost@example.com");
        assertBalances(op, 4_000, 6_000);

        // The job runs on and on: nothing releases the credits behind the admin's back.
        for (int i = 0; i < 3; i++) {
            runJob(admin, "cashout-payouts");
        }
        JsonNode c = cashout(op, id);
        assertThat(c.get("status").asString()).isEqualTo("payout_unknown");
        assertThat(c.get("lastError").asString()).contains("404");
        assertBalances(op, 4_000, 6_000);
        // Listed for admins; neither the user nor the manual completion can move it.
        assertThat(call("GET", "/api/admin/cashouts?status=payout_unknown", admin, null).body().get("cashouts").toString())
                .contains(id);
        assertThat(call("DELETE", "/api/earn/cashout/" + id, op.token(), null).status()).isEqualTo(409);
        assertThat(call("POST", "/api/admin/cashouts/" + id + "/resolve", op.token(),
                Map.of("outcome", "failed")).status()).isEqualTo(403);
        assertThat(call("POST", "/api/admin/cashouts/" + id + "/resolve", admin, Map.of("outcome", "paid")).status())
                .as("paid needs the provider's transaction id").isEqualTo(400);
        assertBalances(op, 4_000, 6_000);

        // The admin checked PayPal: it was never paid. One release, audited.
        Response failed = call("POST", "/api/admin/cashouts/" + id + "/resolve", admin,
                Map.of("outcome", "failed", "note", "PayPal support: batch never created"));
        assertThat(failed.status()).as(failed.body().toString()).isEqualTo(200);
        assertThat(failed.body().get("status").asString()).isEqualTo("failed");
        assertBalances(op, 10_000, 0);
        assertThat(call("POST", "/api/admin/cashouts/" + id + "/resolve", admin, Map.of("outcome", "failed")).status())
                .as("resolved once").isEqualTo(409);
        assertBalances(op, 10_000, 0);
        JsonNode audit = call("GET", "/api/audit-logs?action=cashout_payout_resolved&limit=50", admin, null).body();
        assertThat(audit.toString()).contains(id);
    }

    @Test
    void anAdminWhoFindsTheUnknownPayoutPaidCompletesItOnce() {
        Operator op = operator();
        String admin = adminToken();
        String id = unknownCashout(op, admin, "paid-after-all@example.com");
        long paidBefore = paidOut();
        Response paid = call("POST", "/api/admin/cashouts/" + id + "/resolve", admin,
                Map.of("outcome", "paid", "transactionId", "9TXUNKNOWN0001"));
        assertThat(paid.status()).as(paid.body().toString()).isEqualTo(200);
        assertThat(paid.body().get("status").asString()).isEqualTo("completed");
        assertThat(paid.body().get("transactionId").asString()).isEqualTo("9TXUNKNOWN0001");
        assertBalances(op, 4_000, 0);
        assertThat(paidOut() - paidBefore).isEqualTo(6_000);
        assertThat(ledger.account(op.id(), AccountPurpose.CASHOUT_RESERVED).credits()).isZero();
    }
}
