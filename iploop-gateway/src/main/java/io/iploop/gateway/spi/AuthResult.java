package io.iploop.gateway.spi;

/** Outcome of {@link ProxyAuthenticator#authenticate}. */
public sealed interface AuthResult {

    /** Credentials accepted for {@code principal}. */
    record Accepted(CustomerPrincipal principal) implements AuthResult {}

    /**
     * Credentials refused.
     *
     * @param reason why, mapped by the gateway to 407 (bad key), 403 (IP not whitelisted) or
     *     402 (no balance); see docs/product/proxy.md#error-responses
     * @param message a short human-readable explanation, safe to show the customer
     */
    record Rejected(RejectReason reason, String message) implements AuthResult {}

    /** Why credentials were refused. */
    enum RejectReason {
        /** Unknown customer id, unknown/disabled/expired key, or key of another customer: 407. */
        BAD_CREDENTIALS,
        /** The client IP is not on the key's or account's whitelist: 403. */
        IP_NOT_WHITELISTED,
        /** Balance or quota exhausted, or account suspended for non-payment: 402. */
        PAYMENT_REQUIRED,
        /** A sub-user past its expiry (docs/sub-users.md#credentials): 403 {@code sub_user_expired}. */
        SUB_USER_EXPIRED
    }
}
