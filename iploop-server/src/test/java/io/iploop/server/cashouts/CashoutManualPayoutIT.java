package io.iploop.server.cashouts;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.loginWith;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.CashoutFixtures.assertBalances;
import static io.iploop.server.testing.CashoutFixtures.cashout;
import static io.iploop.server.testing.CashoutFixtures.credit;
import static io.iploop.server.testing.CashoutFixtures.operator;
import static io.iploop.server.testing.CashoutFixtures.paypal;
import static io.iploop.server.testing.CashoutFixtures.requestAndConfirm;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.CashoutFixtures.Operator;
import io.iploop.server.testing.PayPalStub;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Cash-outs an admin pays by hand (docs/product/cashouts.md#paying-by-hand): the payment details are
 * masked everywhere but on the admin review, where an admin signed in with 2FA sees them in full,
 * one audit entry per view; marking the cash-out paid takes the payment's reference, which is
 * stored, shown to the operator and audited. A PayPal cash-out paid through the Payouts API keeps
 * its details encrypted, and nobody else sees them.
 */
@PlatformTest
@ExtendWith(PayPalStub.class)
class CashoutManualPayoutIT {

    private static final String IBAN = "DE89370400440532013000";

    @Autowired
    JdbcClient jdbc;

    private static Map<String, Object> bank(String amountUsd) {
        return Map.of("method", "bank_transfer", "amountUsd", new BigDecimal(amountUsd), "paymentDetails",
                Map.of("iban", "DE89 3704 0044 0532 0130 00", "swift", "DEUTDEFF", "accountHolder", "Jo Operator"));
    }

    private long views(String cashoutId) {
        return jdbc.sql("SELECT count(*) FROM audit_logs WHERE action = 'cashout_details_viewed' AND resource_id = ?")
                .param(cashoutId).query(Long.class).single();
    }

    @Test
    void anAdminWithTwoFactorSeesTheFullDetailsEachViewAuditedAndMarksItPaidWithAReference() {
        Operator op = operator();
        String admin = adminToken();
        credit(op.id(), 100_000);
        JsonNode pending = requestAndConfirm(op, bank("60.00"), 1);
        String id = pending.get("id").asString();
        assertThat(pending.get("paymentDetails").asString()).as("masked for the operator").doesNotContain(IBAN);
        JsonNode queue = call("GET", "/api/admin/cashouts?status=pending", admin, null).body();
        assertThat(queue.toString()).contains(id).doesNotContain(IBAN);

        // Two views, two audit entries; the details are complete.
        for (int view = 1; view <= 2; view++) {
            Response details = call("GET", "/api/admin/cashouts/" + id + "/payment-details", admin, null);
            assertThat(details.status()).as(details.toString()).isEqualTo(200);
            assertThat(details.body().at("/details/iban").asString()).isEqualTo(IBAN);
            assertThat(details.body().at("/details/swift").asString()).isEqualTo("DEUTDEFF");
            assertThat(details.body().at("/details/accountHolder").asString()).isEqualTo("Jo Operator");
            assertThat(details.body().get("netAmountUsd").decimalValue()).isEqualByComparingTo("55.00");
            assertThat(views(id)).as("one audit entry per view").isEqualTo(view);
        }
        String audit = call("GET", "/api/audit-logs?limit=50&action=cashout_details_viewed", admin, null).body().toString();
        assertThat(audit).contains(id).doesNotContain(IBAN);

        assertThat(call("POST", "/api/admin/cashouts/" + id + "/approve", admin, Map.of()).body().get("status").asString())
                .isEqualTo("approved");
        // A paid reference is required; a refused request changes nothing.
        Response blank = call("POST", "/api/admin/cashouts/" + id + "/complete", admin, Map.of("paidReference", "  "));
        assertThat(blank.status()).isEqualTo(400);
        assertThat(blank.body().at("/error/field").asString()).isEqualTo("paidReference");
        Response none = call("POST", "/api/admin/cashouts/" + id + "/complete", admin, Map.of());
        assertThat(none.status()).isEqualTo(400);
        assertBalances(op, 40_000, 60_000);
        assertThat(cashout(op, id).get("status").asString()).isEqualTo("approved");

        Response paid = call("POST", "/api/admin/cashouts/" + id + "/complete", admin,
                Map.of("paidReference", "SEPA-2026-12-02-0042"));
        assertThat(paid.status()).as(paid.toString()).isEqualTo(200);
        assertThat(paid.body().get("status").asString()).isEqualTo("completed");
        assertThat(cashout(op, id).get("transactionId").asString()).as("shown to the operator")
                .isEqualTo("SEPA-2026-12-02-0042");
        assertBalances(op, 40_000, 0);
        assertThat(call("GET", "/api/audit-logs?limit=50&action=cashout_completed", admin, null).body().toString())
                .contains(id).contains("SEPA-2026-12-02-0042");
    }

    @Test
    void nobodyElseSeesTheDetailsAndPayPalPayoutsKeepThemEncrypted() {
        Operator op = operator();
        String admin = adminToken();
        credit(op.id(), 100_000);
        String id = requestAndConfirm(op, bank("60.00"), 1).get("id").asString();

        // The operator themselves, another user and an admin without a second factor: refused, no view audited.
        assertThat(call("GET", "/api/admin/cashouts/" + id + "/payment-details", op.token(), null).status()).isEqualTo(403);
        String email = "admin-no2fa-" + UUID.randomUUID() + "@example.com";
        Api.bean(AccountsService.class).create(new NewAccount(email, Api.TEST_PASSWORD, "No", "Factor", null,
                UserRole.ADMIN, false));
        String withoutSecondFactor = token(loginWith(email, Api.TEST_PASSWORD, null).body());
        Response refused = call("GET", "/api/admin/cashouts/" + id + "/payment-details", withoutSecondFactor, null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body().toString()).doesNotContain(IBAN);
        assertThat(views(id)).isZero();

        // PayPal with the Payouts API configured (the stub): paid by PayPal, not by hand.
        String paypalId = requestAndConfirm(op, paypal("5.00", "jo-" + UUID.randomUUID() + "@example.com"), 2)
                .get("id").asString();
        Response p = call("GET", "/api/admin/cashouts/" + paypalId + "/payment-details", admin, null);
        assertThat(p.status()).isEqualTo(400);
        assertThat(p.body().at("/error/message").asString()).contains("PayPal");
        assertThat(views(paypalId)).isZero();

        assertThat(call("GET", "/api/admin/cashouts/" + UUID.randomUUID() + "/payment-details", admin, null).status())
                .isEqualTo(404);
    }
}
