package io.iploop.server.pool;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.send;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.PoolAccessProvider;
import io.iploop.gateway.spi.PoolGrant;
import io.iploop.gateway.spi.PoolUpstream;
import io.iploop.gateway.spi.PoolUpstreamSource;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * The upstream pool's control plane end to end on the shared platform (docs/upstream-pool.md):
 * imports (1,000 lines, a bad file, replace with stable ports), the gateway SPI beans, grants and
 * the pool quota from real usage rows, {@code /api/proxies}, admin API tokens, the CLI and the
 * goproxy hooks. Each test starts from its own {@code replace} import, so the order does not matter.
 */
@PlatformTest
class PoolIT {

    private static String lines(int from, int count, String passwordSuffix) {
        StringBuilder b = new StringBuilder("# test upstreams\n");
        for (int i = from; i < from + count; i++) {
            b.append("user").append(i).append(":pw").append(i).append(passwordSuffix).append("@10.9.").append(i / 250)
                    .append('.').append(i % 250).append(":8080\n");
        }
        return b.toString();
    }

    private static HttpResponse<String> text(String method, String path, String bearer, String body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Api.port() + path))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        try {
            return Api.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> importText(String bearer, String mode, String body) {
        return text("POST", "/api/admin/pool/upstreams?mode=" + mode, bearer, body, "text/plain");
    }

    private static Map<String, Integer> portsByUser(JsonNode upstreams) {
        Map<String, Integer> out = new HashMap<>();
        for (JsonNode u : upstreams.get("upstreams")) {
            out.put(u.get("username").asString(), u.get("port").asInt());
        }
        return out;
    }

    private static JdbcClient jdbc() {
        return Api.bean(JdbcClient.class);
    }

    @Test
    void importsAThousandRefusesABadFileWholeAndKeepsPortsOnReplace() {
        String admin = Api.adminToken();
        HttpResponse<String> imported = importText(admin, "replace", lines(0, 1000, ""));
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        assertThat(imported.body()).contains("\"total\":1000");

        Response listed = call("GET", "/api/admin/pool/upstreams", admin, null);
        assertThat(listed.body().get("count").asInt()).isEqualTo(1000);
        Map<String, Integer> ports = portsByUser(listed.body());
        assertThat(ports.values()).allSatisfy(p -> assertThat(p).isBetween(4000, 4999)).doesNotHaveDuplicates();
        String raw = send("GET", "/api/admin/pool/upstreams", admin, null, Map.of()).body();
        assertThat(raw).doesNotContain("pw17").doesNotContain("password\":");
        assertThat(jdbc().sql("SELECT count(*) FROM pool_upstreams WHERE password_sealed ~ '^pw[0-9]+$' OR password_sealed NOT LIKE 'v1:%'")
                .query(Long.class).single()).isZero();

        // a bad file: every bad line named, nothing written
        HttpResponse<String> bad = importText(admin, "replace", "ok:pw@10.1.1.1:80\nnot a line\nu:p@10.1.1.2:99999\n");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("invalid_upstreams").contains("line 2").contains("line 3").doesNotContain("line 1:");
        assertThat(call("GET", "/api/admin/pool/upstreams", admin, null).body().get("count").asInt()).isEqualTo(1000);

        // replace: upstreams 500-999 keep their ports (new passwords), 0-499 go, 100 new take the freed ports
        HttpResponse<String> replaced = importText(admin, "replace", lines(500, 500, "-new") + lines(5000, 100, ""));
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.body()).contains("\"added\":100", "\"updated\":500", "\"removed\":500", "\"total\":600");
        Map<String, Integer> after = portsByUser(call("GET", "/api/admin/pool/upstreams", admin, null).body());
        for (int i = 500; i < 1000; i++) {
            assertThat(after.get("user" + i)).as("user" + i).isEqualTo(ports.get("user" + i));
        }
        List<Integer> freed = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            freed.add(ports.get("user" + i));
        }
        for (int i = 5000; i < 5100; i++) {
            assertThat(freed).contains(after.get("user" + i));
        }

        // the gateway's source sees the same list, passwords unsealed
        List<PoolUpstream> source = sourceUpstreams();
        assertThat(source).hasSize(600);
        PoolUpstream u700 = source.stream().filter(u -> "user700".equals(u.username())).findFirst().orElseThrow();
        assertThat(u700.port()).isEqualTo(ports.get("user700"));
        assertThat(u700.password()).isEqualTo("pw700-new");
        assertThat(u700.host()).isEqualTo("10.9.2.200");

        // delete one port
        int port = after.get("user700");
        assertThat(call("DELETE", "/api/admin/pool/upstreams/" + port, admin, null).status()).isEqualTo(204);
        assertThat(call("DELETE", "/api/admin/pool/upstreams/" + port, admin, null).status()).isEqualTo(404);
        assertThat(sourceUpstreams()).hasSize(599);

        // JSON import: a list, each bad entry named
        Response json = call("POST", "/api/admin/pool/upstreams?mode=add", admin, Map.of("upstreams", List.of(
                Map.of("scheme", "socks5", "host", "10.8.0.1", "port", 1080, "username", "j", "password", "p w"))));
        assertThat(json.status()).as(json.body().toString()).isEqualTo(200);
        assertThat(sourceUpstreams()).anySatisfy(u -> assertThat(u.password()).isEqualTo("p w"));
        Response badJson = call("POST", "/api/admin/pool/upstreams", admin, Map.of("upstreams", List.of(
                Map.of("host", "10.8.0.2", "port", 70000))));
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(badJson.body().at("/error/field").asString()).isEqualTo("upstreams[0]");
    }

    private static List<PoolUpstream> sourceUpstreams() {
        try {
            return Api.bean(PoolUpstreamSource.class).upstreams();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private record Customer(String token, UUID userId, String customerId, String key) {}

    private static Customer customer() {
        JsonNode login = registerCustomer();
        String token = token(login);
        String key = call("POST", "/api/proxy/keys", token, Map.of("name", "pool")).body().get("key").asString();
        return new Customer(token, UUID.fromString(login.at("/user/id").asString()), login.at("/user/customerId").asString(), key);
    }

    private static void plantUsage(UUID userId, long bytes, @org.jspecify.annotations.Nullable Integer poolPort) {
        Instant now = Instant.now();
        try {
            Api.bean(UsageSink.class).write(List.of(new UsageRecord(UUID.randomUUID(), userId, null, null, null, bytes, 0, 1,
                    null, null, "example.com", "http", true, null, now, now, 200, 443, null, poolPort)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static PoolGrant grantOf(UUID userId) throws Exception {
        return Api.bean(PoolAccessProvider.class).grant(userId);
    }

    @Test
    void grantsQuotaFromPoolUsageAndTheProxyList() throws Exception {
        String admin = Api.adminToken();
        assertThat(importText(admin, "replace", lines(0, 20, "")).statusCode()).isEqualTo(200);
        Customer c = customer();
        assertThat(grantOf(c.userId())).isNull();
        assertThat(send("GET", "/api/proxies", c.token(), null, Map.of()).body()).isEmpty();

        Response granted = call("PUT", "/api/admin/pool/customers/" + c.userId(), admin, Map.of("planId", "basic", "ports", "4000-4009"));
        assertThat(granted.status()).as(granted.body().toString()).isEqualTo(200);
        assertThat(call("PUT", "/api/admin/pool/customers/" + c.userId(), admin, Map.of("planId", "gold")).status()).isEqualTo(404);
        Response badPorts = call("PUT", "/api/admin/pool/customers/" + c.userId(), admin, Map.of("planId", "basic", "ports", "5-1"));
        assertThat(badPorts.status()).isEqualTo(400);
        assertThat(badPorts.body().at("/error/field").asString()).isEqualTo("ports");

        PoolGrant grant = grantOf(c.userId());
        assertThat(grant.maxThreads()).isEqualTo(10);
        assertThat(grant.remainingBytes()).isEqualTo(1_000_000_000L);
        assertThat(grant.allowsPort(4009)).isTrue();
        assertThat(grant.allowsPort(4010)).isFalse();
        assertThat(grant.expiresAt()).isAfter(Instant.now().plusSeconds(29L * 86400));

        plantUsage(c.userId(), 300_000_000L, 4001);
        plantUsage(c.userId(), 500_000_000L, null); // residential: not the pool quota
        assertThat(grantOf(c.userId()).remainingBytes()).isEqualTo(700_000_000L);

        String list = send("GET", "/api/proxies", c.token(), null, Map.of()).body();
        StringBuilder expected = new StringBuilder();
        for (int p = 4000; p <= 4009; p++) {
            expected.append("127.0.0.1:").append(p).append('\n');
        }
        assertThat(list).isEqualTo(expected.toString());

        Response noKey = call("GET", "/api/proxies?format=auth", c.token(), null, Map.of("Accept", "application/json"));
        assertThat(noKey.status()).isEqualTo(400);
        assertThat(noKey.body().at("/error/field").asString()).isEqualTo("key");
        String auth = send("GET", "/api/proxies?format=auth&key=" + c.key(), c.token(), null, Map.of()).body();
        assertThat(auth.lines().toList()).hasSize(10).first().isEqualTo("127.0.0.1:4000:" + c.customerId() + ":" + c.key());
        Customer other = customer();
        assertThat(send("GET", "/api/proxies?format=auth&key=" + other.key(), c.token(), null, Map.of()).statusCode())
                .isEqualTo(400);
        Response json = call("GET", "/api/proxies", c.token(), null, Map.of("Accept", "application/json"));
        assertThat(json.body().get("ports").size()).isEqualTo(10);
        assertThat(json.body().get("proxies").get(0).asString()).isEqualTo("127.0.0.1:4000");
        assertThat(send("GET", "/api/proxies", other.token(), null, Map.of()).body()).isEmpty();
        assertThat(send("GET", "/api/proxies", null, null, Map.of()).statusCode()).isEqualTo(401);

        // a removed upstream leaves the list
        assertThat(call("DELETE", "/api/admin/pool/upstreams/4003", admin, null).status()).isEqualTo(204);
        assertThat(send("GET", "/api/proxies", c.token(), null, Map.of()).body()).doesNotContain(":4003");

        // ban: no grant, no list; lifted: back
        Response banned = call("POST", "/api/admin/pool/customers/" + c.userId() + "/ban", admin, Map.of("reason", "abuse"));
        assertThat(banned.status()).isEqualTo(200);
        assertThat(grantOf(c.userId())).isNull();
        assertThat(send("GET", "/api/proxies", c.token(), null, Map.of()).body()).isEmpty();
        assertThat(call("DELETE", "/api/admin/pool/customers/" + c.userId() + "/ban", admin, null).status()).isEqualTo(200);
        assertThat(grantOf(c.userId())).isNotNull();

        // quota used up: nothing usable
        plantUsage(c.userId(), 700_000_000L, 4002);
        assertThat(grantOf(c.userId()).remainingBytes()).isZero();
        assertThat(send("GET", "/api/proxies", c.token(), null, Map.of()).body()).isEmpty();

        // live usage per customer and port
        Response usage = call("GET", "/api/admin/pool/usage?hours=1", admin, null);
        assertThat(usage.body().toString()).contains(c.customerId());
        assertThat(usage.body().get("byPort").toString()).contains("\"4001\"");
    }

    @Test
    void manageIpsIsTheIpAuthorisedAccessList() {
        Customer c = customer();
        String ip = "198.51.100." + (1 + Math.floorMod(c.userId().hashCode(), 250));
        Response added = call("POST", "/api/manage-ips", c.token(), Map.of("ip", ip));
        assertThat(added.status()).as(added.body().toString()).isEqualTo(200);
        assertThat(call("GET", "/api/account/ip-authorisations", c.token(), null).body().toString()).contains(ip);
        assertThat(call("GET", "/api/manage-ips", c.token(), null).body().get("ips").toString()).contains(ip);
        Response bad = call("POST", "/api/manage-ips", c.token(), Map.of("ip", "10.0.0.0/8"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(call("DELETE", "/api/manage-ips?ip=" + ip, c.token(), null).body().get("ips").size()).isZero();
    }

    @Test
    void adminTokensAreScopedExpiringRevocableAndStayOnThePoolApi() {
        String admin = Api.adminToken();
        Response created = call("POST", "/api/admin/tokens", admin, Map.of("name", "automation", "scopes", List.of("pool:read"),
                "expiresInDays", 7));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String read = created.body().get("token").asString();
        assertThat(read).matches("iploop_admin_[0-9a-f]{48}");
        String readId = created.body().at("/details/id").asString();
        assertThat(call("GET", "/api/admin/tokens", admin, null).body().toString()).doesNotContain(read).contains(readId);
        assertThat(jdbc().sql("SELECT token_hash FROM pool_admin_tokens WHERE id = :id").param("id", UUID.fromString(readId))
                .query(String.class).single()).hasSize(64).isNotEqualTo(read);

        assertThat(call("GET", "/api/admin/pool/upstreams", read, null).status()).isEqualTo(200);
        Response wrongScope = call("DELETE", "/api/admin/pool/upstreams/4999", read, null);
        assertThat(wrongScope.status()).isEqualTo(403);
        assertThat(wrongScope.body().at("/error/code").asString()).isEqualTo("insufficient_scope");
        // never on customer endpoints nor other admin endpoints
        Response customerPath = call("GET", "/api/proxy/keys", read, null);
        assertThat(customerPath.status()).isEqualTo(403);
        assertThat(customerPath.body().at("/error/code").asString()).isEqualTo("admin_token_not_allowed");
        assertThat(call("GET", "/api/proxies", read, null).status()).isEqualTo(403);
        assertThat(call("GET", "/api/admin/tokens", read, null).status()).isEqualTo(403);
        assertThat(call("GET", "/api/admin/users", read, null).status()).isEqualTo(403);
        assertThat(call("GET", "/api/admin/pool/upstreams", "iploop_admin_" + "0".repeat(48), null).status()).isEqualTo(401);
        // a customer's login is not an admin
        assertThat(call("GET", "/api/admin/pool/upstreams", token(registerCustomer()), null).status()).isEqualTo(403);

        String write = call("POST", "/api/admin/tokens", admin, Map.of("name", "writer", "scopes", List.of("pool:read", "pool:write")))
                .body().get("token").asString();
        HttpResponse<String> imported = importText(write, "add", "tok:pw@10.7.0.1:3128\n");
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        assertThat(call("POST", "/api/admin/tokens", admin, Map.of("name", "x", "scopes", List.of("admin:everything"))).status())
                .isEqualTo(400);

        // revoked and expired tokens are refused with 401
        assertThat(call("DELETE", "/api/admin/tokens/" + readId, admin, null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/admin/pool/upstreams", read, null).status()).isEqualTo(401);
        jdbc().sql("UPDATE pool_admin_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = encode(sha256(convert_to(:t, 'UTF8')), 'hex')")
                .param("t", write).update();
        assertThat(call("GET", "/api/admin/pool/upstreams", write, null).status()).isEqualTo(401);
        assertThat(jdbc().sql("SELECT count(*) FROM audit_logs WHERE action IN ('admin_token_created', 'admin_token_revoked') AND resource_id = :id")
                .param("id", readId).query(Long.class).single()).isEqualTo(2);
    }

    @Test
    void cliImportsThroughTheAdminApi() throws Exception {
        String admin = Api.adminToken();
        String write = call("POST", "/api/admin/tokens", admin, Map.of("name", "cli", "scopes", List.of("pool:write")))
                .body().get("token").asString();
        Path file = Files.createTempFile("pool", ".txt");
        Files.writeString(file, lines(0, 30, ""));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new PoolCli());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int rc = cli.execute("import", file.toString(), "--replace", "--url", "http://127.0.0.1:" + Api.port(), "--token", write);
        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString()).contains("\"total\":30");
        Files.writeString(file, "good:pw@10.1.1.1:80\nbad line\n");
        rc = cli.execute("import", file.toString(), "--url", "http://127.0.0.1:" + Api.port(), "--token", write);
        assertThat(rc).isEqualTo(1);
        assertThat(err.toString()).contains("line 2");
        assertThat(sourceUpstreams()).hasSize(30);
    }

    private static HttpResponse<String> hook(String method, String pathAndQuery, Map<String, String> headers, String body,
            String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Api.port() + pathAndQuery))
                .header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        try {
            return Api.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String authQuery(Customer c, String pass, int localPort) {
        return "/api/internal/pool/auth?user=" + q(c.customerId()) + "&pass=" + q(pass) + "&client_addr=" + q("127.0.0.1:50123")
                + "&local_addr=" + q("127.0.0.1:" + localPort) + "&target=" + q("http://example.com/") + "&service=http&sps=0";
    }

    @Test
    void goproxyHooksFollowTheDocumentedContractOnLoopbackOnly() {
        String admin = Api.adminToken();
        assertThat(importText(admin, "replace", lines(0, 10, "")).statusCode()).isEqualTo(200);
        Customer c = customer();
        assertThat(call("PUT", "/api/admin/pool/customers/" + c.userId(), admin, Map.of("planId", "pro", "ports", "4000-4004"))
                .status()).isEqualTo(200);

        // auth-url: 204 with goproxy's limit headers and the port's upstream
        HttpResponse<String> ok = hook("GET", authQuery(c, c.key(), 4001), Map.of(), "", "text/plain");
        assertThat(ok.statusCode()).isEqualTo(204);
        assertThat(ok.headers().firstValue("userconns")).hasValue("50");
        assertThat(ok.headers().firstValue("userqps")).hasValue("0");
        assertThat(ok.headers().firstValue("userTotalRate")).hasValue("0");
        assertThat(ok.headers().firstValue("ipconns")).hasValue("0");
        assertThat(ok.headers().firstValue("iprate")).hasValue("0");
        assertThat(ok.headers().firstValue("upstream")).hasValue("http://user1:pw1@10.9.0.1:8080");
        // refusals are anything but 204
        assertThat(hook("GET", authQuery(c, "iploop_" + "0".repeat(48), 4001), Map.of(), "", "text/plain").statusCode()).isEqualTo(407);
        assertThat(hook("GET", authQuery(c, c.key(), 4008), Map.of(), "", "text/plain").statusCode()).isEqualTo(403);
        Customer none = customer();
        assertThat(hook("GET", authQuery(none, none.key(), 4001), Map.of(), "", "text/plain").statusCode()).isEqualTo(403);
        // loopback only: a forwarded request is refused even from 127.0.0.1
        assertThat(hook("GET", authQuery(c, c.key(), 4001), Map.of("X-Forwarded-For", "203.0.113.9"), "", "text/plain")
                .statusCode()).isEqualTo(403);
        assertThat(hook("GET", "/api/internal/pool/traffic?bytes=5&server_addr=127.0.0.1:4001&username=" + c.customerId(),
                Map.of("X-Forwarded-For", "127.0.0.1"), "", "text/plain").statusCode()).isEqualTo(403);

        // traffic-url, normal/fast mode (GET), idempotent with report_id
        String report = "/api/internal/pool/traffic?id=http&bytes=1000&client_addr=" + q("127.0.0.1:50123") + "&server_addr="
                + q("127.0.0.1:4002") + "&target_addr=" + q("example.org:443") + "&username=" + c.customerId()
                + "&out_local_addr=&out_remote_addr=&upstream=&sniff_domain=&report_id=r-1";
        assertThat(hook("GET", report, Map.of(), "", "text/plain").statusCode()).isEqualTo(204);
        assertThat(hook("GET", report, Map.of(), "", "text/plain").statusCode()).isEqualTo(204);
        assertThat(hook("GET", "/api/internal/pool/traffic?bytes=x&server_addr=127.0.0.1:4002", Map.of(), "", "text/plain")
                .statusCode()).isEqualTo(400);
        // fast-global mode: POST JSON array
        String batch = "[{\"id\":\"http\",\"bytes\":\"2000\",\"server_addr\":\"127.0.0.1:4003\",\"client_addr\":\"127.0.0.1:1\","
                + "\"target_addr\":\"example.net:80\",\"username\":\"" + c.customerId() + "\"},"
                + "{\"id\":\"http\",\"bytes\":3000,\"server_addr\":\"127.0.0.1:4003\",\"username\":\"cust_aaaaaaaaaaaa\"}]";
        assertThat(hook("POST", "/api/internal/pool/traffic", Map.of(), batch, "application/json").statusCode()).isEqualTo(204);
        List<Map<String, Object>> rows = jdbc().sql("SELECT pool_port, bytes_downloaded, target_host FROM usage_records "
                + "WHERE user_id = :u ORDER BY pool_port").param("u", c.userId()).query().listOfRows();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsEntry("pool_port", 4002).containsEntry("bytes_downloaded", 1000L)
                .containsEntry("target_host", "example.org");
        assertThat(rows.get(1)).containsEntry("pool_port", 4003).containsEntry("bytes_downloaded", 2000L);

        // control-url: kick users without access, keep the good one; conns of kicked users listed
        Response banned = call("POST", "/api/admin/pool/customers/" + c.userId() + "/ban", admin, Map.of("reason", "test"));
        assertThat(banned.status()).isEqualTo(200);
        Customer good = customer();
        call("PUT", "/api/admin/pool/customers/" + good.userId(), admin, Map.of("planId", "basic"));
        String conns = "[{\"id\":\"c1\",\"client\":\"127.0.0.1:5000\",\"server\":\"127.0.0.1:4001\",\"user\":\"" + c.customerId() + "\"},"
                + "{\"id\":\"c2\",\"client\":\"127.0.0.1:5001\",\"server\":\"127.0.0.1:4001\",\"user\":\"" + good.customerId() + "\"}]";
        String form = "user=" + q(c.customerId() + "," + good.customerId()) + "&ip=&conns=" + q(conns);
        HttpResponse<String> control = hook("POST", "/api/internal/pool/control", Map.of(), form, "application/x-www-form-urlencoded");
        assertThat(control.statusCode()).as(control.body()).isEqualTo(200);
        JsonNode kicks = Api.bean(tools.jackson.databind.json.JsonMapper.class).readTree(control.body());
        assertThat(kicks.get("user").asString()).isEqualTo(c.customerId());
        assertThat(kicks.get("ip").asString()).isEmpty();
        assertThat(kicks.get("conns").toString()).isEqualTo("[\"c1\"]");
        assertThat(hook("POST", "/api/internal/pool/control", Map.of("Forwarded", "for=198.51.100.1"), form,
                "application/x-www-form-urlencoded").statusCode()).isEqualTo(403);
    }
}
