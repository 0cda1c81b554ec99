package io.iploop.server.cashouts.internal;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code iploop.cashouts.*}. Immutable.
 *
 * @param codeValidity how long an e-mailed confirmation code works
 * @param maxCodeAttempts wrong codes after which the request expires
 * @param retryBase first delay after a failed provider attempt; doubles per attempt up to {@code retryMax}
 * @param pollInterval how often a payout the provider accepted is polled for its outcome
 * @param unknownAfterAttempts failed provider attempts (timeouts, 5xx: each may have paid) after
 *     which a cash-out moves to {@code payout_unknown} for an admin instead of being retried
 * @param payoutsCron schedule of the {@code cashout-payouts} job (Spring cron with seconds, UTC)
 * @param autoCashoutCron schedule of the daily {@code auto-cashout} job
 * @param paypal the PayPal Payouts provider; PayPal cash-outs go to the manual provider while no
 *     client id is set
 */
@ConfigurationProperties("iploop.cashouts")
record CashoutsSettings(
        @DefaultValue("15m") Duration codeValidity,
        @DefaultValue("5") int maxCodeAttempts,
        @DefaultValue("1m") Duration retryBase,
        @DefaultValue("1h") Duration retryMax,
        @DefaultValue("1m") Duration pollInterval,
        @DefaultValue("5") int unknownAfterAttempts,
        @DefaultValue("0 * * * * *") String payoutsCron,
        @DefaultValue("0 0 6 * * *") String autoCashoutCron,
        @DefaultValue PayPal paypal) {

    CashoutsSettings {
        if (maxCodeAttempts < 1) {
            throw new IllegalArgumentException("maxCodeAttempts: " + maxCodeAttempts + " (expected: >= 1)");
        }
        if (unknownAfterAttempts < 1) {
            throw new IllegalArgumentException("unknownAfterAttempts: " + unknownAfterAttempts + " (expected: >= 1)");
        }
    }

    /** The delay before retry number {@code attempts} (1-based): base × 2^(attempts-1), capped. */
    Duration backoff(int attempts) {
        int shift = Math.min(Math.max(attempts - 1, 0), 20);
        Duration d = retryBase.multipliedBy(1L << shift);
        return d.compareTo(retryMax) > 0 ? retryMax : d;
    }

    /**
     * PayPal REST credentials (docs/product/cashouts.md#payouts).
     *
     * @param baseUrl {@code https://api-m.paypal.com} live, {@code https://api-m.sandbox.paypal.com} sandbox
     * @param clientId REST app client id; blank disables the provider
     * @param clientSecret REST app secret
     */
    record PayPal(@DefaultValue("https://api-m.sandbox.paypal.com") String baseUrl, @Nullable String clientId,
            @Nullable String clientSecret) {

        boolean enabled() {
            return clientId != null && !clientId.isBlank() && clientSecret != null && !clientSecret.isBlank();
        }
    }
}
