package io.iploop.server.accounts;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnverifiedCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Mailbox.awaitMail;
import static io.iploop.server.testing.Mailbox.linkToken;
import static io.iploop.server.testing.SharedPlatform.MAX_FAILURES_PER_IP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.SignInService;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * docs/product/accounts.md#password-reset, #e-mail-verification, #tokens-and-logout, #audit-log, #brute-force-protection over real HTTP, PostgreSQL and SMTP (GreenMail):
 * e-mail verification, password reset, logout, login lockout, audit log.
 */
@PlatformTest
class AccountSecurityIT {

    private static final String PASSWORD = "correct horse";

    @Autowired
    SignInService accounts;

    @Autowired
    JdbcClient jdbc;

    @Test
    void registrationMailsAVerificationLinkThatVerifiesOnce() {
        JsonNode registered = registerUnverifiedCustomer();
        String email = registered.at("/user/email").asString();
        String token = token(registered);
        assertThat(registered.at("/user/emailVerified").asBoolean()).isFalse();

        String body = awaitMail(email, "Verify", 1);
        assertThat(body).contains("http://dashboard.test/verify-email?token=");
        String link = linkToken(body);

        Response verified = call("GET", "/api/auth/verify-email?token=" + link, null, null);
        assertThat(verified.status()).isEqualTo(200);
        assertThat(call("GET", "/api/auth/profile", token, null).body().at("/user/emailVerified").asBoolean()).isTrue();

        Response reused = call("GET", "/api/auth/verify-email?token=" + link, null, null);
        assertThat(reused.status()).isEqualTo(400);
        assertThat(reused.body().at("/error/code").asString()).isEqualTo("invalid_token");
        assertThat(reused.body().at("/error/field").asString()).isEqualTo("token");

        Response resend = call("POST", "/api/auth/resend-verification", token, null);
        assertThat(resend.status()).isEqualTo(409);
        assertThat(resend.body().at("/error/code").asString()).isEqualTo("email_already_verified");
        assertThat(actions(token)).contains("email_verified");
    }

    @Test
    void resendingVerificationInvalidatesTheEarlierLink() {
        JsonNode registered = registerUnverifiedCustomer();
        String email = registered.at("/user/email").asString();
        String first = linkToken(awaitMail(email, "Verify", 1));
        assertThat(call("POST", "/api/auth/resend-verification", token(registered), null).status()).isEqualTo(202);
        String second = linkToken(awaitMail(email, "Verify", 2));

        assertThat(call("GET", "/api/auth/verify-email?token=" + first, null, null).status()).isEqualTo(400);
        assertThat(call("GET", "/api/auth/verify-email?token=" + second, null, null).status()).isEqualTo(200);
    }

    @Test
    void passwordResetIsSingleUseExpiresAndDoesNotRevealAccounts() {
        JsonNode registered = registerCustomer();
        String email = registered.at("/user/email").asString();

        Response known = call("POST", "/api/auth/forgot-password", null, Map.of("email", email));
        Response unknown = call("POST", "/api/auth/forgot-password", null,
                Map.of("email", "nobody-" + UUID.randomUUID() + "@example.com"));
        assertThat(known.status()).isEqualTo(202);
        assertThat(unknown.status()).isEqualTo(202);
        assertThat(unknown.body()).isEqualTo(known.body());

        String body = awaitMail(email, "Reset", 1);
        assertThat(body).contains("http://dashboard.test/reset-password?token=");
        String reset = linkToken(body);
        assertThat(call("GET", "/api/auth/verify-reset-token?token=" + reset, null, null).body().get("valid")
                .asBoolean()).isTrue();

        Response done = call("POST", "/api/auth/reset-password", null,
                Map.of("token", reset, "newPassword", "a brand new password"));
        assertThat(done.status()).isEqualTo(200);
        assertThat(login(email, PASSWORD).status()).isEqualTo(401);
        Response newLogin = login(email, "a brand new password");
        assertThat(newLogin.status()).isEqualTo(200);

        Response reused = call("POST", "/api/auth/reset-password", null,
                Map.of("token", reset, "newPassword", "yet another password"));
        assertThat(reused.status()).isEqualTo(400);
        assertThat(reused.body().at("/error/code").asString()).isEqualTo("invalid_token");
        assertThat(call("GET", "/api/auth/verify-reset-token?token=" + reset, null, null).status()).isEqualTo(400);

        call("POST", "/api/auth/forgot-password", null, Map.of("email", email));
        String expiring = linkToken(awaitMail(email, "Reset", 2));
        jdbc.sql("""
                        UPDATE account_tokens SET expires_at = now() - interval '1 second'
                        WHERE user_id = :id AND purpose = 'password_reset' AND used_at IS NULL""")
                .param("id", UUID.fromString(registered.at("/user/id").asString())).update();
        Response expired = call("POST", "/api/auth/reset-password", null,
                Map.of("token", expiring, "newPassword", "yet another password"));
        assertThat(expired.status()).isEqualTo(400);
        assertThat(expired.body().at("/error/code").asString()).isEqualTo("invalid_token");

        assertThat(actions(token(newLogin.body()))).contains("password_reset_requested", "password_reset", "login_failed",
                "login_succeeded");
        assertThat(jdbc.sql("SELECT count(*) FROM account_tokens WHERE token_hash = :raw").param("raw", reset)
                .query(Long.class).single()).as("only the hash is stored").isZero();
    }

    @Test
    void logoutBlacklistsTheSameToken() {
        JsonNode registered = registerCustomer();
        String token = token(registered);
        assertThat(call("GET", "/api/auth/profile", token, null).status()).isEqualTo(200);

        assertThat(call("POST", "/api/auth/logout", token, null).status()).isEqualTo(204);
        Response after = call("GET", "/api/auth/profile", token, null);
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.body().at("/error/code").asString()).isEqualTo("unauthorized");

        Response again = login(registered.at("/user/email").asString(), PASSWORD);
        assertThat(call("GET", "/api/auth/profile", token(again.body()), null).status()).isEqualTo(200);
        assertThat(actions(token(again.body()))).contains("logout");
    }

    @Test
    void sixBadLoginsLockTheAccountWithoutRevealingWhetherItExists() {
        String email = registerCustomer().at("/user/email").asString();
        for (int i = 1; i <= 5; i++) {
            assertThat(login(email, "wrong password " + i).status()).as("attempt %d", i).isEqualTo(401);
        }
        Response sixth = login(email, "wrong password 6");
        assertThat(sixth.status()).isEqualTo(423);
        assertThat(sixth.body().at("/error/code").asString()).isEqualTo("account_locked");
        assertThat(sixth.body().at("/error/message").asString()).contains("too many failed logins", "retry after");
        assertThat(login(email, PASSWORD).status()).as("even the right password").isEqualTo(423);

        String unknown = "ghost-" + UUID.randomUUID() + "@example.com";
        for (int i = 1; i <= 5; i++) {
            login(unknown, "wrong password");
        }
        assertThat(login(unknown, "wrong password").status()).isEqualTo(423);
    }

    @Test
    void anAddressIsBlockedAfterRepeatedFailures() {
        String ip = "203.0.113.7";
        for (int i = 0; i < MAX_FAILURES_PER_IP; i++) {
            String email = "spray-" + i + "-" + UUID.randomUUID() + "@example.com";
            assertThatThrownBy(() -> accounts.login(email, "guess", ip))
                    .isInstanceOfSatisfying(AccountsException.class,
                            e -> assertThat(e.reason()).isEqualTo(AccountsException.Reason.INVALID_CREDENTIALS));
        }
        String email = registerCustomer().at("/user/email").asString();
        assertThatThrownBy(() -> accounts.login(email, PASSWORD, ip))
                .isInstanceOfSatisfying(AccountsException.class, e -> {
                    assertThat(e.reason()).isEqualTo(AccountsException.Reason.TOO_MANY_ATTEMPTS);
                    assertThat(e.status().value()).isEqualTo(429);
                    assertThat(e.getMessage()).contains("retry after");
                });
        assertThat(accounts.login(email, PASSWORD, "198.51.100.1").token()).isNotBlank();
    }

    @Test
    void profileCanBeEditedAndValidationNamesTheField() {
        String token = token(registerCustomer());
        Map<String, Object> form = new HashMap<>(Map.of("firstName", "Ada", "lastName", "Lovelace",
                "company", "Engines", "phone", "+44 20 7946 0000"));
        Response updated = call("PUT", "/api/auth/profile", token, form);
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.body().at("/user/firstName").asString()).isEqualTo("Ada");
        assertThat(updated.body().at("/user/phone").asString()).isEqualTo("+44 20 7946 0000");
        assertThat(call("GET", "/api/auth/profile", token, null).body().at("/user/company").asString())
                .isEqualTo("Engines");

        form.put("phone", "call me maybe");
        Response bad = call("PUT", "/api/auth/profile", token, form);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().at("/error/field").asString()).isEqualTo("phone");
    }

    @Test
    void passwordChangeIsAudited() {
        JsonNode registered = registerCustomer();
        String token = token(registered);
        Response wrong = call("PUT", "/api/auth/password", token,
                Map.of("currentPassword", "not it at all", "newPassword", "another password"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body().at("/error/field").asString()).isEqualTo("currentPassword");
        assertThat(call("PUT", "/api/auth/password", token,
                Map.of("currentPassword", PASSWORD, "newPassword", "another password")).status()).isEqualTo(204);
        assertThat(login(registered.at("/user/email").asString(), "another password").status()).isEqualTo(200);
        assertThat(actions(token)).contains("password_changed");
    }

    @Test
    void auditLogShowsOwnEventsAndAdminsSeeAll() {
        JsonNode alice = registerCustomer();
        String aliceToken = token(alice);
        Response key = call("POST", "/api/proxy/keys", aliceToken, Map.of("name", "scraper"));
        assertThat(key.status()).isEqualTo(201);
        assertThat(call("PATCH", "/api/proxy/keys/" + key.body().get("id").asString(), aliceToken,
                Map.of("isActive", false)).status()).isEqualTo(200);
        assertThat(call("POST", "/api/nodes/keys", aliceToken, Map.of("name", "fleet")).status()).isEqualTo(201);

        Response own = call("GET", "/api/audit-logs?limit=50", aliceToken, null);
        assertThat(own.status()).isEqualTo(200);
        List<String> actions = actions(aliceToken);
        assertThat(actions).contains("api_key_created", "api_key_disabled", "node_key_issued");
        JsonNode created = find(own.body().get("items"), "api_key_created");
        assertThat(created.at("/details/name").asString()).isEqualTo("scraper");
        assertThat(created.get("ipAddress").asString()).isEqualTo("127.0.0.1");

        String aliceId = alice.at("/user/id").asString();
        JsonNode bob = registerCustomer();
        Response bobs = call("GET", "/api/audit-logs?limit=200", token(bob), null);
        for (JsonNode e : bobs.body().get("items")) {
            assertThat(e.get("userId").asString()).isEqualTo(bob.at("/user/id").asString());
        }

        String adminToken = adminToken();
        Response all = call("GET", "/api/audit-logs?limit=200&action=api_key_created", adminToken, null);
        assertThat(all.status()).isEqualTo(200);
        List<String> userIds = new ArrayList<>();
        all.body().get("items").forEach(e -> userIds.add(e.get("userId").asString()));
        assertThat(userIds).contains(aliceId);

        Response badLimit = call("GET", "/api/audit-logs?limit=0", aliceToken, null);
        assertThat(badLimit.status()).isEqualTo(400);
        assertThat(badLimit.body().at("/error/field").asString()).isEqualTo("limit");
        assertThat(jdbcRefusesChange()).as("append-only").isTrue();

        assertThat(call("GET", "/api/admin/dev-mailbox", aliceToken, null).status()).isEqualTo(403);
        assertThat(call("GET", "/api/admin/dev-mailbox", adminToken, null).status()).isEqualTo(200);
    }

    @Test
    void planAndIpWhitelistChangesAreAuditedOldToNew() {
        JsonNode customer = registerUnlimitedCustomer();
        String token = token(customer);
        JsonNode plan = find(call("GET", "/api/audit-logs?limit=50&action=plan_changed", token, null).body().get("items"),
                "plan_changed");
        assertThat(plan.at("/details/from").asString()).isEqualTo("trial");
        assertThat(plan.at("/details/to").asString()).isEqualTo("enterprise");

        assertThat(call("PUT", "/api/account/ip-whitelist", token, Map.of("ips", List.of("203.0.113.0/24"))).status())
                .isEqualTo(200);
        assertThat(call("PUT", "/api/account/ip-whitelist", token,
                Map.of("ips", List.of("198.51.100.7", "2001:db8::/32"))).status()).isEqualTo(200);
        JsonNode account = call("GET", "/api/audit-logs?limit=50&action=ip_whitelist_changed", token, null).body()
                .get("items").get(0);
        assertThat(account.get("resourceType").asString()).isEqualTo("account");
        assertThat(account.at("/details/old").asString()).isEqualTo("203.0.113.0/24");
        assertThat(account.at("/details/new").asString()).isEqualTo("198.51.100.7,2001:db8::/32");

        String keyId = call("POST", "/api/proxy/keys", token, Map.of("name", "fenced")).body().get("id").asString();
        assertThat(call("PUT", "/api/proxy/keys/" + keyId + "/whitelist", token, Map.of("ips", List.of("192.0.2.1")))
                .status()).isEqualTo(200);
        JsonNode key = call("GET", "/api/audit-logs?limit=50&action=ip_whitelist_changed", token, null).body()
                .get("items").get(0);
        assertThat(key.get("resourceType").asString()).isEqualTo("api_key");
        assertThat(key.get("resourceId").asString()).isEqualTo(keyId);
        assertThat(key.at("/details/old").asString()).isEmpty();
        assertThat(key.at("/details/new").asString()).isEqualTo("192.0.2.1");
        assertThat(key.get("ipAddress").asString()).isEqualTo("127.0.0.1");
    }

    @Test
    void loginsAndKeyLifecycleAreAuditedWithAddressAndUserAgent() {
        JsonNode user = registerCustomer();
        String email = user.at("/user/email").asString();
        assertThat(call("POST", "/api/auth/login", null, Map.of("email", email, "password", "not the password"),
                Map.of("User-Agent", "audit-test/1.0")).status()).isEqualTo(401);
        Response ok = call("POST", "/api/auth/login", null, Map.of("email", email, "password", PASSWORD),
                Map.of("User-Agent", "audit-test/2.0"));
        String token = token(ok.body());
        JsonNode items = call("GET", "/api/audit-logs?limit=200", token, null).body().get("items");
        JsonNode failed = find(items, "login_failed");
        assertThat(failed.get("ipAddress").asString()).isEqualTo("127.0.0.1");
        assertThat(failed.get("userAgent").asString()).isEqualTo("audit-test/1.0");
        assertThat(find(items, "login_succeeded").get("userAgent").asString()).isEqualTo("audit-test/2.0");

        String keyId = call("POST", "/api/proxy/keys", token, Map.of("name", "rotating")).body().get("id").asString();
        Response rotated = call("POST", "/api/proxy/keys/" + keyId + "/rotate", token, null);
        assertThat(rotated.status()).isEqualTo(201);
        String successor = rotated.body().get("id").asString();
        assertThat(call("DELETE", "/api/proxy/keys/" + successor, token, null).status()).isEqualTo(204);
        items = call("GET", "/api/audit-logs?limit=200", token, null).body().get("items");
        assertThat(find(items, "api_key_rotated").get("resourceId").asString()).isEqualTo(keyId);
        JsonNode deleted = find(items, "api_key_deleted");
        assertThat(deleted.get("resourceId").asString()).isEqualTo(successor);
        assertThat(deleted.at("/details/name").asString()).isEqualTo("rotating");
    }

    private boolean jdbcRefusesChange() {
        try {
            jdbc.sql("DELETE FROM audit_logs").update();
            return false;
        } catch (RuntimeException expected) {
            return true;
        }
    }

    private Response login(String email, String password) {
        return call("POST", "/api/auth/login", null, Map.of("email", email, "password", password));
    }

    /** The actions in the caller's audit log, newest first. */
    private List<String> actions(String token) {
        Response r = call("GET", "/api/audit-logs?limit=200", token, null);
        assertThat(r.status()).isEqualTo(200);
        List<String> actions = new ArrayList<>();
        r.body().get("items").forEach(e -> actions.add(e.get("action").asString()));
        return actions;
    }

    private static JsonNode find(JsonNode items, String action) {
        for (JsonNode e : items) {
            if (e.get("action").asString().equals(action)) {
                return e;
            }
        }
        throw new AssertionError("no " + action + " in " + items);
    }
}
