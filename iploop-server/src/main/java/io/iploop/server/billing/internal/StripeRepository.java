package io.iploop.server.billing.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code billing_stripe_events}, {@code billing_stripe_customers} and
 * {@code billing_stripe_subscriptions}. Every method joins the caller's transaction. Thread-safe.
 */
@Repository
class StripeRepository {

    private final JdbcClient jdbc;

    StripeRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records a received event. A concurrent delivery of the same id waits on the primary key until
     * the first one's transaction ends, then finds it taken.
     *
     * @return false when the event was recorded before (a replay: apply nothing)
     */
    boolean insertEvent(String id, String type, Instant createdAt, String payload) {
        return jdbc.sql("""
                INSERT INTO billing_stripe_events (id, type, created_at, outcome, payload)
                VALUES (:id, :type, :created, 'received', CAST(:payload AS jsonb)) ON CONFLICT (id) DO NOTHING""")
                .param("id", id).param("type", type).param("created", Timestamp.from(createdAt))
                .param("payload", payload).update() == 1;
    }

    void eventOutcome(String id, String outcome) {
        jdbc.sql("UPDATE billing_stripe_events SET outcome = :outcome WHERE id = :id")
                .param("id", id).param("outcome", outcome).update();
    }

    Optional<String> customer(UUID userId) {
        return jdbc.sql("SELECT customer_id FROM billing_stripe_customers WHERE user_id = :user")
                .param("user", userId).query(String.class).optional();
    }

    /** Stores the account's customer unless one was stored meanwhile; returns the stored one. */
    String saveCustomer(UUID userId, String customerId) {
        jdbc.sql("INSERT INTO billing_stripe_customers (user_id, customer_id) VALUES (:user, :customer) "
                + "ON CONFLICT (user_id) DO NOTHING").param("user", userId).param("customer", customerId).update();
        return customer(userId).orElseThrow();
    }

    /** Creates the subscription's row if it is new (state from the first event that names it). */
    void insertSubscriptionIfAbsent(String subscriptionId, UUID userId, String planId, String status, Instant eventAt) {
        jdbc.sql("""
                INSERT INTO billing_stripe_subscriptions (subscription_id, user_id, plan_id, status, last_event_at)
                VALUES (:id, :user, :plan, :status, :at) ON CONFLICT (subscription_id) DO NOTHING""")
                .param("id", subscriptionId).param("user", userId).param("plan", planId).param("status", status)
                .param("at", Timestamp.from(eventAt)).update();
    }

    /** The subscription's row, locked until the caller's transaction ends (events of one subscription queue). */
    Optional<StripeSubscriptionRow> lockSubscription(String subscriptionId) {
        return jdbc.sql("SELECT * FROM billing_stripe_subscriptions WHERE subscription_id = :id FOR UPDATE")
                .param("id", subscriptionId).query(StripeRepository::map).optional();
    }

    /** The account's newest Stripe subscription. */
    Optional<StripeSubscriptionRow> latestSubscription(UUID userId) {
        return jdbc.sql("SELECT * FROM billing_stripe_subscriptions WHERE user_id = :user "
                + "ORDER BY created_at DESC LIMIT 1").param("user", userId).query(StripeRepository::map).optional();
    }

    /** Stores the subscription object's state as of an event created at {@code eventAt}. */
    void updateState(String subscriptionId, String status, @Nullable Instant periodStart, @Nullable Instant periodEnd,
            boolean cancelAtPeriodEnd, Instant eventAt) {
        jdbc.sql("""
                UPDATE billing_stripe_subscriptions SET status = :status,
                    current_period_start = COALESCE(:start, current_period_start),
                    current_period_end = COALESCE(:end, current_period_end), cancel_at_period_end = :cancel,
                    last_event_at = :at, updated_at = now()
                WHERE subscription_id = :id""")
                .param("id", subscriptionId).param("status", status).param("start", ts(periodStart))
                .param("end", ts(periodEnd)).param("cancel", cancelAtPeriodEnd).param("at", Timestamp.from(eventAt))
                .update();
    }

    void updateDunning(String subscriptionId, @Nullable String status, int failedAttempts, boolean suspended) {
        jdbc.sql("""
                UPDATE billing_stripe_subscriptions SET status = COALESCE(:status, status),
                    failed_attempts = :failed, suspended = :suspended, updated_at = now()
                WHERE subscription_id = :id""")
                .param("id", subscriptionId).param("status", status).param("failed", failedAttempts)
                .param("suspended", suspended).update();
    }

    void updatePeriod(String subscriptionId, Instant start, Instant end) {
        jdbc.sql("""
                UPDATE billing_stripe_subscriptions SET current_period_start = :start, current_period_end = :end,
                    updated_at = now()
                WHERE subscription_id = :id AND (current_period_start IS NULL OR current_period_start <= :start)""")
                .param("id", subscriptionId).param("start", Timestamp.from(start)).param("end", Timestamp.from(end))
                .update();
    }

    /** The plan the subscription's price now pays for (a change applied or scheduled locally). */
    void updatePlan(String subscriptionId, String planId) {
        jdbc.sql("UPDATE billing_stripe_subscriptions SET plan_id = :plan, updated_at = now() WHERE subscription_id = :id")
                .param("id", subscriptionId).param("plan", planId).update();
    }

    /** Records a plan upgrade Stripe reported (the money is Stripe's proration, so 0 here). */
    void recordPlanChange(UUID userId, UUID subscriptionId, String from, String to, Instant periodStart,
            Instant periodEnd, Instant at, java.math.BigDecimal gbDelta, String stripeSubscription) {
        jdbc.sql("""
                        INSERT INTO billing_plan_changes (id, user_id, subscription_id, from_plan, to_plan, provider,
                            period_start, period_end, changed_at, credit_cents, charge_cents, amount_cents, gb_delta,
                            stripe_subscription)
                        VALUES (:id, :user, :sub, :from, :to, 'stripe', :ps, :pe, :at, 0, 0, 0, :gb, :stripe)""")
                .param("id", UUID.randomUUID()).param("user", userId).param("sub", subscriptionId).param("from", from)
                .param("to", to).param("ps", Timestamp.from(periodStart)).param("pe", Timestamp.from(periodEnd))
                .param("at", Timestamp.from(at)).param("gb", gbDelta).param("stripe", stripeSubscription).update();
    }

    void link(String subscriptionId, UUID localSubscriptionId) {
        jdbc.sql("UPDATE billing_stripe_subscriptions SET local_subscription_id = :local WHERE subscription_id = :id")
                .param("id", subscriptionId).param("local", localSubscriptionId).update();
    }

    private static @Nullable Timestamp ts(@Nullable Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static @Nullable Instant instant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static StripeSubscriptionRow map(ResultSet rs, int row) throws SQLException {
        return new StripeSubscriptionRow(rs.getString("subscription_id"), rs.getObject("user_id", UUID.class),
                rs.getString("plan_id"), rs.getString("status"), instant(rs.getTimestamp("current_period_start")),
                instant(rs.getTimestamp("current_period_end")), rs.getBoolean("cancel_at_period_end"),
                rs.getInt("failed_attempts"), rs.getBoolean("suspended"),
                rs.getObject("local_subscription_id", UUID.class), rs.getTimestamp("last_event_at").toInstant());
    }

    /** One row of {@code billing_stripe_subscriptions}. Immutable. */
    record StripeSubscriptionRow(String subscriptionId, UUID userId, String planId, String status,
            @Nullable Instant periodStart, @Nullable Instant periodEnd, boolean cancelAtPeriodEnd, int failedAttempts,
            boolean suspended, @Nullable UUID localSubscriptionId, Instant lastEventAt) {}
}
