package io.iploop.server.it;

import io.iploop.server.IploopApplication;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the whole server (HTTP on a random port) and calls its REST API with the JDK HttpClient;
 * reads mail received by {@link ServerTestSupport#SMTP}. Subclasses supply the configuration with
 * a {@code @DynamicPropertySource} ({@link ServerTestSupport} for the shared context).
 */
@SpringBootTest(classes = IploopApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class ApiTestSupport {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    record Response(int status, JsonNode body) {}

    Response call(String method, String path, @Nullable String token, @Nullable Object body) {
        HttpResponse<String> res = send(method, path, token, body, java.util.Map.of());
        JsonNode node = res.body().isBlank() ? json.createObjectNode() : json.readTree(res.body());
        return new Response(res.statusCode(), node);
    }

    /**
     * The raw exchange behind {@link #call}, with extra request {@code headers} (e.g.
     * {@code If-None-Match}): status, response headers and the body as text (empty for 304).
     */
    HttpResponse<String> send(String method, String path, @Nullable String token, @Nullable Object body,
            java.util.Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
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

    /**
     * Waits up to 10 s for the {@code n}-th (1-based) message to {@code email} whose subject contains
     * {@code subject}, and returns its plain-text body.
     */
    static String awaitMail(String email, String subject, int n) {
        AtomicReference<String> body = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<MimeMessage> matching = new ArrayList<>();
            for (MimeMessage m : ServerTestSupport.SMTP.getReceivedMessagesForDomain(email)) {
                if (m.getSubject().contains(subject)) {
                    matching.add(m);
                }
            }
            if (matching.size() < n) {
                return false;
            }
            body.set(matching.get(n - 1).getContent().toString());
            return true;
        });
        return body.get();
    }

    /** The {@code token} query parameter of the first link in a mailed body. */
    static String linkToken(String body) {
        Matcher m = Pattern.compile("\\?token=([0-9a-f]+)").matcher(body);
        if (!m.find()) {
            throw new AssertionError("no token link in: " + body);
        }
        return m.group(1);
    }

    static String token(JsonNode login) {
        return login.get("token").asString();
    }
}
