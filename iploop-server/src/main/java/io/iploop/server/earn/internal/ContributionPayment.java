package io.iploop.server.earn.internal;

import java.util.Locale;

/**
 * How the bytes of a bandwidth contribution were paid for, which decides what they earn
 * (docs/earn-fraud.md): {@link #PAID} earns the base rate times the multipliers, {@link #TRIAL} the
 * base rate (multipliers only when {@code iploop.earn.trial-multipliers} is true), the rest nothing.
 */
enum ContributionPayment {
    /** A priced plan's balance or overage covered the bytes. */
    PAID,
    /** A free allowance (a plan without any price, e.g. Trial) covered them. */
    TRIAL,
    /** The node's owner routed their own traffic through it. */
    SELF,
    /** An account linked to the node's owner ({@link LinkedAccounts}) sent it. */
    LINKED,
    /** Nobody paid: no active subscription, or an empty balance without a priced overage. */
    UNPAID;

    /** The stored value, e.g. {@code paid}. */
    String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ContributionPayment fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** True when the bytes earn anything at all. */
    boolean earns() {
        return this == PAID || this == TRIAL;
    }
}
