package io.iploop.server.billing.internal;

import com.stripe.exception.StripeException;
import com.stripe.net.RequestOptions;
import com.stripe.param.InvoiceItemCreateParams;
import io.iploop.server.billing.InvoiceLine;
import io.iploop.server.billing.PackageKind;
import io.iploop.server.plans.PeriodOverage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Bills a closed period's overage (docs/billing.md#overage), in the renewal's transaction
 * ({@link PeriodOverage} is published with the subscription row locked): the amount is
 * {@code round(GB × overage price per GB)} in whole USD cents, half up.
 *
 * <p>Exactly once per subscription and period: the key {@code (subscription, period start)} of
 * {@code billing_overage_charges} is inserted first; a second delivery (a rerun, a second job instance
 * that got past the renewal's own key) finds it taken and bills nothing. The manual provider gets an
 * invoice billed at once (ledger key {@code overage:<subscription>:<period start>}, {@link BilledInvoices}).
 * A Stripe subscription gets an invoice item on its customer, pushed after the commit with the same
 * Stripe idempotency key, so it lands on the next Stripe invoice; the ledger takes the money when that
 * invoice is paid ({@code OVERAGE_SALES}). An item Stripe did not take is pushed again by
 * {@code billing-overage-push}. Thread-safe.
 */
@Component
class OverageBilling {

    private static final Logger log = LoggerFactory.getLogger(OverageBilling.class);

    private final JdbcClient jdbc;
    private final BilledInvoices billed;
    private final StripeBilling stripe;
    private final StripeRepository stripeRows;

    OverageBilling(JdbcClient jdbc, BilledInvoices billed, StripeBilling stripe, StripeRepository stripeRows) {
        this.jdbc = jdbc;
        this.billed = billed;
        this.stripe = stripe;
        this.stripeRows = stripeRows;
    }

    /** The key of a period's overage, for the ledger and Stripe. */
    static String key(UUID subscriptionId, Instant periodStart) {
        return "overage:" + subscriptionId + ":" + periodStart;
    }

    /** Bills one period's overage; joins the renewal's transaction. */
    @EventListener
    void on(PeriodOverage o) {
        BigDecimal price = o.overagePerGb().amount();
        long cents = o.overageGb().multiply(price).movePointRight(2).setScale(0, RoundingMode.HALF_UP).longValueExact();
        boolean card = o.renewsOnPayment() && stripe.enabled();
        int inserted = jdbc.sql("""
                        INSERT INTO billing_overage_charges (subscription_id, period_start, period_end, user_id, plan_id, gb,
                                                             price_per_gb, amount_cents, provider)
                        VALUES (:sub, :ps, :pe, :user, :plan, :gb, :price, :cents, :provider)
                        ON CONFLICT (subscription_id, period_start) DO NOTHING""")
                .param("sub", o.subscriptionId()).param("ps", Timestamp.from(o.periodStart()))
                .param("pe", Timestamp.from(o.periodEnd())).param("user", o.userId()).param("plan", o.planId())
                .param("gb", o.overageGb()).param("price", price).param("cents", cents)
                .param("provider", card ? StripeBilling.PROVIDER : DefaultBillingService.MANUAL_PROVIDER).update();
        if (inserted == 0 || cents == 0) {
            return; // billed before (or less than half a cent)
        }
        String key = key(o.subscriptionId(), o.periodStart());
        String description = "Overage " + o.overageGb().stripTrailingZeros().toPlainString() + " GB beyond the "
                + "period's GB at USD " + price.stripTrailingZeros().toPlainString() + "/GB, plan " + o.planId()
                + ", period " + o.periodStart() + " to " + o.periodEnd();
        if (!card) {
            BilledInvoices.Billed bill = billed.issue(o.userId(), PackageKind.OVERAGE, o.planId(),
                    List.of(new InvoiceLine(description, 1, cents, cents)), key,
                    Map.of("subscriptionId", o.subscriptionId().toString(), "periodStart", o.periodStart().toString(),
                            "overageGb", o.overageGb().toPlainString()));
            jdbc.sql("""
                            UPDATE billing_overage_charges SET invoice_id = :invoice, ledger_transaction_id = :tx
                            WHERE subscription_id = :sub AND period_start = :ps""")
                    .param("invoice", bill.invoice().id()).param("tx", bill.transactionId()).param("sub", o.subscriptionId())
                    .param("ps", Timestamp.from(o.periodStart())).update();
            return;
        }
        String customer = stripeRows.customer(o.userId()).orElse(null);
        jdbc.sql("UPDATE billing_overage_charges SET stripe_customer = :c WHERE subscription_id = :sub AND period_start = :ps")
                .param("c", customer).param("sub", o.subscriptionId()).param("ps", Timestamp.from(o.periodStart())).update();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    pushPending();
                }
            });
        }
    }

    /**
     * Pushes every Stripe overage not yet taken by Stripe as an invoice item (outside a database
     * transaction; Stripe's idempotency key makes a repeated push create one item).
     *
     * @return the number of items Stripe took
     */
    int pushPending() {
        if (!stripe.enabled()) {
            return 0;
        }
        record Pending(UUID subscriptionId, Instant periodStart, String customer, long cents, String description,
                UUID userId) {}
        List<Pending> pending = jdbc.sql("""
                        SELECT subscription_id, period_start, stripe_customer, amount_cents, gb, price_per_gb, plan_id, user_id
                        FROM billing_overage_charges
                        WHERE provider = 'stripe' AND stripe_invoice_item IS NULL AND stripe_customer IS NOT NULL
                          AND amount_cents > 0
                        ORDER BY created_at LIMIT 100""")
                .query((rs, n) -> new Pending(rs.getObject("subscription_id", UUID.class),
                        rs.getTimestamp("period_start").toInstant(), rs.getString("stripe_customer"),
                        rs.getLong("amount_cents"), "Overage " + rs.getBigDecimal("gb").stripTrailingZeros().toPlainString()
                                + " GB at USD " + rs.getBigDecimal("price_per_gb").stripTrailingZeros().toPlainString()
                                + "/GB (plan " + rs.getString("plan_id") + ")", rs.getObject("user_id", UUID.class)))
                .list();
        int pushed = 0;
        for (Pending p : pending) {
            String key = key(p.subscriptionId(), p.periodStart());
            try {
                var item = stripe.stripeClient().v1().invoiceItems().create(InvoiceItemCreateParams.builder()
                        .setCustomer(p.customer()).setAmount(p.cents()).setCurrency("usd")
                        .setDescription(p.description())
                        .putMetadata("overageKey", key).putMetadata("userId", p.userId().toString()).build(),
                        RequestOptions.builder().setIdempotencyKey(key).build());
                jdbc.sql("""
                                UPDATE billing_overage_charges SET stripe_invoice_item = :item
                                WHERE subscription_id = :sub AND period_start = :ps""")
                        .param("item", item.getId()).param("sub", p.subscriptionId())
                        .param("ps", Timestamp.from(p.periodStart())).update();
                pushed++;
            } catch (StripeException e) {
                log.warn("Stripe did not take overage item {}: {} (request id {}); pushed again later", key,
                        e.getMessage(), e.getRequestId());
            }
        }
        return pushed;
    }
}
