package io.iploop.server.it;

import io.iploop.server.IploopApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts the whole server once per test JVM (context cached): embedded PostgreSQL in a temporary
 * data directory, HTTP on a random port, gateway listeners on ephemeral loopback ports with loopback
 * egress allowed, and the local node (country DE). Helpers call the REST API with the JDK HttpClient.
 */
@SpringBootTest(classes = IploopApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class ServerTestSupport {

    static final Path DATA_DIR;

    static {
        try {
            DATA_DIR = Files.createTempDirectory("iploop-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        r.add("iploop.data-dir", DATA_DIR::toString);
        r.add("iploop.proxy-port", () -> "0");
        r.add("iploop.socks-port", () -> "0");
        r.add("iploop.node-hub-port", () -> "0");
        r.add("iploop.bind-address", () -> "127.0.0.1");
        r.add("iploop.egress-allow-loopback", () -> "true");
        r.add("iploop.local-node", () -> "true");
        r.add("iploop.local-node-country", () -> "de");
        r.add("iploop.usage-flush-interval", () -> "200ms");
        r.add("server.address", () -> "127.0.0.1");
    }

    static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    record Response(int status, JsonNode body) {}

    Response call(String method, String path, @Nullable String token, @Nullable Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> res = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = res.body().isBlank() ? json.createObjectNode() : json.readTree(res.body());
            return new Response(res.statusCode(), node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Registers a fresh customer and returns its login response body (token, user). */
    JsonNode registerCustomer() {
        String email = "u-" + UUID.randomUUID() + "@example.com";
        Response r = call("POST", "/api/auth/register", null, java.util.Map.of(
                "email", email, "password", "correct horse", "firstName", "Test", "lastName", "User"));
        if (r.status() != 201) {
            throw new AssertionError("register: " + r);
        }
        return r.body();
    }

    static String token(JsonNode login) {
        return login.get("token").asString();
    }
}
