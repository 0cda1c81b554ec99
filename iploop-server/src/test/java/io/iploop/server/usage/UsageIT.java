package io.iploop.server.usage;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

@PlatformTest
class UsageIT {

    @Autowired
    UsageSink usageSink;
    @Autowired
    JdbcClient jdbc;

    private static UsageRecord record(UUID userId, UUID keyId, long down, long up, boolean success, Instant start) {
        return new UsageRecord(UUID.randomUUID(), userId, keyId, null, null, down, up, 1, "DE", null, "example.com",
                "http", success, success ? null : "exit_timeout", start, start.plusMillis(250), success ? 200 : null);
    }

    @Test
    void batchInsertIsIdempotentAndSummaryIsScopedByAccount() throws Exception {
        JsonNode alice = registerCustomer();
        JsonNode bob = registerCustomer();
        UUID aliceId = UUID.fromString(alice.at("/user/id").asString());
        UUID keyId = UUID.fromString(call("POST", "/api/proxy/keys", token(alice), Map.of("name", "k")).body()
                .get("id").asString());
        Instant now = Instant.now();
        List<UsageRecord> batch = List.of(
                record(aliceId, keyId, 1000, 100, true, now.minusSeconds(60)),
                record(aliceId, keyId, 2000, 200, true, now.minusSeconds(30)),
                record(aliceId, keyId, 0, 50, false, now.minusSeconds(10)));
        usageSink.write(batch);
        usageSink.write(batch); // retried batch: no double count

        assertThat(jdbc.sql("SELECT count(*) FROM usage_records WHERE user_id = :u").param("u", aliceId)
                .query(Long.class).single()).isEqualTo(3);
        assertThat(jdbc.sql("SELECT total_bytes FROM usage_records WHERE id = :id").param("id", batch.get(0).id())
                .query(Long.class).single()).isEqualTo(1100);
        assertThat(jdbc.sql("SELECT duration_ms FROM usage_records WHERE id = :id").param("id", batch.get(0).id())
                .query(Long.class).single()).isEqualTo(250);

        JsonNode summary = call("GET", "/api/usage/summary?days=7", token(alice), null).body();
        assertThat(summary.get("bytesDownloaded").asLong()).isEqualTo(3000);
        assertThat(summary.get("bytesUploaded").asLong()).isEqualTo(350);
        assertThat(summary.get("totalBytes").asLong()).isEqualTo(3350);
        assertThat(summary.get("totalRequests").asLong()).isEqualTo(3);
        assertThat(summary.get("successRate").decimalValue()).isEqualByComparingTo("66.67");

        JsonNode bobs = call("GET", "/api/usage/summary?days=7", token(bob), null).body();
        assertThat(bobs.get("totalBytes").asLong()).isZero();
        assertThat(bobs.get("streams").asLong()).isZero();
    }

    @Test
    void poolRecordsAreStoredButNeverSpendTheResidentialPlan() throws Exception {
        JsonNode carol = registerCustomer();
        UUID carolId = UUID.fromString(carol.at("/user/id").asString());
        UUID keyId = UUID.fromString(call("POST", "/api/proxy/keys", token(carol), Map.of("name", "k")).body()
                .get("id").asString());
        if (jdbc.sql("SELECT count(*) FROM user_plans WHERE user_id = :u AND status = 'active'").param("u", carolId)
                .query(Long.class).single() == 0) {
            jdbc.sql("""
                            INSERT INTO user_plans (user_id, plan_id, gb_balance)
                            SELECT :u, id, 10 FROM plans WHERE included_gb > 0 ORDER BY included_gb LIMIT 1""")
                    .param("u", carolId).update();
        }
        java.math.BigDecimal usedBefore = gbUsed(carolId);
        Instant now = Instant.now();
        UsageRecord residential = record(carolId, keyId, 1_000_000, 0, true, now.minusSeconds(20));
        UsageRecord r = record(carolId, keyId, 500_000_000, 1000, true, now.minusSeconds(10));
        UsageRecord pool = new UsageRecord(r.id(), r.userId(), r.apiKeyId(), null, null, r.bytesDownloaded(),
                r.bytesUploaded(), 1, null, null, "example.com", "http", true, null, r.startedAt(), r.endedAt(), 200, 443,
                null, 4001);
        usageSink.write(List.of(residential, pool));

        assertThat(jdbc.sql("SELECT pool_port FROM usage_records WHERE id = :id").param("id", pool.id())
                .query(Integer.class).single()).isEqualTo(4001);
        java.math.BigDecimal residentialGb = new java.math.BigDecimal("0.001");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> gbUsed(carolId).subtract(usedBefore).compareTo(residentialGb) >= 0);
        Thread.sleep(500); // a pool debit, if any, would have landed with the residential one
        assertThat(gbUsed(carolId).subtract(usedBefore))
                .as("only the residential record's bytes reach the plan")
                .isEqualByComparingTo(residentialGb);
    }

    private java.math.BigDecimal gbUsed(UUID userId) {
        return jdbc.sql("SELECT coalesce(sum(gb_used), 0) FROM user_plans WHERE user_id = :u").param("u", userId)
                .query(java.math.BigDecimal.class).single();
    }

    @Test
    void daysOutOfRangeNamesTheParameter() {
        String token = token(registerCustomer());
        Response r = call("GET", "/api/usage/summary?days=0", token, null);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().at("/error/field").asString()).isEqualTo("days");
        assertThat(call("GET", "/api/usage/summary?days=366", token, null).status()).isEqualTo(400);
    }
}
