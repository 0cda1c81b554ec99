package io.iploop.server.accounts;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * {@code PUT /api/account/use-case} (docs/operator-transparency.md#customer-categories): only the
 * fixed list or null, a clear 400 naming {@code useCase} otherwise with nothing stored, audited, and
 * {@link AccountsService#useCases} maps ids to categories in one call.
 */
@PlatformTest
class AccountUseCaseIT {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    AccountsService accounts;

    @Test
    void onlyTheFixedListIsAcceptedAndNullClears() {
        JsonNode customer = registerCustomer();
        String token = token(customer);
        UUID id = UUID.fromString(customer.at("/user/id").asString());
        Response initial = call("GET", "/api/account/use-case", token, null);
        assertThat(initial.status()).isEqualTo(200);
        assertThat(initial.body().get("useCase").isNull()).isTrue();
        assertThat(initial.body().get("valid")).hasSize(UseCases.ALL.size());

        for (String value : UseCases.ALL) {
            Response ok = call("PUT", "/api/account/use-case", token, Map.of("useCase", value));
            assertThat(ok.status()).as(value).isEqualTo(200);
            assertThat(ok.body().get("useCase").asString()).isEqualTo(value);
        }
        assertThat(call("PUT", "/api/account/use-case", token, Map.of("useCase", "seo")).status()).isEqualTo(200);
        for (Object bad : List.of("SEO", "spam", "", "undeclared", " seo", "x".repeat(500), 7)) {
            Response e = call("PUT", "/api/account/use-case", token, Map.of("useCase", bad));
            assertThat(e.status()).as(String.valueOf(bad)).isEqualTo(400);
            assertThat(e.body().at("/error/field").asString()).as(String.valueOf(bad)).isEqualTo("useCase");
        }
        // Nothing of a refused value was stored; the profile shows the stored one.
        assertThat(call("GET", "/api/auth/profile", token, null).body().get("useCase").asString()).isEqualTo("seo");
        assertThat(call("GET", "/api/account/use-case", token, null).body().get("useCase").asString()).isEqualTo("seo");
        assertThat(jdbc.sql("SELECT count(*) FROM audit_logs WHERE user_id = ? AND action = 'profile_updated' "
                + "AND details->>'useCase.new' = 'seo'").param(id).query(Long.class).single()).isPositive();

        UUID other = UUID.fromString(registerCustomer().at("/user/id").asString());
        UUID unknown = UUID.randomUUID();
        assertThat(accounts.useCases(List.of(id, other, unknown)))
                .isEqualTo(Map.of(id, "seo", other, UseCases.UNDECLARED, unknown, UseCases.UNDECLARED));

        Response cleared = call("PUT", "/api/account/use-case", token, Collections.singletonMap("useCase", null));
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(cleared.body().get("useCase").isNull()).isTrue();
        assertThat(accounts.useCases(List.of(id))).isEqualTo(Map.of(id, UseCases.UNDECLARED));
        assertThat(call("PUT", "/api/account/use-case", null, Map.of("useCase", "seo")).status()).isEqualTo(401);
    }
}
