package io.iploop.server.earn.internal;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Mailbox.awaitMail;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.server.jobs.JobRun;
import io.iploop.server.jobs.JobsService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.Mailbox;
import io.iploop.server.testing.PlatformTest;
import jakarta.mail.MessagingException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The daily digest (docs/operator-transparency.md#daily-digest) against the shared platform and the
 * test SMTP server: an operator who opted in gets one mail per day with each device's bytes, top
 * hosts with ports, credits and uptime, equal to separate SQL sums; a second run sends nothing more;
 * an operator who did not opt in gets nothing; the preference round-trips through the API.
 */
@PlatformTest
class DailyDigestIT {

    @Autowired
    UsageSink usageSink;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    JobsService jobs;
    @Autowired
    DailyDigestJob digest;

    private record Operator(UUID userId, String token, String email, UUID device, String deviceName) {}

    private Operator operator(String run, String name) {
        JsonNode o = registerCustomer();
        String t = token(o);
        String nodeKey = call("POST", "/api/nodes/keys", t, Map.of("name", "digest")).body().get("key").asString();
        String deviceName = name + "-" + run;
        Response r = call("POST", "/api/earn/devices/register", null,
                Map.of("deviceId", deviceName, "deviceName", deviceName, "installMethod", "linux"), Map.of("X-Node-Key", nodeKey));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return new Operator(UUID.fromString(o.at("/user/id").asString()), t, o.at("/user/email").asString(), UUID.fromString(r.body().get("id").asString()), deviceName);
    }

    private static long mails(String email, String subject) {
        return Arrays.stream(Mailbox.SMTP.getReceivedMessagesForDomain(email)).filter(m -> {
            try {
                return m.getSubject().contains(subject);
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).count();
    }

    @Test
    void optedInOperatorsGetOneDigestADayWithBytesHostsCreditsAndUptime() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Operator reader = operator(run, "digest");
        Operator quiet = operator(run, "quiet");

        // Opt in through the API; off by default.
        assertThat(call("GET", "/api/auth/notification-preferences", reader.token(), null).body().get("dailyDigest")
                .asBoolean()).isFalse();
        Response saved = call("PUT", "/api/auth/notification-preferences", reader.token(),
                Map.of("lowBalance", true, "weeklyReport", true, "securityAlerts", true, "dailyDigest", true));
        assertThat(saved.status()).as(saved.body().toString()).isEqualTo(200);
        assertThat(call("GET", "/api/auth/notification-preferences", reader.token(), null).body().get("dailyDigest")
                .asBoolean()).isTrue();

        // Paid traffic through both devices today, to two ports of one host and another host.
        JsonNode customer = registerUnlimitedCustomer();
        UUID customerId = UUID.fromString(customer.at("/user/id").asString());
        UUID key = UUID.fromString(call("POST", "/api/proxy/keys", token(customer), Map.of("name", "digest")).body()
                .get("id").asString());
        String host = "digest-" + run + ".example";
        Instant now = Instant.now();
        usageSink.write(List.of(
                record(customerId, key, reader.device(), 30_000_000, 1_000_000, host, 443, now),
                record(customerId, key, reader.device(), 2_000_000, 500_000, host, 80, now),
                record(customerId, key, reader.device(), 20_000_000, 123, "other-" + run + ".example", 8443, now),
                record(customerId, key, quiet.device(), 40_000_000, 1, host, 443, now)));
        JobRun credited = jobs.runNow("earn-credits");
        assertThat(credited.executed()).isTrue();

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        digest.digest(today);
        digest.digest(today);

        String subject = "your devices on " + today;
        String body = awaitMail(reader.email(), subject, 1);
        long bytes = jdbc.sql("SELECT sum(total_bytes) FROM usage_records WHERE node_id = ? AND started_at >= ?")
                .params(reader.device(), Timestamp.from(today.atStartOfDay(ZoneOffset.UTC).toInstant()))
                .query(Long.class).single();
        long credits = jdbc.sql("""
                        SELECT COALESCE(sum(total_credits), 0) FROM device_earnings
                        WHERE node_id = ? AND period_end >= ?""")
                .params(reader.device(), Timestamp.from(today.atStartOfDay(ZoneOffset.UTC).toInstant()))
                .query(Long.class).single();
        assertThat(bytes).isEqualTo(53_500_123L);
        assertThat(credits).as("credits the credit job gave the device today").isPositive();
        assertThat(body).contains(reader.deviceName(),
                "Bytes: " + String.format(Locale.ROOT, "%,d", bytes),
                "Credits: " + String.format(Locale.ROOT, "%,d", credits),
                "Uptime: 0 h 00 min",
                host + ":443  " + String.format(Locale.ROOT, "%,d", 31_000_000) + " bytes",
                "other-" + run + ".example:8443",
                host + ":80  " + String.format(Locale.ROOT, "%,d", 2_500_000) + " bytes")
                .doesNotContain(quiet.deviceName(), customerId.toString());
        // Most bytes first.
        assertThat(body.indexOf(host + ":443")).isLessThan(body.indexOf("other-" + run)).isLessThan(body.indexOf(host + ":80"));

        // The scheduled run (for yesterday) and further runs for today add no second mail for today.
        jobs.runNow("earn-daily-digest");
        digest.digest(today);
        Thread.sleep(1500); // the outbox delivers within a second: a second mail would be here by now
        assertThat(mails(reader.email(), subject)).isEqualTo(1);
        assertThat(mails(quiet.email(), "your devices on")).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM earn_daily_digests WHERE day = ? AND user_id = ?")
                .params(java.sql.Date.valueOf(today), reader.userId()).query(Long.class).single()).isEqualTo(1);
    }

    private static UsageRecord record(UUID user, UUID key, UUID node, long down, long up, String host, int port,
            Instant start) {
        return new UsageRecord(UUID.randomUUID(), user, key, node, null, down, up, 1, null, null, host, "http", true, null,
                start, start.plusSeconds(5), 200, port, null);
    }
}
