package io.iploop.gateway.spi;

/**
 * Why an account may not use the proxy at all right now, whatever its plan allows: a state of the
 * account the customer can clear by themselves (docs/product/accounts.md#trial-accounts). Carried
 * by {@link AccountLimits#hold()}, so it is cached and refreshed like the limits. Immutable.
 */
public enum AccountHold {
    /** A trial account (self-registered, still on its sign-up plan) whose e-mail is not verified: 403 {@code email_not_verified}. */
    EMAIL_NOT_VERIFIED,
    /** The account must change its one-time password before anything works: 403 {@code password_change_required}. */
    PASSWORD_CHANGE_REQUIRED,
    /**
     * The account's subscription has passed its end without being renewed: 402
     * {@code subscription_expired} (docs/product/proxy.md#error-responses); cleared by a new plan.
     */
    SUBSCRIPTION_EXPIRED
}
