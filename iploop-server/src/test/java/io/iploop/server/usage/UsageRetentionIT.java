package io.iploop.server.usage;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.bean;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * docs/privacy.md#retention: per-request usage rows older than the retention become daily
 * aggregates, with every day's totals unchanged. The purge runs at an injected instant in 2020, so
 * that only this test's rows (dated 2020) are old enough; the shared platform's other rows are
 * younger and stay.
 */
@PlatformTest
class UsageRetentionIT {

    private static final Instant NOW = Instant.parse("2020-06-15T12:00:00Z");

    @Test
    void oldRowsBecomeDailyAggregatesWithTheSameTotals() {
        JdbcClient jdbc = bean(JdbcClient.class);
        UsageRetentionService retention = bean(UsageRetentionService.class);
        assertThat(retention.settings().perRequestDays()).isEqualTo(90);
        UUID user = UUID.fromString(registerCustomer().at("/user/id").asString());
        // Cutoff: 90 days before 2020-06-15 = 2020-03-17T00:00Z.
        insert(jdbc, user, "2020-03-01T08:00:00Z", 100, 1, true);
        insert(jdbc, user, "2020-03-01T09:00:00Z", 200, 2, false);
        insert(jdbc, user, "2020-03-01T23:59:59Z", 300, 3, true);
        insert(jdbc, user, "2020-03-16T23:59:59Z", 400, 4, true);
        insert(jdbc, user, "2020-03-17T00:00:00Z", 500, 5, true);
        insert(jdbc, user, "2020-06-14T10:00:00Z", 600, 6, true);
        Map<LocalDate, Long> before = dailyBytes(jdbc, user);

        UsageRetentionService.Run run = retention.purge(NOW, 2);
        assertThat(run.cutoff()).isEqualTo(Instant.parse("2020-03-17T00:00:00Z"));
        assertThat(run.days()).isEqualTo(2);
        assertThat(run.rowsMoved()).isEqualTo(4);
        assertThat(dailyBytes(jdbc, user)).as("totals per day unchanged").isEqualTo(before);
        assertThat(rows(jdbc, user)).as("rows from the cutoff on stay").isEqualTo(2);
        assertThat(jdbc.sql("""
                        SELECT records || '/' || request_count || '/' || bytes_downloaded || '/' || bytes_uploaded || '/'
                               || success_count FROM usage_daily WHERE user_id = :u AND day = '2020-03-01'""")
                .param("u", user).query(String.class).single()).isEqualTo("3/3/600/6/2");
        assertThat(retention.purge(NOW, 2).rowsMoved()).as("idempotent").isZero();

        // A row arriving late for a day already moved is added to that day's aggregate.
        insert(jdbc, user, "2020-03-01T12:00:00Z", 1000, 10, true);
        assertThat(retention.purge(NOW, 5_000).rowsMoved()).isEqualTo(1);
        assertThat(dailyBytes(jdbc, user).get(LocalDate.parse("2020-03-01"))).isEqualTo(600 + 6 + 1010);
        assertThat(rows(jdbc, user)).isEqualTo(2);
    }

    @Test
    void adminsSeeAndChangeTheRetentionAudited() {
        String admin = adminToken();
        Response shown = call("GET", "/api/admin/usage/retention", admin, null);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.body().get("perRequestDays").asInt()).isEqualTo(90);
        Response bad = call("PUT", "/api/admin/usage/retention", admin, Map.of("perRequestDays", 0));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().at("/error/field").asString()).isEqualTo("perRequestDays");
        Response missing = call("PUT", "/api/admin/usage/retention", admin, Map.of());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().at("/error/field").asString()).isEqualTo("perRequestDays");
        String customer = token(registerCustomer());
        assertThat(call("PUT", "/api/admin/usage/retention", customer, Map.of("perRequestDays", 1)).status())
                .isEqualTo(403);
        try {
            Response changed = call("PUT", "/api/admin/usage/retention", admin, Map.of("perRequestDays", 30));
            assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
            assertThat(changed.body().get("perRequestDays").asInt()).isEqualTo(30);
            assertThat(call("GET", "/api/audit-logs?action=usage_retention_changed", admin, null).body().toString())
                    .contains("90 -> 30");
        } finally {
            assertThat(call("PUT", "/api/admin/usage/retention", admin, Map.of("perRequestDays", 90)).status())
                    .isEqualTo(200);
        }
    }

    private static void insert(JdbcClient jdbc, UUID user, String at, long down, long up, boolean success) {
        jdbc.sql("""
                        INSERT INTO usage_records (id, user_id, bytes_downloaded, bytes_uploaded, target_host, proxy_type,
                                                   success, started_at, ended_at)
                        VALUES (:id, :user, :down, :up, 'example.com', 'http', :success, :at, :at)""")
                .param("id", UUID.randomUUID()).param("user", user).param("down", down).param("up", up)
                .param("success", success).param("at", Timestamp.from(Instant.parse(at))).update();
    }

    private static long rows(JdbcClient jdbc, UUID user) {
        return jdbc.sql("SELECT count(*) FROM usage_records WHERE user_id = :u").param("u", user).query(Long.class).single();
    }

    /** Bytes per UTC day: aggregates plus the rows still there. */
    private static Map<LocalDate, Long> dailyBytes(JdbcClient jdbc, UUID user) {
        Map<LocalDate, Long> out = new TreeMap<>();
        jdbc.sql("SELECT day, bytes_downloaded + bytes_uploaded FROM usage_daily WHERE user_id = :u").param("u", user)
                .query(rs -> {
                    out.merge(rs.getObject(1, LocalDate.class), rs.getLong(2), Long::sum);
                });
        jdbc.sql("SELECT started_at, total_bytes FROM usage_records WHERE user_id = :u").param("u", user)
                .query(rs -> {
                    out.merge(LocalDate.ofInstant(rs.getTimestamp(1).toInstant(), ZoneOffset.UTC), rs.getLong(2), Long::sum);
                });
        return out;
    }
}
