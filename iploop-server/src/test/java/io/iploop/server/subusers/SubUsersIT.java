package io.iploop.server.subusers;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.send;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
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
 * Sub-users (docs/sub-users.md) end to end: the REST API, and their credentials and limits
 * enforced by the real proxy (the server's gateway, its local node agent, real PostgreSQL, real
 * curl), with the parent account's own key next to them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class SubUsersIT {

    private static final long MIB = 1 << 20;

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JdbcClient jdbc;

    private TestOrigin origin;
    private DataPlane.Ports ports;

    @BeforeAll
    void start() throws Exception {
        origin = TestOrigin.http();
        ports = dataPlane.ports().orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                call("GET", "/api/proxy/locations", null, null).body().toString().contains("\"DE\""));
    }

    @AfterAll
    void stop() {
        origin.close();
    }

    private record Account(String token, UUID userId, String customerId, String key) {}

    /** A Trial account (0.5 GB, 2 requests/s: docs/product/plans.md#rate-limits). */
    private Account account() {
        return account(registerCustomer());
    }

    /** An account without plan limits, for tests that send requests in quick succession. */
    private Account unlimitedAccount() {
        return account(registerUnlimitedCustomer());
    }

    private Account account(JsonNode c) {
        String key = call("POST", "/api/proxy/keys", token(c), Map.of("name", "own")).body().get("key").asString();
        return new Account(token(c), UUID.fromString(c.at("/user/id").asString()), c.at("/user/customerId").asString(), key);
    }

    private JsonNode create(Account a, Map<String, Object> body) {
        Response r = call("POST", "/api/sub-users", a.token(), body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.body();
    }

    private String proxy(String user, String password) {
        return "http://" + user + ":" + password + "@127.0.0.1:" + ports.httpProxy();
    }

    @Test
    void aSubUserIsCutAtItsOwnLimitWhileTheAccountGoesOn() throws Exception {
        // Without plan limits, so the account's own request right after the sub-user's is not
        // refused by the plan's rate (a sub-user's requests count against the plan too).
        Account a = unlimitedAccount();
        JsonNode created = create(a, Map.of("name", "scraper_1", "trafficLimitBytes", 10_000_000));
        String username = created.at("/subUser/username").asString();
        String password = created.get("password").asString();
        UUID subUserId = UUID.fromString(created.at("/subUser/id").asString());
        assertThat(username).isEqualTo(a.customerId() + "-sub-scraper_1");
        assertThat(password).matches("iploop_[0-9a-f]{48}");
        assertThat(created.at("/subUser/secretPrefix").asString()).isEqualTo(password.substring(0, 14));
        // Shown once: the list and the single view carry the prefix only.
        assertThat(call("GET", "/api/sub-users", a.token(), null).body().toString()).doesNotContain(password);

        Curl.Result small = Curl.run("-x", proxy(username, password), origin.url("/bytes/1000"));
        assertThat(small.status()).isEqualTo(200);

        // One long download through the sub-user is cut once its 10 MB are carried.
        Curl.Result cut = Curl.run("-x", proxy(username, password), origin.url("/bytes/" + 64 * MIB));
        assertThat(cut.exitCode()).as("the download is cut").isNotZero();
        assertThat(cut.sizeDownload()).as("never more than the limit").isGreaterThan(5 * MIB).isLessThanOrEqualTo(10_000_000);

        Curl.Result next = Curl.run("-x", proxy(username, password), origin.url("/bytes/10"));
        assertThat(next.status()).isEqualTo(402);
        assertThat(next.header("X-IPLoop-Error")).isEqualTo("sub_user_limit_reached");

        // The parent's own key still works, and so does another sub-user.
        Curl.Result parent = Curl.run("-x", proxy(a.customerId(), a.key()), origin.url("/bytes/" + MIB));
        assertThat(parent.status()).isEqualTo(200);
        assertThat(parent.sizeDownload()).isEqualTo(MIB);
        JsonNode other = create(a, Map.of("name", "other"));
        Curl.Result sibling = Curl.run("-x", proxy(other.at("/subUser/username").asString(), other.get("password").asString()),
                origin.url("/bytes/100"));
        assertThat(sibling.status()).isEqualTo(200);

        // Usage rows carry the sub-user, the account pays for them, and the sub-user's used bytes
        // are exactly its rows' bytes.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            long metered = jdbc.sql("""
                            SELECT COALESCE(sum(bytes_downloaded + bytes_uploaded), 0) FROM usage_records
                            WHERE user_id = :u AND sub_user_id = :s""")
                    .param("u", a.userId()).param("s", subUserId).query(Long.class).single();
            assertThat(metered).isGreaterThan(10_000_000);
            JsonNode view = call("GET", "/api/sub-users/" + subUserId, a.token(), null).body();
            assertThat(view.get("usedBytes").asLong()).isEqualTo(metered);
            assertThat(view.get("usedPercent").asInt()).isEqualTo(100);
        });
        // The parent's own download is its own, without a sub-user (written within the flush interval).
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("SELECT count(*) FROM usage_records WHERE user_id = :u "
                + "AND sub_user_id IS NULL AND api_key_id IS NOT NULL").param("u", a.userId()).query(Long.class).single() > 0);
        Long errors = jdbc.sql("SELECT count(*) FROM usage_records WHERE sub_user_id = :s AND error_message = 'sub_user_limit_reached'")
                .param("s", subUserId).query(Long.class).single();
        assertThat(errors).isEqualTo(1);

        // Analytics: the sub_user filter narrows a summary to the sub-user, the breakdown per
        // sub-user names it, and the records' CSV has its column.
        long subUserBytes = call("GET", "/api/usage/summary?days=1&sub_user=" + subUserId, a.token(), null).body()
                .get("totalBytes").asLong();
        long accountBytes = call("GET", "/api/usage/summary?days=1", a.token(), null).body().get("totalBytes").asLong();
        assertThat(subUserBytes).isGreaterThan(10_000_000).isLessThan(accountBytes);
        assertThat(call("GET", "/api/usage/by-sub-user?days=1", a.token(), null).body().toString())
                .contains(subUserId.toString());
        String csv = send("GET", "/api/usage/recent?days=1&format=csv&sub_user=" + subUserId, a.token(), null, Map.of()).body();
        assertThat(csv.lines().findFirst().orElseThrow()).endsWith(",sub_user_id");
        assertThat(csv.lines().skip(1).toList()).isNotEmpty().allSatisfy(line -> assertThat(line).endsWith(subUserId.toString()));
        Account b = account();
        assertThat(call("GET", "/api/usage/summary?days=1&sub_user=" + subUserId, b.token(), null).body()
                .get("totalBytes").asLong()).as("another account's sub-user matches nothing").isZero();

        // Raising the limit lets it work again within the limits refresh.
        Response raised = call("PUT", "/api/sub-users/" + subUserId, a.token(), Map.of("trafficLimitBytes", 100_000_000));
        assertThat(raised.status()).as(raised.toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                Curl.run("-x", proxy(username, password), origin.url("/bytes/10")).status() == 200);
    }

    @Test
    void wrongPasswordDisabledAndExpiredSubUsersAreRefused() throws Exception {
        Account a = unlimitedAccount();
        JsonNode created = create(a, Map.of("name", "worker"));
        String username = created.at("/subUser/username").asString();
        String password = created.get("password").asString();
        String id = created.at("/subUser/id").asString();
        assertThat(Curl.run("-x", proxy(username, password), origin.url("/bytes/10")).status()).isEqualTo(200);

        // A well-formed secret that is not this sub-user's, and the account's own key under the sub-user's name.
        Curl.Result wrong = Curl.run("-x", proxy(username, "iploop_" + "0".repeat(48)), origin.url("/bytes/10"));
        assertThat(wrong.status()).isEqualTo(407);
        assertThat(wrong.header("X-IPLoop-Error")).isEqualTo("bad_credentials");
        assertThat(Curl.run("-x", proxy(username, a.key()), origin.url("/bytes/10")).status()).isEqualTo(407);
        // The sub-user's secret does not work as the account's own credentials either.
        assertThat(Curl.run("-x", proxy(a.customerId(), password), origin.url("/bytes/10")).status()).isEqualTo(407);

        assertThat(call("POST", "/api/sub-users/" + id + "/disable", a.token(), null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(8)).until(() ->
                Curl.run("-x", proxy(username, password), origin.url("/bytes/10")).status() == 407);
        assertThat(Curl.run("-x", proxy(a.customerId(), a.key()), origin.url("/bytes/10")).status()).isEqualTo(200);
        assertThat(call("POST", "/api/sub-users/" + id + "/enable", a.token(), null).body().get("enabled").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(8)).until(() ->
                Curl.run("-x", proxy(username, password), origin.url("/bytes/10")).status() == 200);

        // Expired: 403 sub_user_expired (set in the past directly: the API accepts future expiries only).
        jdbc.sql("UPDATE sub_users SET expires_at = now() - interval '1 second' WHERE id = :id")
                .param("id", UUID.fromString(id)).update();
        await().atMost(Duration.ofSeconds(8)).until(() ->
                "sub_user_expired".equals(Curl.run("-x", proxy(username, password), origin.url("/bytes/10")).header("X-IPLoop-Error")));

        assertThat(call("DELETE", "/api/sub-users/" + id, a.token(), null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/sub-users/" + id, a.token(), null).status()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(8)).until(() ->
                Curl.run("-x", proxy(username, password), origin.url("/bytes/10")).status() == 407);
    }

    @Test
    void targetingAndWhitelistAreTheOwnersChoice() throws Exception {
        Account a = unlimitedAccount();
        JsonNode created = create(a, Map.of("name", "de_only", "allowedCountries", List.of("de"), "cityAllowed", false));
        String username = created.at("/subUser/username").asString();
        String password = created.get("password").asString();
        assertThat(created.at("/subUser/allowedCountries").toString()).isEqualTo("[\"DE\"]");

        Curl.Result us = Curl.run("-x", proxy(username, password + "-country-us"), origin.url("/bytes/10"));
        assertThat(us.status()).isEqualTo(403);
        assertThat(us.header("X-IPLoop-Error")).isEqualTo("targeting_not_allowed");
        assertThat(us.bodyText()).contains("country");
        assertThat(Curl.run("-x", proxy(username, password), origin.url("/bytes/10")).status())
                .as("no country given: must pick an allowed one").isEqualTo(403);
        assertThat(Curl.run("-x", proxy(username, password + "-country-de"), origin.url("/bytes/10")).status()).isEqualTo(200);

        JsonNode listed = create(a, Map.of("name", "elsewhere", "ipWhitelist", List.of("203.0.113.0/24")));
        Curl.Result notListed = Curl.run("-x", proxy(listed.at("/subUser/username").asString(), listed.get("password").asString()),
                origin.url("/bytes/10"));
        assertThat(notListed.status()).isEqualTo(403);
        assertThat(notListed.header("X-IPLoop-Error")).isEqualTo("ip_not_whitelisted");
    }

    @Test
    void badInputIsA400NamingTheField() {
        Account a = account();
        assertField(a, Map.of("name", "Bad-Name"), "name");
        assertField(a, Map.of(), "name");
        assertField(a, Map.of("name", "x".repeat(33)), "name");
        assertField(a, Map.of("name", "ok", "trafficLimitBytes", 0), "trafficLimitBytes");
        assertField(a, Map.of("name", "ok", "trafficPeriod", "week"), "trafficPeriod");
        // The Trial plan allows 2 requests per second: a sub-user never gets more than its plan.
        assertField(a, Map.of("name", "ok", "requestsPerSecond", 3), "requestsPerSecond");
        assertField(a, Map.of("name", "ok", "requestsPerDay", -1), "requestsPerDay");
        assertField(a, Map.of("name", "ok", "allowedCountries", List.of("XX")), "allowedCountries");
        assertField(a, Map.of("name", "ok", "ipWhitelist", List.of("10.0.0.1/8")), "ipWhitelist");
        assertField(a, Map.of("name", "ok", "expiresAt", Instant.now().minusSeconds(60).toString()), "expiresAt");
        assertThat(call("GET", "/api/sub-users", a.token(), null).body().get("subUsers").size())
                .as("nothing was written by a refused request").isZero();

        create(a, Map.of("name", "ok", "requestsPerSecond", 2));
        Response twice = call("POST", "/api/sub-users", a.token(), Map.of("name", "ok"));
        assertThat(twice.status()).isEqualTo(409);
        assertThat(twice.body().at("/error/code").asString()).isEqualTo("sub_user_name_taken");

        String id = call("GET", "/api/sub-users", a.token(), null).body().at("/subUsers/0/id").asString();
        Map<String, Object> bad = new HashMap<>();
        bad.put("trafficPeriod", "daily");
        Response put = call("PUT", "/api/sub-users/" + id, a.token(), bad);
        assertThat(put.status()).isEqualTo(400);
        assertThat(put.body().at("/error/field").asString()).isEqualTo("trafficPeriod");

        // Another account's sub-user is not found, whatever the route.
        Account b = account();
        assertThat(call("GET", "/api/sub-users/" + id, b.token(), null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/sub-users/" + id + "/disable", b.token(), null).status()).isEqualTo(404);
        assertThat(call("GET", "/api/sub-users/" + id, a.token(), null).body().get("enabled").asBoolean()).isTrue();
    }

    @Test
    void aSubUserLimitedToTwoConnectionsGets429OnTheThirdWhileTheAccountGoesOn() throws Exception {
        Account a = unlimitedAccount();
        JsonNode created = create(a, Map.of("name", "two_conns", "maxConcurrentConnections", 2));
        assertThat(created.at("/subUser/maxConcurrentConnections").asInt()).isEqualTo(2);
        String username = created.at("/subUser/username").asString();
        String password = created.get("password").asString();
        List<Socket> tunnels = new ArrayList<>();
        try {
            tunnels.add(openTunnel(username, password));
            tunnels.add(openTunnel(username, password));

            Curl.Result third = Curl.run("-x", proxy(username, password), origin.url("/bytes/10"));
            assertThat(third.status()).as(third.toString()).isEqualTo(429);
            assertThat(third.header("X-IPLoop-Error")).isEqualTo("concurrency_limited");
            assertThat(third.header("Retry-After")).isNotNull();
            assertThat(third.bodyText()).contains("2 concurrent connections for this sub-user");
            // A third CONNECT tunnel is refused the same way.
            try (Socket refused = connect(username, password)) {
                assertThat(head(refused)).startsWith("HTTP/1.1 429").containsIgnoringCase("x-iploop-error: concurrency_limited");
            }

            // The parent account (its own key, and another of its sub-users) still gets through.
            Curl.Result parent = Curl.run("-x", proxy(a.customerId(), a.key()), origin.url("/bytes/10"));
            assertThat(parent.status()).isEqualTo(200);
            JsonNode sibling = create(a, Map.of("name", "sibling"));
            assertThat(Curl.run("-x", proxy(sibling.at("/subUser/username").asString(), sibling.get("password").asString()),
                    origin.url("/bytes/10")).status()).isEqualTo(200);

            // Closing one tunnel gives its slot back.
            tunnels.removeFirst().close();
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    Curl.run("-x", proxy(username, password), origin.url("/bytes/10")).status() == 200);
        } finally {
            for (Socket t : tunnels) {
                t.close();
            }
        }

        // Raising the limit through the API lets a third tunnel in within the limits refresh.
        String id = created.at("/subUser/id").asString();
        Response raised = call("PUT", "/api/sub-users/" + id, a.token(), Map.of("maxConcurrentConnections", 3));
        assertThat(raised.status()).as(raised.toString()).isEqualTo(200);
        List<Socket> three = new ArrayList<>();
        try {
            three.add(openTunnel(username, password));
            three.add(openTunnel(username, password));
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Socket s = connect(username, password);
                if (head(s).startsWith("HTTP/1.1 200")) {
                    three.add(s);
                    return true;
                }
                s.close();
                return false;
            });
        } finally {
            for (Socket t : three) {
                t.close();
            }
        }
    }

    @Test
    void aSubUsersOwnRequestRateGets429WithRetryAfterWhileTheAccountGoesOn() throws Exception {
        Account a = unlimitedAccount();
        JsonNode created = create(a, Map.of("name", "slow", "requestsPerSecond", 2));
        String username = created.at("/subUser/username").asString();
        String password = created.get("password").asString();
        // 8 requests sent at once (8 connections written before any answer is read): a bucket of
        // 2 per second with a burst of one second lets 2 through, perhaps a third as it refills.
        List<Socket> burst = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                burst.add(get(username, password));
            }
            Curl.Result parent = Curl.run("-x", proxy(a.customerId(), a.key()), origin.url("/bytes/10"));
            List<String> heads = new ArrayList<>();
            for (Socket s : burst) {
                heads.add(head(s));
            }
            List<String> limited = heads.stream().filter(h -> h.startsWith("HTTP/1.1 429")).toList();
            assertThat(heads.stream().filter(h -> h.startsWith("HTTP/1.1 200")).count()).as(heads.toString()).isBetween(2L, 3L);
            assertThat(limited).as(heads.toString()).hasSizeGreaterThanOrEqualTo(5);
            for (String h : limited) {
                assertThat(h.toLowerCase(java.util.Locale.ROOT)).contains("x-iploop-error: rate_limited").containsPattern("retry-after: [1-9]");
            }
            assertThat(parent.status()).as("the account's own key is not held to this sub-user's rate").isEqualTo(200);
        } finally {
            for (Socket s : burst) {
                s.close();
            }
        }
        // One at a time, as a client would send them: the third within a second is refused.
        Curl.Result refused = Curl.run("-x", proxy(username, password), origin.url("/bytes/10"));
        for (int i = 0; i < 20 && refused.status() == 200; i++) {
            refused = Curl.run("-x", proxy(username, password), origin.url("/bytes/10"));
        }
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.bodyText()).contains("more than 2 requests per second for this sub-user");
        // A second later the sub-user gets through again.
        await().atMost(Duration.ofSeconds(5)).until(() ->
                Curl.run("-x", proxy(username, password), origin.url("/bytes/10")).status() == 200);
    }

    @Test
    void requestLimitsStayWithinThePlan() {
        // Trial: 2 requests/s, 1,000 a day, 5 connections at once (docs/product/plans.md#rate-limits).
        Account a = account();
        assertField(a, Map.of("name", "ok", "maxConcurrentConnections", 6), "maxConcurrentConnections");
        assertField(a, Map.of("name", "ok", "maxConcurrentConnections", -1), "maxConcurrentConnections");
        assertField(a, Map.of("name", "ok", "requestsPerDay", 1001), "requestsPerDay");
        Response tooMany = call("POST", "/api/sub-users", a.token(), Map.of("name", "ok", "maxConcurrentConnections", 6));
        assertThat(tooMany.body().at("/error/message").asString()).contains("maxConcurrentConnections").contains("5");

        JsonNode ok = create(a, Map.of("name", "ok", "maxConcurrentConnections", 5, "requestsPerSecond", 1));
        assertThat(ok.at("/subUser/maxConcurrentConnections").asInt()).isEqualTo(5);
        JsonNode plain = create(a, Map.of("name", "plain"));
        assertThat(plain.at("/subUser/maxConcurrentConnections").isNull()).as("absent: the plan's only").isTrue();

        String id = ok.at("/subUser/id").asString();
        Response put = call("PUT", "/api/sub-users/" + id, a.token(), Map.of("maxConcurrentConnections", 6));
        assertThat(put.status()).isEqualTo(400);
        assertThat(put.body().at("/error/field").asString()).isEqualTo("maxConcurrentConnections");
        assertThat(call("GET", "/api/sub-users/" + id, a.token(), null).body().get("maxConcurrentConnections").asInt())
                .as("nothing was written by the refused update").isEqualTo(5);
        // 0 means none of its own, as for the request limits.
        Response zero = call("PUT", "/api/sub-users/" + id, a.token(), Map.of("maxConcurrentConnections", 0));
        assertThat(zero.status()).isEqualTo(200);
        assertThat(zero.body().get("maxConcurrentConnections").isNull()).isTrue();
    }

    @Test
    void everyChangeIsAudited() {
        Account a = unlimitedAccount();
        JsonNode created = create(a, Map.of("name", "audited", "trafficLimitBytes", 1_000_000, "maxConcurrentConnections", 4));
        String id = created.at("/subUser/id").asString();
        String password = created.get("password").asString();
        assertThat(call("PUT", "/api/sub-users/" + id, a.token(),
                Map.of("trafficLimitBytes", 2_000_000, "maxConcurrentConnections", 4, "requestsPerSecond", 5)).status())
                .isEqualTo(200);
        assertThat(call("POST", "/api/sub-users/" + id + "/disable", a.token(), null).status()).isEqualTo(200);
        assertThat(call("POST", "/api/sub-users/" + id + "/enable", a.token(), null).status()).isEqualTo(200);
        assertThat(call("DELETE", "/api/sub-users/" + id, a.token(), null).status()).isEqualTo(204);

        JsonNode items = call("GET", "/api/audit-logs?limit=50", a.token(), null).body().get("items");
        List<JsonNode> mine = new ArrayList<>();
        for (JsonNode e : items) {
            if (e.toString().contains("\"resourceId\":\"" + id + "\"")) {
                mine.add(e);
            }
        }
        // Newest first.
        assertThat(mine.stream().map(e -> e.get("action").asString()).toList()).containsExactly(
                "sub_user_deleted", "sub_user_enabled", "sub_user_disabled", "sub_user_updated", "sub_user_created");
        for (JsonNode e : mine) {
            assertThat(e.get("userId").asString()).as("who").isEqualTo(a.userId().toString());
            assertThat(e.get("resourceType").asString()).isEqualTo("sub_user");
            assertThat(e.at("/details/name").asString()).isEqualTo("audited");
            assertThat(e.toString()).as("never the password").doesNotContain(password);
        }
        JsonNode createdEntry = mine.get(4).get("details");
        assertThat(createdEntry.get("trafficLimitBytes").asString()).isEqualTo("1000000");
        assertThat(createdEntry.get("maxConcurrentConnections").asString()).isEqualTo("4");
        JsonNode updated = mine.get(3).get("details");
        assertThat(updated.get("trafficLimitBytes").asString()).isEqualTo("1000000 -> 2000000");
        assertThat(updated.get("requestsPerSecond").asString()).isEqualTo("0 -> 5");
        assertThat(updated.has("maxConcurrentConnections")).as("only what changed").isFalse();
        assertThat(mine.get(2).at("/details/enabled").asString()).isEqualTo("true -> false");
        assertThat(mine.get(1).at("/details/enabled").asString()).isEqualTo("false -> true");
        assertThat(mine.get(0).at("/details/requestsPerSecond").asString()).as("what was deleted").isEqualTo("5");

        // The filter by action finds them, and another account sees none of them.
        assertThat(call("GET", "/api/audit-logs?action=sub_user_updated", a.token(), null).body().get("items").size())
                .isEqualTo(1);
        Account b = account();
        assertThat(call("GET", "/api/audit-logs?limit=50", b.token(), null).body().toString()).doesNotContain(id);
    }

    /** A CONNECT tunnel to the origin through the HTTP proxy, held open (counted as a connection). */
    private Socket openTunnel(String user, String password) throws IOException {
        Socket s = connect(user, password);
        String head = head(s);
        assertThat(head).startsWith("HTTP/1.1 200");
        return s;
    }

    private Socket connect(String user, String password) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), ports.httpProxy());
        s.setSoTimeout(10_000);
        String target = "127.0.0.1:" + origin.port();
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        out.write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** A plain-HTTP request to the origin through the HTTP proxy, written but not yet answered. */
    private Socket get(String user, String password) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), ports.httpProxy());
        s.setSoTimeout(10_000);
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().write(("GET " + origin.url("/bytes/10") + " HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port()
                + "\r\nProxy-Authorization: Basic " + auth + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    /** The response head (status line and headers) of a CONNECT or a request. */
    private static String head(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static void assertField(Account a, Map<String, Object> body, String field) {
        Response r = call("POST", "/api/sub-users", a.token(), body);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.body().at("/error/field").asString()).as(r.toString()).isEqualTo(field);
    }
}
