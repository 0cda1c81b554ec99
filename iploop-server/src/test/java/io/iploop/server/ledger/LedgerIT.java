package io.iploop.server.ledger;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerAccount;
import io.iploop.server.ledger.LedgerException;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.PostedTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The double-entry ledger through its service and admin API, against the real database: balances
 * equal the sum of entries, refused postings leave nothing behind, idempotency keys post once, the
 * tables refuse changes, and racing reservations of one balance never overdraw it.
 */
@PlatformTest
class LedgerIT {

    @Autowired
    LedgerService ledger;

    @Autowired
    JdbcClient jdbc;

    private UUID newUser() {
        return UUID.fromString(registerCustomer().at("/user/id").asString());
    }

    /** Issues {@code credits} to the user's earnings from the platform's earn account. */
    private PostedTransaction issue(UUID userId, long credits, String key) {
        return ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, key, "test credit",
                Posting.credits(ledger.account(userId, AccountPurpose.OPERATOR_EARNINGS).id(), credits),
                Posting.credits(ledger.platformAccount(AccountPurpose.EARN_ISSUED).id(), -credits)));
    }

    private long balance(UUID userId, AccountPurpose purpose) {
        return ledger.account(userId, purpose).credits();
    }

    @Test
    void aPostingMovesBothSidesAndTheHistoryShowsRunningBalances() {
        UUID user = newUser();
        long platformBefore = ledger.platformAccount(AccountPurpose.EARN_ISSUED).credits();
        issue(user, 700, "it-" + UUID.randomUUID());
        issue(user, 300, "it-" + UUID.randomUUID());

        assertThat(balance(user, AccountPurpose.OPERATOR_EARNINGS)).isEqualTo(1000);
        assertThat(ledger.platformAccount(AccountPurpose.EARN_ISSUED).credits()).isEqualTo(platformBefore - 1000);
        var history = ledger.history(ledger.account(user, AccountPurpose.OPERATOR_EARNINGS).id(), 1, 10);
        assertThat(history.total()).isEqualTo(2);
        assertThat(history.lines()).extracting(l -> l.amount().longValueExact()).containsExactly(300L, 700L);
        assertThat(history.lines()).extracting(l -> l.balanceAfter().longValueExact()).containsExactly(1000L, 700L);
        assertThat(ledger.checkConsistency().consistent()).isTrue();
    }

    @Test
    void anUnbalancedOrFractionalPostingIsRefusedAndNamesTheProblem() {
        UUID user = newUser();
        UUID earnings = ledger.account(user, AccountPurpose.OPERATOR_EARNINGS).id();
        UUID issued = ledger.platformAccount(AccountPurpose.EARN_ISSUED).id();

        assertThatThrownBy(() -> ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, null, "x",
                Posting.credits(earnings, 10), Posting.credits(issued, -9))))
                .isInstanceOf(LedgerException.class).hasMessageContaining("sum to 1 CREDIT");
        assertThatThrownBy(() -> ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, null, "x",
                new Posting(earnings, new java.math.BigDecimal("0.5")),
                new Posting(issued, new java.math.BigDecimal("-0.5")))))
                .isInstanceOf(LedgerException.class).hasMessageContaining("at most 0 decimals");
        assertThatThrownBy(() -> ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, null, "x",
                Posting.credits(earnings, 10))))
                .isInstanceOf(LedgerException.class).hasMessageContaining("at least 2");
        assertThat(balance(user, AccountPurpose.OPERATOR_EARNINGS)).isZero();
    }

    @Test
    void anOverdraftIsRefusedAndLeavesNoTransactionBehind() {
        UUID user = newUser();
        issue(user, 100, "it-" + UUID.randomUUID());
        UUID earnings = ledger.account(user, AccountPurpose.OPERATOR_EARNINGS).id();
        UUID reserved = ledger.account(user, AccountPurpose.CASHOUT_RESERVED).id();
        String key = "it-overdraft-" + UUID.randomUUID();

        assertThatThrownBy(() -> ledger.post(NewTransaction.of(TransactionKind.CASHOUT_RESERVE, key, "reserve",
                Posting.credits(earnings, -101), Posting.credits(reserved, 101))))
                .isInstanceOfSatisfying(LedgerException.class,
                        e -> assertThat(e.reason()).isEqualTo(LedgerException.Reason.INSUFFICIENT_FUNDS));

        assertThat(balance(user, AccountPurpose.OPERATOR_EARNINGS)).isEqualTo(100);
        assertThat(balance(user, AccountPurpose.CASHOUT_RESERVED)).isZero();
        assertThat(ledger.findByIdempotencyKey(key)).isEmpty();
    }

    @Test
    void anIdempotencyKeyPostsOnceAndRefusesADifferentMovement() {
        UUID user = newUser();
        String key = "it-idem-" + UUID.randomUUID();
        PostedTransaction first = issue(user, 250, key);
        PostedTransaction again = issue(user, 250, key);

        assertThat(again.replayed()).isTrue();
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(balance(user, AccountPurpose.OPERATOR_EARNINGS)).isEqualTo(250);
        assertThatThrownBy(() -> issue(user, 251, key))
                .isInstanceOfSatisfying(LedgerException.class,
                        e -> assertThat(e.reason()).isEqualTo(LedgerException.Reason.IDEMPOTENCY_CONFLICT));
        assertThat(balance(user, AccountPurpose.OPERATOR_EARNINGS)).isEqualTo(250);
    }

    @Test
    void entriesAndTransactionsCannotBeChangedOrDeleted() {
        UUID user = newUser();
        PostedTransaction tx = issue(user, 5, "it-" + UUID.randomUUID());

        assertThatThrownBy(() -> jdbc.sql("UPDATE ledger_entries SET amount = 6 WHERE transaction_id = :id")
                .param("id", tx.id()).update()).hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("DELETE FROM ledger_transactions WHERE id = :id")
                .param("id", tx.id()).update()).hasMessageContaining("append-only");
        assertThat(balance(user, AccountPurpose.OPERATOR_EARNINGS)).isEqualTo(5);
    }

    @Test
    void racingReservationsOfTheWholeBalanceReserveItOnce() throws Exception {
        UUID user = newUser();
        issue(user, 1000, "it-" + UUID.randomUUID());
        UUID earnings = ledger.account(user, AccountPurpose.OPERATOR_EARNINGS).id();
        UUID reserved = ledger.account(user, AccountPurpose.CASHOUT_RESERVED).id();

        List<Callable<Boolean>> racers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String key = "it-race-" + i + "-" + UUID.randomUUID();
            racers.add(() -> {
                try {
                    ledger.post(NewTransaction.of(TransactionKind.CASHOUT_RESERVE, key, "reserve all",
                            Posting.credits(earnings, -1000), Posting.credits(reserved, 1000)));
                    return true;
                } catch (LedgerException e) {
                    return false;
                }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            long succeeded = 0;
            for (Future<Boolean> f : pool.invokeAll(racers)) {
                succeeded += f.get() ? 1 : 0;
            }
            assertThat(succeeded).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(balance(user, AccountPurpose.OPERATOR_EARNINGS)).isZero();
        assertThat(balance(user, AccountPurpose.CASHOUT_RESERVED)).isEqualTo(1000);
    }

    @Test
    void theConsistencyReportFindsABalanceThatDisagreesWithItsEntries() {
        UUID user = newUser();
        issue(user, 42, "it-" + UUID.randomUUID());
        LedgerAccount account = ledger.account(user, AccountPurpose.OPERATOR_EARNINGS);
        jdbc.sql("UPDATE ledger_accounts SET balance = 43 WHERE id = :id").param("id", account.id()).update();
        try {
            var report = ledger.checkConsistency();
            assertThat(report.consistent()).isFalse();
            assertThat(report.accountMismatches()).singleElement().satisfies(m -> {
                assertThat(m.accountId()).isEqualTo(account.id());
                assertThat(m.sumOfEntries().longValueExact()).isEqualTo(42);
            });
        } finally {
            jdbc.sql("UPDATE ledger_accounts SET balance = 42 WHERE id = :id").param("id", account.id()).update();
        }
        assertThat(ledger.checkConsistency().consistent()).isTrue();
    }

    @Test
    void anAdminAdjustsCreditsWithAReasonThatTheUserAndTheAuditLogSee() {
        UUID user = newUser();
        String admin = adminToken();

        Response added = call("POST", "/api/admin/ledger/adjustments", admin,
                Map.of("userId", user.toString(), "credits", 1500, "reason", "goodwill for outage"));
        assertThat(added.status()).isEqualTo(201);
        Response overdraft = call("POST", "/api/admin/ledger/adjustments", admin,
                Map.of("userId", user.toString(), "credits", -1501, "reason", "clawback"));
        assertThat(overdraft.status()).isEqualTo(409);
        assertThat(overdraft.body().at("/error/code").asString()).isEqualTo("insufficient_funds");
        Response noReason = call("POST", "/api/admin/ledger/adjustments", admin,
                Map.of("userId", user.toString(), "credits", 5, "reason", " "));
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.body().at("/error/field").asString()).isEqualTo("reason");
        Response unknown = call("POST", "/api/admin/ledger/adjustments", admin,
                Map.of("userId", UUID.randomUUID().toString(), "credits", 5, "reason", "nobody"));
        assertThat(unknown.status()).isEqualTo(404);

        assertThat(balance(user, AccountPurpose.OPERATOR_EARNINGS)).isEqualTo(1500);
        JsonNode accountsView = call("GET", "/api/admin/ledger/users/" + user + "/accounts", admin, null).body();
        assertThat(accountsView.get(0).get("balance").asLong()).isEqualTo(1500);
        JsonNode audit = call("GET", "/api/audit-logs?action=ledger_adjusted&limit=200", admin, null).body();
        assertThat(audit.toString()).contains(user.toString()).contains("goodwill for outage");
        JsonNode report = call("GET", "/api/admin/ledger/consistency", admin, null).body();
        assertThat(report.get("consistent").asBoolean()).isTrue();
        assertThat(report.at("/report/accountsChecked").asLong()).isPositive();
    }

    @Test
    void customersCannotReachTheLedgerAdminApi() {
        String customer = token(registerCustomer());
        assertThat(call("GET", "/api/admin/ledger/consistency", customer, null).status()).isEqualTo(403);
        assertThat(call("POST", "/api/admin/ledger/adjustments", customer,
                Map.of("userId", UUID.randomUUID().toString(), "credits", 5, "reason", "self-service")).status())
                .isEqualTo(403);
        assertThat(call("GET", "/api/admin/ledger/consistency", null, null).status()).isEqualTo(401);
    }
}
