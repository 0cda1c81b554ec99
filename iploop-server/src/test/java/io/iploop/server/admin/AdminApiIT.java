package io.iploop.server.admin;

import static io.iploop.server.testing.Api.adminLogin;
import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.enableTwoFactor;
import static io.iploop.server.testing.Api.loginWith;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Api.totpCode;
import static io.iploop.server.testing.Mailbox.awaitMail;
import static io.iploop.server.testing.Mailbox.linkToken;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.Api.TwoFactor;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The admin REST API (docs/product/admin.md) on the real server: who may call it, user search and
 * changes, invitations, plans CRUD, the sign-up plan, statistics and the audit trail. The proxy side
 * of admin actions is {@link AdminProxyIT}'s.
 */
@PlatformTest
class AdminApiIT {

    /** Every admin endpoint, with a body where one is required, to check who may call it. */
    private static final List<String[]> ADMIN_ENDPOINTS = List.of(
            new String[] {"GET", "/api/admin/users"},
            new String[] {"POST", "/api/admin/users"},
            new String[] {"GET", "/api/admin/users/00000000-0000-0000-0000-000000000001"},
            new String[] {"PATCH", "/api/admin/users/00000000-0000-0000-0000-000000000001"},
            new String[] {"DELETE", "/api/admin/users/00000000-0000-0000-0000-000000000001"},
            new String[] {"POST", "/api/admin/users/00000000-0000-0000-0000-000000000001/admin"},
            new String[] {"DELETE", "/api/admin/users/00000000-0000-0000-0000-000000000001/admin"},
            new String[] {"GET", "/api/admin/plans"},
            new String[] {"POST", "/api/admin/plans"},
            new String[] {"GET", "/api/admin/plans/trial"},
            new String[] {"PATCH", "/api/admin/plans/trial"},
            new String[] {"DELETE", "/api/admin/plans/trial"},
            new String[] {"GET", "/api/admin/stats"},
            new String[] {"GET", "/api/admin/settings/signup-plan"},
            new String[] {"PUT", "/api/admin/settings/signup-plan"});

    @Test
    void everyAdminEndpointRefusesAnonymousWith401AndCustomersWith403() {
        String customer = token(registerCustomer());
        for (String[] e : ADMIN_ENDPOINTS) {
            Object body = e[0].equals("GET") || e[0].equals("DELETE") ? null : Map.of("status", "active");
            Response anonymous = call(e[0], e[1], null, body);
            assertThat(anonymous.status()).as("anonymous %s %s", e[0], e[1]).isEqualTo(401);
            Response asCustomer = call(e[0], e[1], customer, body);
            assertThat(asCustomer.status()).as("customer %s %s", e[0], e[1]).isEqualTo(403);
            assertThat(asCustomer.body().at("/error/code").asString()).isEqualTo("forbidden");
        }
        // Documented in the published OpenAPI description.
        String openApi = call("GET", "/api/openapi.json", null, null).body().get("paths").toString();
        for (String[] e : ADMIN_ENDPOINTS) {
            String path = e[1].replace("00000000-0000-0000-0000-000000000001", "{userId}").replace("trial", "{planId}");
            assertThat(openApi).as("OpenAPI: %s", path).contains("\"" + path + "\"");
        }
        // Nothing changed: the trial plan is still there and active.
        Response trial = call("GET", "/api/admin/plans/trial", adminToken(), null);
        assertThat(trial.status()).isEqualTo(200);
        assertThat(trial.body().get("active").asBoolean()).isTrue();
    }

    @Test
    void usersArePaginatedSearchedFilteredAndSorted() {
        String admin = adminToken();
        String tag = "zq" + UUID.randomUUID().toString().substring(0, 8);
        List<JsonNode> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Response r = call("POST", "/api/auth/register", null, Map.of("acceptTerms", true, "email", tag + "-" + i + "@example.com",
                    "password", "correct horse", "firstName", "Page" + i, "lastName", "Tester", "company", "Co " + tag));
            assertThat(r.status()).isEqualTo(201);
            created.add(r.body());
        }
        String id0 = id(created.get(0));
        String id1 = id(created.get(1));
        String id2 = id(created.get(2));
        assertThat(patch(admin, id0, Map.of("status", "suspended")).status()).isEqualTo(200);
        assertThat(patch(admin, id1, Map.of("status", "banned")).status()).isEqualTo(200);
        assertThat(patch(admin, id2, Map.of("role", "operator", "planId", "starter")).status()).isEqualTo(200);

        // Three pages of 2, 2 and 1, newest first, no account twice, the total on every page.
        Set<String> seen = new HashSet<>();
        List<String> emails = new ArrayList<>();
        for (int page = 1; page <= 3; page++) {
            Response r = call("GET", "/api/admin/users?q=" + tag + "&limit=2&page=" + page, admin, null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().get("total").asLong()).isEqualTo(5);
            assertThat(r.body().get("items").size()).isEqualTo(page < 3 ? 2 : 1);
            for (JsonNode row : r.body().get("items")) {
                assertThat(seen.add(row.at("/user/id").asString())).isTrue();
                emails.add(row.at("/user/email").asString());
            }
        }
        assertThat(emails).containsExactly(tag + "-4@example.com", tag + "-3@example.com", tag + "-2@example.com",
                tag + "-1@example.com", tag + "-0@example.com");

        Response byEmail = call("GET", "/api/admin/users?q=" + tag + "&sort=email&order=asc&limit=10", admin, null);
        assertThat(emailsOf(byEmail)).containsExactly(tag + "-0@example.com", tag + "-1@example.com",
                tag + "-2@example.com", tag + "-3@example.com", tag + "-4@example.com");

        assertThat(emailsOf(call("GET", "/api/admin/users?q=" + tag + "&status=suspended", admin, null)))
                .containsExactly(tag + "-0@example.com");
        assertThat(emailsOf(call("GET", "/api/admin/users?search=" + tag + "&status=banned", admin, null)))
                .containsExactly(tag + "-1@example.com");
        assertThat(emailsOf(call("GET", "/api/admin/users?q=" + tag + "&status=active", admin, null))).hasSize(3);
        assertThat(emailsOf(call("GET", "/api/admin/users?q=" + tag + "&role=operator", admin, null)))
                .containsExactly(tag + "-2@example.com");
        Response starter = call("GET", "/api/admin/users?q=" + tag + "&plan=starter", admin, null);
        assertThat(emailsOf(starter)).containsExactly(tag + "-2@example.com");
        assertThat(starter.body().at("/items/0/plan/planId").asString()).isEqualTo("starter");
        assertThat(starter.body().at("/items/0/plan/gbBalance").decimalValue()).isEqualByComparingTo("5");
        assertThat(emailsOf(call("GET", "/api/admin/users?q=" + tag + "&plan=trial&sort=email&order=asc", admin, null)))
                .containsExactly(tag + "-0@example.com", tag + "-1@example.com", tag + "-3@example.com",
                        tag + "-4@example.com");

        // Search by customer id, by first name, case-insensitively; a LIKE wildcard is a literal.
        String customerId = created.get(3).at("/user/customerId").asString();
        assertThat(emailsOf(call("GET", "/api/admin/users?q=" + customerId, admin, null)))
                .containsExactly(tag + "-3@example.com");
        assertThat(emailsOf(call("GET", "/api/admin/users?q=" + tag.toUpperCase() + "-4", admin, null)))
                .containsExactly(tag + "-4@example.com");
        assertThat(call("GET", "/api/admin/users?q=" + tag + "%25", admin, null).body().get("total").asLong())
                .isZero();

        assertField(call("GET", "/api/admin/users?sort=password", admin, null), 400, "sort");
        assertField(call("GET", "/api/admin/users?limit=0", admin, null), 400, "limit");
        assertField(call("GET", "/api/admin/users?page=0", admin, null), 400, "page");
        assertField(call("GET", "/api/admin/users?status=sleeping", admin, null), 400, "status");
        assertField(call("GET", "/api/admin/users?role=king", admin, null), 400, "role");
    }

    @Test
    void anAdminCreatedUserWithoutAChosenPlanStartsOnTheSignupPlan() {
        String admin = adminToken();
        String signupPlan = call("GET", "/api/admin/settings/signup-plan", admin, null).body().get("planId").asString();
        String email = "default-plan-" + UUID.randomUUID() + "@example.com";
        Response created = call("POST", "/api/admin/users", admin, Map.of("email", email, "firstName", "De",
                "lastName", "Fault"));
        assertThat(created.status()).isEqualTo(201);
        // Subscribed by the plans feature on the account's creation event, in the creating transaction.
        assertThat(created.body().at("/plan/planId").asString()).isEqualTo(signupPlan);
        assertThat(call("GET", "/api/admin/users/" + created.body().at("/user/id").asString(), admin, null)
                .body().at("/plan/status").asString()).isEqualTo("active");
    }

    @Test
    void anAdminCreatedUserIsInvitedByMailSetsAPasswordAndStartsOnTheChosenPlan() {
        String admin = adminToken();
        String email = "invited-" + UUID.randomUUID() + "@example.com";
        Response created = call("POST", "/api/admin/users", admin, Map.of("email", email, "firstName", "Ina",
                "lastName", "Vited", "role", "customer", "planId", "growth"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().at("/user/email").asString()).isEqualTo(email);
        assertThat(created.body().at("/plan/planId").asString()).isEqualTo("growth");
        assertThat(created.body().at("/plan/gbBalance").decimalValue()).isEqualByComparingTo("25");

        String mail = awaitMail(email, "You have an IPLoop account", 1);
        assertThat(mail).contains("72 hours").contains("http://dashboard.test/reset-password?token=");
        assertThat(call("POST", "/api/auth/reset-password", null,
                Map.of("token", linkToken(mail), "newPassword", "chosen by ina")).status()).isEqualTo(200);
        Response login = call("POST", "/api/auth/login", null, Map.of("email", email, "password", "chosen by ina"));
        assertThat(login.status()).isEqualTo(200);
        Response profile = call("GET", "/api/auth/profile", token(login.body()), null);
        assertThat(profile.body().at("/user/emailVerified").asBoolean()).isTrue();
        assertThat(profile.body().at("/plan/planId").asString()).isEqualTo("growth");

        assertField(call("POST", "/api/admin/users", admin, Map.of("email", email, "firstName", "Al", "lastName", "Bo")),
                409, "email");
        assertField(call("POST", "/api/admin/users", admin, Map.of("email", "x-" + email, "firstName", "A",
                "lastName", "B", "planId", "no-such-plan")), 400, "planId");
        assertField(call("POST", "/api/admin/users", admin, Map.of("email", "y-" + email, "firstName", "Al")),
                400, "lastName");
        assertField(call("POST", "/api/admin/users", admin, Map.of("email", "not an e-mail", "firstName", "A",
                "lastName", "B")), 400, "email");
        // The refused requests created nobody.
        assertThat(call("GET", "/api/admin/users?q=x-" + email, admin, null).body().get("total").asLong()).isZero();
    }

    @Test
    void detailShowsPlanBalanceKeysAndUsageAndBalanceChangesAreAuditedWithAReason() {
        JsonNode adminLogin = adminLogin();
        String admin = token(adminLogin);
        JsonNode customer = registerCustomer();
        String id = id(customer);
        call("POST", "/api/proxy/keys", token(customer), Map.of("name", "one"));
        call("POST", "/api/proxy/keys", token(customer), Map.of("name", "two"));

        Response detail = call("GET", "/api/admin/users/" + id, admin, null);
        assertThat(detail.status()).isEqualTo(200);
        assertThat(detail.body().at("/user/email").asString()).isEqualTo(customer.at("/user/email").asString());
        assertThat(detail.body().at("/plan/planId").asString()).isEqualTo("trial");
        assertThat(detail.body().at("/plan/gbBalance").decimalValue()).isEqualByComparingTo("0.5");
        assertThat(detail.body().at("/keys/total").asLong()).isEqualTo(2);
        assertThat(detail.body().at("/keys/active").asLong()).isEqualTo(2);
        assertThat(detail.body().at("/usageLast30Days/totalBytes").asLong()).isZero();

        assertField(patch(admin, id, Map.of("gbBalance", new BigDecimal("3.25"))), 400, "reason");
        assertField(patch(admin, id, Map.of("gbBalance", -1, "reason", "x")), 400, "gbBalance");
        Response changed = patch(admin, id, Map.of("gbBalance", new BigDecimal("3.25"), "reason", "goodwill after outage"));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.body().at("/plan/gbBalance").decimalValue()).isEqualByComparingTo("3.25");
        assertThat(call("GET", "/api/auth/profile", token(customer), null).body().at("/plan/gbBalance").decimalValue())
                .isEqualByComparingTo("3.25");

        JsonNode entry = auditEntry(admin, "balance_adjusted", id);
        assertThat(entry.get("userId").asString()).isEqualTo(id(adminLogin));
        assertThat(new BigDecimal(entry.at("/details/oldGbBalance").asString())).isEqualByComparingTo("0.5");
        assertThat(new BigDecimal(entry.at("/details/newGbBalance").asString())).isEqualByComparingTo("3.25");
        assertThat(entry.at("/details/reason").asString()).isEqualTo("goodwill after outage");

        assertThat(call("GET", "/api/admin/users/" + UUID.randomUUID(), admin, null).status()).isEqualTo(404);
        assertThat(patch(admin, UUID.randomUUID().toString(), Map.of("status", "active")).status()).isEqualTo(404);
        assertField(patch(admin, id, Map.of("status", "sleeping")), 400, "status");
        assertField(patch(admin, id, Map.of("planId", "no-such-plan")), 400, "planId");
    }

    @Test
    void anAdminCannotDemoteSuspendOrDeleteThemselvesButCanPromoteAndDemoteOthers() {
        JsonNode me = adminLogin();
        String admin = token(me);
        String myId = id(me);
        assertCode(call("DELETE", "/api/admin/users/" + myId + "/admin", admin, null), 409, "cannot_remove_own_admin");
        assertCode(patch(admin, myId, Map.of("role", "customer")), 409, "cannot_remove_own_admin");
        assertCode(call("DELETE", "/api/admin/users/" + myId, admin, null), 409, "cannot_delete_self");
        assertCode(patch(admin, myId, Map.of("status", "suspended")), 409, "cannot_change_own_status");
        assertThat(call("GET", "/api/admin/stats", admin, null).status()).as("still an admin").isEqualTo(200);

        JsonNode other = registerCustomer();
        String otherId = id(other);
        Response promoted = call("POST", "/api/admin/users/" + otherId + "/admin", admin, null);
        assertThat(promoted.status()).isEqualTo(200);
        assertThat(promoted.body().at("/user/role").asString()).isEqualTo("admin");
        // A new admin must set up 2FA before the admin API answers (docs/product/accounts.md#two-factor-authentication, mandatory for admins).
        String email = other.at("/user/email").asString();
        String withoutTwoFactor = token(loginWith(email, "correct horse", null).body());
        assertCode(call("GET", "/api/admin/stats", withoutTwoFactor, null), 403, "two_factor_required");
        TwoFactor twoFactor = enableTwoFactor(withoutTwoFactor);
        String otherAdmin = token(loginWith(email, "correct horse", totpCode(twoFactor.secret())).body());
        assertThat(call("GET", "/api/admin/stats", otherAdmin, null).status()).isEqualTo(200);

        Response demoted = call("DELETE", "/api/admin/users/" + otherId + "/admin", admin, null);
        assertThat(demoted.body().at("/user/role").asString()).isEqualTo("customer");
        // The admin token issued before the demotion stops working at once.
        assertThat(call("GET", "/api/admin/stats", otherAdmin, null).status()).isEqualTo(401);
        JsonNode entry = auditEntry(admin, "admin_user_role_changed", otherId);
        assertThat(entry.at("/details/oldRole").asString()).isEqualTo("admin");
        assertThat(entry.at("/details/newRole").asString()).isEqualTo("customer");
    }

    @Test
    void aSuspendedBannedOrDeletedAccountLosesItsTokensAndCannotLogIn() {
        String admin = adminToken();
        for (String action : List.of("suspended", "banned", "deleted")) {
            JsonNode c = registerCustomer();
            String id = id(c);
            assertThat(call("GET", "/api/auth/profile", token(c), null).status()).isEqualTo(200);
            Response r = action.equals("deleted") ? call("DELETE", "/api/admin/users/" + id, admin, null)
                    : patch(admin, id, Map.of("status", action, "reason", "test " + action));
            assertThat(r.status()).isIn(200, 204);
            assertThat(call("GET", "/api/auth/profile", token(c), null).status()).as(action).isEqualTo(401);
            assertCode(call("POST", "/api/auth/login", null, Map.of("email", c.at("/user/email").asString(),
                    "password", "correct horse")), 403, "account_suspended");
            assertThat(call("GET", "/api/admin/users/" + id, admin, null).body().at("/user/status").asString())
                    .isEqualTo(action);
            JsonNode entry = auditEntry(admin, action.equals("deleted") ? "admin_user_deleted"
                    : "admin_user_status_changed", id);
            assertThat(entry.at("/details/oldStatus").asString()).isEqualTo("active");
            assertThat(entry.at("/details/newStatus").asString()).isEqualTo(action);
            if (!action.equals("deleted")) {
                assertThat(entry.at("/details/reason").asString()).isEqualTo("test " + action);
            }
        }
        // Reactivation restores login.
        JsonNode c = registerCustomer();
        patch(admin, id(c), Map.of("status", "suspended"));
        patch(admin, id(c), Map.of("status", "active"));
        assertThat(call("POST", "/api/auth/login", null, Map.of("email", c.at("/user/email").asString(),
                "password", "correct horse")).status()).isEqualTo(200);
    }

    @Test
    void plansCanBeCreatedChangedAndDeletedWithValidationNamingTheField() {
        String admin = adminToken();
        String planId = "test-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> plan = new HashMap<>(Map.of("id", planId, "name", "Test plan", "priceMonthly", new BigDecimal("19.00"),
                "includedGb", 2, "requestsPerSecond", 5, "requestsPerDay", 500, "maxConcurrentConnections", 3,
                "maxStickyLifetimeSeconds", 600, "targeting", List.of("country", "city")));

        assertField(call("POST", "/api/admin/plans", admin, with(plan, "name", "")), 400, "name");
        assertField(call("POST", "/api/admin/plans", admin, with(plan, "id", "Bad Id!")), 400, "id");
        assertField(call("POST", "/api/admin/plans", admin, with(plan, "priceMonthly", -1)), 400, "priceMonthly");
        assertField(call("POST", "/api/admin/plans", admin, with(plan, "requestsPerSecond", 0)), 400,
                "requestsPerSecond");
        assertField(call("POST", "/api/admin/plans", admin, with(plan, "maxStickyLifetimeSeconds", null)), 400,
                "maxStickyLifetimeSeconds");
        assertField(call("POST", "/api/admin/plans", admin, with(plan, "targeting", List.of("city"))), 400,
                "targeting");
        assertField(call("POST", "/api/admin/plans", admin, with(plan, "targeting", List.of("country", "planet"))),
                400, "targeting");
        assertField(call("POST", "/api/admin/plans", admin, with(plan, "currency", "XYZ")), 400, "currency");
        assertThat(call("GET", "/api/admin/plans/" + planId, admin, null).status()).isEqualTo(404);

        Response created = call("POST", "/api/admin/plans", admin, plan);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("requestsPerSecond").asInt()).isEqualTo(5);
        assertThat(created.body().get("active").asBoolean()).isTrue();
        assertThat(created.body().get("activeSubscribers").asLong()).isZero();
        assertCode(call("POST", "/api/admin/plans", admin, plan), 409, "plan_exists");
        assertThat(call("GET", "/api/plans", null, null).body().toString()).contains("\"id\":\"" + planId + "\"");

        Response changed = call("PATCH", "/api/admin/plans/" + planId, admin, Map.of("requestsPerSecond", 7,
                "name", "Renamed"));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.body().get("requestsPerSecond").asInt()).isEqualTo(7);
        assertThat(changed.body().get("name").asString()).isEqualTo("Renamed");
        assertThat(changed.body().get("requestsPerDay").asInt()).as("untouched").isEqualTo(500);
        Response cleared = call("PATCH", "/api/admin/plans/" + planId, admin, Map.of("clear", List.of("requestsPerDay")));
        assertThat(cleared.body().get("requestsPerDay").isNull()).isTrue();
        assertField(call("PATCH", "/api/admin/plans/" + planId, admin, Map.of("maxConcurrentConnections", -2)), 400,
                "maxConcurrentConnections");
        assertField(call("PATCH", "/api/admin/plans/" + planId, admin, Map.of("clear", List.of("name"))), 400, "clear");
        assertThat(call("PATCH", "/api/admin/plans/no-such-plan", admin, Map.of("name", "x")).status()).isEqualTo(404);
        JsonNode updated = auditEntry(admin, "admin_plan_updated", planId);
        assertThat(updated.at("/details/requestsPerDay").asString()).isEqualTo("500 -> null");

        // In use: refused; once nobody is on it, a plan with history is deactivated, not deleted.
        JsonNode subscriber = registerCustomer();
        patch(admin, id(subscriber), Map.of("planId", planId));
        assertThat(call("GET", "/api/admin/plans/" + planId, admin, null).body().get("activeSubscribers").asLong())
                .isEqualTo(1);
        assertCode(call("DELETE", "/api/admin/plans/" + planId, admin, null), 409, "plan_in_use");
        patch(admin, id(subscriber), Map.of("planId", "trial"));
        assertThat(call("DELETE", "/api/admin/plans/" + planId, admin, null).status()).isEqualTo(204);
        Response archived = call("GET", "/api/admin/plans/" + planId, admin, null);
        assertThat(archived.body().get("active").asBoolean()).isFalse();
        assertThat(call("GET", "/api/plans", null, null).body().toString()).doesNotContain("\"id\":\"" + planId + "\"");

        // A plan nobody was ever on is gone.
        String unused = planId + "-u";
        assertThat(call("POST", "/api/admin/plans", admin, with(plan, "id", unused)).status()).isEqualTo(201);
        assertThat(call("DELETE", "/api/admin/plans/" + unused, admin, null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/admin/plans/" + unused, admin, null).status()).isEqualTo(404);
        assertThat(auditEntry(admin, "admin_plan_deleted", unused).at("/details/outcome").asString())
                .isEqualTo("deleted");

        // The sign-up plan cannot be deleted or deactivated.
        assertCode(call("DELETE", "/api/admin/plans/trial", admin, null), 409, "plan_in_use");
        assertCode(call("PATCH", "/api/admin/plans/trial", admin, Map.of("active", false)), 409, "plan_in_use");
    }

    @Test
    void theSignupPlanIsConfigurableAndAppliesToNewRegistrations() {
        JsonNode adminLogin = adminLogin();
        String admin = token(adminLogin);
        Response current = call("GET", "/api/admin/settings/signup-plan", admin, null);
        assertThat(current.body().get("planId").asString()).isEqualTo("trial");
        assertThat(current.body().get("effectiveIncludedGb").decimalValue()).isEqualByComparingTo("0.5");

        assertField(call("PUT", "/api/admin/settings/signup-plan", admin, Map.of("planId", "no-such-plan")), 400,
                "planId");
        assertField(call("PUT", "/api/admin/settings/signup-plan", admin, Map.of("planId", "starter",
                "includedGb", -5)), 400, "includedGb");
        try {
            // "Starter with 5 GB free" (docs/product/plans.md#sign-up-plan).
            Response set = call("PUT", "/api/admin/settings/signup-plan", admin, Map.of("planId", "starter",
                    "includedGb", 5));
            assertThat(set.status()).isEqualTo(200);
            assertThat(set.body().get("planName").asString()).isEqualTo("Starter");
            JsonNode registered = registerCustomer();
            JsonNode plan = call("GET", "/api/auth/profile", token(registered), null).body().get("plan");
            assertThat(plan.get("planId").asString()).isEqualTo("starter");
            assertThat(plan.get("gbBalance").decimalValue()).isEqualByComparingTo("5");

            call("PUT", "/api/admin/settings/signup-plan", admin, Map.of("planId", "growth", "includedGb", 1.5));
            JsonNode growth = call("GET", "/api/auth/profile", token(registerCustomer()), null).body().get("plan");
            assertThat(growth.get("planId").asString()).isEqualTo("growth");
            assertThat(growth.get("gbBalance").decimalValue()).isEqualByComparingTo("1.5");
        } finally {
            assertThat(call("PUT", "/api/admin/settings/signup-plan", admin, Map.of("planId", "trial")).status())
                    .isEqualTo(200);
        }
        JsonNode trial = call("GET", "/api/auth/profile", token(registerCustomer()), null).body().get("plan");
        assertThat(trial.get("planId").asString()).isEqualTo("trial");
        assertThat(trial.get("gbBalance").decimalValue()).isEqualByComparingTo("0.5");
        JsonNode entry = auditEntry(admin, "signup_plan_changed", "trial");
        assertThat(entry.get("userId").asString()).isEqualTo(id(adminLogin));
        assertThat(entry.at("/details/oldPlan").asString()).isEqualTo("growth");
        assertThat(entry.at("/details/newPlan").asString()).isEqualTo("trial");
    }

    @Test
    void statsCountWhatTheTestCreated() {
        String admin = adminToken();
        // The first sign-up in a fresh platform suspends the demo customer (README, "The two commands"):
        // have that happen before counting, whatever order the tests run in.
        registerCustomer();
        JsonNode before = call("GET", "/api/admin/stats", admin, null).body();

        List<JsonNode> users = List.of(registerCustomer(), registerCustomer(), registerCustomer());
        patch(admin, id(users.get(0)), Map.of("status", "suspended"));
        patch(admin, id(users.get(1)), Map.of("planId", "business"));
        call("POST", "/api/proxy/keys", token(users.get(2)), Map.of("name", "counted"));
        call("POST", "/api/proxy/keys", token(users.get(0)), Map.of("name", "not counted: suspended"));

        Response r = call("GET", "/api/admin/stats", admin, null);
        assertThat(r.status()).isEqualTo(200);
        JsonNode after = r.body();
        assertThat(delta(before, after, "/users/total")).isEqualTo(3);
        assertThat(delta(before, after, "/users/active")).isEqualTo(2);
        assertThat(delta(before, after, "/users/suspended")).isEqualTo(1);
        assertThat(delta(before, after, "/users/newLast24Hours")).isEqualTo(3);
        assertThat(delta(before, after, "/users/newLast7Days")).isEqualTo(3);
        assertThat(delta(before, after, "/users/byRole/customer")).isEqualTo(3);
        assertThat(delta(before, after, "/planDistribution/trial")).isEqualTo(2);
        assertThat(delta(before, after, "/planDistribution/business")).isEqualTo(1);
        assertThat(delta(before, after, "/activeApiKeys")).isEqualTo(1);
        // The local exit node (DE) is connected.
        assertThat(after.at("/nodes/online").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(after.at("/nodes/onlineByCountry/DE").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(after.at("/nodes/total").asInt()).isGreaterThanOrEqualTo(after.at("/nodes/online").asInt());
        assertThat(after.has("trafficToday")).isTrue();
        assertThat(after.at("/trafficLast30Days/totalBytes").asLong())
                .isGreaterThanOrEqualTo(after.at("/trafficToday/totalBytes").asLong());
    }

    private Response patch(String admin, String userId, Map<String, ?> body) {
        return call("PATCH", "/api/admin/users/" + userId, admin, body);
    }

    /** The newest audit entry of {@code action} about {@code resourceId}. */
    private JsonNode auditEntry(String admin, String action, String resourceId) {
        Response r = call("GET", "/api/audit-logs?limit=200&action=" + action, admin, null);
        assertThat(r.status()).isEqualTo(200);
        for (JsonNode e : r.body().get("items")) {
            if (resourceId.equals(e.get("resourceId").asString())) {
                return e;
            }
        }
        throw new AssertionError("no " + action + " entry for " + resourceId + " in " + r.body());
    }

    private static long delta(JsonNode before, JsonNode after, String pointer) {
        return after.at(pointer).asLong() - before.at(pointer).asLong();
    }

    private static List<String> emailsOf(Response r) {
        assertThat(r.status()).isEqualTo(200);
        List<String> emails = new ArrayList<>();
        for (JsonNode row : r.body().get("items")) {
            emails.add(row.at("/user/email").asString());
        }
        return emails;
    }

    private static String id(JsonNode login) {
        return login.at("/user/id").asString();
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, @Nullable Object value) {
        Map<String, Object> copy = new HashMap<>(base);
        copy.put(key, value);
        return copy;
    }

    private static void assertField(Response r, int status, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.body().at("/error/field").asString()).as(r.toString()).isEqualTo(field);
    }

    private static void assertCode(Response r, int status, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.body().at("/error/code").asString()).as(r.toString()).isEqualTo(code);
    }
}
