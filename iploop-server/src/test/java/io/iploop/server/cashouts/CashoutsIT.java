package io.iploop.server.cashouts;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.CashoutFixtures.CONFIRM_SUBJECT;
import static io.iploop.server.testing.CashoutFixtures.assertBalances;
import static io.iploop.server.testing.CashoutFixtures.cashout;
import static io.iploop.server.testing.CashoutFixtures.credit;
import static io.iploop.server.testing.CashoutFixtures.mailedCode;
import static io.iploop.server.testing.CashoutFixtures.operator;
import static io.iploop.server.testing.CashoutFixtures.paidOut;
import static io.iploop.server.testing.CashoutFixtures.paypal;
import static io.iploop.server.testing.CashoutFixtures.request;
import static io.iploop.server.testing.CashoutFixtures.requestAndConfirm;
import static io.iploop.server.testing.CashoutFixtures.runJob;
import static io.iploop.server.testing.CashoutFixtures.usdt;
import static io.iploop.server.testing.Mailbox.awaitMail;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.CashoutFixtures.Operator;
import io.iploop.server.testing.PayPalStub;
import io.iploop.server.testing.PlatformTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Cash-outs through the REST API against the real server (docs/product/cashouts.md, docs/product/admin.md#earn-and-money-tools):
 * codes arrive by e-mail (GreenMail), credits are reserved, released and paid out in the ledger,
 * admins review the first cash-outs, and every refused request leaves the balances as they were.
 * Payouts here go through the manual provider (USDT); PayPal is CashoutPayPalIT's.
 */
@PlatformTest
@ExtendWith(PayPalStub.class)
class CashoutsIT {

    @Autowired
    JdbcClient jdbc;

    @Test
    void theMethodsAreTheSeededConfiguration() {
        Operator op = operator();
        Response r = call("GET", "/api/earn/cashout/methods", op.token(), null);
        assertThat(r.status()).isEqualTo(200);
        Map<String, JsonNode> byMethod = new HashMap<>();
        r.body().get("methods").forEach(m -> byMethod.put(m.get("method").asString(), m));
        assertThat(byMethod).containsOnlyKeys("paypal", "usdt", "bitcoin", "bank_transfer", "amazon_gift_card",
                "revolut");
        assertThat(byMethod.get("paypal").get("minAmountUsd").decimalValue()).isEqualByComparingTo("5.00");
        assertThat(byMethod.get("usdt").get("feeUsd").decimalValue()).isEqualByComparingTo("1.00");
        assertThat(byMethod.get("bitcoin").get("autoApproveAfter").asInt()).isEqualTo(5);
        assertThat(byMethod.get("bank_transfer").get("autoApproveAfter").isNull()).isTrue();
        assertThat(byMethod.get("bank_transfer").get("processingTimeHours").asInt()).isEqualTo(168);
        assertThat(byMethod.get("revolut").get("active").asBoolean()).isFalse();
    }

    @Test
    void theFirstThreeCashOutsNeedAnAdminAndTheFourthIsApprovedByItself() {
        Operator op = operator();
        String admin = adminToken();
        credit(op.id(), 100_000);
        long paidBefore = paidOut();

        for (int i = 1; i <= 3; i++) {
            JsonNode pending = requestAndConfirm(op, usdt("5.00"), i);
            assertThat(pending.get("status").asString()).isEqualTo("pending");
            assertThat(pending.get("requiresReview").asBoolean()).isTrue();
            String id = pending.get("id").asString();
            JsonNode queue = call("GET", "/api/admin/cashouts?status=pending", admin, null).body();
            assertThat(queue.toString()).contains(id);
            Response approved = call("POST", "/api/admin/cashouts/" + id + "/approve", admin, Map.of("note", "ok " + i));
            assertThat(approved.body().get("status").asString()).isEqualTo("approved");
            Response done = call("POST", "/api/admin/cashouts/" + id + "/complete", admin,
                    Map.of("transactionId", "trx-" + i));
            assertThat(done.status()).as(done.toString()).isEqualTo(200);
            assertThat(done.body().get("status").asString()).isEqualTo("completed");
            assertThat(done.body().get("transactionId").asString()).isEqualTo("trx-" + i);
            assertBalances(op, 100_000 - 5_000L * i, 0);
        }

        JsonNode fourth = requestAndConfirm(op, usdt("5.00"), 4);
        assertThat(fourth.get("status").asString()).isEqualTo("approved");
        assertThat(fourth.get("requiresReview").asBoolean()).isFalse();
        assertBalances(op, 80_000, 5_000);
        String id = fourth.get("id").asString();
        assertThat(runJob(admin, "cashout-payouts")).contains("started");
        JsonNode processing = cashout(op, id);
        assertThat(processing.get("status").asString()).isEqualTo("processing");
        assertThat(processing.get("provider").asString()).isEqualTo("manual");
        assertThat(call("POST", "/api/admin/cashouts/" + id + "/complete", admin, Map.of("transactionId", "trx-4"))
                .body().get("status").asString()).isEqualTo("completed");
        assertBalances(op, 80_000, 0);
        assertThat(paidOut() - paidBefore).isEqualTo(20_000);
        assertThat(cashout(op, id).get("netAmountUsd").decimalValue()).isEqualByComparingTo("4.00");

        // every status change was mailed, and the admin actions were audited
        assertThat(awaitMail(op.email(), "Your IPLoop cash-out: completed", 4)).contains("trx-4");
        String audit = call("GET", "/api/audit-logs?limit=200&action=cashout_completed", admin, null).body().toString();
        assertThat(audit).contains(id).contains("trx-4");
        assertThat(call("GET", "/api/audit-logs?limit=200&action=cashout_approved", admin, null).body().toString())
                .contains("ok 3");
        assertThat(call("GET", "/api/audit-logs?limit=200&action=cashout_requested", admin, null).body().toString())
                .contains(id).contains("usdt");
    }

    @Test
    void cancellingOrRejectingReleasesTheCreditsAndFinalStatesStayFinal() {
        Operator op = operator();
        String admin = adminToken();
        credit(op.id(), 30_000);

        JsonNode first = requestAndConfirm(op, usdt("12.00"), 1);
        assertBalances(op, 18_000, 12_000);
        Response cancelled = call("DELETE", "/api/earn/cashout/" + first.get("id").asString(), op.token(), null);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.body().get("status").asString()).isEqualTo("cancelled");
        assertBalances(op, 30_000, 0);

        JsonNode second = requestAndConfirm(op, usdt("20.00"), 2);
        assertBalances(op, 10_000, 20_000);
        String id = second.get("id").asString();
        Response rejected = call("POST", "/api/admin/cashouts/" + id + "/reject", admin,
                Map.of("note", "address on a sanctions list"));
        assertThat(rejected.body().get("status").asString()).isEqualTo("rejected");
        assertBalances(op, 30_000, 0);
        assertThat(awaitMail(op.email(), "Your IPLoop cash-out: rejected", 1)).contains("sanctions list");

        Response cancelRejected = call("DELETE", "/api/earn/cashout/" + id, op.token(), null);
        assertThat(cancelRejected.status()).isEqualTo(409);
        assertThat(cancelRejected.body().at("/error/code").asString()).isEqualTo("invalid_transition");
        assertThat(cancelRejected.body().at("/error/message").asString())
                .contains("from rejected to cancelled");
        assertThat(call("POST", "/api/admin/cashouts/" + id + "/approve", admin, Map.of()).status()).isEqualTo(409);
        assertBalances(op, 30_000, 0);

        // approved is past the point of no return for the user
        JsonNode third = requestAndConfirm(op, usdt("5.00"), 3);
        call("POST", "/api/admin/cashouts/" + third.get("id").asString() + "/approve", admin, Map.of());
        Response late = call("DELETE", "/api/earn/cashout/" + third.get("id").asString(), op.token(), null);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.body().at("/error/message").asString()).contains("from approved to cancelled");
        assertBalances(op, 25_000, 5_000);
    }

    @Test
    void invalidRequestsAre400NamingTheFieldAndReserveNothing() {
        Operator op = operator();
        credit(op.id(), 20_000);
        record Case(Map<String, Object> body, String code, String field) {}
        List<Case> cases = List.of(
                new Case(paypal("10.00", "not-an-email"), "invalid_payment_details", "paymentDetails.email"),
                new Case(Map.of("method", "usdt", "amountUsd", new java.math.BigDecimal("10.00"),
                        "paymentDetails", Map.of("address", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u")),
                        "invalid_payment_details", "paymentDetails.address"),
                new Case(Map.of("method", "bitcoin", "amountUsd", new java.math.BigDecimal("10.00"),
                        "paymentDetails", Map.of("address", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")),
                        "invalid_payment_details", "paymentDetails.address"),
                new Case(Map.of("method", "bank_transfer", "amountUsd", new java.math.BigDecimal("50.00"), "paymentDetails",
                        Map.of("iban", "DE89370400440532013001", "swift", "DEUTDEFF", "accountHolder", "Jo")),
                        "invalid_payment_details", "paymentDetails.iban"),
                new Case(Map.of("method", "bank_transfer", "amountUsd", new java.math.BigDecimal("15.00"), "paymentDetails",
                        Map.of("iban", "DE89370400440532013000", "swift", "DEUTDEFF", "accountHolder", "Jo")),
                        "below_minimum", "amountUsd"),
                new Case(Map.of("method", "usdt", "amountCredits", 10_000, "paymentDetails",
                        Map.of("address", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"), "amountUsd", new java.math.BigDecimal("10.00")),
                        "validation_failed", "amountUsd"),
                new Case(Map.of("method", "usdt", "amountCredits", 10_005,
                        "paymentDetails", Map.of("address", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")),
                        "validation_failed", "amountCredits"),
                new Case(paypal("4.99", "op@example.com"), "below_minimum", "amountUsd"),
                new Case(paypal("20.01", "op@example.com"), "insufficient_balance", "amountUsd"),
                new Case(Map.of("method", "revolut", "amountUsd", new java.math.BigDecimal("10.00"), "paymentDetails", Map.of("revtag", "jo")),
                        "cashout_method_unavailable", "method"),
                new Case(Map.of("method", "cheque", "amountUsd", new java.math.BigDecimal("10.00"), "paymentDetails", Map.of()),
                        "validation_failed", "method"),
                new Case(Map.of("method", "paypal", "amountUsd", new java.math.BigDecimal("10.00")), "validation_failed", "paymentDetails"));
        for (Case c : cases) {
            Response r = call("POST", "/api/earn/cashout", op.token(), c.body());
            assertThat(r.status()).as(c.toString() + " -> " + r).isEqualTo(400);
            assertThat(r.body().at("/error/code").asString()).as(c.toString()).isEqualTo(c.code());
            assertThat(r.body().at("/error/field").asString()).as(c.toString()).isEqualTo(c.field());
        }
        // a valid IBAN with a bad BIC names the BIC
        Response bic = call("POST", "/api/earn/cashout", op.token(), Map.of("method", "bank_transfer",
                "amountUsd", new java.math.BigDecimal("50.00"), "paymentDetails",
                Map.of("iban", "DE89370400440532013000", "swift", "DEUT", "accountHolder", "Jo")));
        assertThat(bic.body().at("/error/field").asString()).isEqualTo("paymentDetails.swift");

        assertBalances(op, 20_000, 0);
        assertThat(call("GET", "/api/earn/cashout/history", op.token(), null).body().get("total").asLong()).isZero();
    }

    @Test
    void aCodeIsSingleUseLimitedAndAWrongOneReservesNothing() {
        Operator op = operator();
        credit(op.id(), 10_000);
        String id = request(op, usdt("5.00")).get("id").asString();
        String code = mailedCode(op.email(), CONFIRM_SUBJECT, 1);
        String wrong = code.equals("000000") ? "111111" : "000000";

        Response bad = call("POST", "/api/earn/cashout/" + id + "/confirm", op.token(), Map.of("code", wrong));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().at("/error/code").asString()).isEqualTo("invalid_confirmation_code");
        assertThat(bad.body().at("/error/message").asString()).contains("4 attempts left");
        assertBalances(op, 10_000, 0);

        assertThat(call("POST", "/api/earn/cashout/" + id + "/confirm", op.token(), Map.of("code", code)).status())
                .isEqualTo(200);
        Response again = call("POST", "/api/earn/cashout/" + id + "/confirm", op.token(), Map.of("code", code));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().at("/error/message").asString()).contains("from pending to pending");
        assertBalances(op, 5_000, 5_000);

        // five wrong codes expire a request for good
        String id2 = request(op, usdt("5.00")).get("id").asString();
        for (int i = 0; i < 4; i++) {
            assertThat(call("POST", "/api/earn/cashout/" + id2 + "/confirm", op.token(), Map.of("code", "99999" + i))
                    .body().at("/error/code").asString()).isIn("invalid_confirmation_code");
        }
        Response fifth = call("POST", "/api/earn/cashout/" + id2 + "/confirm", op.token(), Map.of("code", "999995"));
        assertThat(fifth.body().at("/error/code").asString()).isEqualTo("confirmation_code_expired");
        assertThat(cashout(op, id2).get("status").asString()).isEqualTo("expired");
        String code2 = mailedCode(op.email(), CONFIRM_SUBJECT, 2);
        assertThat(call("POST", "/api/earn/cashout/" + id2 + "/confirm", op.token(), Map.of("code", code2)).status())
                .isEqualTo(409);
        assertBalances(op, 5_000, 5_000);
    }

    @Test
    void twoConfirmationsRacingForTheWholeBalanceReserveItOnce() throws Exception {
        Operator op = operator();
        credit(op.id(), 10_000);
        String a = request(op, usdt("10.00")).get("id").asString();
        String b = request(op, usdt("10.00")).get("id").asString();
        String codeA = mailedCode(op.email(), CONFIRM_SUBJECT, 1);
        String codeB = mailedCode(op.email(), CONFIRM_SUBJECT, 2);

        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Response>> racers = List.of(
                () -> {
                    start.await();
                    return call("POST", "/api/earn/cashout/" + a + "/confirm", op.token(), Map.of("code", codeA));
                },
                () -> {
                    start.await();
                    return call("POST", "/api/earn/cashout/" + b + "/confirm", op.token(), Map.of("code", codeB));
                });
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Response>> futures = racers.stream().map(pool::submit).toList();
            start.countDown();
            List<Response> results = futures.stream().map(f -> {
                try {
                    return f.get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
            assertThat(results).extracting(Response::status).containsExactlyInAnyOrder(200, 409);
            Response loser = results.stream().filter(r -> r.status() == 409).findFirst().orElseThrow();
            assertThat(loser.body().at("/error/code").asString()).isEqualTo("insufficient_funds");
            assertThat(loser.body().at("/error/message").asString()).contains("nothing was reserved");
        } finally {
            pool.shutdownNow();
        }
        assertBalances(op, 0, 10_000);
        JsonNode history = call("GET", "/api/earn/cashout/history", op.token(), null).body();
        assertThat(StreamSupport.stream(history.get("cashouts").spliterator(), false)
                .map(c -> c.get("status").asString()).toList())
                .containsExactlyInAnyOrder("pending", "awaiting_confirmation");
    }

    @Test
    void anotherUsersCashOutIsNotFoundAndCustomersCannotReview() {
        Operator owner = operator();
        Operator other = operator();
        credit(owner.id(), 10_000);
        String id = requestAndConfirm(owner, usdt("5.00"), 1).get("id").asString();

        assertThat(call("GET", "/api/earn/cashout/" + id, other.token(), null).status()).isEqualTo(404);
        assertThat(call("DELETE", "/api/earn/cashout/" + id, other.token(), null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/earn/cashout/" + id + "/confirm", other.token(), Map.of("code", "123456"))
                .status()).isEqualTo(404);
        assertThat(call("GET", "/api/earn/cashout/history", other.token(), null).body().get("total").asLong()).isZero();
        assertThat(call("POST", "/api/admin/cashouts/" + id + "/approve", other.token(), Map.of()).status())
                .isEqualTo(403);
        assertThat(call("GET", "/api/admin/cashouts?status=pending", owner.token(), null).status()).isEqualTo(403);
        assertThat(call("GET", "/api/earn/cashout/history", owner.token(), null).body().get("total").asLong())
                .isEqualTo(1);
        assertBalances(owner, 5_000, 5_000);

        String pm = call("POST", "/api/earn/payment-methods", owner.token(), Map.of("method", "paypal",
                "details", Map.of("email", "owner@example.com"))).body().get("id").asString();
        assertThat(call("DELETE", "/api/earn/payment-methods/" + pm, other.token(), null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/earn/payment-methods/" + pm + "/verify", other.token(),
                Map.of("code", "123456")).status()).isEqualTo(404);
        assertThat(call("POST", "/api/earn/cashout", other.token(), Map.of("method", "paypal",
                "amountUsd", new java.math.BigDecimal("5.00"), "savedPaymentMethodId", pm)).status()).isEqualTo(404);
        assertThat(call("GET", "/api/earn/payment-methods", other.token(), null).body().get("paymentMethods").size())
                .isZero();
    }

    @Test
    void savedMethodsAreEncryptedMaskedVerifiedByCodeAndFeedTheDailyAutoCashOut() {
        Operator op = operator();
        String admin = adminToken();
        Response saved = call("POST", "/api/earn/payment-methods", op.token(), Map.of("method", "usdt",
                "label", "My wallet", "details", Map.of("address", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
                "isDefault", true));
        assertThat(saved.status()).as(saved.toString()).isEqualTo(201);
        assertThat(saved.body().get("details").asString()).isEqualTo("TR7N…Lj6t");
        assertThat(saved.body().get("verified").asBoolean()).isFalse();
        String pmId = saved.body().get("id").asString();
        String stored = jdbc.sql("SELECT details_encrypted FROM saved_payment_methods WHERE id = CAST(:id AS uuid)")
                .param("id", pmId).query(String.class).single();
        assertThat(stored).startsWith("v1:").doesNotContain("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
        assertThat(call("POST", "/api/earn/payment-methods", op.token(), Map.of("method", "paypal",
                "details", Map.of("email", "x"))).body().at("/error/field").asString()).isEqualTo("details.email");

        // an unverified method cannot drive auto-cash-out
        Response unverified = call("PUT", "/api/earn/auto-cashout", op.token(),
                Map.of("enabled", true, "thresholdUsd", new java.math.BigDecimal("10.00"), "paymentMethodId", pmId));
        assertThat(unverified.status()).isEqualTo(409);
        assertThat(unverified.body().at("/error/code").asString()).isEqualTo("payment_method_unverified");
        String code = mailedCode(op.email(), "Verify your IPLoop payment method", 1);
        assertThat(call("POST", "/api/earn/payment-methods/" + pmId + "/verify", op.token(), Map.of("code", "000000x"))
                .status()).isEqualTo(400);
        assertThat(call("POST", "/api/earn/payment-methods/" + pmId + "/verify", op.token(), Map.of("code", code))
                .body().get("verified").asBoolean()).isTrue();
        assertThat(call("PUT", "/api/earn/auto-cashout", op.token(),
                Map.of("enabled", true, "thresholdUsd", new java.math.BigDecimal("4.00"), "paymentMethodId", pmId)).body().at("/error/code")
                .asString()).isEqualTo("below_minimum");
        Response configured = call("PUT", "/api/earn/auto-cashout", op.token(),
                Map.of("enabled", true, "thresholdUsd", new java.math.BigDecimal("10.00"), "paymentMethodId", pmId));
        assertThat(configured.status()).as(configured.toString()).isEqualTo(200);
        assertThat(configured.body().get("enabled").asBoolean()).isTrue();

        credit(op.id(), 9_000);
        runJob(admin, "auto-cashout");
        assertThat(call("GET", "/api/earn/cashout/history", op.token(), null).body().get("total").asLong()).isZero();
        credit(op.id(), 3_345);
        runJob(admin, "auto-cashout");
        runJob(admin, "auto-cashout"); // the same day again: nothing new
        JsonNode history = call("GET", "/api/earn/cashout/history", op.token(), null).body();
        assertThat(history.get("total").asLong()).isEqualTo(1);
        JsonNode auto = history.get("cashouts").get(0);
        assertThat(auto.get("auto").asBoolean()).isTrue();
        assertThat(auto.get("amountCredits").asLong()).isEqualTo(12_340);
        assertThat(auto.get("status").asString()).isEqualTo("pending");
        assertThat(auto.get("paymentDetails").asString()).isEqualTo("TR7N…Lj6t");
        assertBalances(op, 5, 12_340);
        assertThat(call("GET", "/api/earn/auto-cashout", op.token(), null).body().get("lastAutoCashoutAt").isNull())
                .isFalse();

        // a saved method also serves a manual request, still confirmed by code
        credit(op.id(), 4_995);
        JsonNode manual = requestAndConfirm(op, Map.of("method", "usdt", "amountCredits", 5_000,
                "savedPaymentMethodId", pmId), 1);
        assertThat(manual.get("paymentDetails").asString()).isEqualTo("TR7N…Lj6t");
        assertBalances(op, 0, 17_340);

        assertThat(call("DELETE", "/api/earn/payment-methods/" + pmId, op.token(), null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/earn/payment-methods", op.token(), null).body().get("paymentMethods").size())
                .isZero();
        assertThat(cashout(op, manual.get("id").asString()).get("paymentDetails").asString()).isEqualTo("TR7N…Lj6t");
    }
}
