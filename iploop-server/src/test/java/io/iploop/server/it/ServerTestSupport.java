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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import org.awaitility.Awaitility;
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
 * egress allowed, and the local node (country DE); e-mail goes over SMTP to an in-process GreenMail
 * server. Helpers call the REST API with the JDK HttpClient and read the mail GreenMail received.
 */
@SpringBootTest(classes = IploopApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class ServerTestSupport {

    static final Path DATA_DIR;
    /** A real SMTP server for the whole test JVM, like the cached context that sends to it. */
    static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    /** Failed logins from one IP before it is blocked; low enough for a test to reach from a fake IP. */
    static final int MAX_FAILURES_PER_IP = 30;

    static {
        try {
            DATA_DIR = Files.createTempDirectory("iploop-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SMTP.start();
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
        r.add("iploop.mail.smtp-host", () -> "127.0.0.1");
        r.add("iploop.mail.smtp-port", () -> Integer.toString(SMTP.getSmtp().getPort()));
        r.add("iploop.mail.smtp-starttls", () -> "false");
        r.add("iploop.mail.poll-interval", () -> "100ms");
        r.add("iploop.accounts.public-url", () -> "http://dashboard.test");
        r.add("iploop.accounts.max-failures-per-ip", () -> Integer.toString(MAX_FAILURES_PER_IP));
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

    /**
     * Waits up to 10 s for the {@code n}-th (1-based) message to {@code email} whose subject contains
     * {@code subject}, and returns its plain-text body.
     */
    static String awaitMail(String email, String subject, int n) {
        AtomicReference<String> body = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<MimeMessage> matching = new ArrayList<>();
            for (MimeMessage m : SMTP.getReceivedMessagesForDomain(email)) {
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
