package io.iploop.server.billing;

import java.util.UUID;

/**
 * What funds a prepaid wallet when its {@link PackageKind#WALLET} invoice is paid
 * (docs/campaigns.md#wallet-invoices). Billing owns the invoice, its number and its payment; the
 * feature that keeps the wallet (campaigns) implements this and moves the money on the ledger. At most
 * one implementation; without one, wallet invoices cannot be requested. Thread-safe.
 */
public interface WalletTopUps {

    /**
     * Credits the wallet for a paid invoice, in the caller's database transaction (so the invoice's
     * state change and the credit commit or roll back together). Idempotent by the invoice id: a
     * second call moves nothing and answers the first credit's transaction.
     *
     * @param invoice a {@link PackageKind#WALLET} invoice being marked paid
     * @return the ledger transaction of the credit, recorded as the invoice's payment transaction
     */
    UUID fund(Invoice invoice);
}
