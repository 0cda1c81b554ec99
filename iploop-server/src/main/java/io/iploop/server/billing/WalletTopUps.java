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

    /**
     * Takes (part of) a paid wallet invoice's top-up back for a refund or chargeback
     * (docs/campaigns.md#refunds-and-chargebacks), in the caller's database transaction (the credit
     * note and the invoice's refunded total commit with it). Idempotent by {@code key}.
     *
     * @param invoice a paid {@link PackageKind#WALLET} invoice, locked by the caller
     * @param amountCents &gt; 0, at most what is left of the invoice (the caller checked)
     * @param key unique per refund or chargeback, at most 160 characters
     * @param chargeback false for a refund, refused when the wallet no longer holds the amount; true for
     *     a chargeback, never refused: what was spent is booked as a loss
     * @param description shown in the wallet history
     * @return the ledger transaction of the reversal, recorded on the credit note
     * @throws BillingException {@code REFUND_EXCEEDS_UNSPENT} for a refund of money already spent
     */
    UUID reverse(Invoice invoice, long amountCents, String key, boolean chargeback, String description);
}
