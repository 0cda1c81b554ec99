package io.iploop.server.plans;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Mailbox.awaitMail;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.jobs.JobsService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Usage alerts and notifications (docs/plans-and-alerts.md#usage-alerts, #notifications) on the real
 * platform: the {@code plans-usage-alerts} job through the jobs feature, real PostgreSQL, mail through
 * the outbox to the test SMTP server, the REST API as a customer calls it.
 */
@PlatformTest
class UsageAlertsIT {

    @Autowired
    PlansService plans;
    @Autowired
    JobsService jobs;
    @Autowired
    JdbcClient jdbc;

    private record Customer(UUID id, String email, String token) {}

    private Customer starter() {
        JsonNode c = registerCustomer();
        UUID id = UUID.fromString(c.at("/user/id").asString());
        plans.subscribe(id, "starter"); // 5 GB
        return new Customer(id, c.at("/user/email").asString(), token(c));
    }

    /** The period's usage and what is left, in GB, as the usage listener leaves them. */
    private void usage(Customer c, String used, String left) {
        jdbc.sql("""
                        UPDATE user_plans SET period_gb_used = CAST(:used AS numeric), gb_balance = CAST(:left AS numeric)
                        WHERE user_id = :u AND status = 'active'""")
                .param("used", used).param("left", left).param("u", c.id()).update();
    }

    private JsonNode notifications(Customer c) {
        Response r = call("GET", "/api/notifications", c.token(), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }

    @Test
    void the80And100PercentAlertsFireOncePerPeriodInTheDashboardAndByEmail() {
        Customer c = starter();
        usage(c, "3.9", "1.1"); // 78 %
        jobs.runNow("plans-usage-alerts");
        assertThat(notifications(c).get("unread").asLong()).isZero();

        usage(c, "4.1", "0.9"); // 82 %
        jobs.runNow("plans-usage-alerts");
        jobs.runNow("plans-usage-alerts");
        JsonNode afterEighty = notifications(c);
        assertThat(afterEighty.get("unread").asLong()).isEqualTo(1);
        assertThat(afterEighty.at("/notifications/0/title").asString()).isEqualTo("You have used 80 % of your GB for this period");
        assertThat(afterEighty.at("/notifications/0/kind").asString()).isEqualTo("usage_alert");
        assertThat(awaitMail(c.email(), "80 %", 1)).contains("4.100 GB used, 0.900 GB left");

        usage(c, "5", "0");
        jobs.runNow("plans-usage-alerts");
        jobs.runNow("plans-usage-alerts");
        JsonNode afterHundred = notifications(c);
        assertThat(afterHundred.get("unread").asLong()).isEqualTo(2);
        assertThat(afterHundred.at("/notifications/0/title").asString()).isEqualTo("Your GB for this period are used up");
        // Starter has an overage price: past its GB traffic goes on, billed at the period end.
        assertThat(awaitMail(c.email(), "used up", 1)).contains("goes on as overage").doesNotContain("402");
        assertThat(jdbc.sql("SELECT count(*) FROM plan_usage_alerts up JOIN user_plans s ON s.id = up.subscription_id"
                + " WHERE s.user_id = :u").param("u", c.id()).query(Long.class).single()).isEqualTo(2);

        // A new period (renewal) arms the alerts again.
        jdbc.sql("""
                        UPDATE user_plans SET started_at = now() - interval '1 month 1 day',
                               period_start = now() - interval '1 month 1 day', period_end = now() - interval '1 day'
                        WHERE user_id = :u AND status = 'active'""").param("u", c.id()).update();
        jobs.runNow("plans-renewal");
        usage(c, "4.5", "0.5"); // 90 % of the new period
        jobs.runNow("plans-usage-alerts");
        assertThat(notifications(c).get("unread").asLong()).isEqualTo(3);
    }

    @Test
    void onAPlanWithoutOverageTheUsedUpAlertSaysTheProxyRefuses() {
        JsonNode login = registerCustomer();
        Customer c = new Customer(UUID.fromString(login.at("/user/id").asString()), login.at("/user/email").asString(),
                token(login));
        plans.subscribe(c.id(), "trial"); // 0.5 GB, no overage price
        usage(c, "0.5", "0");
        jobs.runNow("plans-usage-alerts");
        assertThat(awaitMail(c.email(), "used up", 1)).contains("The proxy answers 402").doesNotContain("overage");
    }

    @Test
    void aCustomThresholdFiresOnceAndJumpingPastSeveralSendsOneMessage() {
        Customer c = starter();
        Response bad = call("PUT", "/api/billing/alerts", c.token(), Map.of("customPercent", 0));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().at("/error/field").asString()).as(bad.toString()).isEqualTo("customPercent");
        assertThat(bad.body().at("/error/code").asString()).isEqualTo("validation_failed");
        Response set = call("PUT", "/api/billing/alerts", c.token(), Map.of("customPercent", 50, "at80", false));
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(call("GET", "/api/billing/alerts", c.token(), null).body().get("customPercent").asInt()).isEqualTo(50);

        usage(c, "2.6", "2.4"); // 52 %
        jobs.runNow("plans-usage-alerts");
        jobs.runNow("plans-usage-alerts");
        assertThat(notifications(c).get("unread").asLong()).isEqualTo(1);
        assertThat(notifications(c).at("/notifications/0/title").asString()).contains("50 %");

        usage(c, "4.5", "0.5"); // 90 %: 80 % is off
        jobs.runNow("plans-usage-alerts");
        assertThat(notifications(c).get("unread").asLong()).isEqualTo(1);

        Customer jumper = starter();
        usage(jumper, "5.2", "0");
        jobs.runNow("plans-usage-alerts");
        assertThat(notifications(jumper).get("unread").asLong()).as("80 % and 100 % at once: one message").isEqualTo(1);
        assertThat(notifications(jumper).at("/notifications/0/title").asString()).contains("used up");
    }

    @Test
    void notificationsAreMarkedReadOneByOneOrAllAndOnlyByTheirOwner() {
        Customer c = starter();
        Customer other = starter();
        usage(c, "4.2", "0.8");
        jobs.runNow("plans-usage-alerts");
        usage(c, "5", "0");
        jobs.runNow("plans-usage-alerts");
        JsonNode list = notifications(c);
        assertThat(list.get("unread").asLong()).isEqualTo(2);
        String newest = list.at("/notifications/0/id").asString();

        assertThat(call("POST", "/api/notifications/" + newest + "/read", other.token(), null).status()).isEqualTo(404);
        assertThat(notifications(c).get("unread").asLong()).isEqualTo(2);

        Response read = call("POST", "/api/notifications/" + newest + "/read", c.token(), null);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().get("readAt").isNull()).isFalse();
        assertThat(notifications(c).get("unread").asLong()).isEqualTo(1);
        assertThat(call("POST", "/api/notifications/" + newest + "/read", c.token(), null).status()).isEqualTo(200);

        assertThat(call("POST", "/api/notifications/read-all", c.token(), null).body().get("marked").asInt()).isEqualTo(1);
        assertThat(notifications(c).get("unread").asLong()).isZero();
        assertThat(notifications(other).get("notifications").size()).isZero();
        Map<String, Object> none = new HashMap<>();
        assertThat(call("POST", "/api/notifications/" + UUID.randomUUID() + "/read", c.token(), none).status())
                .isEqualTo(404);
    }
}
