package io.iploop.server.accounts;

import static io.iploop.server.testing.Api.TEST_PASSWORD;
import static io.iploop.server.testing.Api.bean;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.port;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.platform.SecureTokens;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.CashoutFixtures;
import io.iploop.server.testing.PlatformTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * docs/privacy.md end to end: a customer with activity across features (consents, sessions, a
 * failed login, API key, sub-user, webhook, usage, a paid-for invoice, ledger entries, node key,
 * payment method and cash-out) exports their data, then erases the account; afterwards neither
 * their e-mail nor their address appears anywhere in the database outside the issued invoices,
 * and the ledger sums are unchanged. The customer's requests come from 127.0.0.77 (a client bound
 * to that loopback address), so the address can be searched for.
 */
@PlatformTest
class PrivacyIT {

    private static final String ADDRESS = "127.0.0.77";
    private static final String AGENT = "PrivacyIT/1.0 (GDPR test)";
    /** A family name no other test uses: the check below searches whole tables of the shared database. */
    private static final String LAST_NAME = "Hopper" + UUID.randomUUID().toString().substring(0, 8);

    /** A client whose connections come from {@link #ADDRESS}. */
    private final HttpClient client;

    PrivacyIT() throws IOException {
        client = HttpClient.newBuilder().localAddress(InetAddress.getByName(ADDRESS)).build();
    }

    @Test
    void exportThenEraseLeavesNoPersonalDataButTheLedgerAndInvoices() throws Exception {
        JsonMapper json = bean(JsonMapper.class);
        JdbcClient jdbc = bean(JdbcClient.class);
        String email = "gdpr-" + UUID.randomUUID() + "@example.com";

        // Sign-up records the consents with time and address.
        JsonNode registered = json.readTree(send("POST", "/api/auth/register", null, Map.of("email", email,
                "password", TEST_PASSWORD, "firstName", "Grace", "lastName", LAST_NAME, "company", "Navy",
                "acceptTerms", true)).body());
        UUID id = UUID.fromString(registered.at("/user/id").asString());
        UUID admin = bean(AccountsService.class).firstAdmin().orElseThrow().id();
        bean(AccountAdminService.class).verifyEmail(admin, id);
        assertThat(send("POST", "/api/auth/login", null, Map.of("email", email, "password", "wrong password")).statusCode())
                .isEqualTo(401);
        String token = json.readTree(send("POST", "/api/auth/login", null, Map.of("email", email, "password",
                TEST_PASSWORD)).body()).get("token").asString();

        // Activity across features.
        JsonNode key = ok(call("POST", "/api/proxy/keys", token, Map.of("name", "scraper")), 201);
        String apiKey = key.get("key").asString();
        ok(call("POST", "/api/sub-users", token, Map.of("name", "team_" + id.toString().substring(0, 8))), 201);
        ok(call("POST", "/api/webhooks", token, Map.of("url", "http://127.0.0.1:9/gdpr-hook",
                "eventTypes", List.of("cashout.status_changed"))), 201);
        ok(call("POST", "/api/nodes/keys", token, Map.of("name", "home pc")), 201);
        ok(call("POST", "/api/billing/top-ups", token, Map.of("packageId", "credits-5")), 201);
        for (int i = 0; i < 3; i++) {
            jdbc.sql("""
                            INSERT INTO usage_records (id, user_id, bytes_downloaded, bytes_uploaded, target_host, proxy_type,
                                                       success, started_at, ended_at, session_id)
                            VALUES (:id, :user, 1000, 10, 'private-site.example', 'http', true, :at, :at, 'my_session')""")
                    .param("id", UUID.randomUUID()).param("user", id)
                    .param("at", Timestamp.from(Instant.now().minus(i, ChronoUnit.DAYS))).update();
        }
        CashoutFixtures.Operator operator = new CashoutFixtures.Operator(token, id, email);
        CashoutFixtures.credit(id, 20_000);
        String cashoutId = CashoutFixtures.requestAndConfirm(operator, CashoutFixtures.paypal("10", email), 1)
                .get("id").asString();

        // Export: a ZIP with one folder per feature.
        HttpResponse<byte[]> export = sendBytes("/api/account/export", token);
        assertThat(export.statusCode()).as(new String(export.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Type")).hasValue("application/zip");
        Map<String, String> files = unzip(export.body());
        assertThat(files).containsKeys("README.json", "accounts/profile.json", "accounts/consents.json",
                "accounts/sessions.json", "keys/api-keys.json", "subusers/sub-users.json", "usage/daily.csv",
                "usage/requests.csv", "ledger/accounts.json", "ledger/entries.csv", "billing/invoices.json",
                "nodes/node-keys.json", "cashouts/cashouts.json", "webhooks/endpoints.json", "audit/audit-log.csv",
                "notifications/notifications.json", "plans/subscriptions.json", "earn/operator.json");
        assertThat(files.keySet()).anyMatch(f -> f.startsWith("billing/invoices/") && f.endsWith(".pdf"));
        assertThat(json.readTree(files.get("accounts/profile.json")).get("email").asString()).isEqualTo(email);
        JsonNode consents = json.readTree(files.get("accounts/consents.json"));
        assertThat(consents).hasSize(2);
        assertThat(consents.get(0).get("ip_address").asString()).isEqualTo(ADDRESS);
        assertThat(files.get("accounts/sessions.json")).contains(ADDRESS).contains(AGENT);
        assertThat(json.readTree(files.get("keys/api-keys.json")).get(0).get("name").asString()).isEqualTo("scraper");
        assertThat(json.readTree(files.get("webhooks/endpoints.json")).get(0).get("secret").asString())
                .isEqualTo("[redacted]");
        assertThat(files.get("usage/requests.csv").lines()).hasSize(1 + 3)
                .allMatch(l -> l.startsWith("id,") || l.contains("private-site.example"));
        assertThat(files.get("usage/daily.csv").lines().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[3])).sum())
                .as("daily bytes downloaded").isEqualTo(3000);
        assertThat(files.get("ledger/entries.csv").lines().count()).isGreaterThan(2);
        assertThat(files.get("cashouts/cashouts.json")).doesNotContain(email).contains("payment_details_masked");
        assertThat(files.get("audit/audit-log.csv")).contains("login_failed").contains(ADDRESS);
        String everything = String.join("\n", files.values());
        assertThat(everything).as("no secret or hash leaves")
                .doesNotContain(apiKey).doesNotContain(SecureTokens.sha256Hex(apiKey)).doesNotContain("key_hash")
                .doesNotContain("password_hash").doesNotContain("secret_hash").doesNotContain("totp_secret");

        Response again = call("GET", "/api/account/export", token, null);
        assertThat(again.status()).as("one export per hour").isEqualTo(429);
        assertThat(again.body().at("/error/code").asString()).isEqualTo("export_rate_limited");

        // Erasure waits for the cash-out in flight.
        Response blocked = call("DELETE", "/api/account", token, Map.of("password", TEST_PASSWORD));
        assertThat(blocked.status()).as(blocked.toString()).isEqualTo(409);
        assertThat(blocked.body().at("/error/code").asString()).isEqualTo("cashout_pending");
        ok(call("DELETE", "/api/earn/cashout/" + cashoutId, token, null), 200);

        Map<UUID, BigDecimal> ledgerBefore = ledgerBalances(jdbc, id);
        Response wrong = call("DELETE", "/api/account", token, Map.of("password", "not my password"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body().at("/error/field").asString()).isEqualTo("password");
        HttpResponse<String> erased = send("DELETE", "/api/account", token, Map.of("password", TEST_PASSWORD));
        assertThat(erased.statusCode()).as(erased.body()).isEqualTo(204);

        // Afterwards: signed out, no sign-in, nothing personal left outside the issued invoices.
        assertThat(call("GET", "/api/auth/profile", token, null).status()).isEqualTo(401);
        assertThat(tablesContaining(jdbc, email)).as("tables naming the e-mail")
                .isSubsetOf("billing_invoices", "billing_credit_notes").contains("billing_invoices");
        assertThat(tablesContaining(jdbc, ADDRESS)).as("tables naming the address").isEmpty();
        assertThat(tablesContaining(jdbc, AGENT)).as("tables naming the user agent").isEmpty();
        assertThat(tablesContaining(jdbc, "private-site.example")).as("browsing targets").isEmpty();
        assertThat(tablesContaining(jdbc, LAST_NAME)).as("names").isSubsetOf("billing_invoices", "billing_credit_notes");
        assertThat(ledgerBalances(jdbc, id)).as("ledger untouched").isEqualTo(ledgerBefore);
        assertThat(jdbc.sql("SELECT email FROM users WHERE id = :id").param("id", id).query(String.class).single())
                .isEqualTo("erased-" + id + "@invalid");
        assertThat(jdbc.sql("SELECT count(*) FROM api_keys WHERE user_id = :id AND is_active").param("id", id)
                .query(Long.class).single()).as("keys revoked").isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM node_keys WHERE owner_user_id = :id AND revoked_at IS NULL")
                .param("id", id).query(Long.class).single()).as("node keys revoked").isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM audit_logs WHERE user_id = :id AND action = 'account_erased'")
                .param("id", id).query(Long.class).single()).as("audited").isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM usage_records WHERE user_id = :id").param("id", id)
                .query(Long.class).single()).as("usage rows stay, anonymised").isEqualTo(3);
    }

    @Test
    void anAccountWithTwoFactorNeedsItsCodeToErase() {
        JsonNode login = io.iploop.server.testing.Api.registerCustomer();
        String token = io.iploop.server.testing.Api.token(login);
        io.iploop.server.testing.Api.TwoFactor tf = io.iploop.server.testing.Api.enableTwoFactor(token);
        Response missing = call("DELETE", "/api/account", token, Map.of("password", TEST_PASSWORD));
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.body().at("/error/code").asString()).isEqualTo("two_factor_required");
        assertThat(missing.body().at("/error/field").asString()).isEqualTo("totpCode");
        Response wrongCode = call("DELETE", "/api/account", token, Map.of("password", TEST_PASSWORD, "totpCode", "000000"));
        assertThat(wrongCode.status()).isEqualTo(401);
        assertThat(wrongCode.body().at("/error/code").asString()).isEqualTo("invalid_two_factor_code");
        Response done = call("DELETE", "/api/account", token, Map.of("password", TEST_PASSWORD,
                "totpCode", tf.backupCodes().get(0)));
        assertThat(done.status()).as(done.toString()).isEqualTo(204);
    }

    private static JsonNode ok(Response r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        return r.body();
    }

    /** The user's ledger accounts and their balances as the sum of their entries. */
    private static Map<UUID, BigDecimal> ledgerBalances(JdbcClient jdbc, UUID userId) {
        Map<UUID, BigDecimal> out = new LinkedHashMap<>();
        jdbc.sql("""
                        SELECT a.id, coalesce(sum(e.amount), 0) AS total FROM ledger_accounts a
                        LEFT JOIN ledger_entries e ON e.account_id = a.id WHERE a.owner_id = :id GROUP BY a.id ORDER BY a.id""")
                .param("id", userId)
                .query(rs -> {
                    out.put(rs.getObject(1, UUID.class), rs.getBigDecimal(2).stripTrailingZeros());
                });
        assertThat(out).isNotEmpty();
        return out;
    }

    /** Every table of the schema with a row whose text form contains {@code text} (case-insensitive). */
    private static List<String> tablesContaining(JdbcClient jdbc, String text) {
        List<String> tables = jdbc.sql("""
                        SELECT table_name FROM information_schema.tables
                        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name""")
                .query(String.class).list();
        List<String> out = new ArrayList<>();
        for (String table : tables) {
            boolean found = jdbc.sql("SELECT EXISTS (SELECT 1 FROM \"" + table + "\" t WHERE strpos(lower(t::text), lower(:text)) > 0)")
                    .param("text", text).query(Boolean.class).single();
            if (found) {
                out.add(table);
            }
        }
        return out;
    }

    private HttpResponse<String> send(String method, String path, @Nullable String token, Object body) throws Exception {
        HttpRequest.Builder b = request(path, token).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(bean(JsonMapper.class).writeValueAsString(body)));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> sendBytes(String path, String token) throws Exception {
        return client.send(request(path, token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest.Builder request(String path, @Nullable String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .header("User-Agent", AGENT);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private static Map<String, String> unzip(byte[] zip) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                files.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
            }
        }
        return files;
    }
}
