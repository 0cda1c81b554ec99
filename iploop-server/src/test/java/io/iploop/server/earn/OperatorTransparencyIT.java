package io.iploop.server.earn;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.send;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.platform.WebSessionCookie;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Operator transparency end to end (docs/operator-transparency.md) with a real node agent, the real
 * gateway and raw TCP tunnels of a known size: the usage records carry the destination port, the
 * traffic API and page list host and port with the bytes a separate SQL sum over the records gives;
 * the agent reports its own byte count over HTTP, and with nothing lost it equals, byte for byte, what
 * the gateway relayed (difference 0); agent reports are validated and never change earnings.
 */
@PlatformTest
class OperatorTransparencyIT {

    @LocalServerPort
    int port;
    @Autowired
    DataPlane dataPlane;
    @Autowired
    JdbcClient jdbc;

    /** A TCP server that reads {@code up} bytes, answers {@code down} bytes and closes; counts what it saw. */
    private static final class SinkOrigin implements AutoCloseable {
        final ServerSocket server;
        final AtomicLong read = new AtomicLong();
        final AtomicLong written = new AtomicLong();
        final Thread thread;

        SinkOrigin(int up, int down) throws Exception {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        InputStream in = s.getInputStream();
                        byte[] buf = new byte[8192];
                        long got = 0;
                        while (got < up) {
                            int n = in.read(buf, 0, (int) Math.min(buf.length, up - got));
                            if (n < 0) {
                                break;
                            }
                            got += n;
                        }
                        read.addAndGet(got);
                        OutputStream out = s.getOutputStream();
                        byte[] chunk = new byte[8192];
                        long sent = 0;
                        while (sent < down) {
                            int n = (int) Math.min(chunk.length, down - sent);
                            out.write(chunk, 0, n);
                            sent += n;
                        }
                        out.flush();
                        written.addAndGet(sent);
                    } catch (Exception e) {
                        // closed
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One CONNECT tunnel: sends {@code up} bytes, reads until the origin closes; returns socket bytes {sent, received, payloadReceived}. */
    private static long[] tunnel(int proxyPort, String user, String password, int targetPort, int up) throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxyPort)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.US_ASCII));
            byte[] connect = ("CONNECT 127.0.0.1:" + targetPort + " HTTP/1.1\r\nHost: 127.0.0.1:" + targetPort
                    + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            out.write(connect);
            long sent = connect.length;
            long received = 0;
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                assertThat(c).as("tunnel head so far: " + head).isNotNegative();
                received++;
                head.append((char) c);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 200");
            byte[] payload = new byte[up];
            out.write(payload);
            out.flush();
            sent += up;
            byte[] buf = new byte[16384];
            long body = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                body += n;
            }
            return new long[] {sent, received + body, body};
        }
    }

    @Test
    void portsAndAgentBytesReconcileExactlyAndNeverEarn() throws Exception {
        DataPlane.Ports ports = dataPlane.ports().orElseThrow();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String operator = token(registerCustomer());
        String nodeKey = call("POST", "/api/nodes/keys", operator, Map.of("name", "transparency")).body()
                .get("key").asString();
        JsonNode customer = registerUnlimitedCustomer();
        String proxyUser = customer.at("/user/customerId").asString();
        String proxyKey = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "transparency")).body()
                .get("key").asString();
        String deviceId = "transparency-" + run;
        // A country no other test's agent claims, so the gateway picks this agent.
        AgentConfig config = new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey, deviceId,
                deviceId, "MT", null, null, 0, null, "ethernet", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS)
                .withRegistration(URI.create("http://127.0.0.1:" + port), "linux");
        int up1 = 300_001;
        int down1 = 1_234_567;
        int up2 = 4_096;
        int down2 = 77_777;
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        UUID node;
        Map<Integer, long[]> customerSide = new HashMap<>();
        int port1;
        int port2;
        try (SinkOrigin a = new SinkOrigin(up1, down1); SinkOrigin b = new SinkOrigin(up2, down2)) {
            port1 = a.port();
            port2 = b.port();
            NodeAgent agent = new NodeAgent(config);
            try {
                agent.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
                await().atMost(Duration.ofSeconds(20)).until(() -> deviceRow(operator, deviceId) != null);
                node = UUID.fromString(deviceRow(operator, deviceId).get("id").asString());
                String password = proxyKey + "-country-MT";
                customerSide.put(port1, tunnel(ports.httpProxy(), proxyUser, password, port1, up1));
                customerSide.put(port2, tunnel(ports.httpProxy(), proxyUser, password, port2, up2));
                customerSide.put(-port2, tunnel(ports.httpProxy(), proxyUser, password, port2, up2));
                assertThat(customerSide.get(port1)[2]).isEqualTo(down1);
                assertThat(customerSide.get(port2)[2]).isEqualTo(down2);
                assertThat(a.read.get()).isEqualTo(up1);
                assertThat(b.read.get()).isEqualTo(2L * up2);
            } finally {
                // Closing sends the agent's final count, after its exit connections closed.
                agent.close();
            }
        }
        long carried = (long) up1 + down1 + 2L * (up2 + down2);

        // 1. Ports: every record of the device carries the port it went to, and the API groups by host:port
        // with the byte counts of a separate SQL sum over the records.
        UUID device = node;
        await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.sql(
                "SELECT count(*) FROM usage_records WHERE node_id = ? AND request_count > 0").param(device)
                .query(Long.class).single() == 3);
        assertThat(jdbc.sql("SELECT DISTINCT target_port FROM usage_records WHERE node_id = ? ORDER BY 1").param(node)
                .query(Integer.class).list()).containsExactlyInAnyOrder(port1, port2);
        Response traffic = call("GET", "/api/earn/devices/" + node + "/traffic?from=" + today + "&to=" + today,
                operator, null);
        assertThat(traffic.status()).as(traffic.body().toString()).isEqualTo(200);
        assertThat(traffic.body()).hasSize(2);
        for (JsonNode row : traffic.body()) {
            int p = row.get("port").asInt();
            assertThat(row.get("host").asString()).isEqualTo("127.0.0.1");
            long[] stored = jdbc.sql("""
                            SELECT COALESCE(sum(bytes_uploaded), 0) AS up, COALESCE(sum(bytes_downloaded), 0) AS down,
                                   count(*) AS n
                            FROM usage_records WHERE node_id = ? AND lower(target_host) = ? AND target_port = ?
                              AND started_at >= ? AND started_at < ?""")
                    .params(node, "127.0.0.1", p, Timestamp.from(today.atStartOfDay(ZoneOffset.UTC).toInstant()),
                            Timestamp.from(today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()))
                    .query((rs, n) -> new long[] {rs.getLong("up"), rs.getLong("down"), rs.getLong("n")}).single();
            assertThat(row.get("bytesUp").asLong()).isEqualTo(stored[0]);
            assertThat(row.get("bytesDown").asLong()).isEqualTo(stored[1]);
            assertThat(row.get("streams").asLong()).isEqualTo(stored[2]);
            // And those are the bytes the customer's sockets carried (metered at the customer side).
            long[] c = p == port1 ? customerSide.get(port1)
                    : new long[] {customerSide.get(port2)[0] + customerSide.get(-port2)[0],
                            customerSide.get(port2)[1] + customerSide.get(-port2)[1]};
            assertThat(row.get("bytesUp").asLong()).isEqualTo(c[0]);
            assertThat(row.get("bytesDown").asLong()).isEqualTo(c[1]);
        }
        HttpResponse<String> page = send("GET", "/earn/devices/" + node + "/traffic", null, null,
                Map.of("Cookie", WebSessionCookie.NAME + "=" + operator));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("data-port=\"" + port1 + "\"", "data-port=\"" + port2 + "\"");

        // 2. Reconciliation: the agent's count equals what the gateway relayed, byte for byte.
        long metered = customerSide.values().stream().mapToLong(c -> c[0] + c[1]).sum();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Response r = call("GET", "/api/earn/devices/" + device + "/reconciliation?from=" + today + "&to=" + today,
                    operator, null);
            assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
            JsonNode day = r.body().get(0);
            assertThat(day.get("day").asString()).isEqualTo(today.toString());
            assertThat(day.get("gatewayBytes").asLong()).isEqualTo(carried);
            assertThat(day.get("agentBytes").asLong()).isEqualTo(carried);
            assertThat(day.get("difference").asLong()).isZero();
            assertThat(day.get("meteredBytes").asLong()).isEqualTo(metered);
        });
        HttpResponse<String> withReconciliation = send("GET", "/earn/devices/" + node + "/traffic", null, null,
                Map.of("Cookie", WebSessionCookie.NAME + "=" + operator));
        assertThat(withReconciliation.body()).contains("data-agent=\"" + carried + "\"", "data-gateway=\"" + carried + "\"",
                "data-difference=\"0\"");

        // 3. Agent reports are untrusted input: validated, only for the key owner's devices, never earning.
        long devicesBytesBefore = deviceRow(operator, deviceId).get("bytesTotal").asLong();
        String runId = UUID.randomUUID().toString();
        Object[][] bad = {
                {400, "bytes", Map.of("deviceId", deviceId, "runId", runId, "day", today.toString(), "bytes", -1)},
                {400, "bytes", Map.of("deviceId", deviceId, "runId", runId, "day", today.toString(),
                        "bytes", 200_000_000_000_000L)},
                {400, "day", Map.of("deviceId", deviceId, "runId", runId, "day", today.plusDays(1).toString(), "bytes", 1)},
                {400, "day", Map.of("deviceId", deviceId, "runId", runId, "day", today.minusDays(30).toString(), "bytes", 1)},
                {400, "day", Map.of("deviceId", deviceId, "runId", runId, "day", "yesterday", "bytes", 1)},
                {400, "runId", Map.of("deviceId", deviceId, "runId", "x", "day", today.toString(), "bytes", 1)},
                {400, "bytes", Map.of("deviceId", deviceId, "runId", runId, "day", today.toString())},
                {404, "deviceId", Map.of("deviceId", "not-mine-" + run, "runId", runId, "day", today.toString(), "bytes", 1)},
        };
        for (Object[] b : bad) {
            Response e = call("POST", "/api/earn/devices/traffic-report", null, b[2], Map.of("X-Node-Key", nodeKey));
            assertThat(e.status()).as(b[2] + ": " + e.body()).isEqualTo(b[0]);
            assertThat(e.body().at("/error/field").asString()).as(b[2].toString()).isEqualTo(b[1]);
        }
        // Another operator's key cannot report for this device (404, as if unknown); a wrong key is 401.
        String strangerKey = call("POST", "/api/nodes/keys", token(registerCustomer()), Map.of("name", "x")).body()
                .get("key").asString();
        Map<String, Object> ok = Map.of("deviceId", deviceId, "runId", runId, "day", today.toString(), "bytes", 5_000_000_000L);
        assertThat(call("POST", "/api/earn/devices/traffic-report", null, ok, Map.of("X-Node-Key", strangerKey)).status())
                .isEqualTo(404);
        assertThat(call("POST", "/api/earn/devices/traffic-report", null, ok,
                Map.of("X-Node-Key", "ipn_" + "0".repeat(48))).status()).isEqualTo(401);
        assertThat(call("POST", "/api/earn/devices/traffic-report", null, ok, Map.of()).status()).isEqualTo(401);
        // An inflated report is shown as a difference, and changes nothing the operator earns on.
        Response accepted = call("POST", "/api/earn/devices/traffic-report", null, ok, Map.of("X-Node-Key", nodeKey));
        assertThat(accepted.status()).isEqualTo(204);
        // A repeated, smaller report of the same run does not lower or add to it.
        assertThat(call("POST", "/api/earn/devices/traffic-report", null,
                Map.of("deviceId", deviceId, "runId", runId, "day", today.toString(), "bytes", 7),
                Map.of("X-Node-Key", nodeKey)).status()).isEqualTo(204);
        JsonNode day = call("GET", "/api/earn/devices/" + node + "/reconciliation?from=" + today + "&to=" + today,
                operator, null).body().get(0);
        assertThat(day.get("agentBytes").asLong()).isEqualTo(carried + 5_000_000_000L);
        assertThat(day.get("difference").asLong()).isEqualTo(5_000_000_000L);
        assertThat(day.get("gatewayBytes").asLong()).isEqualTo(carried);
        assertThat(deviceRow(operator, deviceId).get("bytesTotal").asLong()).isEqualTo(devicesBytesBefore);
        assertThat(jdbc.sql("SELECT COALESCE(sum(bytes), 0) FROM bandwidth_contributions WHERE node_id = ?").param(node)
                .query(Long.class).single()).isEqualTo(metered);

        // The reconciliation is the operator's only: another operator gets 404.
        assertThat(call("GET", "/api/earn/devices/" + node + "/reconciliation", token(registerCustomer()), null).status())
                .isEqualTo(404);
    }

    /**
     * Customer categories (docs/operator-transparency.md#customer-categories): two customers, one who
     * declared {@code seo} and one who declared nothing, go through the same real agent to the same
     * host and port; the operator's row lists both categories, and neither the API body nor the page
     * contains either customer's id, customer id or e-mail.
     */
    @Test
    void rowsListTheCustomersCategoriesNeverTheirIdentity() throws Exception {
        DataPlane.Ports ports = dataPlane.ports().orElseThrow();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String operator = token(registerCustomer());
        String nodeKey = call("POST", "/api/nodes/keys", operator, Map.of("name", "categories")).body()
                .get("key").asString();
        JsonNode seo = registerUnlimitedCustomer();
        JsonNode undeclared = registerUnlimitedCustomer();
        assertThat(call("PUT", "/api/account/use-case", token(seo), Map.of("useCase", "seo")).body().get("useCase")
                .asString()).isEqualTo("seo");
        String deviceId = "categories-" + run;
        // A country no other test's agent claims, so the gateway picks this agent.
        AgentConfig config = new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey, deviceId,
                deviceId, "LI", null, null, 0, null, "ethernet", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS)
                .withRegistration(URI.create("http://127.0.0.1:" + port), "linux");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        UUID node;
        int target;
        try (SinkOrigin origin = new SinkOrigin(1_000, 2_000)) {
            target = origin.port();
            NodeAgent agent = new NodeAgent(config);
            try {
                agent.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
                await().atMost(Duration.ofSeconds(20)).until(() -> deviceRow(operator, deviceId) != null);
                node = UUID.fromString(deviceRow(operator, deviceId).get("id").asString());
                for (JsonNode c : List.of(seo, undeclared)) {
                    String key = call("POST", "/api/proxy/keys", token(c), Map.of("name", "categories")).body()
                            .get("key").asString();
                    tunnel(ports.httpProxy(), c.at("/user/customerId").asString(), key + "-country-LI", target, 1_000);
                }
            } finally {
                agent.close();
            }
        }
        UUID device = node;
        await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.sql(
                "SELECT count(DISTINCT user_id) FROM usage_records WHERE node_id = ? AND request_count > 0").param(device)
                .query(Long.class).single() == 2);
        Response traffic = call("GET", "/api/earn/devices/" + node + "/traffic?from=" + today + "&to=" + today,
                operator, null);
        assertThat(traffic.status()).as(traffic.body().toString()).isEqualTo(200);
        assertThat(traffic.body()).hasSize(1);
        JsonNode row = traffic.body().get(0);
        assertThat(row.get("port").asInt()).isEqualTo(target);
        assertThat(row.get("customers").asLong()).isEqualTo(2);
        assertThat(row.get("categories").toString()).isEqualTo("[\"seo\",\"undeclared\"]");
        HttpResponse<String> page = send("GET", "/earn/devices/" + node + "/traffic", null, null,
                Map.of("Cookie", WebSessionCookie.NAME + "=" + operator));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("data-categories=\"seo,undeclared\"");
        String body = traffic.body().toString();
        for (JsonNode c : List.of(seo, undeclared)) {
            for (String identity : List.of(c.at("/user/id").asString(), c.at("/user/customerId").asString(),
                    c.at("/user/email").asString())) {
                assertThat(identity).isNotBlank();
                assertThat(body).doesNotContainIgnoringCase(identity);
                assertThat(page.body()).doesNotContainIgnoringCase(identity);
            }
        }
        assertThat(body).doesNotContainIgnoringCase("userId").doesNotContainIgnoringCase("customerId");

        // Clearing the declaration makes the customer undeclared again.
        assertThat(call("PUT", "/api/account/use-case", token(seo), java.util.Collections.singletonMap("useCase", null))
                .status()).isEqualTo(200);
        assertThat(call("GET", "/api/earn/devices/" + node + "/traffic?from=" + today + "&to=" + today, operator, null)
                .body().get(0).get("categories").toString()).isEqualTo("[\"undeclared\"]");
    }

    private static JsonNode deviceRow(String operator, String deviceId) {
        for (JsonNode d : call("GET", "/api/earn/devices", operator, null).body()) {
            if (deviceId.equals(d.get("deviceId").asString())) {
                return d;
            }
        }
        return null;
    }
}
