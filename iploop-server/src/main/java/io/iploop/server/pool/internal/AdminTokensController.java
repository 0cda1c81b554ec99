package io.iploop.server.pool.internal;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.pool.AdminToken;
import io.iploop.server.pool.CreatedAdminToken;
import io.iploop.server.pool.PoolException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/admin/tokens} (docs/upstream-pool.md#admin-api-and-tokens): a 2FA admin login creates
 * (shown once), lists and revokes admin API tokens. Admin API tokens themselves are refused here
 * (a token never mints tokens).
 */
@RestController
@RequestMapping("/api/admin/tokens")
@Tag(name = "pool", description = "Upstream pool")
class AdminTokensController {

    private final DefaultPoolService pool;
    private final Clock clock;

    AdminTokensController(DefaultPoolService pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** A new token: name, scopes, and either {@code expiresAt} or {@code expiresInDays} (default 30). */
    record CreateRequest(@Nullable String name, @Nullable Set<String> scopes, @Nullable Instant expiresAt,
            @Nullable Integer expiresInDays) {}

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create an admin API token (shown once)")
    CreatedAdminToken create(@AuthenticationPrincipal AuthenticatedUser admin, @RequestBody CreateRequest r) {
        if (r.name() == null) {
            throw new PoolException(PoolException.Reason.INVALID_REQUEST, "name is required", "name");
        }
        if (r.scopes() == null) {
            throw new PoolException(PoolException.Reason.INVALID_REQUEST, "scopes are required (pool:read, pool:write)", "scopes");
        }
        Instant expiresAt = r.expiresAt() != null ? r.expiresAt()
                : clock.instant().plus(r.expiresInDays() == null ? 30 : r.expiresInDays(), ChronoUnit.DAYS);
        return pool.createToken(admin.userId(), r.name(), r.scopes(), expiresAt);
    }

    @GetMapping
    @Operation(summary = "Every admin API token (never the token itself)")
    Map<String, List<AdminToken>> list() {
        return Map.of("tokens", pool.tokens());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Revoke an admin API token at once")
    void revoke(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id) {
        pool.revokeToken(admin.userId(), id);
    }
}
