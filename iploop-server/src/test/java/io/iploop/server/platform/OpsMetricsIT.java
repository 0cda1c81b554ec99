package io.iploop.server.platform;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.CashoutFixtures.credit;
import static io.iploop.server.testing.CashoutFixtures.operator;
import static io.iploop.server.testing.CashoutFixtures.requestAndConfirm;
import static io.iploop.server.testing.CashoutFixtures.usdt;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.cashouts.internal.CashoutMetrics;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.internal.LedgerMetrics;
import io.iploop.server.testing.CashoutFixtures.Operator;
import io.iploop.server.testing.PlatformTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The operations gauges of docs/deploy.md#metrics against the real database: the ledger
 * consistency gauges are 0 on a consistent ledger and show an entry or a balance change planted
 * around the posting service (direct SQL, the guarding trigger off inside the planting transaction), and the cash-out
 * queue gauges count a confirmed cash-out and age it by its request time.
 */
@PlatformTest
class OpsMetricsIT {

    @Autowired
    MeterRegistry meters;

    @Autowired
    LedgerMetrics ledgerMetrics;

    @Autowired
    CashoutMetrics cashoutMetrics;

    @Autowired
    LedgerService ledger;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TransactionTemplate tx;

    private double gauge(String name, String tag, String value) {
        return meters.get(name).tag(tag, value).gauge().value();
    }

    @Test
    void ledgerGaugesAreZeroUntilAnEntryOrABalanceIsWrittenAroundThePostingService() {
        ledgerMetrics.refresh();
        assertThat(gauge("iploop.ledger.imbalance", "currency", "USD")).isZero();
        assertThat(gauge("iploop.ledger.balance.drift", "currency", "USD")).isZero();
        assertThat(gauge("iploop.ledger.imbalance", "currency", "CREDIT")).isZero();

        UUID account = ledger.account(operator().id(), AccountPurpose.CUSTOMER_CREDITS).id();
        UUID planted = UUID.randomUUID();
        // A one-sided entry, as a bug or a hand-written SQL fix would leave it: the trigger that
        // refuses an unbalanced transaction is off inside this transaction only (DDL is transactional).
        tx.executeWithoutResult(s -> {
            jdbc.sql("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_balanced").update();
            jdbc.sql("INSERT INTO ledger_transactions (id, kind, description) VALUES (:id, 'EARN_CREDIT', 'planted by OpsMetricsIT')")
                    .param("id", planted).update();
            jdbc.sql("INSERT INTO ledger_entries (transaction_id, account_id, currency, amount) VALUES (:t, :a, 'USD', 1.5)")
                    .param("t", planted).param("a", account).update();
            jdbc.sql("ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_balanced").update();
        });
        try {
            ledgerMetrics.refresh();
            assertThat(gauge("iploop.ledger.imbalance", "currency", "USD")).isEqualTo(1.5);
            assertThat(gauge("iploop.ledger.balance.drift", "currency", "USD")).as("the balance followed the entry").isZero();
            assertThat(gauge("iploop.ledger.imbalance", "currency", "EUR")).isZero();
            assertThat(gauge("iploop.ledger.imbalance", "currency", "CREDIT")).isZero();
        } finally {
            tx.executeWithoutResult(s -> {
                jdbc.sql("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only").update();
                jdbc.sql("ALTER TABLE ledger_transactions DISABLE TRIGGER ledger_transactions_append_only").update();
                jdbc.sql("DELETE FROM ledger_entries WHERE transaction_id = :t").param("t", planted).update();
                jdbc.sql("DELETE FROM ledger_transactions WHERE id = :t").param("t", planted).update();
                jdbc.sql("UPDATE ledger_accounts SET balance = balance - 1.5 WHERE id = :a").param("a", account).update();
                jdbc.sql("ALTER TABLE ledger_transactions ENABLE TRIGGER ledger_transactions_append_only").update();
                jdbc.sql("ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only").update();
            });
        }
        ledgerMetrics.refresh();
        assertThat(gauge("iploop.ledger.imbalance", "currency", "USD")).isZero();

        jdbc.sql("UPDATE ledger_accounts SET balance = balance + 2 WHERE id = :a").param("a", account).update();
        try {
            ledgerMetrics.refresh();
            assertThat(gauge("iploop.ledger.balance.drift", "currency", "USD")).isEqualTo(2.0);
            assertThat(gauge("iploop.ledger.imbalance", "currency", "USD")).isZero();
        } finally {
            jdbc.sql("UPDATE ledger_accounts SET balance = balance - 2 WHERE id = :a").param("a", account).update();
        }
        ledgerMetrics.refresh();
        assertThat(gauge("iploop.ledger.balance.drift", "currency", "USD")).isZero();
        assertThat(ledger.checkConsistency().consistent()).isTrue();
    }

    @Test
    void theCashoutQueueGaugesCountAConfirmedCashoutAndAgeItByItsRequestTime() {
        Operator op = operator();
        credit(op.id(), 100_000);
        cashoutMetrics.refresh();
        double pendingBefore = gauge("iploop.cashouts.pending", "status", "pending");

        String id = requestAndConfirm(op, usdt("5.00"), 1).get("id").asString();
        cashoutMetrics.refresh();
        assertThat(gauge("iploop.cashouts.pending", "status", "pending")).isEqualTo(pendingBefore + 1);
        assertThat(gauge("iploop.cashouts.oldest.pending.age", "status", "pending")).isGreaterThanOrEqualTo(0);

        jdbc.sql("UPDATE cashout_requests SET created_at = now() - interval '30 hours' WHERE id = :id")
                .param("id", UUID.fromString(id)).update();
        try {
            cashoutMetrics.refresh();
            assertThat(gauge("iploop.cashouts.oldest.pending.age", "status", "pending"))
                    .isGreaterThanOrEqualTo(30 * 3600.0);
        } finally {
            jdbc.sql("UPDATE cashout_requests SET created_at = now() WHERE id = :id").param("id", UUID.fromString(id)).update();
            assertThat(call("POST", "/api/admin/cashouts/" + id + "/reject", adminToken(),
                    Map.of("note", "test over")).status()).isEqualTo(200);
        }
        cashoutMetrics.refresh();
        assertThat(gauge("iploop.cashouts.pending", "status", "pending")).isEqualTo(pendingBefore);
        assertThat(gauge("iploop.cashouts.pending", "status", "payout_unknown")).isNotNaN();
    }
}
