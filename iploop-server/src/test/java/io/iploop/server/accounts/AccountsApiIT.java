package io.iploop.server.accounts;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

@PlatformTest
class AccountsApiIT {

    @Test
    void registerLoginAndProfile() {
        Map<String, Object> form = new HashMap<>(Map.of("email", "Alice@Example.com", "password", "s3cret-password",
                "firstName", "Alice", "lastName", "Smith", "company", "ACME", "acceptTerms", true));
        Response registered = call("POST", "/api/auth/register", null, form);
        assertThat(registered.status()).isEqualTo(201);
        JsonNode user = registered.body().get("user");
        assertThat(user.get("email").asString()).isEqualTo("alice@example.com");
        assertThat(user.get("customerId").asString()).matches("cust_[a-z2-7]{12}");
        assertThat(user.get("role").asString()).isEqualTo("customer");
        assertThat(user.has("passwordHash")).isFalse();

        Response duplicate = call("POST", "/api/auth/register", null, form);
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.body().at("/error/code").asString()).isEqualTo("email_taken");
        assertThat(duplicate.body().at("/error/field").asString()).isEqualTo("email");

        Response wrong = call("POST", "/api/auth/login", null, Map.of("email", "alice@example.com", "password", "nope-nope"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body().at("/error/code").asString()).isEqualTo("invalid_credentials");

        Response login = call("POST", "/api/auth/login", null,
                Map.of("email", "ALICE@example.com", "password", "s3cret-password"));
        assertThat(login.status()).isEqualTo(200);
        String token = token(login.body());

        Response profile = call("GET", "/api/auth/profile", token, null);
        assertThat(profile.status()).isEqualTo(200);
        assertThat(profile.body().at("/user/company").asString()).isEqualTo("ACME");
        assertThat(profile.body().at("/plan/planId").asString()).isEqualTo("trial");
        assertThat(profile.body().at("/plan/gbBalance").decimalValue()).isEqualByComparingTo("0.5");
    }

    @Test
    void signUpWithoutAcceptingTheTermsIsRefusedAndWritesNothing() {
        String email = "no-consent-" + java.util.UUID.randomUUID() + "@example.com";
        Map<String, Object> form = new HashMap<>(Map.of("email", email, "password", "s3cret-password",
                "firstName", "Alice", "lastName", "Smith"));
        for (Object acceptTerms : new Object[] {null, false}) {
            if (acceptTerms != null) {
                form.put("acceptTerms", acceptTerms);
            }
            Response refused = call("POST", "/api/auth/register", null, form);
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.body().at("/error/code").asString()).isEqualTo("terms_not_accepted");
            assertThat(refused.body().at("/error/field").asString()).isEqualTo("acceptTerms");
        }
        assertThat(call("POST", "/api/auth/login", null, Map.of("email", email, "password", "s3cret-password")).status())
                .as("no account was created").isEqualTo(401);

        form.put("acceptTerms", true);
        Response registered = call("POST", "/api/auth/register", null, form);
        assertThat(registered.status()).isEqualTo(201);
        Response policy = call("GET", "/api/privacy/policy", null, null);
        assertThat(policy.status()).isEqualTo(200);
        Response consents = call("GET", "/api/account/consents", token(registered.body()), null);
        assertThat(consents.status()).isEqualTo(200);
        assertThat(consents.body().findValuesAsString("document")).containsExactlyInAnyOrder("terms", "privacy_policy");
        assertThat(consents.body().get(0).get("version").asString()).isIn(policy.body().get("terms").asString(),
                policy.body().get("privacyPolicy").asString());
        assertThat(consents.body().get(0).get("ipAddress").asString()).isEqualTo("127.0.0.1");
        assertThat(consents.body().get(0).get("acceptedAt").asString()).isNotBlank();
    }

    @Test
    void validationErrorsNameTheField() {
        Response badEmail = call("POST", "/api/auth/register", null,
                Map.of("acceptTerms", true, "email", "not-an-email", "password", "long enough", "firstName", "A", "lastName", "B"));
        assertThat(badEmail.status()).isEqualTo(400);
        assertThat(badEmail.body().at("/error/code").asString()).isEqualTo("validation_failed");
        assertThat(badEmail.body().at("/error/field").asString()).isEqualTo("email");

        Response shortPassword = call("POST", "/api/auth/register", null,
                Map.of("acceptTerms", true, "email", "x@example.com", "password", "short", "firstName", "A", "lastName", "B"));
        assertThat(shortPassword.body().at("/error/field").asString()).isEqualTo("password");

        Response missingName = call("POST", "/api/auth/register", null,
                Map.of("acceptTerms", true, "email", "y@example.com", "password", "long enough", "lastName", "B"));
        assertThat(missingName.status()).isEqualTo(400);
        assertThat(missingName.body().at("/error/field").asString()).isEqualTo("firstName");

        Response notJson = call("POST", "/api/auth/register", null, "just a string");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.body().at("/error/code").asString()).isEqualTo("malformed_request");
    }

    @Test
    void protectedEndpointsNeedAValidToken() {
        Response none = call("GET", "/api/auth/profile", null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body().at("/error/code").asString()).isEqualTo("unauthorized");
        assertThat(call("GET", "/api/auth/profile", "garbage", null).status()).isEqualTo(401);
    }
}
