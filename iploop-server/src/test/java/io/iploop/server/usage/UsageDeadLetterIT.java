package io.iploop.server.usage;

import static io.iploop.server.testing.Api.*;
import static io.iploop.server.testing.Mailbox.*;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.server.dataplane.DataPlane;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Usage must never stop ({@code docs/security.md}): a record with a NUL byte (a SOCKS5 domain name
 * is any bytes) is stored with the byte replaced, a record PostgreSQL refuses is set aside in
 * {@code usage_dead_letters} while the rest of its batch is stored, and admins see the dead letters.
 */
@PlatformTest
class UsageDeadLetterIT {

    @Autowired
    UsageSink usageSink;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    DataPlane dataPlane;

    private static UsageRecord record(UUID userId, UUID keyId, String host, Instant start) {
        return new UsageRecord(UUID.randomUUID(), userId, keyId, null, "s\u0001x", 1000, 100, 1, "DE", "Ber\u0000lin",
                host, "socks5", false, "exit_failed\u0000", start, start.plusMillis(10), null);
    }

    private long stored(UUID id) {
        return jdbc.sql("SELECT count(*) FROM usage_records WHERE id = :id").param("id", id).query(Long.class).single();
    }

    @Test
    void controlBytesAreReplacedAndARefusedRecordIsSetAsideWithoutBlockingItsBatch() throws Exception {
        JsonNode alice = registerCustomer();
        UUID aliceId = UUID.fromString(alice.at("/user/id").asString());
        UUID keyId = UUID.fromString(call("POST", "/api/proxy/keys", token(alice), Map.of("name", "k")).body()
                .get("id").asString());
        Instant now = Instant.now();
        UsageRecord nul = record(aliceId, keyId, "bad\u0000host.example", now);
        UsageRecord good = record(aliceId, keyId, "good.example", now);
        // Refused by PostgreSQL whatever its text: the account does not exist (foreign key).
        UsageRecord orphan = record(UUID.randomUUID(), keyId, "orphan.example", now);
        UsageRecord late = record(aliceId, keyId, "late.example", now);
        List<UsageRecord> batch = List.of(nul, good, orphan, late);

        usageSink.write(batch);
        usageSink.write(batch); // the gateway retries a batch it is unsure about: still exactly once

        assertThat(jdbc.sql("SELECT target_host FROM usage_records WHERE id = :id").param("id", nul.id())
                .query(String.class).single()).isEqualTo("bad?host.example");
        assertThat(jdbc.sql("SELECT session_id || '|' || target_city || '|' || error_message FROM usage_records WHERE id = :id")
                .param("id", nul.id()).query(String.class).single()).isEqualTo("s?x|Ber?lin|exit_failed?");
        assertThat(stored(good.id()) + stored(late.id())).isEqualTo(2);
        assertThat(stored(orphan.id())).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM usage_records WHERE user_id = :u").param("u", aliceId)
                .query(Long.class).single()).isEqualTo(3);
        assertThat(jdbc.sql("SELECT count(*) FROM usage_dead_letters WHERE id = :id").param("id", orphan.id())
                .query(Long.class).single()).isEqualTo(1);

        JsonNode page = call("GET", "/api/admin/usage/dead-letters?limit=100", adminToken(), null).body();
        JsonNode letter = null;
        for (JsonNode item : page.get("items")) {
            if (item.get("id").asString().equals(orphan.id().toString())) {
                letter = item;
            }
        }
        assertThat(letter).as("dead letter of %s in %s", orphan.id(), page).isNotNull();
        assertThat(letter.get("reason").asString()).contains("foreign key");
        assertThat(letter.get("targetHost").asString()).isEqualTo("orphan.example");
        assertThat(letter.get("totalBytes").asLong()).isEqualTo(1100);
        assertThat(letter.get("record").asString()).contains(orphan.userId().toString());
        assertThat(page.get("total").asLong()).isPositive();
    }

    @Test
    void deadLettersAreForAdminsOnly() {
        String customer = token(registerCustomer());
        assertThat(call("GET", "/api/admin/usage/dead-letters", customer, null).status()).isEqualTo(403);
        assertThat(call("GET", "/api/admin/usage/dead-letters", null, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/admin/usage/dead-letters?limit=0", adminToken(), null).status()).isEqualTo(400);
    }

    /**
     * Through the real gateway: a SOCKS5 CONNECT to a domain name with a NUL byte, then an ordinary
     * request; both streams' usage arrives (before, the first batch was refused and retried forever,
     * and nobody's usage was stored again).
     */
    @Test
    void aNulByteInASocks5DomainNeverStopsUsage() throws Exception {
        JsonNode customer = registerUnlimitedCustomer();
        UUID userId = UUID.fromString(customer.at("/user/id").asString());
        String customerId = customer.at("/user/customerId").asString();
        String key = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "nul")).body().get("key").asString();
        int socks = dataPlane.ports().orElseThrow().socks();

        socks5Connect(socks, customerId, key, "evil\u0000.example");
        socks5Connect(socks, customerId, key, "after.invalid");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(jdbc.sql("""
                        SELECT coalesce(string_agg(target_host, ',' ORDER BY target_host), '') FROM usage_records WHERE user_id = :u""")
                .param("u", userId).query(String.class).single())
                // The SOCKS5 listener refuses the NUL domain (0x01) and records it with an empty host;
                // the next customer request is still metered.
                .isEqualTo(",after.invalid"));
    }

    /** A raw RFC 1928 CONNECT by domain name with RFC 1929 user/password; returns the reply code. */
    private static int socks5Connect(int port, String user, String password, String domain) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(new byte[] {5, 1, 2});
            out.flush();
            assertThat(in.readUnsignedByte()).isEqualTo(5);
            assertThat(in.readUnsignedByte()).isEqualTo(2);
            ByteArrayOutputStream auth = new ByteArrayOutputStream();
            byte[] u = user.getBytes(StandardCharsets.US_ASCII);
            byte[] p = password.getBytes(StandardCharsets.US_ASCII);
            auth.write(1);
            auth.write(u.length);
            auth.write(u);
            auth.write(p.length);
            auth.write(p);
            out.write(auth.toByteArray());
            out.flush();
            in.readUnsignedByte();
            assertThat(in.readUnsignedByte()).as("SOCKS5 auth status").isZero();
            ByteArrayOutputStream connect = new ByteArrayOutputStream();
            byte[] d = domain.getBytes(StandardCharsets.ISO_8859_1);
            connect.write(new byte[] {5, 1, 0, 3, (byte) d.length});
            connect.write(d);
            connect.write(new byte[] {0, 80});
            out.write(connect.toByteArray());
            out.flush();
            assertThat(in.readUnsignedByte()).isEqualTo(5);
            return in.readUnsignedByte();
        }
    }
}
