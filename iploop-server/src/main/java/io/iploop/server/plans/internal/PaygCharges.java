package io.iploop.server.plans.internal;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerAccount;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.plans.Plan;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Pay-as-you-go funded from the prepaid USD credits (docs/billing.md#pay-as-you-go). Per usage
 * batch, in the transaction that stored it (so a batch is charged once or not at all): bytes are
 * taken from bought GB first, the rest is charged at the plan's price per GB, exact bytes, 1 GB =
 * 10^9 bytes. The amount of a batch is the cost of all pay-as-you-go bytes so far minus the cost
 * before it, each rounded half-up to the ledger's 6 decimals, so rounding never drifts; the
 * posting ({@code CUSTOMER_CREDITS} to {@code PAYG_USAGE_REVENUE}) is keyed
 * {@code payg:<subscription id>:<bytes charged before>}. Bytes the credits cannot cover (a stream
 * that was already running when they ran out, a refusal's own bytes) stay as a negative GB
 * balance, which lowers what the credits buy in the gateway's byte budget. Thread-safe.
 */
@Component
class PaygCharges {

    private static final int SCALE = 6;

    private final JdbcClient jdbc;
    private final LedgerService ledger;

    PaygCharges(JdbcClient jdbc, LedgerService ledger) {
        this.jdbc = jdbc;
        this.ledger = ledger;
    }

    /** GB the account's prepaid credits buy at the plan's price (9 decimals, rounded down). */
    BigDecimal creditsInGb(UUID userId, Plan plan) {
        BigDecimal credits = ledger.findAccount(userId, AccountPurpose.CUSTOMER_CREDITS).map(LedgerAccount::balance)
                .orElse(BigDecimal.ZERO);
        return credits.divide(Objects.requireNonNull(plan.pricePerGb()).amount(), 9, RoundingMode.FLOOR);
    }

    private record Sub(UUID id, BigDecimal gbBalance, long bytesCharged, BigDecimal usdCharged, BigDecimal pricePerGb) {}

    /** USD of the first {@code bytes} pay-as-you-go bytes. */
    static BigDecimal cost(BigDecimal pricePerGb, long bytes) {
        return pricePerGb.multiply(BigDecimal.valueOf(bytes)).divide(JdbcLimitsProvider.BYTES_PER_GB, SCALE,
                RoundingMode.HALF_UP);
    }

    /**
     * Records {@code bytes} of usage when the account's active plan is paid from credits.
     *
     * @return false when it is not (the caller records the usage against the plan's GB as usual)
     */
    boolean charge(UUID userId, long bytes) {
        Sub sub = jdbc.sql("""
                        SELECT up.id, up.gb_balance, up.payg_bytes_charged, up.payg_usd_charged, p.price_per_gb
                        FROM user_plans up JOIN plans p ON p.id = up.plan_id
                        WHERE up.user_id = :u AND up.status = 'active' AND p.included_gb = 0 AND p.price_per_gb > 0
                        FOR UPDATE OF up""")
                .param("u", userId)
                .query((rs, n) -> new Sub(rs.getObject("id", UUID.class), rs.getBigDecimal("gb_balance"),
                        rs.getLong("payg_bytes_charged"), rs.getBigDecimal("payg_usd_charged"),
                        rs.getBigDecimal("price_per_gb")))
                .optional().orElse(null);
        if (sub == null) {
            return false;
        }
        long balanceBytes = sub.gbBalance().signum() <= 0 ? 0
                : sub.gbBalance().multiply(JdbcLimitsProvider.BYTES_PER_GB).setScale(0, RoundingMode.FLOOR).longValue();
        long fromGb = Math.min(bytes, balanceBytes);
        long rest = bytes - fromGb;
        long charged = 0;
        BigDecimal amount = BigDecimal.ZERO;
        if (rest > 0) {
            BigDecimal credits = ledger.findAccount(userId, AccountPurpose.CUSTOMER_CREDITS).map(LedgerAccount::balance)
                    .orElse(BigDecimal.ZERO);
            BigDecimal before = cost(sub.pricePerGb(), sub.bytesCharged());
            charged = rest;
            if (cost(sub.pricePerGb(), sub.bytesCharged() + charged).subtract(before).compareTo(credits) > 0) {
                charged = Math.min(rest, credits.multiply(JdbcLimitsProvider.BYTES_PER_GB)
                        .divide(sub.pricePerGb(), 0, RoundingMode.FLOOR).longValue());
                while (charged > 0
                        && cost(sub.pricePerGb(), sub.bytesCharged() + charged).subtract(before).compareTo(credits) > 0) {
                    charged--;
                }
            }
            amount = cost(sub.pricePerGb(), sub.bytesCharged() + charged).subtract(before);
            if (amount.signum() > 0) {
                ledger.post(NewTransaction.of(TransactionKind.PAYG_USAGE, "payg:" + sub.id() + ":" + sub.bytesCharged(),
                                "Pay-as-you-go traffic, " + charged + " bytes at USD " + sub.pricePerGb().toPlainString()
                                        + "/GB",
                                new Posting(ledger.account(userId, AccountPurpose.CUSTOMER_CREDITS).id(), amount.negate()),
                                new Posting(ledger.platformAccount(AccountPurpose.PAYG_USAGE_REVENUE).id(), amount))
                        .withMetadata(Map.of("subscriptionId", sub.id().toString(), "bytes", Long.toString(charged),
                                "pricePerGb", sub.pricePerGb().toPlainString())));
            }
        }
        // Bytes neither bought GB nor credits covered stay as a negative balance.
        long uncovered = rest - charged;
        BigDecimal used = BigDecimal.valueOf(bytes).divide(JdbcLimitsProvider.BYTES_PER_GB);
        jdbc.sql("""
                        UPDATE user_plans SET gb_used = gb_used + :used, period_gb_used = period_gb_used + :used,
                               gb_balance = gb_balance - :fromBalance,
                               payg_bytes_charged = payg_bytes_charged + :charged,
                               payg_usd_charged = payg_usd_charged + :amount
                        WHERE id = :id""")
                .param("id", sub.id()).param("used", used)
                .param("fromBalance", BigDecimal.valueOf(fromGb + uncovered).divide(JdbcLimitsProvider.BYTES_PER_GB))
                .param("charged", charged).param("amount", amount).update();
        return true;
    }
}
