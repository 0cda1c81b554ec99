package io.iploop.server.affiliates;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.bean;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.CashoutFixtures.CONFIRM_SUBJECT;
import static io.iploop.server.testing.CashoutFixtures.mailedCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerAccount;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.SharedPlatform;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Refunds and chargebacks of campaign wallet top-ups end to end through the signed payment-provider
 * webhook (docs/campaigns.md#refunds-and-chargebacks, docs/affiliates.md#refunds-and-chargebacks): the
 * wallet gives the refunded share back (what was already spent is booked as a loss), the referring
 * affiliate's commission is reversed in proportion (pending, available, or as a debt netted against the
 * next commission), a replayed event changes nothing, and the ledger stays balanced.
 */
@PlatformTest
class TopUpRefundsIT {

    private static final String IBAN = "DE89370400440532013000";

    private record User(String token, UUID id, String email) {}

    private static User affiliate() {
        JsonNode c = registerCustomer();
        return new User(token(c), UUID.fromString(c.at("/user/id").asString()), c.at("/user/email").asString());
    }

    /** A customer who signed up with {@code affiliate}'s code. */
    private static UUID referredBy(User affiliate) {
        String code = me(affiliate).get("code").asString();
        String email = "refund-" + UUID.randomUUID() + "@example.com";
        Response r = call("POST", "/api/auth/register?ref=" + code, null, Map.of("acceptTerms", true, "email", email,
                "password", Api.TEST_PASSWORD, "firstName", "Rita", "lastName", "Refund"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return UUID.fromString(r.body().at("/user/id").asString());
    }

    private static JsonNode me(User u) {
        Response r = call("GET", "/api/affiliates/me", u.token(), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }

    private static String signature(long t, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SharedPlatform.PAYMENT_WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode post(String body) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Api.port() + "/api/webhooks/payment_provider"))
                .header("Content-Type", "application/json")
                .header("X-IPLoop-Payment-Signature", signature(Instant.now().getEpochSecond(), body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> r = Api.HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return bean(tools.jackson.databind.json.JsonMapper.class).readTree(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String pay(String amount, UUID payer) {
        String id = "evt_pay_" + UUID.randomUUID();
        JsonNode r = post("{\"id\": \"" + id + "\", \"type\": \"payment.completed\", \"amount\": \"" + amount
                + "\", \"currency\": \"EUR\", \"payer\": {}, \"metadata\": {\"user_id\": \"" + payer + "\"}}");
        assertThat(r.get("outcome").asString()).as(r.toString()).isEqualTo("credited");
        return id;
    }

    /** A signed payment.refunded or payment.disputed of {@code amount} EUR of the payment {@code paymentId}. */
    private static String reversalBody(String eventId, String type, String paymentId, String amount) {
        return "{\"id\": \"" + eventId + "\", \"type\": \"" + type + "\", \"payment_event_id\": \"" + paymentId
                + "\", \"amount\": \"" + amount + "\", \"currency\": \"EUR\"}";
    }

    private static BigDecimal balance(UUID user, AccountPurpose purpose) {
        return bean(LedgerService.class).findAccount(user, purpose).map(LedgerAccount::balance).orElse(BigDecimal.ZERO);
    }

    private static BigDecimal platform(AccountPurpose purpose) {
        return bean(LedgerService.class).platformAccount(purpose).balance();
    }

    private static String commissionStatus(UUID referee) {
        return bean(JdbcClient.class).sql("SELECT status FROM affiliate_commissions WHERE referee_id = :r ORDER BY created_at LIMIT 1")
                .param("r", referee).query(String.class).single();
    }

    private static void assertLedgerBalanced() {
        assertThat(bean(LedgerService.class).checkConsistency().consistent()).as("every transaction sums to zero").isTrue();
        JsonNode report = call("GET", "/api/admin/ledger/consistency", adminToken(), null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }

    @Test
    void aRefundTakesTheTopUpBackFromTheWalletAndCancelsThePendingCommissionOnce() {
        User a = affiliate();
        UUID b = referredBy(a);
        String payment = pay("200.00", b);
        assertThat(balance(b, AccountPurpose.CAMPAIGN_WALLET)).isEqualByComparingTo("200.00");
        assertThat(me(a).get("pending").decimalValue()).isEqualByComparingTo("40.00");
        BigDecimal commissionsBefore = platform(AccountPurpose.AFFILIATE_COMMISSIONS);

        String refundId = "evt_refund_" + UUID.randomUUID();
        String refund = reversalBody(refundId, "payment.refunded", payment, "200.00");
        JsonNode r = post(refund);
        assertThat(r.get("outcome").asString()).as(r.toString()).isEqualTo("reversed");
        assertThat(balance(b, AccountPurpose.CAMPAIGN_WALLET)).isEqualByComparingTo("0");
        JsonNode after = me(a);
        assertThat(after.get("pending").decimalValue()).isEqualByComparingTo("0");
        assertThat(after.get("paid").decimalValue()).isEqualByComparingTo("0");
        assertThat(commissionStatus(b)).isEqualTo("reversed");
        assertThat(platform(AccountPurpose.AFFILIATE_COMMISSIONS).subtract(commissionsBefore)).isEqualByComparingTo("40.00");
        assertLedgerBalanced();

        // The replayed webhook is a duplicate; a second refund event of the same payment finds nothing left.
        assertThat(post(refund).get("outcome").asString()).isEqualTo("duplicate");
        JsonNode second = post(reversalBody("evt_refund_" + UUID.randomUUID(), "payment.refunded", payment, "200.00"));
        assertThat(second.get("outcome").asString()).isEqualTo("rejected");
        assertThat(second.get("reason").asString()).contains("nothing is left");
        assertThat(balance(b, AccountPurpose.CAMPAIGN_WALLET)).isEqualByComparingTo("0");
        assertThat(me(a).get("pending").decimalValue()).isEqualByComparingTo("0");
        assertThat(platform(AccountPurpose.AFFILIATE_COMMISSIONS).subtract(commissionsBefore)).isEqualByComparingTo("40.00");
        assertThat(bean(JdbcClient.class).sql("SELECT count(*) FROM ledger_transactions WHERE kind = 'CAMPAIGN_TOP_UP_REVERSAL'"
                + " AND idempotency_key = :k").param("k", "campaign-topup-reversal:payment_provider:" + refundId)
                .query(Long.class).single()).isEqualTo(1);
        // The admin sees the refund as reversed; the release job never releases a reversed commission.
        Response listed = call("GET", "/api/admin/campaigns/payments?status=reversed", adminToken(), null);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.body().toString()).contains(refundId);
        bean(AffiliatesService.class).releaseDue(Instant.now().plus(Duration.ofDays(31)));
        assertThat(me(a).get("available").decimalValue()).isEqualByComparingTo("0");
        assertLedgerBalanced();
    }

    @Test
    void partialRefundsAndAChargebackReverseInProportionAndAddUpToTheWholeCommission() {
        User a = affiliate();
        UUID b = referredBy(a);
        String payment = pay("100.00", b);
        assertThat(me(a).get("pending").decimalValue()).isEqualByComparingTo("20.00");

        JsonNode quarter = post(reversalBody("evt_r_" + UUID.randomUUID(), "payment.refunded", payment, "25.00"));
        assertThat(quarter.get("outcome").asString()).as(quarter.toString()).isEqualTo("reversed");
        assertThat(balance(b, AccountPurpose.CAMPAIGN_WALLET)).isEqualByComparingTo("75.00");
        assertThat(me(a).get("pending").decimalValue()).isEqualByComparingTo("15.00");
        assertThat(commissionStatus(b)).isEqualTo("pending");
        // 33.33 more: the commission share is 20 × 58.33 / 100 = 11.67 in all, so 6.67 now.
        post(reversalBody("evt_r_" + UUID.randomUUID(), "payment.refunded", payment, "33.33"));
        assertThat(balance(b, AccountPurpose.CAMPAIGN_WALLET)).isEqualByComparingTo("41.67");
        assertThat(me(a).get("pending").decimalValue()).isEqualByComparingTo("8.33");
        // The rest as a chargeback: everything is back, exactly, whatever the rounding of each part.
        JsonNode chargeback = post(reversalBody("evt_d_" + UUID.randomUUID(), "payment.disputed", payment, "41.67"));
        assertThat(chargeback.get("outcome").asString()).as(chargeback.toString()).isEqualTo("reversed");
        assertThat(balance(b, AccountPurpose.CAMPAIGN_WALLET)).isEqualByComparingTo("0");
        assertThat(me(a).get("pending").decimalValue()).isEqualByComparingTo("0");
        assertThat(commissionStatus(b)).isEqualTo("reversed");
        assertLedgerBalanced();
    }

    @Test
    void aChargebackAfterTheCommissionWasReleasedAndPartlyPaidOutLeavesADebtNettedAgainstTheNextCommission() {
        User a = affiliate();
        UUID b = referredBy(a);
        String payment = pay("300.00", b);
        bean(AffiliatesService.class).releaseDue(Instant.now().plus(Duration.ofDays(31)));
        assertThat(me(a).get("available").decimalValue()).isEqualByComparingTo("60.00");
        assertThat(commissionStatus(b)).isEqualTo("available");

        // A asks for a payout of 50 and confirms it: 50 in flight, 10 available.
        Response payout = call("POST", "/api/affiliates/payouts", a.token(), Map.of("method", "bank_transfer", "amount", "50.00",
                "paymentDetails", Map.of("iban", IBAN, "swift", "DEUTDEFF", "accountHolder", "Al Affiliate")));
        assertThat(payout.status()).as(payout.toString()).isEqualTo(201);
        String cashout = payout.body().get("id").asString();
        Response confirmed = call("POST", "/api/earn/cashout/" + cashout + "/confirm", a.token(),
                Map.of("code", mailedCode(a.email(), CONFIRM_SUBJECT, 1)));
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);

        // B spends 250 of the 300 on visits (the engine's spend posting), then charges the payment back.
        LedgerService ledger = bean(LedgerService.class);
        ledger.post(NewTransaction.of(TransactionKind.CAMPAIGN_SPEND, "test-spend:" + UUID.randomUUID(), "visits",
                new Posting(ledger.account(b, AccountPurpose.CAMPAIGN_WALLET).id(), new BigDecimal("-250.00")),
                new Posting(ledger.platformAccount(AccountPurpose.CAMPAIGN_REVENUE).id(), new BigDecimal("250.00"))));
        BigDecimal lossesBefore = platform(AccountPurpose.CAMPAIGN_CHARGEBACK_LOSSES);
        String disputeId = "evt_d_" + UUID.randomUUID();
        String dispute = reversalBody(disputeId, "payment.disputed", payment, "300.00");
        JsonNode r = post(dispute);
        assertThat(r.get("outcome").asString()).as(r.toString()).isEqualTo("reversed");
        assertThat(r.get("reason").asString()).contains("250");
        // The wallet gives what it holds and never goes negative; the spent 250 is the platform's loss.
        assertThat(balance(b, AccountPurpose.CAMPAIGN_WALLET)).isEqualByComparingTo("0");
        assertThat(lossesBefore.subtract(platform(AccountPurpose.CAMPAIGN_CHARGEBACK_LOSSES))).isEqualByComparingTo("250.00");
        // The commission of 60: 10 from available, 50 owed; the payout in flight is untouched.
        JsonNode after = me(a);
        assertThat(after.get("available").decimalValue()).isEqualByComparingTo("0");
        assertThat(after.get("inPayout").decimalValue()).isEqualByComparingTo("50.00");
        assertThat(after.get("owed").decimalValue()).isEqualByComparingTo("50.00");
        assertThat(balance(a.id(), AccountPurpose.AFFILIATE_CLAWBACK)).isEqualByComparingTo("-50.00");
        assertThat(commissionStatus(b)).isEqualTo("reversed");
        assertLedgerBalanced();
        // Nothing beyond the debt can be paid out meanwhile.
        Response owing = call("POST", "/api/affiliates/payouts", a.token(), Map.of("method", "bank_transfer", "amount", "50.00",
                "paymentDetails", Map.of("iban", IBAN, "swift", "DEUTDEFF", "accountHolder", "Al Affiliate")));
        assertThat(owing.status()).as(owing.toString()).isEqualTo(400);
        assertThat(owing.body().at("/error/code").asString()).isEqualTo("commission_owed");
        // Replayed: nothing more.
        assertThat(post(dispute).get("outcome").asString()).isEqualTo("duplicate");
        assertThat(me(a).get("owed").decimalValue()).isEqualByComparingTo("50.00");

        // The next referred top-up's commission (80) pays the debt back first when it is released.
        UUID c = referredBy(a);
        pay("400.00", c);
        bean(AffiliatesService.class).releaseDue(Instant.now().plus(Duration.ofDays(31)));
        JsonNode netted = me(a);
        assertThat(netted.get("owed").decimalValue()).isEqualByComparingTo("0");
        assertThat(netted.get("available").decimalValue()).isEqualByComparingTo("30.00");
        assertThat(netted.get("inPayout").decimalValue()).isEqualByComparingTo("50.00");
        assertThat(netted.get("paid").decimalValue()).isEqualByComparingTo("0");
        assertLedgerBalanced();
    }

    @Test
    void aRefundOfAnUnknownOrUnassignedPaymentMovesNothingAndTheUnassignedOneCanNoLongerBeAssigned() {
        JsonNode unknown = post(reversalBody("evt_r_" + UUID.randomUUID(), "payment.refunded", "evt_nope_" + UUID.randomUUID(),
                "5.00"));
        assertThat(unknown.get("outcome").asString()).isEqualTo("rejected");
        assertThat(unknown.get("reason").asString()).contains("names no stored");

        String unmatched = "evt_um_" + UUID.randomUUID();
        assertThat(post("{\"id\": \"" + unmatched + "\", \"type\": \"payment.completed\", \"amount\": \"70.00\","
                + " \"currency\": \"EUR\", \"payer\": {\"email\": \"nobody-" + UUID.randomUUID() + "@example.com\"}}")
                .get("outcome").asString()).isEqualTo("unmatched");
        JsonNode refund = post(reversalBody("evt_r_" + UUID.randomUUID(), "payment.refunded", unmatched, "70.00"));
        assertThat(refund.get("outcome").asString()).isEqualTo("rejected");
        UUID someone = UUID.fromString(registerCustomer().at("/user/id").asString());
        Response assign = call("POST", "/api/admin/campaigns/payments/" + unmatched + "/assign", adminToken(),
                Map.of("userId", someone.toString()));
        assertThat(assign.status()).as(assign.toString()).isEqualTo(409);
        assertThat(balance(someone, AccountPurpose.CAMPAIGN_WALLET)).isEqualByComparingTo("0");
    }

    @Test
    void aReferredAccountLinkedToTheAffiliateEarnsNoCommission() {
        User a = affiliate();
        UUID b = referredBy(a);
        // Both signed up from one public address (tests come from loopback, which is never compared: the
        // address the earn feature recorded is set as a reverse proxy passing the client's would have).
        bean(JdbcClient.class).sql("UPDATE earn_account_signals SET signup_ip = '203.0.113.77' WHERE user_id IN (:a, :b)")
                .param("a", a.id()).param("b", b).update();
        BigDecimal before = platform(AccountPurpose.AFFILIATE_COMMISSIONS);
        pay("100.00", b);
        assertThat(balance(b, AccountPurpose.CAMPAIGN_WALLET)).isEqualByComparingTo("100.00");
        assertThat(me(a).get("pending").decimalValue()).isEqualByComparingTo("0");
        assertThat(platform(AccountPurpose.AFFILIATE_COMMISSIONS)).isEqualByComparingTo(before);
        // An unlinked referred customer still pays the affiliate.
        UUID c = referredBy(a);
        pay("100.00", c);
        assertThat(me(a).get("pending").decimalValue()).isEqualByComparingTo("20.00");
    }
}
