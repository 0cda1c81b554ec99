package io.iploop.server.plans;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.jobs.JobsService;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Plan periods, renewal and expiry (docs/plans-and-alerts.md) on the real platform: the
 * {@code plans-renewal} job run through the jobs feature (its ShedLock lock, real PostgreSQL)
 * against subscriptions whose period end is moved into the past (a simulated period boundary),
 * and an expired subscription refused by the real gateway with 402 {@code subscription_expired}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class PlanRenewalIT {

    @Autowired
    PlansService plans;
    @Autowired
    JobsService jobs;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    DataPlane dataPlane;

    private TestOrigin origin;

    @BeforeAll
    void start() throws Exception {
        origin = TestOrigin.http();
    }

    @AfterAll
    void stop() {
        origin.close();
    }

    private UUID customerOn(String planId) {
        UUID userId = UUID.fromString(registerCustomer().at("/user/id").asString());
        plans.subscribe(userId, planId);
        return userId;
    }

    /**
     * Moves the account's subscription {@code periodsAgo} monthly periods (and a day) into the past, as if
     * that much time had passed, with {@code balance} GB left and {@code used} GB used in the period.
     */
    private void backdate(UUID userId, int periodsAgo, String balance, String used) {
        jdbc.sql("""
                        UPDATE user_plans SET started_at = now() - make_interval(months => :m, days => 1),
                               period_start = now() - make_interval(months => :m, days => 1),
                               period_end = now() - make_interval(months => :m - 1, days => 1),
                               gb_balance = CAST(:balance AS numeric), period_gb_used = CAST(:used AS numeric)
                        WHERE user_id = :u AND status = 'active'""")
                .param("m", periodsAgo).param("balance", balance).param("used", used).param("u", userId).update();
    }

    private Subscription current(UUID userId) {
        return plans.current(userId).orElseThrow();
    }

    private long renewals(Subscription s) {
        return jdbc.sql("SELECT count(*) FROM plan_renewals WHERE subscription_id = :id").param("id", s.id())
                .query(Long.class).single();
    }

    private long renewalAudits(Subscription s) {
        return jdbc.sql("SELECT count(*) FROM audit_logs WHERE action = 'plan_renewed' AND resource_id = :id")
                .param("id", s.id().toString()).query(Long.class).single();
    }

    @Test
    void aPeriodEndRenewsTheIncludedGbExactlyOnceHoweverOftenTheJobRuns() {
        UUID userId = customerOn("starter");
        Subscription fresh = current(userId);
        assertThat(fresh.periodEnd()).as("a renewing plan has a period end").isNotNull();
        assertThat(fresh.periodEnd()).isAfter(Instant.now().plus(Duration.ofDays(27)));
        backdate(userId, 1, "1.5", "3.5");
        Subscription before = current(userId);

        assertThat(jobs.runNow("plans-renewal").executed()).isTrue();
        Subscription after = current(userId);
        assertThat(after.gbBalance()).as("reset: unused GB do not roll over").isEqualByComparingTo("5");
        assertThat(after.periodGbUsed()).isEqualByComparingTo("0");
        assertThat(after.periodStart()).isEqualTo(before.periodEnd());
        assertThat(after.periodEnd()).isAfter(Instant.now());
        assertThat(renewals(after)).isEqualTo(1);
        assertThat(renewalAudits(after)).isEqualTo(1);

        // Usage in the new period, then the job again (and again): nothing renews twice.
        jdbc.sql("UPDATE user_plans SET gb_balance = 4, period_gb_used = 1 WHERE id = :id").param("id", after.id()).update();
        jobs.runNow("plans-renewal");
        jobs.runNow("plans-renewal");
        Subscription again = current(userId);
        assertThat(again.gbBalance()).isEqualByComparingTo("4");
        assertThat(again.periodStart()).isEqualTo(after.periodStart());
        assertThat(renewals(again)).isEqualTo(1);
        assertThat(renewalAudits(again)).isEqualTo(1);
    }

    @Test
    void missedPeriodsRenewOneByOneAndRolloverCarriesAtMostOnePeriodsGb() {
        UUID userId = customerOn("business"); // rollover, 100 GB
        backdate(userId, 2, "30", "70");

        jobs.runNow("plans-renewal");
        Subscription after = current(userId);
        // First boundary: 100 + 30 unused; second: 100 + min(130, 100).
        assertThat(after.gbBalance()).isEqualByComparingTo("200");
        assertThat(renewals(after)).isEqualTo(2);
        assertThat(jdbc.sql("SELECT new_gb_balance FROM plan_renewals WHERE subscription_id = :id ORDER BY period_start")
                .param("id", after.id()).query(BigDecimal.class).list())
                .usingElementComparator(BigDecimal::compareTo).containsExactly(new BigDecimal("130"), new BigDecimal("200"));
        jobs.runNow("plans-renewal");
        assertThat(renewals(current(userId))).isEqualTo(2);
    }

    @Test
    void trialsAndSubscriptionsEndingAtTheirPeriodEndDoNotRenew() {
        UUID trial = UUID.fromString(registerCustomer().at("/user/id").asString());
        assertThat(current(trial).planId()).isEqualTo("trial");
        assertThat(current(trial).periodEnd()).as("a one-off allowance has no period end").isNull();
        backdate(trial, 1, "0.1", "0.4"); // even with a period end in the past
        UUID ending = customerOn("growth");
        backdate(ending, 1, "2", "23");
        jdbc.sql("UPDATE user_plans SET expires_at = period_end WHERE user_id = :u AND status = 'active'")
                .param("u", ending).update();

        jobs.runNow("plans-renewal");
        assertThat(current(trial).gbBalance()).isEqualByComparingTo("0.1");
        assertThat(renewals(current(trial))).isZero();
        assertThat(current(ending).gbBalance()).isEqualByComparingTo("2");
        assertThat(renewals(current(ending))).isZero();
        assertThat(current(ending).expired()).isTrue();
    }

    @Test
    void anExpiredSubscriptionIsRefusedWith402SubscriptionExpiredUntilItIsExtended() throws Exception {
        JsonNode customer = registerCustomer();
        UUID userId = UUID.fromString(customer.at("/user/id").asString());
        String key = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "expiry")).body().get("key").asString();
        String proxy = "http://" + customer.at("/user/customerId").asString() + ":" + key + "@127.0.0.1:"
                + dataPlane.ports().orElseThrow().httpProxy();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> Curl.run("-x", proxy, origin.url("/bytes/10")).status() == 200);

        var set = call("PUT", "/api/admin/users/" + userId + "/plan/expiry", adminToken(),
                Map.of("expiresAt", Instant.now().minusSeconds(1).toString()));
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.body().get("expired").asBoolean()).isTrue();
        assertThat(call("PUT", "/api/admin/users/" + userId + "/plan/expiry", token(customer),
                Map.of("expiresAt", Instant.now().plusSeconds(86400).toString())).status())
                .as("only an admin").isEqualTo(403);

        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(250))
                .until(() -> Curl.run("-x", proxy, origin.url("/bytes/10")).status() == 402);
        Curl.Result refused = Curl.run("-x", proxy, origin.url("/bytes/10"));
        assertThat(refused.status()).isEqualTo(402);
        assertThat(refused.header("X-IPLoop-Error")).isEqualTo("subscription_expired");
        assertThat(refused.bodyText()).contains("subscription has expired");
        assertThat(call("GET", "/api/auth/profile", token(customer), null).body().at("/plan/expired").asBoolean())
                .isTrue();

        Map<String, Object> open = new HashMap<>();
        open.put("expiresAt", null);
        assertThat(call("PUT", "/api/admin/users/" + userId + "/plan/expiry", adminToken(), open).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(250))
                .until(() -> Curl.run("-x", proxy, origin.url("/bytes/10")).status() == 200);
    }
}
