package io.iploop.server.accounts;

import static io.iploop.server.testing.Api.TEST_PASSWORD;
import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.loginWith;
import static io.iploop.server.testing.Api.registerUnverifiedCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Mailbox.awaitMail;
import static io.iploop.server.testing.Mailbox.linkToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.testing.PlatformTest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Accounts on hold as the proxy sees them (docs/product/accounts.md#trial-accounts): curl through
 * the real gateway's HTTP and SOCKS5 listeners and the local node to a local origin. A trial
 * account with an unverified e-mail and an account whose one-time password is unchanged are refused
 * with 403 naming the reason; the hold lifts within the gateway's limits refresh (2 s) once the
 * customer clears it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class AccountHoldProxyIT {

    /** The gateway refreshes account limits (and holds) every 2 s. */
    private static final Duration REFRESH_AND_MARGIN = Duration.ofSeconds(6);

    @Autowired
    DataPlane dataPlane;
    @Autowired
    AccountsService accounts;
    @Autowired
    ApiKeysService keys;

    private TestOrigin origin;
    private int httpPort;
    private int socksPort;

    @BeforeAll
    void start() throws Exception {
        origin = TestOrigin.http();
        httpPort = dataPlane.ports().orElseThrow().httpProxy();
        socksPort = dataPlane.ports().orElseThrow().socks();
    }

    @AfterAll
    void stop() {
        origin.close();
    }

    private Curl.Result http(String customerId, String key) throws Exception {
        return Curl.run("-x", "http://" + customerId + ":" + key + "@127.0.0.1:" + httpPort, origin.url("/bytes/10"));
    }

    private Curl.Result socks(String customerId, String key) throws Exception {
        return Curl.run("--socks5-hostname", "127.0.0.1:" + socksPort, "--proxy-user", customerId + ":" + key,
                origin.url("/bytes/10"));
    }

    private void awaitWorks(String customerId, String key) {
        await().atMost(REFRESH_AND_MARGIN).pollInterval(Duration.ofMillis(250))
                .until(() -> http(customerId, key).status() == 200);
        await().atMost(REFRESH_AND_MARGIN).pollInterval(Duration.ofMillis(250))
                .until(() -> socks(customerId, key).exitCode() == 0);
    }

    private void assertRefused(String customerId, String key, String code) throws Exception {
        Curl.Result refused = http(customerId, key);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("X-IPLoop-Error")).isEqualTo(code);
        assertThat(socks(customerId, key).exitCode()).as("curl fails on a SOCKS5 refusal").isNotZero();
    }

    @Test
    void aTrialWithAnUnverifiedEmailIsRefusedUntilItIsVerified() throws Exception {
        JsonNode trial = registerUnverifiedCustomer();
        String customerId = trial.at("/user/customerId").asString();
        String email = trial.at("/user/email").asString();
        String key = call("POST", "/api/proxy/keys", token(trial), Map.of("name", "trial")).body().get("key").asString();

        assertRefused(customerId, key, "email_not_verified");
        assertThat(http(customerId, key).bodyText()).contains("verify your e-mail");

        assertThat(call("GET", "/api/auth/verify-email?token=" + linkToken(awaitMail(email, "Verify", 1)), null, null)
                .status()).isEqualTo(200);
        awaitWorks(customerId, key);
    }

    @Test
    void anAdminCanMarkAnAddressVerifiedForSomeoneWhoCannotReceiveTheMail() throws Exception {
        JsonNode trial = registerUnverifiedCustomer();
        String customerId = trial.at("/user/customerId").asString();
        String id = trial.at("/user/id").asString();
        String key = call("POST", "/api/proxy/keys", token(trial), Map.of("name", "trial")).body().get("key").asString();
        assertRefused(customerId, key, "email_not_verified");

        assertThat(call("POST", "/api/admin/users/" + id + "/verify-email", token(trial), null).status())
                .as("only an admin").isEqualTo(403);
        var verified = call("POST", "/api/admin/users/" + id + "/verify-email", adminToken(), null);
        assertThat(verified.status()).isEqualTo(200);
        assertThat(verified.body().at("/user/emailVerified").asBoolean()).isTrue();
        awaitWorks(customerId, key);
    }

    @Test
    void anUnverifiedAccountThatAnAdminMovedToAnotherPlanIsNoTrial() throws Exception {
        JsonNode customer = registerUnverifiedCustomer();
        String customerId = customer.at("/user/customerId").asString();
        String key = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "k")).body().get("key").asString();
        assertRefused(customerId, key, "email_not_verified");

        String id = customer.at("/user/id").asString();
        assertThat(call("PATCH", "/api/admin/users/" + id, adminToken(), Map.of("planId", "starter")).status())
                .isEqualTo(200);
        awaitWorks(customerId, key);
    }

    @Test
    void keysOfAnAccountWithAPendingPasswordChangeAreRefusedUntilItIsChanged() throws Exception {
        String email = "onetime-" + UUID.randomUUID() + "@example.com";
        Account account = accounts.create(new NewAccount(email, TEST_PASSWORD, "One", "Time", null, UserRole.CUSTOMER, true));
        // A key made before the rule (or by a service): the REST API refuses to create one now.
        String key = keys.create(account.id(), "before").key();
        String token = token(loginWith(email, TEST_PASSWORD, null).body());
        assertThat(call("POST", "/api/proxy/keys", token, Map.of("name", "k")).status()).isEqualTo(403);

        assertRefused(account.customerId(), key, "password_change_required");

        assertThat(call("PUT", "/api/auth/password", token,
                Map.of("currentPassword", TEST_PASSWORD, "newPassword", "a brand new passphrase")).status())
                .isEqualTo(204);
        awaitWorks(account.customerId(), key);
    }
}
