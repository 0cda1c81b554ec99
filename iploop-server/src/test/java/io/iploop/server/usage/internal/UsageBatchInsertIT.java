package io.iploop.server.usage.internal;

import static io.iploop.server.testing.Api.registerCustomer;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.server.testing.PlatformTest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The one-statement batch insert ({@link UsageRepository#insertBatch}): it must report exactly the
 * records it stored now, since the sink bills only those (a retried batch must bill nothing again),
 * and store every column as the per-record statements did (nulls, ports, pool port, timestamps
 * rounded to microseconds half-up).
 */
@PlatformTest
class UsageBatchInsertIT {

    @Autowired
    UsageRepository usage;
    @Autowired
    JdbcClient jdbc;

    private static UsageRecord record(UUID userId, Instant start, long down, @Nullable Integer poolPort) {
        return new UsageRecord(UUID.randomUUID(), userId, null, null, "s-1", down, 7, 2, "DE", "Berlin", "example.com",
                "http", true, null, start, start.plusMillis(250), 200, 8443, null, poolPort);
    }

    @Test
    void reportsOnlyTheRecordsStoredNowAndStoresEveryColumn() {
        UUID userId = UUID.fromString(registerCustomer().at("/user/id").asString());
        // 999 999 500 ns rounds up into the next second; 1 499 ns rounds down to 1 µs.
        Instant roundsUp = Instant.parse("2026-12-01T10:00:00Z").plusNanos(999_999_500);
        Instant roundsDown = Instant.parse("2026-12-01T10:00:00Z").plusNanos(1_499);
        UsageRecord a = record(userId, roundsUp, 1000, null);
        UsageRecord b = record(userId, roundsDown, 2000, 9001);
        assertThat(usage.insertBatch(List.of(a, b))).containsExactly(a, b);

        // A retry of the same batch stores and reports nothing; a new record beside old ones, and
        // the same new record twice in one batch, are reported once.
        assertThat(usage.insertBatch(List.of(a, b))).isEmpty();
        UsageRecord c = new UsageRecord(UUID.randomUUID(), userId, null, null, null, 0, 0, 0, null, null, "h", "socks5",
                false, "exit_timeout", roundsDown, roundsDown, null, null, null, null);
        assertThat(usage.insertBatch(List.of(a, c, c, b))).containsExactly(c);
        assertThat(usage.insertBatch(List.of())).isEmpty();

        assertThat(jdbc.sql("SELECT count(*) FROM usage_records WHERE user_id = :u").param("u", userId)
                .query(Long.class).single()).isEqualTo(3);
        var row = jdbc.sql("""
                        SELECT session_id, total_bytes, request_count, target_country, target_city, http_status,
                               target_port, pool_port, started_at, duration_ms
                        FROM usage_records WHERE id = :id""").param("id", a.id())
                .query((rs, n) -> List.<Object>of(rs.getString(1), rs.getLong(2), rs.getInt(3), rs.getString(4), rs.getString(5),
                        rs.getInt(6), rs.getInt(7), rs.getObject(8) == null ? "null" : rs.getObject(8),
                        rs.getObject(9, OffsetDateTime.class).toInstant(), rs.getLong(10)))
                .single();
        assertThat(row).containsExactly("s-1", 1007L, 2, "DE", "Berlin", 200, 8443, "null",
                Instant.parse("2026-12-01T10:00:01Z"), 250L);
        assertThat(jdbc.sql("SELECT started_at FROM usage_records WHERE id = :id").param("id", b.id())
                .query(OffsetDateTime.class).single().toInstant()).isEqualTo(Instant.parse("2026-12-01T10:00:00.000001Z"));
        assertThat(jdbc.sql("SELECT pool_port FROM usage_records WHERE id = :id").param("id", b.id())
                .query(Integer.class).single()).isEqualTo(9001);
        var failed = jdbc.sql("""
                        SELECT coalesce(session_id, '-') || coalesce(http_status::text, '-') || coalesce(target_port::text, '-')
                               || success || error_message || proxy_type
                        FROM usage_records WHERE id = :id""").param("id", c.id()).query(String.class).single();
        assertThat(failed).isEqualTo("---falseexit_timeoutsocks5");
    }

    @Test
    void textThatLooksLikeArraySyntaxOrNullIsStoredAsSent() {
        UUID userId = UUID.fromString(registerCustomer().at("/user/id").asString());
        Instant now = Instant.now();
        UsageRecord r = new UsageRecord(UUID.randomUUID(), userId, null, null, "NULL", 1, 1, 1, null, "{a,b}",
                "h\"o,s}t\\", "http", false, "it said \"no\", then {NULL}", now, now, null, null, null, null);
        assertThat(usage.insertBatch(List.of(r))).containsExactly(r);
        var row = jdbc.sql("SELECT session_id, target_city, target_host, error_message FROM usage_records WHERE id = :id")
                .param("id", r.id())
                .query((rs, n) -> List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .single();
        assertThat(row).containsExactly("NULL", "{a,b}", "h\"o,s}t\\", "it said \"no\", then {NULL}");
    }
}
