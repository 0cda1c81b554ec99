package io.iploop.server.earn;

import static io.iploop.server.testing.Api.*;
import static io.iploop.server.testing.Mailbox.*;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import static io.iploop.server.testing.CashoutFixtures.*;
import io.iploop.server.testing.CashoutFixtures.Operator;
import io.iploop.server.testing.PayPalStub;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;
import io.iploop.server.ledger.LedgerService;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Earn guards on the way to money (docs/earn-fraud.md), with devices registered through the API and
 * contributions as the usage listener writes them: an earnings jump raises a review flag that the
 * admin cash-out queue shows and that keeps the operator's next cash-out from auto-approval until an
 * admin clears it; a referral pays only after the referred operator carried 2 GB, and never between
 * linked accounts.
 */
@PlatformTest
@ExtendWith(PayPalStub.class)
class EarnGuardsIT {
    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    @Autowired
    LedgerService ledger;


    @Autowired
    EarnService earn;

    @Autowired
    JdbcClient jdbc;

    /** What the usage listener writes for a paid usage batch, here for a device without an agent. */
    private void contribute(UUID node, UUID owner, long bytes) {
        jdbc.sql("""
                        INSERT INTO bandwidth_contributions (node_id, user_id, bytes, recorded_at, payment)
                        VALUES (?, ?, ?, now() - interval '1 second', 'paid')""")
                .params(node, owner, bytes).update();
    }

    private UUID device(Operator op) throws Exception {
        return device(op.token(), op.id());
    }

    private UUID device(String token, UUID userId) throws Exception {
        String nodeKey = call("POST", "/api/nodes/keys", token, Map.of("name", "guards")).body().get("key").asString();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/earn/devices/register")).header("X-Node-Key", nodeKey)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("deviceId",
                                "guards-" + userId, "installMethod", "linux")))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return UUID.fromString(json.readTree(r.body()).get("id").asString());
    }

    @Test
    void aJumpRaisesAFlagThatBlocksAutoApprovalUntilAnAdminClearsIt() throws Exception {
        Operator op = operator();
        String admin = adminToken();
        UUID node = device(op);

        // Three paid-out cash-outs: USDT cash-outs are auto-approved from now on.
        credit(op.id(), 30_000);
        for (int n = 1; n <= 3; n++) {
            JsonNode c = requestAndConfirm(op, usdt("5.00"), n);
            assertThat(c.get("status").asString()).isEqualTo("pending");
            String id = c.get("id").asString();
            assertThat(call("POST", "/api/admin/cashouts/" + id + "/approve", admin, Map.of()).status()).isEqualTo(200);
            Response done = call("POST", "/api/admin/cashouts/" + id + "/complete", admin, Map.of("transactionId", "tx" + n));
            assertThat(done.body().get("status").asString()).as(done.body().toString()).isEqualTo("completed");
        }

        // Normal earnings: three periods of 1 GB, 100 credits each.
        for (int i = 0; i < 3; i++) {
            contribute(node, op.id(), 1_000_000_000L);
            earn.creditUpTo(Instant.now());
        }
        assertThat(earn.openReviewFlags(op.id())).isEmpty();

        // A jump: 100 GB in one period, 10,000 credits, 100 times the trailing average.
        contribute(node, op.id(), 100_000_000_000L);
        earn.creditUpTo(Instant.now());
        assertThat(earn.openReviewFlags(op.id())).extracting(ReviewFlag::scope).contains("device");

        JsonNode held = requestAndConfirm(op, usdt("5.00"), 4);
        assertThat(held.get("status").asString()).as("not auto-approved while flagged").isEqualTo("pending");
        assertThat(held.get("requiresReview").asBoolean()).isTrue();
        JsonNode queue = call("GET", "/api/admin/cashouts?status=pending", admin, null).body();
        assertThat(queue.at("/earningsFlags/" + op.id()).isArray()).as(queue.toString()).isTrue();
        assertThat(call("GET", "/api/admin/earn/users/" + op.id(), admin, null).body().get("reviewFlags")).isNotEmpty();

        // Only admins clear it; then the next cash-out is auto-approved again.
        assertThat(call("POST", "/api/admin/earn/users/" + op.id() + "/review-flags/clear", op.token(), Map.of())
                .status()).isEqualTo(403);
        Response cleared = call("POST", "/api/admin/earn/users/" + op.id() + "/review-flags/clear", admin,
                Map.of("note", "checked: a new office customer"));
        assertThat(cleared.status()).as(cleared.body().toString()).isEqualTo(200);
        assertThat(cleared.body().get("cleared")).isNotEmpty();
        assertThat(earn.openReviewFlags(op.id())).isEmpty();
        assertThat(requestAndConfirm(op, usdt("5.00"), 5).get("status").asString()).isEqualTo("approved");
        assertThat(ledger.checkConsistency().consistent()).isTrue();
    }

    private long earnBalance(String token) {
        return call("GET", "/api/earn/balance", token, null).body().get("credits").asLong();
    }

    /** Registers with {@code code}; returns the login. */
    private JsonNode referred(String code) {
        Response joined = call("POST", "/api/auth/register?ref=" + code, null, Map.of("acceptTerms", true, "email",
                "ref-" + UUID.randomUUID() + "@example.com", "password", "correct horse", "firstName", "Ref", "lastName", "Eree"));
        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(201);
        return joined.body();
    }

    private void verifiedPayPal(String token, String email, String address) {
        Response saved = call("POST", "/api/earn/payment-methods", token, Map.of("method", "paypal",
                "details", Map.of("email", address)));
        assertThat(saved.status()).as(saved.toString()).isEqualTo(201);
        String code = mailedCode(email, "Verify your IPLoop payment method", 1);
        assertThat(call("POST", "/api/earn/payment-methods/" + saved.body().get("id").asString() + "/verify", token,
                Map.of("code", code)).body().get("verified").asBoolean()).isTrue();
    }

    @Test
    void aReferralPaysOnlyAfterTwoGbAndNeverBetweenLinkedAccounts() throws Exception {
        Operator referrer = operator();
        String code = call("GET", "/api/earn/referral/code", referrer.token(), null).body().get("code").asString();

        // A genuine referee: nothing at sign-up, nothing after 1 GB, the bonus once 2 GB are carried.
        JsonNode genuine = referred(code);
        String genuineToken = token(genuine);
        UUID genuineId = UUID.fromString(genuine.at("/user/id").asString());
        assertThat(earnBalance(genuineToken)).isZero();
        UUID node = device(genuineToken, genuineId);
        contribute(node, genuineId, 1_000_000_000L);
        earn.creditUpTo(Instant.now());
        assertThat(earnBalance(genuineToken)).isEqualTo(100);
        assertThat(earnBalance(referrer.token())).as("no commission before the referral qualified").isZero();
        contribute(node, genuineId, 1_500_000_000L);
        earn.creditUpTo(Instant.now());
        assertThat(earnBalance(genuineToken)).isEqualTo(100 + 150 + 500);
        assertThat(earnBalance(referrer.token())).isEqualTo(15);

        // The referrer's second account, linked by the same verified PayPal account: never paid.
        JsonNode self = referred(code);
        String selfToken = token(self);
        UUID selfId = UUID.fromString(self.at("/user/id").asString());
        verifiedPayPal(referrer.token(), referrer.email(), "me-" + selfId + "@example.com");
        verifiedPayPal(selfToken, self.at("/user/email").asString(), "ME-" + selfId + "@example.com");
        UUID selfNode = device(selfToken, selfId);
        contribute(selfNode, selfId, 3_000_000_000L);
        earn.creditUpTo(Instant.now());
        assertThat(earnBalance(selfToken)).as("bandwidth only, no sign-up bonus").isEqualTo(300);
        assertThat(earnBalance(referrer.token())).as("no commission from a linked account").isEqualTo(15);
        assertThat(jdbc.sql("SELECT qualification FROM referrals WHERE referee_id = ?").param(selfId)
                .query(String.class).single()).isEqualTo("refused");
        assertThat(ledger.checkConsistency().consistent()).isTrue();
    }
}
