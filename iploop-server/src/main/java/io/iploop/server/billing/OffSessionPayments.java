package io.iploop.server.billing;

/**
 * Where an auto top-up's invoice is paid without the customer present (docs/billing.md#auto-top-up):
 * a card provider charges the stored card off-session and marks the invoice paid when the charge
 * succeeds (the Stripe provider's implementation, a {@code @Primary} bean while Stripe is
 * configured). The manual provider's implementation charges nothing: the invoice stays open
 * and the customer is e-mailed its payment instructions. Implementations run inside the
 * transaction that created the invoice and must be thread-safe.
 */
public interface OffSessionPayments {

    /**
     * Tries to pay {@code invoice} (open, just created) off-session.
     *
     * @return true when a charge was started (the customer is not asked to transfer money), false
     *     when the customer has to pay the invoice themselves
     */
    boolean chargeOffSession(Invoice invoice);
}
