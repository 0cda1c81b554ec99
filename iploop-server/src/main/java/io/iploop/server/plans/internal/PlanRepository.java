package io.iploop.server.plans.internal;

import io.iploop.server.platform.Money;
import io.iploop.server.plans.Plan;
import io.iploop.server.plans.Subscription;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
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

    void cancelActive(UUID userId) {
        jdbc.sql("UPDATE user_plans SET status = 'cancelled' WHERE user_id = :userId AND status = 'active'")
                .param("userId", userId).update();
    }

    Subscription insertSubscription(UUID userId, Plan plan) {
        UUID id = jdbc.sql("""
                        INSERT INTO user_plans (user_id, plan_id, gb_balance)
                        VALUES (:userId, :planId, :balance) RETURNING id""")
                .param("userId", userId)
                .param("planId", plan.id())
                .param("balance", plan.includedGb() == null ? BigDecimal.ZERO : plan.includedGb())
                .query(UUID.class).single();
        return findSubscription(userId, id).orElseThrow();
    }

    /** The active plan and balance of the account, for the gateway's limits. */
    Optional<PlanAndBalance> findActivePlanAndBalance(UUID userId) {
        return jdbc.sql("""
                        SELECT p.*, up.gb_balance AS balance FROM user_plans up JOIN plans p ON p.id = up.plan_id
                        WHERE up.user_id = :userId AND up.status = 'active'""")
                .param("userId", userId)
                .query((rs, n) -> new PlanAndBalance(mapPlan(rs, n), rs.getBigDecimal("balance")))
                .optional();
    }

    /** A plan with the subscription's remaining GB. */
    record PlanAndBalance(Plan plan, BigDecimal gbBalance) {}

    /** Moves {@code gb} from the active subscription's balance to its used GB. */
    void addUsage(UUID userId, BigDecimal gb) {
        jdbc.sql("""
                        UPDATE user_plans SET gb_used = gb_used + :gb, gb_balance = gb_balance - :gb
                        WHERE user_id = :userId AND status = 'active'""")
                .param("userId", userId).param("gb", gb).update();
    }

    Optional<Subscription> findActiveSubscription(UUID userId) {
        return jdbc.sql("""
                        SELECT up.*, p.name AS plan_name FROM user_plans up JOIN plans p ON p.id = up.plan_id
                        WHERE up.user_id = :userId AND up.status = 'active'""")
                .param("userId", userId).query(PlanRepository::mapSubscription).optional();
    }

    private Optional<Subscription> findSubscription(UUID userId, UUID id) {
        return jdbc.sql("""
                        SELECT up.*, p.name AS plan_name FROM user_plans up JOIN plans p ON p.id = up.plan_id
                        WHERE up.user_id = :userId AND up.id = :id""")
                .param("userId", userId).param("id", id).query(PlanRepository::mapSubscription).optional();
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
                expires == null ? null : expires.toInstant());
    }

    private static @Nullable Money money(@Nullable BigDecimal amount, String currency) {
        return amount == null ? null : Money.of(amount, currency);
    }
}
