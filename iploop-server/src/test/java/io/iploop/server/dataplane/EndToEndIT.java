package io.iploop.server.dataplane;

import static io.iploop.server.testing.Api.HTTP;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.PlatformTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The whole platform in one process: gateway plus local node, a customer's proxy request through
 * them to a local origin, and the metered usage arriving in the customer's summary.
 */
@PlatformTest
class EndToEndIT {

    @LocalServerPort
    int port;

    @Autowired
    DataPlane dataPlane;

    @Test
    void healthMetricsAndDocs() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> call("GET", "/actuator/health", null, null).status() == 200);
        JsonNode health = call("GET", "/actuator/health", null, null).body();
        assertThat(health.at("/components/db/status").asString()).isEqualTo("UP");
        assertThat(health.at("/components/gateway/status").asString()).isEqualTo("UP");

        await().atMost(Duration.ofSeconds(20)).until(() -> prometheus().contains("iploop_nodes_connected"));
        assertThat(prometheus()).contains("country=\"DE\"");

        HttpResponse<String> docs = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(docs.body()).contains("/api/auth/register").contains("/api/proxy/keys")
                .contains("/api/auth/2fa/setup", "/api/auth/2fa/verify", "/api/auth/2fa/disable",
                        "/api/auth/2fa/backup-codes", "/api/auth/sessions", "/api/auth/sessions/{id}",
                        "/api/admin/users/{id}/2fa/reset", "two_factor_required");
    }

    private String prometheus() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void proxyRequestThroughTheLocalNodeIsMetered() throws Exception {
        assertThat(dataPlane.gatewayRunning()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                call("GET", "/api/proxy/locations", null, null).body().toString().contains("\"DE\""));

        HttpServer origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] page = "hello from the origin".getBytes(StandardCharsets.UTF_8);
        origin.createContext("/", ex -> {
            ex.sendResponseHeaders(200, page.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(page);
            }
        });
        origin.start();
        try {
            JsonNode customer = registerCustomer();
            String customerId = customer.at("/user/customerId").asString();
            String key = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "e2e")).body().get("key").asString();
            int proxyPort = dataPlane.ports().orElseThrow().httpProxy();

            String response = proxyGet(proxyPort, customerId + ":" + key + "-country-de",
                    "http://127.0.0.1:" + origin.getAddress().getPort() + "/");
            assertThat(response).startsWith("HTTP/1.1 200").contains("hello from the origin");
            assertThat(proxyGet(proxyPort, customerId + ":iploop_" + "0".repeat(48),
                    "http://127.0.0.1:" + origin.getAddress().getPort() + "/")).startsWith("HTTP/1.1 407");

            await().atMost(Duration.ofSeconds(15)).until(() ->
                    call("GET", "/api/usage/summary?days=1", token(customer), null).body().get("bytesDownloaded").asLong()
                            >= page.length);
            JsonNode summary = call("GET", "/api/usage/summary?days=1", token(customer), null).body();
            assertThat(summary.get("totalRequests").asLong()).isGreaterThanOrEqualTo(1);
            assertThat(summary.get("bytesUploaded").asLong()).isPositive();
        } finally {
            origin.stop(0);
        }
    }

    /** One absolute-form GET through the HTTP proxy with Basic proxy credentials; the raw response. */
    private static String proxyGet(int proxyPort, String credentials, String url) throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxyPort)) {
            s.setSoTimeout(15_000);
            String auth = Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
            URI u = URI.create(url);
            String req = "GET " + url + " HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort()
                    + "\r\nProxy-Authorization: Basic " + auth + "\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
