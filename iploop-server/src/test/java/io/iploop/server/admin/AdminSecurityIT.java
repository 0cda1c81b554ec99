package io.iploop.server.admin;

import static io.iploop.server.testing.Api.TEST_PASSWORD;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.enableTwoFactor;
import static io.iploop.server.testing.Api.loginWith;
import static io.iploop.server.testing.Api.newAdminWithTwoFactor;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Api.totpCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.testing.Api.Admin;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.Api.TwoFactor;
import io.iploop.server.testing.PlatformTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Admin account security over real HTTP (docs/product/accounts.md#two-factor-authentication): 2FA is mandatory for every
 * {@code /api/admin/**} endpoint, the admin's reset of a locked-out user's 2FA, and the stored
 * must-change-password flag of the first admin.
 */
@PlatformTest
class AdminSecurityIT {

    @Autowired
    AccountsService accounts;

    @Test
    void anAdminWithoutTwoFactorIsRefusedUntilLoggingInWithIt() {
        String email = "admin-" + UUID.randomUUID() + "@example.com";
        accounts.create(new NewAccount(email, TEST_PASSWORD, "Ad", "Min", null, UserRole.ADMIN, false));
        String plain = token(loginWith(email, TEST_PASSWORD, null).body());
        JsonNode victim = registerCustomer();
        String reset = "/api/admin/users/" + victim.at("/user/id").asString() + "/2fa/reset";

        Response refused = call("POST", reset, plain, null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body().at("/error/code").asString()).isEqualTo("two_factor_required");
        assertThat(call("GET", "/api/admin/dev-mailbox", plain, null).body().at("/error/code").asString())
                .as("every admin endpoint").isEqualTo("two_factor_required");
        assertThat(call("GET", "/api/auth/profile", plain, null).status()).isEqualTo(200);

        TwoFactor tf = enableTwoFactor(plain);
        assertThat(call("POST", reset, plain, null).status()).as("the token was issued without 2FA").isEqualTo(403);
        String withTotp = token(loginWith(email, TEST_PASSWORD, totpCode(tf.secret())).body());
        assertThat(call("POST", reset, withTotp, null).status()).isEqualTo(204);
        assertThat(call("POST", "/api/auth/logout", plain, null).status()).as("logout still works").isEqualTo(204);
    }

    @Test
    void anAdminResetsALockedOutUsersTwoFactor() {
        JsonNode user = registerCustomer();
        String email = user.at("/user/email").asString();
        enableTwoFactor(token(user));
        assertThat(loginWith(email, TEST_PASSWORD, null).body().at("/error/code").asString())
                .isEqualTo("two_factor_required");

        String customer = token(registerCustomer());
        String reset = "/api/admin/users/" + user.at("/user/id").asString() + "/2fa/reset";
        Response notAdmin = call("POST", reset, customer, null);
        assertThat(notAdmin.status()).isEqualTo(403);
        assertThat(notAdmin.body().at("/error/code").asString()).isEqualTo("forbidden");

        Admin admin = newAdminWithTwoFactor();
        assertThat(call("POST", reset, admin.token(), null).status()).isEqualTo(204);
        Response login = loginWith(email, TEST_PASSWORD, null);
        assertThat(login.status()).as("2FA is off again").isEqualTo(200);
        assertThat(login.body().at("/user/twoFactorEnabled").asBoolean()).isFalse();

        Response unknown = call("POST", "/api/admin/users/" + UUID.randomUUID() + "/2fa/reset", admin.token(), null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().at("/error/code").asString()).isEqualTo("account_not_found");

        JsonNode own = call("GET", "/api/audit-logs?limit=200&action=two_factor_reset", token(login.body()), null).body();
        assertThat(own.get("items").size()).isEqualTo(1);
        assertThat(own.at("/items/0/details/adminId").asString()).isNotBlank();
        JsonNode byAdmin = call("GET", "/api/audit-logs?limit=200&action=admin_two_factor_reset", admin.token(), null).body();
        assertThat(items(byAdmin, "resourceId")).contains(user.at("/user/id").asString());
    }

    @Test
    void mustChangePasswordIsEnforcedUntilThePasswordChanges() {
        String email = "first-admin-" + UUID.randomUUID() + "@example.com";
        accounts.create(new NewAccount(email, "one-time-password", "Platform", "Admin", null, UserRole.ADMIN, true));
        String token = token(loginWith(email, "one-time-password", null).body());

        Response keys = call("GET", "/api/proxy/keys", token, null);
        assertThat(keys.status()).isEqualTo(403);
        assertThat(keys.body().at("/error/code").asString()).isEqualTo("password_change_required");
        assertThat(call("GET", "/api/usage/summary", token, null).body().at("/error/code").asString())
                .isEqualTo("password_change_required");
        assertThat(call("POST", "/api/admin/users/" + UUID.randomUUID() + "/2fa/reset", token, null)
                .body().at("/error/code").asString()).isEqualTo("password_change_required");
        Response profile = call("GET", "/api/auth/profile", token, null);
        assertThat(profile.status()).isEqualTo(200);
        assertThat(profile.body().at("/user/mustChangePassword").asBoolean()).isTrue();
        assertThat(call("POST", "/api/auth/2fa/setup", token, null).status()).as("2FA can be set up").isEqualTo(200);

        assertThat(call("PUT", "/api/auth/password", token,
                Map.of("currentPassword", "one-time-password", "newPassword", "my own password")).status())
                .isEqualTo(204);
        assertThat(call("GET", "/api/proxy/keys", token, null).status()).as("same token, flag cleared").isEqualTo(200);
        assertThat(call("GET", "/api/auth/profile", token, null).body().at("/user/mustChangePassword").asBoolean())
                .isFalse();
    }

    private static List<String> items(JsonNode page, String field) {
        List<String> out = new ArrayList<>();
        page.get("items").forEach(e -> out.add(e.get(field).asString()));
        return out;
    }
}
