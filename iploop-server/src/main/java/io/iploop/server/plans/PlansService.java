package io.iploop.server.plans;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The plans feature's public API: the catalogue, each account's plan and balance, the sign-up plan,
 * and the admin operations on them (docs/product/admin.md). Limit changes reach the gateway within its
 * 2 s refresh. Admin methods take the acting admin's id and audit the change; the caller checks the
 * admin role. Thread-safe.
 */
public interface PlansService {

    /**
     * The plan new accounts start on until an admin picks another: Trial with 0.5 GB
     * (docs/product/plans.md#sign-up-plan). See {@link #signupPlan()}.
     */
    String DEFAULT_PLAN_ID = "trial";

    /** Active plans in display order. */
    List<Plan> catalogue();

    /** The plan with this id, active or not. */
    Optional<Plan> find(String planId);

    /**
     * Puts the account on {@code planId} with the plan's included GB as balance, cancelling the
     * active subscription if any.
     *
     * @throws PlansException {@code UNKNOWN_PLAN} (field {@code planId})
     */
    Subscription subscribe(UUID userId, String planId);

    /**
     * Subscribes a new account to the {@link #signupPlan()} with its (possibly overridden) included GB.
     * Called by the plans feature itself on {@link io.iploop.server.accounts.AccountRegistered}.
     */
    Subscription subscribeNewAccount(UUID userId);

    /**
     * Puts a just-created account on {@code planId} instead of the sign-up plan it got on creation
     * (an admin's choice when creating the user), with the plan's included GB; the sign-up
     * subscription is cancelled. Not audited as a plan change: the creation is the audited act.
     *
     * @throws PlansException {@code UNKNOWN_PLAN} (field {@code planId})
     */
    Subscription subscribeNewAccount(UUID userId, String planId);

    /** The account's active subscription, if any. */
    Optional<Subscription> current(UUID userId);

    /** The active subscriptions of these accounts (absent: none), for a page of an admin listing. */
    Map<UUID, Subscription> current(Collection<UUID> userIds);

    /** Accounts whose active subscription is {@code planId} (the admin user list's plan filter). */
    List<UUID> activeSubscribers(String planId);

    /** Active subscriptions per plan id, plans without subscribers included with 0 (docs/product/admin.md). */
    Map<String, Long> planDistribution();

    // Admin operations.

    /** Every plan, active or not, in display order, with subscriber counts. */
    List<PlanDetails> allPlans();

    /** One plan with its subscriber count. @throws PlansException {@code PLAN_NOT_FOUND} */
    PlanDetails details(String planId);

    /**
     * Adds a plan. @throws PlansException {@code PLAN_EXISTS}; {@code INVALID_PLAN} naming the field
     * (e.g. {@code targeting} without {@code country}, an unknown currency)
     */
    PlanDetails createPlan(UUID adminId, String planId, PlanSpec spec);

    /**
     * Replaces a plan's content (prices, limits, entitlements, activity). Subscribers keep their
     * balance; the new limits reach the gateway within 2 s. Deactivating the sign-up plan is refused.
     *
     * @throws PlansException {@code PLAN_NOT_FOUND}, {@code INVALID_PLAN}, {@code PLAN_IN_USE}
     */
    PlanDetails updatePlan(UUID adminId, String planId, PlanSpec spec);

    /**
     * Removes a plan: deleted when no account was ever on it, otherwise deactivated (past
     * subscriptions keep pointing at it).
     *
     * @throws PlansException {@code PLAN_NOT_FOUND}; {@code PLAN_IN_USE} while accounts are on it or
     *     it is the sign-up plan
     */
    void deletePlan(UUID adminId, String planId);

    /**
     * Moves an account to another plan (a new subscription with the plan's included GB, as
     * {@link #subscribe}). Audited with the old and new plan (docs/product/accounts.md#audit-log).
     *
     * @throws PlansException {@code UNKNOWN_PLAN} (field {@code planId})
     */
    Subscription changePlan(UUID adminId, UUID userId, String planId);

    /**
     * Sets the remaining GB of the account's active subscription. Audited with old and new
     * balance and the reason.
     *
     * @param gbBalance new balance in GB (10^9 bytes), ≥ 0, at most 9 decimals (byte precision)
     * @throws PlansException {@code NO_SUBSCRIPTION}; {@code INVALID_PLAN} (field {@code gbBalance})
     */
    Subscription setBalance(UUID adminId, UUID userId, BigDecimal gbBalance, String reason);

    /**
     * Adds {@code gbDelta} (negative: takes away) to the remaining GB of the account's active
     * subscription, with the subscription locked so usage booked meanwhile is kept. Audited like
     * {@link #setBalance}, with the added amount.
     *
     * @param gbDelta GB (10^9 bytes) to add, at most 9 decimals
     * @throws PlansException {@code NO_SUBSCRIPTION}; {@code INVALID_PLAN} (field {@code gbBalance})
     *     when the new balance would be negative
     */
    Subscription addBalance(UUID adminId, UUID userId, BigDecimal gbDelta, String reason);

    /**
     * Sets when the account's active subscription ends (null: open-ended). Past that instant, and
     * unless it is renewed before (the renewal job renews only a subscription ending after its
     * period end), the proxy answers 402 {@code subscription_expired} within the gateway's limits
     * refresh (docs/plans-and-alerts.md#expiry). Audited with the old and new end.
     *
     * @param adminId the acting admin, or the account itself for a change it made through billing
     * @throws PlansException {@code NO_SUBSCRIPTION}
     */
    Subscription setExpiry(UUID adminId, UUID userId, @Nullable Instant expiresAt);

    /**
     * Renews the account's active subscription now for every period that ends at or before
     * {@code dueBy} (docs/plans-and-alerts.md#periods-and-renewal): billing calls it when the next
     * period has been paid, with {@code dueBy} a little after the paid period's start, so the GB are
     * granted when the money arrives rather than at the next run of the renewal job. Same rules and
     * the same exactly-once key {@code (subscription, period start)} as the job: a period the job
     * renewed already is not renewed again, and a period ending after {@code dueBy} is left alone.
     * A subscription whose end is not after its period end is not renewed. Joins the caller's
     * transaction.
     *
     * @return the subscription after renewal
     * @throws PlansException {@code NO_SUBSCRIPTION}
     */
    Subscription renewDue(UUID userId, Instant dueBy);

    /**
     * Moves the account's active subscription to {@code planId} now, within its current period (an
     * upgrade, docs/billing.md#plan-changes): same subscription, same period, {@code gbDelta} GB added
     * to the balance (billing computes the prorated GB), any scheduled change cleared. Audited as
     * {@code plan_changed}. Joins the caller's transaction; the subscription row is locked.
     *
     * @param actorId the account itself, or an admin
     * @param gbDelta GB (10^9 bytes) to add, may be negative, at most 9 decimals
     * @throws PlansException {@code UNKNOWN_PLAN} (field {@code planId}); {@code NO_SUBSCRIPTION}
     */
    Subscription switchPlanNow(UUID actorId, UUID userId, String planId, BigDecimal gbDelta);

    /**
     * Schedules a change of the account's active subscription for its period end
     * (docs/billing.md#plan-changes): to {@code planId} (a downgrade, applied by the renewal), or, with
     * {@code planId} null, a cancellation (the subscription's end is set to the period end, so the proxy
     * answers 402 {@code subscription_expired} from then on). Replaces an earlier scheduled change.
     * Audited as {@code plan_change_scheduled}.
     *
     * @throws PlansException {@code UNKNOWN_PLAN} (field {@code planId}); {@code NO_SUBSCRIPTION} also
     *     when the subscription has no period end
     */
    Subscription schedulePlanChange(UUID actorId, UUID userId, @Nullable String planId);

    /**
     * Takes back the scheduled change of the account's active subscription (a cancellation's end is
     * cleared too). Nothing scheduled: returns the subscription unchanged. Audited as
     * {@code plan_change_withdrawn} when something was withdrawn.
     *
     * @throws PlansException {@code NO_SUBSCRIPTION}
     */
    Subscription withdrawPlanChange(UUID actorId, UUID userId);

    /**
     * Marks the account's active subscription as renewed by a payment provider when the next period
     * is paid ({@link #renewDue}), so the renewal job leaves it alone (docs/billing.md#card-renewal).
     * Joins the caller's transaction. No active subscription: nothing happens.
     */
    void renewOnPayment(UUID userId, UUID subscriptionId);

    /** The account's usage alert settings, {@link UsageAlertSettings#DEFAULTS} if never saved. */
    UsageAlertSettings alertSettings(UUID userId);

    /**
     * Replaces the account's usage alert settings (docs/plans-and-alerts.md#usage-alerts).
     *
     * @throws PlansException {@code INVALID_ALERT} (field {@code customPercent}) outside 1-100
     */
    UsageAlertSettings setAlertSettings(UUID userId, UsageAlertSettings settings);

    /** The plan new accounts start on. */
    SignupPlan signupPlan();

    /**
     * Sets the plan new accounts start on; existing accounts are unaffected. Audited.
     *
     * @param includedGbOverride the first balance in GB instead of the plan's, or null for the plan's
     * @throws PlansException {@code UNKNOWN_PLAN} for an unknown or inactive plan (field {@code planId});
     *     {@code INVALID_PLAN} (field {@code includedGb}) for a negative override
     */
    SignupPlan setSignupPlan(UUID adminId, String planId, @Nullable BigDecimal includedGbOverride);

    /**
     * Every subscription that ran at some point of {@code [from, to)}, oldest first, with when it
     * started and ended (docs/billing.md#mrr). Read-only; for reports, not hot paths.
     */
    List<SubscriptionSpan> subscriptionSpans(Instant from, Instant to);
}
