package io.iploop.server.keys.internal;

import io.iploop.server.keys.ApiKey;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.v2.ListQuery;
import io.iploop.server.platform.v2.Paged;
import io.iploop.server.platform.v2.V2Get;
import io.iploop.server.platform.v2.V2List;
import io.iploop.server.platform.v2.V2QueryException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v2/proxy/keys} (docs/product/api.md#api-v2): the caller's API keys in the v2 envelope, over the
 * same {@link ApiKeysService} as v1. An account has at most a handful of keys, so filtering, sorting
 * and paging happen in memory ({@link ListQuery#apply}). Another account's key id answers 404.
 */
@RestController
@Tag(name = "keys", description = "Proxy API keys")
class ApiKeysV2Controller {

    private final ApiKeysService keys;

    ApiKeysV2Controller(ApiKeysService keys) {
        this.keys = keys;
    }

    @GetMapping("/api/v2/proxy/keys")
    @V2List(value = ApiKey.class, filters = {"status", "name"},
            sort = {"createdAt", "name", "lastUsedAt", "expiresAt"})
    @Operation(summary = "The caller's keys (prefix only); status=active|inactive, name=substring")
    Paged<ApiKey> list(@AuthenticationPrincipal AuthenticatedUser caller, ListQuery query) {
        String status = query.filter("status");
        if (status != null && !status.equalsIgnoreCase("active") && !status.equalsIgnoreCase("inactive")) {
            throw V2QueryException.invalid("status", "'" + status + "' (expected: active or inactive)");
        }
        return query.apply(keys.list(caller.userId()),
                Map.of("createdAt", ApiKey::createdAt, "name", k -> k.name().toLowerCase(Locale.ROOT),
                        "lastUsedAt", ApiKey::lastUsedAt, "expiresAt", ApiKey::expiresAt),
                Map.of("status", (k, v) -> k.isActive() == v.equalsIgnoreCase("active"),
                        "name", (k, v) -> k.name().toLowerCase(Locale.ROOT).contains(v.toLowerCase(Locale.ROOT))));
    }

    @GetMapping("/api/v2/proxy/keys/{keyId}")
    @V2Get(ApiKey.class)
    @Operation(summary = "One key with its IP whitelist")
    ApiKey get(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID keyId) {
        return keys.get(caller.userId(), keyId);
    }
}
