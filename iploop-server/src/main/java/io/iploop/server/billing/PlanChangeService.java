package io.iploop.server.billing;

import io.iploop.server.plans.Subscription;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A customer's own plan changes (docs/billing.md#plan-changes), for the REST API and the billing page
 * alike: an upgrade takes effect now and is prorated; a downgrade and a cancellation wait for the
 * period end and can be withdrawn until then. Thread-safe.
 */
public interface PlanChangeService {

    /**
     * Changes the user's plan to {@code planId}.
     *
     * @param interval {@code month} (null: month) or {@code year} (card subscriptions with a yearly price)
     * @throws BillingException {@code VALIDATION} naming {@code planId} or {@code interval};
     *     {@code NO_SUBSCRIPTION}; {@code PROVIDER_UNAVAILABLE} when Stripe refused
     */
    PlanChange change(UUID userId, @Nullable String planId, @Nullable String interval);

    /** Schedules the end of the user's plan at its period end. @throws BillingException {@code NO_SUBSCRIPTION} */
    Subscription cancel(UUID userId);

    /** Withdraws the user's scheduled downgrade or cancellation (none: unchanged). */
    Subscription withdraw(UUID userId);
}
