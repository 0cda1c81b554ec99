package io.iploop.server.campaigns;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.bean;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.ledger.LedgerService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.event.ApplicationEventMulticaster;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Customer-requested wallet invoices (docs/campaigns.md#wallet-invoices): a customer asks for an
 * invoice of EUR through the billing feature's manual provider, an admin marks it paid, and the
 * campaign wallet is credited exactly once (key {@code campaign-topup:invoice:<id>}) with one
 * {@link CampaignWalletToppedUp}, also when the admin's call is repeated or races with itself.
 */
@PlatformTest
class WalletInvoicesIT {

    @Autowired
    CampaignWalletService wallet;

    @Autowired
    JdbcClient jdbc;

    @Test
    void badAmountsAreRefusedNamingTheFieldAndWriteNothing() {
        String customer = token(registerCustomer());
        for (Object amount : new Object[] {"", "abc", "0", "0.99", "-5", "1.001", "10000000.01"}) {
            Response r = call("POST", "/api/campaigns/wallet/top-ups", customer, Map.of("amount", amount));
            assertThat(r.status()).as("amount %s: %s", amount, r).isEqualTo(400);
            assertThat(r.body().at("/error/field").asString()).isEqualTo("amount");
        }
        Map<String, Object> none = new HashMap<>();
        none.put("amount", null);
        assertThat(call("POST", "/api/campaigns/wallet/top-ups", customer, none).status()).isEqualTo(400);
        assertThat(call("GET", "/api/campaigns/wallet/top-ups", customer, null).body()).isEmpty();
        assertThat(call("GET", "/api/billing/invoices", customer, null).body().toString()).doesNotContain("wallet");
    }

    @Test
    void anAdminMarkingTheInvoicePaidCreditsTheWalletOnceAndPublishesOneTopUp() throws Exception {
        JsonNode login = registerCustomer();
        String customer = token(login);
        UUID userId = UUID.fromString(login.at("/user/id").asString());

        Response requested = call("POST", "/api/campaigns/wallet/top-ups", customer, Map.of("amount", "250.50"));
        assertThat(requested.status()).as(requested.toString()).isEqualTo(201);
        JsonNode invoice = requested.body();
        String id = invoice.get("id").asString();
        assertThat(invoice.get("currency").asString()).isEqualTo("EUR");
        assertThat(invoice.get("amount").decimalValue()).isEqualByComparingTo("250.50");
        assertThat(invoice.get("status").asString()).isEqualTo("open");
        assertThat(invoice.get("number").asString()).startsWith("INV-");
        assertThat(invoice.at("/paymentInstructions/iban").isMissingNode()).isFalse();
        assertThat(Api.send("GET", invoice.get("pdf").asString(), customer, null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/campaigns/wallet/top-ups", customer, null).body()).hasSize(1);
        assertThat(wallet.balance(userId)).isEqualByComparingTo("0");
        // The page shows it.
        assertThat(Api.send("GET", "/campaigns", null, null, Map.of("Cookie", "IPLOOP_SESSION=" + customer)).body())
                .contains("data-test=\"wallet-invoices\"").contains(invoice.get("number").asString());

        List<CampaignWalletToppedUp> seen = new CopyOnWriteArrayList<>();
        ApplicationListener<PayloadApplicationEvent<CampaignWalletToppedUp>> listener = e -> {
            if (e.getPayload().userId().equals(userId)) {
                seen.add(e.getPayload());
            }
        };
        ApplicationEventMulticaster multicaster = bean(ApplicationEventMulticaster.class);
        multicaster.addApplicationListener(listener);
        String admin = adminToken();
        try {
            // Two admins' clicks at once, then a retry: one credit.
            CompletableFuture<Response> a = CompletableFuture.supplyAsync(() -> call("POST",
                    "/api/admin/billing/invoices/" + id + "/mark-paid", admin, Map.of("paymentReference", "SEPA-4711")));
            CompletableFuture<Response> b = CompletableFuture.supplyAsync(() -> call("POST",
                    "/api/admin/billing/invoices/" + id + "/mark-paid", admin, Map.of("paymentReference", "SEPA-4711")));
            assertThat(a.get().status()).as(a.get().toString()).isEqualTo(200);
            assertThat(b.get().status()).as(b.get().toString()).isEqualTo(200);
            Response again = call("POST", "/api/admin/billing/invoices/" + id + "/mark-paid", admin,
                    Map.of("paymentReference", "SEPA-4711"));
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.body().get("status").asString()).isEqualTo("paid");
        } finally {
            multicaster.removeApplicationListener(listener);
        }

        assertThat(wallet.balance(userId)).isEqualByComparingTo("250.50");
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).idempotencyKey()).isEqualTo("campaign-topup:invoice:" + id);
        assertThat(seen.get(0).amount()).isEqualByComparingTo("250.50");
        assertThat(jdbc.sql("SELECT count(*) FROM ledger_transactions WHERE idempotency_key = :k")
                .param("k", "campaign-topup:invoice:" + id).query(Long.class).single()).isEqualTo(1);
        JsonNode listed = call("GET", "/api/campaigns/wallet/top-ups", customer, null).body().get(0);
        assertThat(listed.get("status").asString()).isEqualTo("paid");
        assertThat(bean(LedgerService.class).checkConsistency().consistent()).isTrue();

        // A refund of part of it (docs/campaigns.md#refunds-and-chargebacks): a credit note, and the wallet gives the
        // EUR back; the retry with the same key moves nothing.
        Map<String, Object> body = Map.of("amountCents", 1000, "reason", "customer asked", "idempotencyKey", "r-1");
        Response refund = call("POST", "/api/admin/billing/invoices/" + id + "/refund", admin, body);
        assertThat(refund.status()).as(refund.toString()).isEqualTo(201);
        assertThat(call("POST", "/api/admin/billing/invoices/" + id + "/refund", admin, body).status()).isEqualTo(201);
        assertThat(wallet.balance(userId)).isEqualByComparingTo(new BigDecimal("240.50"));
        // More than what is left of the invoice is refused and moves nothing.
        Response tooMuch = call("POST", "/api/admin/billing/invoices/" + id + "/refund", admin,
                Map.of("amountCents", 24051, "reason", "customer asked"));
        assertThat(tooMuch.status()).as(tooMuch.toString()).isEqualTo(409);
        assertThat(tooMuch.body().at("/error/code").asString()).isEqualTo("refund_exceeds_paid");
        assertThat(wallet.balance(userId)).isEqualByComparingTo(new BigDecimal("240.50"));
        assertThat(bean(LedgerService.class).checkConsistency().consistent()).isTrue();
    }
}
