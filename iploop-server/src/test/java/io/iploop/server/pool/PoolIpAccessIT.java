package io.iploop.server.pool;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.gateway.testing.TestUpstreamProxy;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * IP-authorised access and the per-IP limit on pool ports (docs/upstream-pool.md#access,
 * docs/ip-authorised-access.md), across the control plane and the gateway of one running platform,
 * with real sockets from distinct loopback source addresses: a customer whitelists one address
 * through {@code /api/manage-ips}; requests from it without credentials are served on the granted pool
 * port, requests from a second address without credentials are refused 407, and the plan's per-IP
 * connection limit answers 429 with {@code Retry-After} for the socket above it, while the others go on.
 */
@PlatformTest
class PoolIpAccessIT {

    @Test
    void aWhitelistedAddressUsesThePoolWithoutCredentialsUpToItsPerIpLimit() throws Exception {
        String admin = Api.adminToken();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        // Addresses no other suite uses: 127.<90-119>.<0-255>.<2-254>.
        String allowed = "127." + random.nextInt(90, 120) + "." + random.nextInt(256) + "." + random.nextInt(2, 128);
        String other = allowed.substring(0, allowed.lastIndexOf('.') + 1) + random.nextInt(128, 255);
        List<Socket> tunnels = new ArrayList<>();
        String customerToken = null;
        try (TestOrigin origin = TestOrigin.http();
                TestUpstreamProxy upstream = TestUpstreamProxy.start(TestUpstreamProxy.Kind.HTTP, "ipup", "ipsecret")) {
            HttpResponse<String> imported = importText(admin, "http://ipup:ipsecret@127.0.0.1:" + upstream.port() + "\n");
            assertThat(imported.statusCode()).as(imported.body()).isBetween(200, 201);
            int poolPort = -1;
            for (JsonNode u : call("GET", "/api/admin/pool/upstreams", admin, null).body().get("upstreams")) {
                if (u.get("upstreamPort").asInt() == upstream.port()) {
                    poolPort = u.get("port").asInt();
                }
            }
            assertThat(poolPort).isPositive();
            int port = poolPort;

            String planId = "perip-" + Integer.toHexString(random.nextInt(1 << 24));
            Response plan = call("POST", "/api/admin/pool/plans", admin, Map.of("id", planId, "name", "Per-IP test",
                    "maxThreads", 10, "connectionsPerIp", 2, "price", 1));
            assertThat(plan.status()).as(plan.toString()).isEqualTo(201);

            JsonNode customer = registerCustomer();
            customerToken = token(customer);
            UUID userId = UUID.fromString(customer.at("/user/id").asString());
            assertThat(call("PUT", "/api/admin/pool/customers/" + userId, admin,
                    Map.of("planId", planId, "ports", Integer.toString(port))).status()).isEqualTo(200);
            Response added = call("POST", "/api/manage-ips", customerToken, Map.of("ip", allowed));
            assertThat(added.status()).as(added.toString()).isEqualTo(200);

            String proxy = "http://127.0.0.1:" + port;
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                    Curl.run("--interface", allowed, "-x", proxy, origin.url("/bytes/10")).status()).isEqualTo(200));
            Curl.Result body = Curl.run("--interface", allowed, "-x", proxy, origin.url("/bytes/5000"));
            assertThat(body.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(5000));

            // A second address, not on the list, without credentials: refused.
            Curl.Result refused = Curl.run("--interface", other, "-x", proxy, origin.url("/bytes/10"));
            assertThat(refused.status()).isEqualTo(407);
            assertThat(refused.header("X-IPLoop-Error")).isEqualTo("missing_credentials");

            // Per-IP limit 2: the third socket from the whitelisted address is 429 with Retry-After.
            tunnels.add(tunnel(allowed, port, origin.port()));
            tunnels.add(tunnel(allowed, port, origin.port()));
            String third = connect(allowed, port, origin.port(), tunnels);
            assertThat(third).startsWith("HTTP/1.1 429").containsIgnoringCase("X-IPLoop-Error: pool_ip_connections_exceeded")
                    .containsIgnoringCase("Retry-After: 1");
            // Closing one frees its place.
            tunnels.getFirst().close();
            tunnels.get(2).close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(connect(allowed, port, origin.port(), tunnels)).startsWith("HTTP/1.1 200"));
        } finally {
            for (Socket t : tunnels) {
                t.close();
            }
            if (customerToken != null) {
                call("DELETE", "/api/manage-ips?ip=" + allowed, customerToken, null);
            }
            for (JsonNode u : call("GET", "/api/admin/pool/upstreams", admin, null).body().get("upstreams")) {
                if ("127.0.0.1".equals(u.get("host").asString())) {
                    call("DELETE", "/api/admin/pool/upstreams/" + u.get("port").asInt(), admin, null);
                }
            }
        }
    }

    /** A CONNECT tunnel without credentials from {@code source}, kept open. */
    private static Socket tunnel(String source, int poolPort, int target) throws IOException {
        List<Socket> kept = new ArrayList<>();
        String answer = connect(source, poolPort, target, kept);
        assertThat(answer).startsWith("HTTP/1.1 200");
        return kept.getFirst();
    }

    /** Sends {@code CONNECT} from {@code source} (no credentials) and returns the answer's head; the socket goes to {@code open}. */
    private static String connect(String source, int poolPort, int target, List<Socket> open) throws IOException {
        Socket s = new Socket();
        open.add(s);
        s.bind(new InetSocketAddress(InetAddress.ofLiteral(source), 0));
        s.connect(new InetSocketAddress("127.0.0.1", poolPort), 5000);
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("CONNECT 127.0.0.1:" + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + target + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static HttpResponse<String> importText(String bearer, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Api.port()
                        + "/api/admin/pool/upstreams?mode=add"))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return Api.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
