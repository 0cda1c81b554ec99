package io.iploop.server.billing;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The customer's saved payment methods (docs/billing.md#payment-methods), kept by Stripe on the
 * account's Stripe customer; nothing of them is stored here. Every method is scoped to the caller: a
 * payment method of another customer is {@code PAYMENT_METHOD_NOT_FOUND} and nothing is changed. Stripe
 * is called outside database transactions. Thread-safe.
 *
 * <p>Without Stripe (the manual provider, the embedded default) every method but {@link #available()}
 * throws {@code PAYMENT_METHODS_UNAVAILABLE}: customers pay by bank transfer.
 */
public interface PaymentMethodsService {

    /** Whether payment methods can be saved (Stripe is configured). */
    boolean available();

    /**
     * The caller's saved payment methods, newest first (empty when it never had a Stripe customer).
     *
     * @throws BillingException {@code PAYMENT_METHODS_UNAVAILABLE}; {@code PROVIDER_UNAVAILABLE}
     */
    List<PaymentMethod> list(UUID userId);

    /**
     * Starts saving a card: a SetupIntent for off-session use on the caller's Stripe customer (created
     * on first use), to be confirmed in the browser with Stripe.js and its client secret.
     *
     * @throws BillingException {@code PAYMENT_METHODS_UNAVAILABLE}; {@code PROVIDER_UNAVAILABLE}
     */
    SetupStarted startSetup(UUID userId);

    /**
     * Adds a payment method confirmed with Stripe.js: one a confirmed SetupIntent attached to the
     * caller's customer already, or a new one that is attached now. It becomes the default when the
     * customer has none. Idempotent.
     *
     * @param paymentMethodId {@code pm_…}
     * @throws BillingException {@code VALIDATION} (field {@code paymentMethodId}, also for a card Stripe
     *     declines); {@code PAYMENT_METHOD_NOT_FOUND} for an unknown id or another customer's;
     *     {@code PAYMENT_METHODS_UNAVAILABLE}; {@code PROVIDER_UNAVAILABLE}
     */
    PaymentMethod add(UUID userId, String paymentMethodId);

    /**
     * Detaches one of the caller's payment methods from its Stripe customer.
     *
     * @throws BillingException {@code PAYMENT_METHOD_NOT_FOUND}; {@code PAYMENT_METHOD_IN_USE} when it is
     *     the card an enabled auto top-up or a live card subscription is charged to and no other default
     *     exists; {@code VALIDATION} (field {@code id}) for a malformed id; {@code PAYMENT_METHODS_UNAVAILABLE};
     *     {@code PROVIDER_UNAVAILABLE}
     */
    void remove(UUID userId, String paymentMethodId);

    /**
     * Makes one of the caller's payment methods the default ({@code invoice_settings.default_payment_method}).
     * Idempotent.
     *
     * @return the method, now the default
     * @throws BillingException as {@link #remove}, without {@code PAYMENT_METHOD_IN_USE}
     */
    PaymentMethod makeDefault(UUID userId, String paymentMethodId);

    /**
     * A started SetupIntent.
     *
     * @param setupIntentId Stripe's id ({@code seti_…})
     * @param clientSecret for Stripe.js {@code confirmSetup}/{@code confirmCardSetup}; never logged
     * @param publishableKey the key Stripe.js is initialised with, null when none is configured
     */
    record SetupStarted(String setupIntentId, String clientSecret, @Nullable String publishableKey) {}
}
