package io.iploop.server.billing;

import java.util.List;
import java.util.UUID;

/**
 * What sells pool plans through billing (docs/upstream-pool.md#buying-a-pool-plan). Billing owns the
 * invoice, its number, its payment (manual provider or Stripe) and the ledger movement; the pool
 * feature implements this, offers its plans as {@link PackageKind#POOL} packages and grants the access
 * when the invoice is paid. At most one implementation; without one, no pool packages are on sale.
 * Implementations are thread-safe.
 */
public interface PoolPlanSales {

    /**
     * The pool plans on sale as packages: id {@code pool-<planId>}, kind {@link PackageKind#POOL},
     * no credits and no GB, by price.
     */
    List<BillingPackage> offers();

    /**
     * Refuses a purchase that could not be granted once paid, before any invoice exists.
     *
     * @throws BillingException {@code VALIDATION} naming {@code packageId} when the account is banned
     *     from the pool
     */
    void checkPurchase(UUID userId, BillingPackage offer);

    /**
     * Grants (or renews) the pool access an invoice paid for, in the caller's database transaction, so
     * the invoice's payment and the grant commit or roll back together. Idempotent by the invoice id: a
     * second call changes nothing.
     *
     * @param invoice a {@link PackageKind#POOL} invoice being marked paid
     */
    void fulfil(Invoice invoice);

    /**
     * Takes back the access an invoice granted, when its payment was fully refunded, charged back or
     * failed, in the caller's database transaction: the grant's end moves back by what the invoice
     * added (ending it now when that is already past). Idempotent by the invoice id; nothing happens for
     * an invoice that granted nothing.
     */
    void revoke(Invoice invoice, String reason);

    /**
     * Gives back what {@link #revoke} took, when the dispute whose chargeback revoked the invoice was
     * won, in the caller's database transaction: the time the revocation removed from the grant is added
     * to the end of a live grant of the same plan, or, with none live, the invoice's plan starts again now
     * for that time. Idempotent: nothing happens for an invoice that is not revoked (never, or given back
     * already); afterwards a refund of the invoice revokes it again.
     */
    void reinstate(Invoice invoice, String reason);
}
