package io.iploop.server.plans.internal;

import io.iploop.server.platform.Money;
import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlanDetails;
import io.iploop.server.plans.PlanSpec;
import io.iploop.server.plans.Subscription;
import io.iploop.server.plans.SubscriptionSpan;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** SQL for {@code plans} and {@code user_plans}. Thread-safe. */
@Repository
class PlanRepository {

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    PlanRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    List<Plan> findActive() {
        return jdbc.sql("SELECT * FROM plans WHERE is_active ORDER BY sort_order, id").query(this::mapPlan).list();
    }

    Optional<Plan> find(String id) {
        return jdbc.sql("SELECT * FROM plans WHERE id = :id").param("id", id).query(this::mapPlan).optional();
    }

    /**
     * Subscriptions overlapping {@code [from, to)}. There is no end column: a subscription ends when
     * the account's next one starts (plan changes cancel the old one first) or at its expiry.
     */
    List<SubscriptionSpan> spans(Instant from, Instant to) {
        return jdbc.sql("""
                        SELECT id, user_id, plan_id, started_at, ended_at FROM (
                            SELECT id, user_id, plan_id, started_at,
                                   least(lead(started_at) OVER (PARTITION BY user_id ORDER BY started_at, id),
                                         expires_at) AS ended_at
                            FROM user_plans) s
                        WHERE started_at < :to AND (ended_at IS NULL OR ended_at > :from)
                        ORDER BY started_at, id""")
                .param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
                .query((rs, n) -> new SubscriptionSpan(rs.getObject("id", UUID.class),
                        rs.getObject("user_id", UUID.class), rs.getString("plan_id"),
                        rs.getTimestamp("started_at").toInstant(),
                        rs.getTimestamp("ended_at") == null ? null : rs.getTimestamp("ended_at").toInstant()))
                .list();
    }

    void cancelActive(UUID userId) {
        jdbc.sql("UPDATE user_plans SET status = 'cancelled' WHERE user_id = :userId AND status = 'active'")
                .param("userId", userId).update();
    }

    Subscription insertSubscription(UUID userId, Plan plan) {
        return insertSubscription(userId, plan, plan.includedGb() == null ? BigDecimal.ZERO : plan.includedGb());
    }

    /** A new active subscription to {@code plan} starting with {@code gbBalance} GB. */
    Subscription insertSubscription(UUID userId, Plan plan, BigDecimal gbBalance) {
        UUID id = jdbc.sql("""
                        INSERT INTO user_plans (user_id, plan_id, gb_balance, period_end)
                        SELECT :userId, :planId, :balance, CASE WHEN p.renewal = 'none' THEN NULL
                               ELSE (now() AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC' END
                        FROM plans p WHERE p.id = :planId RETURNING id""")
                .param("userId", userId)
                .param("planId", plan.id())
                .param("balance", gbBalance)
                .query(UUID.class).single();
        return findSubscription(userId, id).orElseThrow();
    }

    /** Locks the account's active subscription row (if any) for the rest of the transaction. */
    Optional<Subscription> lockActiveSubscription(UUID userId) {
        return jdbc.sql("""
                        SELECT up.*, p.name AS plan_name, (up.expires_at IS NOT NULL AND up.expires_at <= now()) AS expired
                        FROM user_plans up JOIN plans p ON p.id = up.plan_id
                        WHERE up.user_id = :userId AND up.status = 'active' FOR UPDATE OF up""")
                .param("userId", userId).query(PlanRepository::mapSubscription).optional();
    }

    /**
     * Moves the subscription to {@code planId} within its current period (an upgrade, docs/billing.md#plan-changes)
     * with {@code gbBalance} GB left; clears any scheduled change.
     */
    void switchPlan(UUID subscriptionId, String planId, BigDecimal gbBalance) {
        jdbc.sql("""
                        UPDATE user_plans SET plan_id = :plan, gb_balance = :gb, pending_plan_id = NULL,
                               pending_cancel = false, pending_since = NULL
                        WHERE id = :id""")
                .param("id", subscriptionId).param("plan", planId).param("gb", gbBalance).update();
    }

    /** Stores the scheduled change of the subscription (both null/false: none). */
    void setPending(UUID subscriptionId, @Nullable String planId, boolean cancel, @Nullable Instant since) {
        jdbc.sql("""
                        UPDATE user_plans SET pending_plan_id = :plan, pending_cancel = :cancel, pending_since = :since
                        WHERE id = :id""")
                .param("id", subscriptionId).param("plan", planId).param("cancel", cancel)
                .param("since", since == null ? null : Timestamp.from(since)).update();
    }

    /** Marks whether a payment provider renews the subscription's periods. */
    void setRenewsOnPayment(UUID subscriptionId, boolean renewsOnPayment) {
        jdbc.sql("UPDATE user_plans SET renews_on_payment = :r WHERE id = :id")
                .param("id", subscriptionId).param("r", renewsOnPayment).update();
    }

    /** Sets the remaining GB of the active subscription; returns the rows changed (0 or 1). */
    int setBalance(UUID userId, BigDecimal gbBalance) {
        return jdbc.sql("UPDATE user_plans SET gb_balance = :gb WHERE user_id = :userId AND status = 'active'")
                .param("userId", userId).param("gb", gbBalance).update();
    }

    /** Active subscriptions of these accounts, keyed by account. */
    Map<UUID, Subscription> findActiveSubscriptions(Collection<UUID> userIds) {
        if (userIds.isEmpty()) {
            return Map.of();
        }
        Map<UUID, Subscription> result = new LinkedHashMap<>();
        // = ANY(array) keeps one statement shape whatever the page size (an IN list would not).
        jdbc.sql("""
                        SELECT up.*, p.name AS plan_name, (up.expires_at IS NOT NULL AND up.expires_at <= now()) AS expired
                        FROM user_plans up JOIN plans p ON p.id = up.plan_id
                        WHERE up.user_id = ANY (CAST(:ids AS uuid[])) AND up.status = 'active'""")
                .param("ids", "{" + String.join(",", userIds.stream().map(UUID::toString).toList()) + "}")
                .query(rs -> {
                    result.put(rs.getObject("user_id", UUID.class), mapSubscription(rs, 0));
                });
        return result;
    }

    List<UUID> activeSubscribers(String planId) {
        return jdbc.sql("SELECT user_id FROM user_plans WHERE plan_id = :planId AND status = 'active'")
                .param("planId", planId).query(UUID.class).list();
    }

    /** Active subscriptions per plan, every plan listed, in display order. */
    Map<String, Long> distribution() {
        Map<String, Long> result = new LinkedHashMap<>();
        jdbc.sql("""
                        SELECT p.id, count(up.id) AS n FROM plans p
                        LEFT JOIN user_plans up ON up.plan_id = p.id AND up.status = 'active'
                        GROUP BY p.id, p.sort_order ORDER BY p.sort_order, p.id""")
                .query(rs -> {
                    result.put(rs.getString("id"), rs.getLong("n"));
                });
        return result;
    }

    private static final String DETAILS = """
            SELECT p.*, (SELECT count(*) FROM user_plans up WHERE up.plan_id = p.id AND up.status = 'active')
                        AS active_subscribers
            FROM plans p""";

    List<PlanDetails> findAllDetails() {
        return jdbc.sql(DETAILS + " ORDER BY p.sort_order, p.id").query(this::mapDetails).list();
    }

    Optional<PlanDetails> findDetails(String id) {
        return jdbc.sql(DETAILS + " WHERE p.id = :id").param("id", id).query(this::mapDetails).optional();
    }

    boolean exists(String id) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM plans WHERE id = :id)").param("id", id)
                .query(Boolean.class).single();
    }

    /** True when any subscription, active or past, references the plan. */
    boolean everSubscribed(String id) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM user_plans WHERE plan_id = :id)").param("id", id)
                .query(Boolean.class).single();
    }

    void insertPlan(String id, PlanSpec s) {
        jdbc.sql("""
                        INSERT INTO plans (id, name, description, currency, price_monthly, price_annual, price_per_gb,
                                           overage_per_gb, included_gb, requests_per_day, max_concurrent_connections,
                                           max_sticky_lifetime_seconds, features, sort_order, is_active,
                                           requests_per_second, sticky_sessions, targeting)
                        VALUES (:id, :name, :description, :currency, :priceMonthly, :priceAnnual, :pricePerGb,
                                :overagePerGb, :includedGb, :requestsPerDay, :maxConcurrent, :maxSticky,
                                CAST(:features AS jsonb), :sortOrder, :active, :requestsPerSecond, :sticky,
                                string_to_array(:targeting, ','))""")
                .param("id", id).params(specParams(s)).update();
    }

    int updatePlan(String id, PlanSpec s) {
        return jdbc.sql("""
                        UPDATE plans SET name = :name, description = :description, currency = :currency,
                               price_monthly = :priceMonthly, price_annual = :priceAnnual, price_per_gb = :pricePerGb,
                               overage_per_gb = :overagePerGb, included_gb = :includedGb,
                               requests_per_day = :requestsPerDay, max_concurrent_connections = :maxConcurrent,
                               max_sticky_lifetime_seconds = :maxSticky, features = CAST(:features AS jsonb),
                               sort_order = :sortOrder, is_active = :active, requests_per_second = :requestsPerSecond,
                               sticky_sessions = :sticky, targeting = string_to_array(:targeting, ',')
                        WHERE id = :id""")
                .param("id", id).params(specParams(s)).update();
    }

    int deletePlan(String id) {
        return jdbc.sql("DELETE FROM plans WHERE id = :id").param("id", id).update();
    }

    private Map<String, Object> specParams(PlanSpec s) {
        Map<String, Object> p = new java.util.HashMap<>();
        p.put("name", s.name());
        p.put("description", s.description());
        p.put("currency", s.currency());
        p.put("priceMonthly", s.priceMonthly());
        p.put("priceAnnual", s.priceAnnual());
        p.put("pricePerGb", s.pricePerGb());
        p.put("overagePerGb", s.overagePerGb());
        p.put("includedGb", s.includedGb());
        p.put("requestsPerDay", s.requestsPerDay());
        p.put("maxConcurrent", s.maxConcurrentConnections());
        p.put("maxSticky", s.maxStickyLifetimeSeconds());
        p.put("features", json.writeValueAsString(s.features()));
        p.put("sortOrder", s.sortOrder());
        p.put("active", s.active());
        p.put("requestsPerSecond", s.requestsPerSecond());
        p.put("sticky", s.stickySessions());
        p.put("targeting", String.join(",", s.targeting()));
        return p;
    }

    /** The sign-up setting row: plan, optional GB override, last change. */
    SignupSetting signupSetting() {
        return jdbc.sql("SELECT plan_id, included_gb_override, updated_at FROM plan_signup_setting")
                .query((rs, n) -> new SignupSetting(rs.getString("plan_id"), rs.getBigDecimal("included_gb_override"),
                        rs.getTimestamp("updated_at").toInstant()))
                .single();
    }

    void setSignupSetting(String planId, @Nullable BigDecimal includedGbOverride, UUID adminId) {
        jdbc.sql("""
                        UPDATE plan_signup_setting SET plan_id = :planId, included_gb_override = :gb,
                               updated_at = now(), updated_by = :adminId""")
                .param("planId", planId).param("gb", includedGbOverride).param("adminId", adminId).update();
    }

    /** The row of {@code plan_signup_setting}. */
    record SignupSetting(String planId, @Nullable BigDecimal includedGbOverride, Instant updatedAt) {}

    /** The active plan and balance of the account, for the gateway's limits. */
    Optional<PlanAndBalance> findActivePlanAndBalance(UUID userId) {
        return jdbc.sql("""
                        SELECT p.*, up.gb_balance AS balance, up.expires_at AS subscription_expires_at
                        FROM user_plans up JOIN plans p ON p.id = up.plan_id
                        WHERE up.user_id = :userId AND up.status = 'active'""")
                .param("userId", userId)
                .query((rs, n) -> new PlanAndBalance(mapPlan(rs, n), rs.getBigDecimal("balance"),
                        instant(rs.getTimestamp("subscription_expires_at"))))
                .optional();
    }

    /** How many subscriptions (any status) the account ever had; 1 = still the one it got at sign-up. */
    long countSubscriptions(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM user_plans WHERE user_id = :userId")
                .param("userId", userId).query(Long.class).single();
    }

    /** A plan with the subscription's remaining GB and its end (null: open-ended). */
    record PlanAndBalance(Plan plan, BigDecimal gbBalance, @Nullable Instant expiresAt) {}

    /**
     * Sets the end of the account's active subscription (null: open-ended); returns the rows changed
     * (0 or 1).
     */
    int setExpiry(UUID userId, @Nullable Instant expiresAt) {
        return jdbc.sql("UPDATE user_plans SET expires_at = :expiresAt WHERE user_id = :userId AND status = 'active'")
                .param("userId", userId).param("expiresAt", expiresAt == null ? null : Timestamp.from(expiresAt)).update();
    }

    /** Moves {@code gb} from the active subscription's balance to its used GB. */
    void addUsage(UUID userId, BigDecimal gb) {
        jdbc.sql("""
                        UPDATE user_plans SET gb_used = gb_used + :gb, gb_balance = gb_balance - :gb,
                               period_gb_used = period_gb_used + :gb
                        WHERE user_id = :userId AND status = 'active'""")
                .param("userId", userId).param("gb", gb).update();
    }

    Optional<Subscription> findActiveSubscription(UUID userId) {
        return jdbc.sql("""
                        SELECT up.*, p.name AS plan_name, (up.expires_at IS NOT NULL AND up.expires_at <= now()) AS expired
                        FROM user_plans up JOIN plans p ON p.id = up.plan_id
                        WHERE up.user_id = :userId AND up.status = 'active'""")
                .param("userId", userId).query(PlanRepository::mapSubscription).optional();
    }

    private Optional<Subscription> findSubscription(UUID userId, UUID id) {
        return jdbc.sql("""
                        SELECT up.*, p.name AS plan_name, (up.expires_at IS NOT NULL AND up.expires_at <= now()) AS expired
                        FROM user_plans up JOIN plans p ON p.id = up.plan_id
                        WHERE up.user_id = :userId AND up.id = :id""")
                .param("userId", userId).param("id", id).query(PlanRepository::mapSubscription).optional();
    }

    private PlanDetails mapDetails(ResultSet rs, int row) throws SQLException {
        return new PlanDetails(mapPlan(rs, row), rs.getString("currency"), rs.getInt("sort_order"),
                rs.getBoolean("is_active"), rs.getLong("active_subscribers"));
    }

    private Plan mapPlan(ResultSet rs, int row) throws SQLException {
        String currency = rs.getString("currency");
        return new Plan(
                rs.getString("id"),
                rs.getString("name"),
                rs.getString("description"),
                money(rs.getBigDecimal("price_monthly"), currency),
                money(rs.getBigDecimal("price_annual"), currency),
                money(rs.getBigDecimal("price_per_gb"), currency),
                money(rs.getBigDecimal("overage_per_gb"), currency),
                rs.getBigDecimal("included_gb"),
                (Integer) rs.getObject("requests_per_day"),
                (Integer) rs.getObject("max_concurrent_connections"),
                rs.getLong("max_sticky_lifetime_seconds"),
                json.readValue(rs.getString("features"), STRINGS),
                (Integer) rs.getObject("requests_per_second"),
                rs.getBoolean("sticky_sessions"),
                List.of((String[]) rs.getArray("targeting").getArray()));
    }

    private static Subscription mapSubscription(ResultSet rs, int row) throws SQLException {
        Timestamp expires = rs.getTimestamp("expires_at");
        return new Subscription(
                rs.getObject("id", UUID.class),
                rs.getString("plan_id"),
                rs.getString("plan_name"),
                rs.getBigDecimal("gb_balance"),
                rs.getBigDecimal("gb_used"),
                rs.getString("status"),
                rs.getTimestamp("started_at").toInstant(),
                expires == null ? null : expires.toInstant(),
                rs.getTimestamp("period_start").toInstant(),
                instant(rs.getTimestamp("period_end")),
                rs.getBigDecimal("period_gb_used"),
                rs.getBoolean("expired"),
                rs.getString("pending_plan_id"),
                rs.getBoolean("pending_cancel"),
                rs.getBoolean("renews_on_payment"));
    }

    private static @Nullable Instant instant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static @Nullable Money money(@Nullable BigDecimal amount, String currency) {
        return amount == null ? null : Money.of(amount, currency);
    }
}
