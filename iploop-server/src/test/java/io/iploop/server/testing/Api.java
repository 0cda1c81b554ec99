package io.iploop.server.testing;

import dev.samstevens.totp.code.CodeGenerator;
import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.HashingAlgorithm;
import dev.samstevens.totp.exceptions.CodeGenerationException;
import io.iploop.server.accounts.AccountAdminService;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.plans.PlansService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API client of the integration tests: calls the REST API of the server under test with the
 * JDK HttpClient, and registers customers and admins (with 2FA) through it. The helpers are static
 * so a test imports the ones it uses ({@code import static io.iploop.server.testing.Api.call;}) and
 * calls them like local methods, the way REST Assured binds its port.
 *
 * <p>{@link Binding} (part of {@link ServerTest} and {@link PlatformTest}) binds the server of the
 * running test class before all and before each of its tests. Test classes run one after the
 * other in a JVM; the binding is a volatile field because Awaitility polls on other threads.
 */
public final class Api {

    /** The client behind {@link #call}; usable directly for requests the helpers do not cover. */
    public static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The password of every account these helpers create. */
    public static final String TEST_PASSWORD = "correct horse";

    private static final CodeGenerator TOTP = new DefaultCodeGenerator(HashingAlgorithm.SHA1, 6);
    /** The last RFC 6238 time step a helper handed out per secret: the server refuses a step twice. */
    private static final Map<String, Long> LAST_STEP = new ConcurrentHashMap<>();

    private static volatile @Nullable Server bound;

    private Api() {
    }

    /** A JSON answer: the HTTP status and the body (an empty object for an empty body). */
    public record Response(int status, JsonNode body) {}

    /** 2FA as enabled by {@link #enableTwoFactor}: the secret from setup and the backup codes from verify. */
    public record TwoFactor(String secret, List<String> backupCodes) {}

    /** A new admin account (password {@link #TEST_PASSWORD}) with 2FA enabled, and its TOTP secret. */
    public record Admin(String email, String secret, String token, JsonNode login) {}

    /** The server a test class runs against: its HTTP port and Spring context. */
    private record Server(int port, ApplicationContext context) {}

    /**
     * Binds the server of the test class to the static helpers; registered by {@link ServerTest}.
     * Binds again before each test, as a class that runs after another server's may share nothing.
     */
    public static final class Binding implements BeforeAllCallback, BeforeEachCallback {

        @Override
        public void beforeAll(ExtensionContext context) {
            bind(SpringExtension.getApplicationContext(context));
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            bind(SpringExtension.getApplicationContext(context));
        }
    }

    /**
     * Binds the helpers to the web server of {@code context} (for runners without JUnit Jupiter
     * extensions, such as jqwik properties that drive Spring's {@code TestContextManager} themselves).
     *
     * @throws IllegalStateException when the context runs no web server on a port
     */
    public static void bind(ApplicationContext context) {
        Integer port = context.getEnvironment().getProperty("local.server.port", Integer.class);
        if (port == null) {
            throw new IllegalStateException("the test context runs no web server (local.server.port is unset)");
        }
        bound = new Server(port, context);
    }

    private static Server server() {
        Server s = bound;
        if (s == null) {
            throw new IllegalStateException("no server bound: annotate the test class with @PlatformTest or @ServerTest");
        }
        return s;
    }

    /** The HTTP port of the bound server (loopback). */
    public static int port() {
        return server().port();
    }

    /** The bean of {@code type} in the bound server's context. */
    public static <T> T bean(Class<T> type) {
        return server().context().getBean(type);
    }

    private static JsonMapper json() {
        return bean(JsonMapper.class);
    }

    /** Calls {@code method path} with an optional bearer token and JSON body; the status and JSON answer. */
    public static Response call(String method, String path, @Nullable String token, @Nullable Object body) {
        return call(method, path, token, body, Map.of());
    }

    /** Like {@link #call(String, String, String, Object)} with extra request headers (e.g. {@code User-Agent}). */
    public static Response call(String method, String path, @Nullable String token, @Nullable Object body,
            Map<String, String> headers) {
        HttpResponse<String> res = send(method, path, token, body, headers);
        JsonNode node = res.body().isBlank() ? json().createObjectNode() : json().readTree(res.body());
        return new Response(res.statusCode(), node);
    }

    /**
     * The raw exchange behind {@link #call}, with extra request {@code headers} (e.g.
     * {@code If-None-Match}): status, response headers and the body as text (empty for 304).
     */
    public static HttpResponse<String> send(String method, String path, @Nullable String token, @Nullable Object body,
            Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path));
        headers.forEach(b::header);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(json().writeValueAsString(body)));
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

    /**
     * Registers a fresh customer (password {@link #TEST_PASSWORD}) whose e-mail is then marked verified
     * (as the first admin), so its keys work on the proxy (a trial account with an unverified e-mail
     * gets 403 {@code email_not_verified}), and returns its login response body (token, user; the
     * body's {@code emailVerified} is the registration's: false).
     */
    public static JsonNode registerCustomer() {
        JsonNode body = registerUnverifiedCustomer();
        UUID id = UUID.fromString(body.at("/user/id").asString());
        UUID admin = bean(AccountsService.class).firstAdmin().orElseThrow().id();
        bean(AccountAdminService.class).verifyEmail(admin, id);
        return body;
    }

    /** Registers a fresh customer as {@link #registerCustomer()} does, but leaves its e-mail unverified. */
    public static JsonNode registerUnverifiedCustomer() {
        String email = "u-" + UUID.randomUUID() + "@example.com";
        Response r = call("POST", "/api/auth/register", null, Map.of("acceptTerms", true, 
                "email", email, "password", TEST_PASSWORD, "firstName", "Test", "lastName", "User"));
        if (r.status() != 201) {
            throw new AssertionError("register: " + r);
        }
        return r.body();
    }

    /**
     * A fresh customer moved to the Enterprise plan (no rate, daily or byte limits), for tests about
     * something other than plan limits (those are PlanLimitsIT's).
     */
    public static JsonNode registerUnlimitedCustomer() {
        JsonNode customer = registerCustomer();
        bean(PlansService.class).subscribe(UUID.fromString(customer.at("/user/id").asString()), "enterprise");
        return customer;
    }

    /** The bearer token of a login or registration response body. */
    public static String token(JsonNode login) {
        return login.get("token").asString();
    }

    // --- two-factor authentication and admins (README.md, "Account security") ---

    /** Logs in with an optional TOTP code (null: password only). */
    public static Response loginWith(String email, String password, @Nullable String totpCode) {
        Map<String, Object> body = new HashMap<>(Map.of("email", email, "password", password));
        if (totpCode != null) {
            body.put("totpCode", totpCode);
        }
        return call("POST", "/api/auth/login", null, body);
    }

    /** Sets up and verifies 2FA for the token's account through the API. */
    public static TwoFactor enableTwoFactor(String token) {
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
    public static long totpStep() {
        return System.currentTimeMillis() / 1000 / 30;
    }

    /** The TOTP code of {@code secret} at time step {@code step}, computed like an authenticator app. */
    public static String totpAt(String secret, long step) {
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
    public static String totpCode(String secret) {
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

    /**
     * Creates an admin, enables 2FA and logs in with password and TOTP: the returned token passes
     * the 2FA rule of {@code /api/admin/**}.
     */
    public static Admin newAdminWithTwoFactor() {
        String email = "admin-" + UUID.randomUUID() + "@example.com";
        bean(AccountsService.class).create(new NewAccount(email, TEST_PASSWORD, "Ad", "Min", null, UserRole.ADMIN, false));
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
    public static JsonNode adminLogin() {
        return newAdminWithTwoFactor().login();
    }

    /** A bearer token of a fresh admin with 2FA, for calling {@code /api/admin/**}. */
    public static String adminToken() {
        return newAdminWithTwoFactor().token();
    }
}
