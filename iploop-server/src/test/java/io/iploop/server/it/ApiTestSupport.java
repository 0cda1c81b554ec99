package io.iploop.server.it;

import dev.samstevens.totp.code.CodeGenerator;
import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.HashingAlgorithm;
import dev.samstevens.totp.exceptions.CodeGenerationException;
import io.iploop.server.IploopApplication;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
        return call(method, path, token, body, Map.of());
    }

    /** Like {@link #call(String, String, String, Object)} with extra request headers (e.g. {@code User-Agent}). */
    Response call(String method, String path, @Nullable String token, @Nullable Object body,
            Map<String, String> headers) {
        HttpResponse<String> res = send(method, path, token, body, headers);
        JsonNode node = res.body().isBlank() ? json.createObjectNode() : json.readTree(res.body());
        return new Response(res.statusCode(), node);
    }

    /**
     * The raw exchange behind {@link #call}, with extra request {@code headers} (e.g.
     * {@code If-None-Match}): status, response headers and the body as text (empty for 304).
     */
    HttpResponse<String> send(String method, String path, @Nullable String token, @Nullable Object body,
            Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        headers.forEach(b::header);
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

    // --- two-factor authentication and admins (docs/product/accounts.md#two-factor-authentication) ---

    /** The password of every account these helpers create. */
    static final String TEST_PASSWORD = "correct horse";
    private static final CodeGenerator TOTP = new DefaultCodeGenerator(HashingAlgorithm.SHA1, 6);
    /** The last RFC 6238 time step a helper handed out per secret: the server refuses a step twice. */
    private static final Map<String, Long> LAST_STEP = new ConcurrentHashMap<>();

    @Autowired
    private AccountsService supportAccounts;

    /** 2FA as enabled by {@link #enableTwoFactor}: the secret from setup and the backup codes from verify. */
    record TwoFactor(String secret, List<String> backupCodes) {}

    /** Logs in with an optional TOTP code (null: password only). */
    Response loginWith(String email, String password, @Nullable String totpCode) {
        Map<String, Object> body = new HashMap<>(Map.of("email", email, "password", password));
        if (totpCode != null) {
            body.put("totpCode", totpCode);
        }
        return call("POST", "/api/auth/login", null, body);
    }

    /** Sets up and verifies 2FA for the token's account through the API. */
    TwoFactor enableTwoFactor(String token) {
        Response setup = call("POST", "/api/auth/2fa/setup", token, null);
        if (setup.status() != 200) {
            throw new AssertionError("2fa setup: " + setup);
        }
        String secret = setup.body().get("secret").asString();
        Response verify = call("POST", "/api/auth/2fa/verify", token, Map.of("code", totpCode(secret)));
        if (verify.status() != 200) {
            throw new AssertionError("2fa verify: " + verify);
        }
        List<String> codes = new ArrayList<>();
        verify.body().get("backupCodes").forEach(c -> codes.add(c.asString()));
        return new TwoFactor(secret, codes);
    }

    /** The current RFC 6238 time step (30 s). */
    static long totpStep() {
        return System.currentTimeMillis() / 1000 / 30;
    }

    /** The TOTP code of {@code secret} at time step {@code step}, computed like an authenticator app. */
    static String totpAt(String secret, long step) {
        try {
            return TOTP.generate(secret, step);
        } catch (CodeGenerationException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * A TOTP code the server has not seen for {@code secret}: of the current step, or of the step
     * after the last one handed out (the server accepts one step of drift), waiting for the clock
     * when even that is too far ahead.
     */
    static String totpCode(String secret) {
        long step = Math.max(totpStep(), LAST_STEP.getOrDefault(secret, Long.MIN_VALUE) + 1);
        while (step > totpStep() + 1) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        LAST_STEP.put(secret, step);
        return totpAt(secret, step);
    }

    /** A new admin account (password {@link #TEST_PASSWORD}) with 2FA enabled, and its TOTP secret. */
    record Admin(String email, String secret, String token, JsonNode login) {}

    /**
     * Creates an admin, enables 2FA and logs in with password and TOTP: the returned token passes
     * the 2FA rule of {@code /api/admin/**}.
     */
    Admin newAdminWithTwoFactor() {
        String email = "admin-" + UUID.randomUUID() + "@example.com";
        supportAccounts.create(new NewAccount(email, TEST_PASSWORD, "Ad", "Min", null, UserRole.ADMIN, false));
        Response first = loginWith(email, TEST_PASSWORD, null);
        if (first.status() != 200) {
            throw new AssertionError("admin login: " + first);
        }
        TwoFactor twoFactor = enableTwoFactor(token(first.body()));
        Response login = loginWith(email, TEST_PASSWORD, totpCode(twoFactor.secret()));
        if (login.status() != 200) {
            throw new AssertionError("admin login with TOTP: " + login);
        }
        return new Admin(email, twoFactor.secret(), token(login.body()), login.body());
    }

    /** The login response (user and token) of a fresh admin with 2FA. */
    JsonNode adminLogin() {
        return newAdminWithTwoFactor().login();
    }

    /** A bearer token of a fresh admin with 2FA, for calling {@code /api/admin/**}. */
    String adminToken() {
        return newAdminWithTwoFactor().token();
    }
}
