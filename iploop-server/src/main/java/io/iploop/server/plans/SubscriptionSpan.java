package io.iploop.server.plans;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * When an account was on a plan, for reports such as MRR and churn (docs/billing.md#mrr). Immutable.
 *
 * @param startedAt when the subscription started
 * @param endedAt when it ended: the start of the account's next subscription (a plan change) or its
 *     expiry, whichever came first; null while it runs open-ended
 */
public record SubscriptionSpan(UUID subscriptionId, UUID userId, String planId, Instant startedAt,
        @Nullable Instant endedAt) {

    /** True when the subscription ran at {@code instant} (start inclusive, end exclusive). */
    public boolean activeAt(Instant instant) {
        return !startedAt.isAfter(instant) && (endedAt == null || endedAt.isAfter(instant));
    }
}
