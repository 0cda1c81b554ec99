package io.iploop.server.cashouts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.CashoutFixtures.assertBalances;
import static io.iploop.server.testing.CashoutFixtures.cashout;
import static io.iploop.server.testing.CashoutFixtures.credit;
import static io.iploop.server.testing.CashoutFixtures.operator;
import static io.iploop.server.testing.CashoutFixtures.paidOut;
import static io.iploop.server.testing.CashoutFixtures.paypal;
import static io.iploop.server.testing.CashoutFixtures.requestAndConfirm;
import static io.iploop.server.testing.CashoutFixtures.runJob;
import static io.iploop.server.testing.Mailbox.awaitMail;
import static io.iploop.server.testing.PayPalStub.PAYPAL;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.iploop.server.testing.CashoutFixtures.Operator;
import io.iploop.server.testing.PayPalStub;
import io.iploop.server.testing.PlatformTest;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * PayPal cash-outs end to end against a local stand-in of the PayPal REST API (WireMock answering as
 * PayPal documents {@code /v1/oauth2/token} and {@code /v1/payments/payouts}): the whole flow with
 * balances at every step, a provider that is down, a response lost after PayPal accepted the
 * payout (never paid twice), and a denied payout whose credits come back.
 */
@PlatformTest
@ExtendWith(PayPalStub.class)
class CashoutPayPalIT {

    private static String senderBatchId(String cashoutId) {
        return "cashout:" + cashoutId + ":payout";
    }

    private static MappingBuilder payoutPost(String cashoutId) {
        return post(urlEqualTo("/v1/payments/payouts"))
                .withHeader("Authorization", equalTo("Bearer A21AAtest"))
                .withRequestBody(matchingJsonPath("$.sender_batch_header.sender_batch_id",
                        equalTo(senderBatchId(cashoutId))));
    }

    private static String batch(String batchId, String cashoutId, String batchStatus, String itemStatus,
            String transactionId) {
        return """
                {"batch_header":{"payout_batch_id":"%s","batch_status":"%s","time_created":"2026-11-24T10:00:00Z",
                  "sender_batch_header":{"sender_batch_id":"%s","email_subject":"You have a payout from IPLoop"},
                  "amount":{"currency":"USD","value":"7.50"},"fees":{"currency":"USD","value":"0.25"}},
                 "items":[{"payout_item_id":"ITEM%s","transaction_id":"%s","transaction_status":"%s",
                  "payout_batch_id":"%s","payout_item":{"recipient_type":"EMAIL","receiver":"r@example.com",
                  "amount":{"currency":"USD","value":"7.50"},"sender_item_id":"%s"}}],
                 "links":[{"href":"https://api-m.sandbox.paypal.com/v1/payments/payouts/%s","rel":"self","method":"GET"}]}
                """.formatted(batchId, batchStatus, senderBatchId(cashoutId), batchId, transactionId, itemStatus,
                batchId, cashoutId, batchId);
    }

    private static String created(String batchId, String cashoutId) {
        return """
                {"batch_header":{"payout_batch_id":"%s","batch_status":"PENDING",
                  "sender_batch_header":{"sender_batch_id":"%s","email_subject":"You have a payout from IPLoop"}},
                 "links":[{"href":"https://api-m.sandbox.paypal.com/v1/payments/payouts/%s","rel":"self","method":"GET"}]}
                """.formatted(batchId, senderBatchId(cashoutId), batchId);
    }

    private static List<LoggedRequest> payoutPosts(String cashoutId) {
        return PAYPAL.findAll(postRequestedFor(urlEqualTo("/v1/payments/payouts"))
                .withRequestBody(matchingJsonPath("$.sender_batch_header.sender_batch_id",
                        equalTo(senderBatchId(cashoutId)))));
    }

    private static String batchId(String cashoutId) {
        return "B" + cashoutId.replace("-", "").substring(0, 12).toUpperCase(java.util.Locale.ROOT);
    }

    /** Runs the payout job until the cash-out reaches {@code status}. */
    private JsonNode runUntil(String admin, Operator op, String id, String status) {
        JsonNode[] last = new JsonNode[1];
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            runJob(admin, "cashout-payouts");
            last[0] = cashout(op, id);
            return last[0].get("status").asString().equals(status);
        });
        return last[0];
    }

    @Test
    void pendingApprovedProcessingCompletedThroughPayPalWithTheBalancesRightAtEveryStep() {
        Operator op = operator();
        String admin = adminToken();
        credit(op.id(), 10_000);
        long paidBefore = paidOut();

        JsonNode pending = requestAndConfirm(op, paypal("7.50", "Receiver@Example.com"), 1);
        String id = pending.get("id").asString();
        assertThat(pending.get("status").asString()).isEqualTo("pending");
        assertThat(pending.get("paymentDetails").asString()).isEqualTo("r***@example.com");
        assertBalances(op, 2_500, 7_500);

        assertThat(call("POST", "/api/admin/cashouts/" + id + "/approve", admin, java.util.Map.of("note", "first"))
                .body().get("status").asString()).isEqualTo("approved");
        assertBalances(op, 2_500, 7_500);

        String batchId = batchId(id);
        PAYPAL.stubFor(payoutPost(id).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(created(batchId, id))));
        PAYPAL.stubFor(get(urlEqualTo("/v1/payments/payouts/" + batchId)).inScenario("flow-" + id)
                .whenScenarioStateIs(STARTED).willSetStateTo("paid")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(batch(batchId, id, "PROCESSING", "PENDING", ""))));
        PAYPAL.stubFor(get(urlEqualTo("/v1/payments/payouts/" + batchId)).inScenario("flow-" + id)
                .whenScenarioStateIs("paid")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(batch(batchId, id, "SUCCESS", "SUCCESS", "7PX12345AB678901C"))));

        runJob(admin, "cashout-payouts"); // approved → processing, sent, PayPal says PENDING
        JsonNode processing = cashout(op, id);
        assertThat(processing.get("status").asString()).isEqualTo("processing");
        assertThat(processing.get("provider").asString()).isEqualTo("paypal");
        assertBalances(op, 2_500, 7_500);

        runJob(admin, "cashout-payouts"); // polled: still processing at PayPal
        assertThat(cashout(op, id).get("status").asString()).isEqualTo("processing");
        assertBalances(op, 2_500, 7_500);

        JsonNode completed = runUntil(admin, op, id, "completed");
        assertThat(completed.get("transactionId").asString()).isEqualTo("7PX12345AB678901C");
        assertBalances(op, 2_500, 0);
        assertThat(paidOut() - paidBefore).isEqualTo(7_500);

        List<LoggedRequest> posts = payoutPosts(id);
        assertThat(posts).hasSize(1);
        String body = posts.getFirst().getBodyAsString();
        assertThat(body).contains("\"receiver\":\"receiver@example.com\"").contains("\"value\":\"7.50\"")
                .contains("\"currency\":\"USD\"").contains("\"recipient_type\":\"EMAIL\"");
        for (String status : List.of("pending", "approved", "processing", "completed")) {
            assertThat(awaitMail(op.email(), "Your IPLoop cash-out: " + status, 1)).contains(id);
        }
        // a PayPal cash-out is completed by PayPal, not by hand
        assertThat(call("POST", "/api/admin/cashouts/" + id + "/complete", admin,
                java.util.Map.of("transactionId", "manual")).status()).isEqualTo(400);
    }

    @Test
    void aProviderThatIsDownLeavesItProcessingWithTheCreditsReservedAndItCompletesWhenBack() {
        Operator op = operator();
        String admin = adminToken();
        credit(op.id(), 10_000);
        String id = requestAndConfirm(op, paypal("6.00", "down@example.com"), 1).get("id").asString();
        call("POST", "/api/admin/cashouts/" + id + "/approve", admin, java.util.Map.of());
        PAYPAL.stubFor(payoutPost(id).willReturn(aResponse().withStatus(503).withBody("""
                {"name":"SERVICE_UNAVAILABLE","message":"Service Unavailable.","debug_id":"d1"}""")));

        runJob(admin, "cashout-payouts");
        JsonNode failing = cashout(op, id);
        assertThat(failing.get("status").asString()).isEqualTo("processing");
        assertThat(failing.get("payoutAttempts").asInt()).isEqualTo(1);
        assertThat(failing.get("lastError").asString()).contains("503");
        assertThat(failing.get("nextAttemptAt").isNull()).isFalse();
        assertBalances(op, 4_000, 6_000);
        assertThat(awaitMail(op.email(), "Your IPLoop cash-out: processing", 2)).contains("retry automatically");

        // still down on the retries: nothing changes but the attempt count
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
            runJob(admin, "cashout-payouts");
            return cashout(op, id).get("payoutAttempts").asInt() >= 2;
        });
        assertThat(cashout(op, id).get("status").asString()).isEqualTo("processing");
        assertBalances(op, 4_000, 6_000);

        // back up
        String batchId = batchId(id);
        PAYPAL.stubFor(payoutPost(id).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(created(batchId, id))));
        PAYPAL.stubFor(get(urlEqualTo("/v1/payments/payouts/" + batchId)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(batch(batchId, id, "SUCCESS", "SUCCESS", "9TX0000000000001"))));
        JsonNode completed = runUntil(admin, op, id, "completed");
        assertThat(completed.get("transactionId").asString()).isEqualTo("9TX0000000000001");
        assertBalances(op, 4_000, 0);
        assertThat(payoutPosts(id)).extracting(r -> r.getBodyAsString().contains(senderBatchId(id)))
                .allMatch(Boolean.TRUE::equals);
    }

    @Test
    void aResponseLostAfterPayPalAcceptedThePayoutIsNotPaidTwice() {
        Operator op = operator();
        String admin = adminToken();
        credit(op.id(), 10_000);
        long paidBefore = paidOut();
        String id = requestAndConfirm(op, paypal("5.00", "lost@example.com"), 1).get("id").asString();
        call("POST", "/api/admin/cashouts/" + id + "/approve", admin, java.util.Map.of());
        String batchId = batchId(id);
        // PayPal takes the first request but the answer never arrives (a 504 from a proxy); the retry
        // with the same sender_batch_id is refused as a duplicate with a link to the original batch.
        PAYPAL.stubFor(payoutPost(id).inScenario("lost-" + id).whenScenarioStateIs(STARTED).willSetStateTo("accepted")
                .willReturn(aResponse().withStatus(504).withBody("Gateway Timeout")));
        PAYPAL.stubFor(payoutPost(id).inScenario("lost-" + id).whenScenarioStateIs("accepted")
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody("""
                        {"name":"USER_BUSINESS_ERROR","message":"User business error.","debug_id":"d2",
                         "details":[{"field":"SENDER_BATCH_ID","location":"body",
                           "issue":"Batch with given sender_batch_id already exists: %s"}],
                         "links":[{"href":"https://api-m.sandbox.paypal.com/v1/payments/payouts/%s","rel":"self",
                           "method":"GET","encType":"application/json"}]}""".formatted(senderBatchId(id), batchId))));
        PAYPAL.stubFor(get(urlEqualTo("/v1/payments/payouts/" + batchId)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(batch(batchId, id, "SUCCESS", "SUCCESS", "5LOST000000000001"))));

        JsonNode completed = runUntil(admin, op, id, "completed");
        assertThat(completed.get("transactionId").asString()).isEqualTo("5LOST000000000001");
        assertThat(payoutPosts(id)).hasSize(2);
        assertBalances(op, 5_000, 0);
        assertThat(paidOut() - paidBefore).isEqualTo(5_000);
        // more runs do nothing more: completed is final
        runJob(admin, "cashout-payouts");
        assertThat(payoutPosts(id)).hasSize(2);
        assertThat(paidOut() - paidBefore).isEqualTo(5_000);
    }

    @Test
    void aPayoutPayPalDeniesFailsAndTheCreditsComeBack() {
        Operator op = operator();
        String admin = adminToken();
        credit(op.id(), 10_000);
        String id = requestAndConfirm(op, paypal("8.00", "denied@example.com"), 1).get("id").asString();
        call("POST", "/api/admin/cashouts/" + id + "/approve", admin, java.util.Map.of());
        String batchId = batchId(id);
        PAYPAL.stubFor(payoutPost(id).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(created(batchId, id))));
        PAYPAL.stubFor(get(urlEqualTo("/v1/payments/payouts/" + batchId)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(batch(batchId, id, "DENIED", "FAILED", ""))));

        JsonNode failed = runUntil(admin, op, id, "failed");
        assertThat(failed.get("lastError").asString()).contains("DENIED");
        assertBalances(op, 10_000, 0);
        assertThat(awaitMail(op.email(), "Your IPLoop cash-out: failed", 1)).contains("back in your balance");
    }
}
