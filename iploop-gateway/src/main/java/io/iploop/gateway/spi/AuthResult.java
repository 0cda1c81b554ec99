package io.iploop.gateway.spi;

import org.jspecify.annotations.Nullable;

/** Outcome of {@link ProxyAuthenticator#authenticate}. */
public sealed interface AuthResult {

    /**
     * Credentials (or, for {@link ProxyAuthenticator#authenticateAddress}, the client address)
     * accepted for {@code principal}.
     *
     * @param defaultTargeting for an IP-authorised address (docs/ip-authorised-access.md): the
     *     account's default targeting for it, {@code name-value} pairs as after the key in a proxy
     *     password but without the leading dash (e.g. {@code country-us-session-abc}); null when none
     *     (always null for credentials)
     */
    record Accepted(CustomerPrincipal principal, @Nullable String defaultTargeting) implements AuthResult {

        /** Accepted credentials: no default targeting. */
        public Accepted(CustomerPrincipal principal) {
            this(principal, null);
        }
    }

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
