package io.iploop.server.accounts;

import static io.iploop.server.testing.Api.TEST_PASSWORD;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.enableTwoFactor;
import static io.iploop.server.testing.Api.loginWith;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Api.totpAt;
import static io.iploop.server.testing.Api.totpCode;
import static io.iploop.server.testing.Api.totpStep;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.Api.TwoFactor;
import io.iploop.server.testing.PlatformTest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * TOTP two-factor authentication (docs/product/accounts.md#two-factor-authentication) over real HTTP and PostgreSQL, with codes computed
 * the way an authenticator app does: setup and verification, login with a TOTP or a backup code,
 * replay protection, disabling, backup-code regeneration, lockout, secret encrypted at rest.
 */
@PlatformTest
class TwoFactorIT {

    @Autowired
    JdbcClient jdbc;

    @Test
    void setupShowsSecretUriAndQrCodeAndEnablesOnlyAfterAValidCode() {
        JsonNode user = registerCustomer();
        String token = token(user);
        String email = user.at("/user/email").asString();

        Response setup = call("POST", "/api/auth/2fa/setup", token, null);
        assertThat(setup.status()).isEqualTo(200);
        String secret = setup.body().get("secret").asString();
        assertThat(secret).matches("[A-Z2-7]{32}");
        assertThat(setup.body().get("otpauthUri").asString())
                .startsWith("otpauth://totp/")
                .contains("secret=" + secret, "issuer=IPLoop", "digits=6", "period=30");
        String qr = setup.body().get("qrCode").asString();
        assertThat(qr).startsWith("data:image/png;base64,");
        byte[] png = Base64.getDecoder().decode(qr.substring("data:image/png;base64,".length()));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');

        String stored = jdbc.sql("SELECT totp_secret FROM users WHERE id = :id")
                .param("id", UUID.fromString(user.at("/user/id").asString())).query(String.class).single();
        assertThat(stored).as("encrypted at rest").startsWith("v1:").doesNotContain(secret);
        assertThat(profile(token).at("/user/twoFactorEnabled").asBoolean()).as("not before verify").isFalse();
        assertThat(loginWith(email, TEST_PASSWORD, null).status()).as("no code needed yet").isEqualTo(200);

        Response wrong = call("POST", "/api/auth/2fa/verify", token, Map.of("code", wrongCode(secret)));
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.body().at("/error/code").asString()).isEqualTo("invalid_code");
        assertThat(wrong.body().at("/error/field").asString()).isEqualTo("code");
        Response notDigits = call("POST", "/api/auth/2fa/verify", token, Map.of("code", "abc"));
        assertThat(notDigits.status()).isEqualTo(400);
        assertThat(notDigits.body().at("/error/field").asString()).isEqualTo("code");

        Response verified = call("POST", "/api/auth/2fa/verify", token, Map.of("code", totpCode(secret)));
        assertThat(verified.status()).isEqualTo(200);
        List<String> codes = strings(verified.body().get("backupCodes"));
        assertThat(codes).hasSize(8).doesNotHaveDuplicates().allMatch(c -> c.matches("[a-z0-9]{4}(-[a-z0-9]{4}){3}"));
        assertThat(profile(token).at("/user/twoFactorEnabled").asBoolean()).isTrue();
        assertThat(jdbc.sql("SELECT count(*) FROM backup_codes WHERE code_hash = :c").param("c", codes.getFirst())
                .query(Long.class).single()).as("only hashes stored").isZero();

        Response again = call("POST", "/api/auth/2fa/setup", token, null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().at("/error/code").asString()).isEqualTo("two_factor_already_enabled");
        assertThat(actions(token)).contains("two_factor_enabled");
    }

    @Test
    void loginNeedsTheCodeAndRefusesAReplayedOne() {
        JsonNode user = registerCustomer();
        String email = user.at("/user/email").asString();
        TwoFactor tf = enableTwoFactor(token(user));

        Response noCode = loginWith(email, TEST_PASSWORD, null);
        assertThat(noCode.status()).isEqualTo(401);
        assertThat(noCode.body().at("/error/code").asString()).isEqualTo("two_factor_required");
        assertThat(noCode.body().has("token")).isFalse();
        assertThat(loginWith(email, "wrong password", null).body().at("/error/code").asString())
                .as("the password is checked first").isEqualTo("invalid_credentials");

        String code = totpCode(tf.secret());
        Response ok = loginWith(email, TEST_PASSWORD, code);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(call("GET", "/api/auth/profile", token(ok.body()), null).status()).isEqualTo(200);

        Response replay = loginWith(email, TEST_PASSWORD, code);
        assertThat(replay.status()).isEqualTo(401);
        assertThat(replay.body().at("/error/code").asString()).isEqualTo("invalid_two_factor_code");
        assertThat(replay.body().at("/error/field").asString()).isEqualTo("totpCode");
        assertThat(replay.body().has("token")).isFalse();

        Response badFormat = call("POST", "/api/auth/login", null,
                Map.of("email", email, "password", TEST_PASSWORD, "totpCode", "12345"));
        assertThat(badFormat.status()).isEqualTo(400);
        assertThat(badFormat.body().at("/error/field").asString()).isEqualTo("totpCode");
        assertThat(actions(token(ok.body()))).contains("login_failed", "login_succeeded");
    }

    @Test
    void aBackupCodeWorksOnceAndRegeneratingReplacesThem() {
        JsonNode user = registerCustomer();
        String email = user.at("/user/email").asString();
        TwoFactor tf = enableTwoFactor(token(user));
        String backup = tf.backupCodes().get(3);

        Response first = backupLogin(email, backup.toUpperCase());
        assertThat(first.status()).as("case and dashes do not matter").isEqualTo(200);
        Response second = backupLogin(email, backup);
        assertThat(second.status()).isEqualTo(401);
        assertThat(second.body().at("/error/code").asString()).isEqualTo("invalid_two_factor_code");
        assertThat(second.body().at("/error/field").asString()).isEqualTo("backupCode");

        String token = token(first.body());
        Response regenerated = call("POST", "/api/auth/2fa/backup-codes", token, Map.of("code", totpCode(tf.secret())));
        assertThat(regenerated.status()).isEqualTo(200);
        List<String> fresh = strings(regenerated.body().get("backupCodes"));
        assertThat(fresh).hasSize(8).doesNotContainAnyElementsOf(tf.backupCodes());
        assertThat(backupLogin(email, tf.backupCodes().get(0)).status()).as("old codes are gone").isEqualTo(401);
        assertThat(backupLogin(email, fresh.get(0)).status()).isEqualTo(200);
        assertThat(actions(token)).contains("backup_code_used", "backup_codes_regenerated");
    }

    @Test
    void disablingNeedsCodeAndPassword() {
        JsonNode user = registerCustomer();
        String email = user.at("/user/email").asString();
        String token = token(user);
        TwoFactor tf = enableTwoFactor(token);

        Response noPassword = call("POST", "/api/auth/2fa/disable", token, Map.of("code", "123456"));
        assertThat(noPassword.status()).isEqualTo(400);
        assertThat(noPassword.body().at("/error/field").asString()).isEqualTo("password");
        Response wrongPassword = call("POST", "/api/auth/2fa/disable", token,
                Map.of("code", totpAt(tf.secret(), totpStep()), "password", "not my password"));
        assertThat(wrongPassword.status()).isEqualTo(401);
        assertThat(wrongPassword.body().at("/error/field").asString()).isEqualTo("password");
        Response wrongCode = call("POST", "/api/auth/2fa/disable", token,
                Map.of("code", wrongCode(tf.secret()), "password", TEST_PASSWORD));
        assertThat(wrongCode.status()).isEqualTo(400);
        assertThat(wrongCode.body().at("/error/code").asString()).isEqualTo("invalid_code");
        assertThat(profile(token).at("/user/twoFactorEnabled").asBoolean()).as("still on").isTrue();

        Response disabled = call("POST", "/api/auth/2fa/disable", token,
                Map.of("code", totpCode(tf.secret()), "password", TEST_PASSWORD));
        assertThat(disabled.status()).isEqualTo(204);
        assertThat(profile(token).at("/user/twoFactorEnabled").asBoolean()).isFalse();
        assertThat(loginWith(email, TEST_PASSWORD, null).status()).isEqualTo(200);
        assertThat(call("POST", "/api/auth/2fa/disable", token, Map.of("code", "123456", "password", TEST_PASSWORD))
                .body().at("/error/code").asString()).isEqualTo("two_factor_not_enabled");
        assertThat(actions(token)).contains("two_factor_disabled");
    }

    @Test
    void wrongCodesCountTowardTheLockout() {
        JsonNode user = registerCustomer();
        String email = user.at("/user/email").asString();
        TwoFactor tf = enableTwoFactor(token(user));
        for (int i = 1; i <= 5; i++) {
            assertThat(loginWith(email, TEST_PASSWORD, wrongCode(tf.secret())).status()).as("attempt %d", i)
                    .isEqualTo(401);
        }
        Response locked = loginWith(email, TEST_PASSWORD, totpCode(tf.secret()));
        assertThat(locked.status()).as("even with the right code").isEqualTo(423);
        assertThat(locked.body().at("/error/code").asString()).isEqualTo("account_locked");
    }

    /** A 6-digit code that is none of the codes accepted now (current step ±1). */
    private static String wrongCode(String secret) {
        long step = totpStep();
        List<String> valid = List.of(totpAt(secret, step - 1), totpAt(secret, step), totpAt(secret, step + 1),
                totpAt(secret, step + 2));
        for (int i = 0; ; i++) {
            String candidate = String.format("%06d", (123456 + i * 7919) % 1_000_000);
            if (!valid.contains(candidate)) {
                return candidate;
            }
        }
    }

    private Response backupLogin(String email, String backupCode) {
        return call("POST", "/api/auth/login", null,
                Map.of("email", email, "password", TEST_PASSWORD, "backupCode", backupCode));
    }

    private JsonNode profile(String token) {
        return call("GET", "/api/auth/profile", token, null).body();
    }

    private List<String> actions(String token) {
        return strings(call("GET", "/api/audit-logs?limit=200", token, null).body().get("items"), "action");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    private static List<String> strings(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asString()));
        return out;
    }
}
