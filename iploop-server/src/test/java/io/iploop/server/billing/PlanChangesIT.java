package io.iploop.server.billing;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.jobs.JobsService;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Plan changes and overage through the manual provider (docs/billing.md#plan-changes,
 * docs/billing.md#overage): an upgrade in the middle of a period is billed the prorated difference
 * (invoice and one balanced ledger transaction) and adds the prorated GB; a downgrade and a
 * cancellation wait for the period end, are shown and can be withdrawn, and the renewal applies
 * them; a period's overage is billed once even when two renewals race.
 */
@PlatformTest
class PlanChangesIT {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    LedgerService ledger;
    @Autowired
    PlansService plans;
    @Autowired
    JobsService jobs;

    private record Customer(String token, UUID id) {}

    private Customer customerOn(String planId) {
        JsonNode login = registerCustomer();
        Customer c = new Customer(token(login), UUID.fromString(login.at("/user/id").asString()));
        plans.subscribe(c.id(), planId);
        return c;
    }

    /** Puts the subscription's current period at [now − daysAgo, now + daysLeft) with {@code balance} GB left. */
    private Subscription period(UUID userId, int daysAgo, int daysLeft, String balance) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        jdbc.sql("""
                        UPDATE user_plans SET started_at = :start, period_start = :start, period_end = :end,
                               gb_balance = CAST(:balance AS numeric)
                        WHERE user_id = :u AND status = 'active'""")
                .param("start", java.sql.Timestamp.from(now.minus(Duration.ofDays(daysAgo))))
                .param("end", java.sql.Timestamp.from(now.plus(Duration.ofDays(daysLeft))))
                .param("balance", balance).param("u", userId).update();
        return plans.current(userId).orElseThrow();
    }

    private static void assertLedgerConsistent() {
        JsonNode report = call("GET", "/api/admin/ledger/consistency", adminToken(), null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }

    private List<Map<String, Object>> entries(String idempotencyKeyLike) {
        return jdbc.sql("""
                        SELECT a.purpose, e.amount FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id
                        JOIN ledger_accounts a ON a.id = e.account_id WHERE t.idempotency_key LIKE ? ORDER BY a.purpose""")
                .param(idempotencyKeyLike).query().listOfRows();
    }

    private static BigDecimal sum(List<Map<String, Object>> entries, String purpose) {
        return entries.stream().filter(e -> purpose.equals(e.get("purpose"))).map(e -> (BigDecimal) e.get("amount"))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Test
    void anUpgradeInTheMiddleOfAPeriodBillsTheProratedDifferenceAndAddsTheProratedGb() {
        Customer c = customerOn("starter"); // USD 49, 5 GB
        Subscription before = period(c.id(), 10, 20, "3"); // a 30-day period, a third used
        BigDecimal receivablesBefore = ledger.platformAccount(AccountPurpose.CUSTOMER_RECEIVABLES).balance();

        Response bad = call("POST", "/api/billing/subscription/change", c.token(), Map.of("planId", "platinum"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().at("/error/field").asString()).isEqualTo("planId");
        Response same = call("POST", "/api/billing/subscription/change", c.token(), Map.of("planId", "starter"));
        assertThat(same.status()).isEqualTo(400);
        Response custom = call("POST", "/api/billing/subscription/change", c.token(), Map.of("planId", "enterprise"));
        assertThat(custom.status()).isEqualTo(400);
        Response badInterval = call("POST", "/api/billing/subscription/change", c.token(),
                Map.of("planId", "growth", "interval", "week"));
        assertThat(badInterval.body().at("/error/field").asString()).isEqualTo("interval");
        assertThat(plans.current(c.id()).orElseThrow().planId()).as("nothing written").isEqualTo("starter");

        Response up = call("POST", "/api/billing/subscription/change", c.token(), Map.of("planId", "growth"));
        assertThat(up.status()).as(up.toString()).isEqualTo(200);
        JsonNode r = up.body();
        assertThat(r.get("kind").asString()).isEqualTo("upgrade");
        BigDecimal f = r.get("unusedShare").decimalValue();
        assertThat(f.doubleValue()).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(0.001));
        // Formula of docs/billing.md#plan-changes: credit round(4900 f), charge round(14900 f), half up.
        long credit = BigDecimal.valueOf(4900).multiply(f).setScale(0, RoundingMode.HALF_UP).longValueExact();
        long charge = BigDecimal.valueOf(14900).multiply(f).setScale(0, RoundingMode.HALF_UP).longValueExact();
        assertThat(r.get("creditUsd").decimalValue()).isEqualByComparingTo(BigDecimal.valueOf(credit, 2));
        assertThat(r.get("chargeUsd").decimalValue()).isEqualByComparingTo(BigDecimal.valueOf(charge, 2));
        assertThat(r.get("amountUsd").decimalValue()).isEqualByComparingTo(BigDecimal.valueOf(charge - credit, 2));
        assertThat(charge - credit).isBetween(6660L, 6670L); // USD 100 × 2/3
        JsonNode invoice = r.get("invoice");
        assertThat(invoice.get("status").asString()).isEqualTo("open");
        assertThat(invoice.get("packageKind").asString()).isEqualTo("plan");
        assertThat(invoice.get("totalCents").asLong()).isEqualTo(charge - credit);
        assertThat(invoice.get("number").asString()).startsWith("INV-");

        Subscription after = plans.current(c.id()).orElseThrow();
        assertThat(after.id()).as("same subscription, same period").isEqualTo(before.id());
        assertThat(after.planId()).isEqualTo("growth");
        assertThat(after.periodEnd()).isEqualTo(before.periodEnd());
        BigDecimal gb = new BigDecimal(20).multiply(f).setScale(9, RoundingMode.DOWN);
        assertThat(after.gbBalance()).isEqualByComparingTo(new BigDecimal("3").add(gb));
        assertThat(r.get("gbAdded").decimalValue()).isEqualByComparingTo(gb);

        // One balanced transaction billed the difference; paying the invoice clears the receivable.
        List<Map<String, Object>> billed = entries("plan-change:%");
        String invoiceId = invoice.get("id").asString();
        List<Map<String, Object>> charged = jdbc.sql("""
                        SELECT a.purpose, e.amount FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id
                        JOIN ledger_accounts a ON a.id = e.account_id
                        WHERE t.metadata->>'invoiceId' = ? AND t.kind = 'PLAN_CHANGE_CHARGE'""")
                .param(invoiceId).query().listOfRows();
        assertThat(billed).isNotEmpty();
        assertThat(sum(charged, "CUSTOMER_RECEIVABLES")).isEqualByComparingTo(BigDecimal.valueOf(credit - charge, 2));
        assertThat(sum(charged, "SUBSCRIPTION_SALES")).isEqualByComparingTo(BigDecimal.valueOf(charge - credit, 2));
        assertThat(ledger.platformAccount(AccountPurpose.CUSTOMER_RECEIVABLES).balance())
                .isEqualByComparingTo(receivablesBefore.subtract(BigDecimal.valueOf(charge - credit, 2)));
        Response paid = call("POST", "/api/admin/billing/invoices/" + invoiceId + "/mark-paid", adminToken(),
                Map.of("paymentReference", "bank 42"));
        assertThat(paid.status()).as(paid.toString()).isEqualTo(200);
        assertThat(ledger.platformAccount(AccountPurpose.CUSTOMER_RECEIVABLES).balance())
                .isEqualByComparingTo(receivablesBefore);
        assertThat(plans.current(c.id()).orElseThrow().planId()).isEqualTo("growth");

        // The same request again: already on the plan, nothing billed twice.
        assertThat(call("POST", "/api/billing/subscription/change", c.token(), Map.of("planId", "growth")).status())
                .isEqualTo(400);
        assertThat(jdbc.sql("SELECT count(*) FROM billing_plan_changes WHERE user_id = ?").param(c.id())
                .query(Long.class).single()).isEqualTo(1);
        assertLedgerConsistent();
    }

    @Test
    void aDowngradeIsScheduledShownWithdrawableAndAppliedByTheRenewalAtThePeriodEnd() {
        Customer c = customerOn("growth");
        Subscription s = period(c.id(), 5, 25, "20");
        Response down = call("POST", "/api/billing/subscription/change", c.token(), Map.of("planId", "starter"));
        assertThat(down.status()).as(down.toString()).isEqualTo(200);
        assertThat(down.body().get("kind").asString()).isEqualTo("downgrade");
        assertThat(Instant.parse(down.body().get("effectiveAt").asString())).isEqualTo(s.periodEnd());
        assertThat(down.body().get("invoice").isNull()).isTrue();
        JsonNode view = call("GET", "/api/billing/subscription", c.token(), null).body();
        assertThat(view.get("plan").asString()).isEqualTo("growth");
        assertThat(view.get("pendingPlanId").asString()).isEqualTo("starter");
        assertThat(Instant.parse(view.get("pendingEffectiveAt").asString())).isEqualTo(s.periodEnd());
        assertThat(plans.current(c.id()).orElseThrow().planId()).as("nothing changes before the period end")
                .isEqualTo("growth");

        // Withdrawn, then scheduled again.
        Response withdrawn = call("DELETE", "/api/billing/subscription/pending-change", c.token(), null);
        assertThat(withdrawn.status()).as(withdrawn.toString()).isEqualTo(200);
        assertThat(withdrawn.body().get("pendingPlanId").isNull()).isTrue();
        assertThat(call("GET", "/api/billing/subscription", c.token(), null).body().get("pendingPlanId").isNull())
                .isTrue();
        call("POST", "/api/billing/subscription/change", c.token(), Map.of("planId", "starter"));

        // The renewal a second before the period end changes nothing; at the period end it applies the downgrade.
        Instant end = java.util.Objects.requireNonNull(s.periodEnd());
        plans.renewDue(c.id(), end.minusSeconds(1));
        assertThat(plans.current(c.id()).orElseThrow().planId()).isEqualTo("growth");
        Subscription renewed = plans.renewDue(c.id(), end.plusSeconds(1));
        assertThat(renewed.id()).isEqualTo(s.id());
        assertThat(renewed.planId()).isEqualTo("starter");
        assertThat(renewed.gbBalance()).as("the new plan's included GB").isEqualByComparingTo("5");
        assertThat(renewed.periodStart()).isEqualTo(end);
        assertThat(renewed.pendingPlanId()).isNull();
        assertThat(jdbc.sql("SELECT rule FROM plan_renewals WHERE subscription_id = ?").param(s.id())
                .query(String.class).single()).isEqualTo("change");
        assertThat(call("GET", "/api/billing/subscription", c.token(), null).body().get("pendingPlanId").isNull())
                .isTrue();
    }

    @Test
    void aCancellationEndsThePlanAtThePeriodEndUnlessWithdrawn() {
        Customer c = customerOn("starter");
        Subscription s = period(c.id(), 3, 27, "4");
        Response cancel = call("POST", "/api/billing/subscription/cancel", c.token(), null);
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
        assertThat(cancel.body().get("pendingCancel").asBoolean()).isTrue();
        assertThat(plans.current(c.id()).orElseThrow().expiresAt()).isEqualTo(s.periodEnd());
        assertThat(call("GET", "/api/billing/subscription", c.token(), null).body().get("pendingCancel").asBoolean())
                .isTrue();

        call("DELETE", "/api/billing/subscription/pending-change", c.token(), null);
        assertThat(plans.current(c.id()).orElseThrow().expiresAt()).as("withdrawn: open-ended again").isNull();

        call("POST", "/api/billing/subscription/cancel", c.token(), null);
        Subscription ended = plans.renewDue(c.id(), s.periodEnd().plusSeconds(1));
        assertThat(ended.planId()).isEqualTo("starter");
        assertThat(ended.periodEnd()).as("no next period").isNull();
        assertThat(ended.expiresAt()).isEqualTo(s.periodEnd());
    }

    @Test
    void overageIsBilledOnceEvenWhenTwoRenewalsOfThePeriodRace() throws Exception {
        Customer c = customerOn("starter"); // overage USD 7/GB
        // The period ended with 1.5 GB used beyond the 5 GB.
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        jdbc.sql("""
                        UPDATE user_plans SET started_at = :start, period_start = :start, period_end = :end,
                               gb_balance = -1.5, period_gb_used = 6.5
                        WHERE user_id = :u AND status = 'active'""")
                .param("start", java.sql.Timestamp.from(now.minus(Duration.ofDays(31))))
                .param("end", java.sql.Timestamp.from(now.minus(Duration.ofMinutes(1)))).param("u", c.id()).update();
        Subscription s = plans.current(c.id()).orElseThrow();

        // Two instances at once: the job and billing's own renewal of the same period.
        ExecutorService pool = Executors.newFixedThreadPool(3);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> runs = new ArrayList<>();
        List<Callable<Object>> tasks = List.of(
                () -> { go.await(); return jobs.runNow("plans-renewal"); },
                () -> { go.await(); return plans.renewDue(c.id(), now); },
                () -> { go.await(); return plans.renewDue(c.id(), now); });
        for (Callable<Object> t : tasks) {
            runs.add(pool.submit(t));
        }
        go.countDown();
        for (Future<?> f : runs) {
            f.get();
        }
        pool.shutdown();
        jobs.runNow("plans-renewal");

        JsonNode invoices = call("GET", "/api/billing/invoices", c.token(), null).body().get("invoices");
        List<JsonNode> overage = new ArrayList<>();
        invoices.forEach(i -> {
            if ("overage".equals(i.get("packageKind").asString())) {
                overage.add(i);
            }
        });
        assertThat(overage).hasSize(1);
        assertThat(overage.getFirst().get("totalCents").asLong()).as("1.5 GB × USD 7").isEqualTo(1050);
        assertThat(overage.getFirst().at("/lines/0/description").asString()).contains("1.5 GB");
        String key = "overage:" + s.id() + ":" + s.periodStart();
        List<Map<String, Object>> charged = entries(key);
        assertThat(sum(charged, "OVERAGE_SALES")).isEqualByComparingTo("10.50");
        assertThat(sum(charged, "CUSTOMER_RECEIVABLES")).isEqualByComparingTo("-10.50");
        assertThat(jdbc.sql("SELECT count(*) FROM billing_overage_charges WHERE subscription_id = ?").param(s.id())
                .query(Long.class).single()).isEqualTo(1);
        Subscription renewed = plans.current(c.id()).orElseThrow();
        assertThat(renewed.gbBalance()).as("a new period starts with the included GB").isEqualByComparingTo("5");
        assertThat(jdbc.sql("SELECT overage_gb FROM plan_renewals WHERE subscription_id = ?").param(s.id())
                .query(BigDecimal.class).single()).isEqualByComparingTo("1.5");
        assertLedgerConsistent();
    }

    @Test
    void aPlanWithoutOverageBillsNothingBeyondItsGb() {
        Customer c = customerOn("trial");
        assertThat(plans.find("trial").orElseThrow().allowsOverage()).isFalse();
        assertThat(plans.find("starter").orElseThrow().allowsOverage()).isTrue();
        assertThat(plans.find("payg").orElseThrow().allowsOverage()).as("pay-as-you-go pays from credits").isFalse();
        assertThat(call("GET", "/api/billing/invoices", c.token(), null).body().get("invoices").size()).isZero();
    }
}
