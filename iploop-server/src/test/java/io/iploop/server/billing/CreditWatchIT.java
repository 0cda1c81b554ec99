package io.iploop.server.billing;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.Mailbox;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Low-balance alerts and auto top-up of the prepaid credits (docs/billing.md#low-balance-alerts,
 * #auto-top-up) through the REST API and the real {@code billing-credit-watch} job: each fires once
 * per crossing of its threshold, the auto top-up creates an open invoice (manual provider) with an
 * e-mail and stops at its monthly cap, and the ledger stays consistent. Spending is simulated by
 * posting time-based targeting charges through the ledger service, as the charging job does.
 */
@PlatformTest
class CreditWatchIT {

    @Autowired
    LedgerService ledger;

    private void spend(UUID userId, String usd) {
        BigDecimal amount = new BigDecimal(usd);
        ledger.post(NewTransaction.of(TransactionKind.PREMIUM_TARGETING, "test-spend:" + UUID.randomUUID(), "test spend",
                new Posting(ledger.account(userId, AccountPurpose.CUSTOMER_CREDITS).id(), amount.negate()),
                new Posting(ledger.platformAccount(AccountPurpose.PREMIUM_TARGETING_REVENUE).id(), amount)));
    }

    private static void runJob(String admin) {
        Response r = call("POST", "/api/admin/jobs/billing-credit-watch/run", admin, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private static List<String> notifications(String token, String kind) {
        List<String> titles = new ArrayList<>();
        for (JsonNode n : call("GET", "/api/notifications?limit=100", token, null).body().get("notifications")) {
            if (n.get("kind").asString().equals(kind)) {
                titles.add(n.get("title").asString());
            }
        }
        return titles;
    }

    private static List<JsonNode> openInvoices(String token) {
        List<JsonNode> open = new ArrayList<>();
        for (JsonNode i : call("GET", "/api/billing/invoices", token, null).body().get("invoices")) {
            if (i.get("status").asString().equals("open")) {
                open.add(i);
            }
        }
        return open;
    }

    private static void pay(String admin, JsonNode invoice) {
        assertThat(call("POST", "/api/admin/billing/invoices/" + invoice.get("id").asString() + "/mark-paid", admin,
                Map.of("paymentReference", "ref " + invoice.get("number").asString())).status()).isEqualTo(200);
    }

    @Test
    void alertsAndAutoTopUpsFireOncePerCrossingAndTheTopUpsStopAtTheMonthlyCap() {
        JsonNode login = registerCustomer();
        String token = token(login);
        String email = login.at("/user/email").asString();
        UUID userId = UUID.fromString(login.at("/user/id").asString());
        String admin = adminToken();

        // Bad settings are refused naming the field.
        Response gb = call("PUT", "/api/billing/auto-top-up", token,
                Map.of("enabled", true, "thresholdUsd", 3, "packageId", "gb-5", "maxPerMonth", 2));
        assertThat(gb.status()).isEqualTo(400);
        assertThat(gb.body().at("/error/field").asString()).isEqualTo("packageId");
        Response max = call("PUT", "/api/billing/auto-top-up", token,
                Map.of("enabled", true, "thresholdUsd", 3, "packageId", "credits-10", "maxPerMonth", 0));
        assertThat(max.body().at("/error/field").asString()).isEqualTo("maxPerMonth");
        Response low = call("PUT", "/api/billing/alerts/credits", token, Map.of("lowBalanceUsd", -1));
        assertThat(low.status()).isEqualTo(400);
        assertThat(low.body().at("/error/field").asString()).isEqualTo("lowBalanceUsd");

        JsonNode saved = call("PUT", "/api/billing/auto-top-up", token,
                Map.of("enabled", true, "thresholdUsd", 3, "packageId", "credits-10", "maxPerMonth", 2)).body();
        assertThat(saved.get("enabled").asBoolean()).isTrue();
        assertThat(saved.get("packageId").asString()).isEqualTo("credits-10");
        assertThat(call("PUT", "/api/billing/alerts/credits", token, Map.of("lowBalanceUsd", 4)).body()
                .get("lowBalanceUsd").decimalValue()).isEqualByComparingTo("4");

        // Credits bought and paid: USD 5, over both thresholds; nothing fires.
        Response bought = call("POST", "/api/billing/credits/purchase", token, Map.of("packageId", "credits-5"));
        pay(admin, bought.body().get("invoice"));
        runJob(admin);
        assertThat(notifications(token, "low_credit_balance")).isEmpty();
        assertThat(openInvoices(token)).isEmpty();

        // 3.50: under the alert's 4, once however often the job runs.
        spend(userId, "1.50");
        runJob(admin);
        runJob(admin);
        assertThat(notifications(token, "low_credit_balance")).containsExactly("Your prepaid credits are under USD 4.00");
        assertThat(Mailbox.awaitMail(email, "prepaid credits are under", 1)).contains("USD 3.50");
        assertThat(openInvoices(token)).isEmpty();

        // 2.50: under the top-up's 3: one open invoice for credits-10, e-mailed with the transfer reference.
        spend(userId, "1.00");
        runJob(admin);
        runJob(admin);
        List<JsonNode> first = openInvoices(token);
        assertThat(first).hasSize(1);
        assertThat(first.getFirst().get("packageId").asString()).isEqualTo("credits-10");
        assertThat(Mailbox.awaitMail(email, "Auto top-up", 1)).contains(first.getFirst().get("number").asString(), "IBAN");

        // Paid: 12.50, both armed again; a second crossing fires both again.
        pay(admin, first.getFirst());
        runJob(admin);
        spend(userId, "10.00");
        runJob(admin);
        assertThat(notifications(token, "low_credit_balance")).hasSize(2);
        List<JsonNode> second = openInvoices(token);
        assertThat(second).hasSize(1);

        // A third crossing in the same month: the cap of 2 holds, the alert still fires.
        pay(admin, second.getFirst());
        runJob(admin);
        spend(userId, "10.00");
        runJob(admin);
        runJob(admin);
        assertThat(openInvoices(token)).isEmpty();
        assertThat(notifications(token, "low_credit_balance")).hasSize(3);
        assertThat(notifications(token, "auto_top_up")).hasSize(2);
        assertThat(ledger.account(userId, AccountPurpose.CUSTOMER_CREDITS).balance()).isEqualByComparingTo("2.50");

        JsonNode report = call("GET", "/api/admin/ledger/consistency", admin, null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }
}
