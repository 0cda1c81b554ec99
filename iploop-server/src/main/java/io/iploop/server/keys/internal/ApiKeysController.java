package io.iploop.server.keys.internal;

import io.iploop.server.keys.ApiKey;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.keys.CreatedApiKey;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/proxy/keys} (docs/product/api.md#endpoint-groups, docs/product/proxy.md#api-keys; rotation: docs/product/proxy.md#key-rotation): the caller's proxy API
 * keys. Another account's key id answers 404 on every route.
 */
@RestController
@RequestMapping("/api/proxy/keys")
@Tag(name = "keys", description = "Proxy API keys")
class ApiKeysController {

    private static final String SHOWN_ONCE = "Save this API key now! It will not be shown again.";

    private final ApiKeysService keys;

    ApiKeysController(ApiKeysService keys) {
        this.keys = keys;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a key, optionally expiring; the full key is in this response only")
    CreatedKeyResponse create(@AuthenticationPrincipal AuthenticatedUser caller, @Valid @RequestBody CreateKeyRequest r) {
        return CreatedKeyResponse.of(keys.create(caller.userId(), r.name(), r.expiresAt()));
    }

    @GetMapping
    @Operation(summary = "The caller's keys (prefix only), including rotated keys in their grace period")
    KeysResponse list(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new KeysResponse(keys.list(caller.userId()));
    }

    @GetMapping("/{keyId}")
    @Operation(summary = "One key with its IP whitelist")
    ApiKey get(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID keyId) {
        return keys.get(caller.userId(), keyId);
    }

    @PatchMapping("/{keyId}")
    @Operation(summary = "Enable or disable a key")
    ApiKey setActive(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID keyId,
            @Valid @RequestBody ToggleRequest r) {
        return keys.setActive(caller.userId(), keyId, Boolean.TRUE.equals(r.isActive()));
    }

    @DeleteMapping("/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a key; it stops working within 5 s")
    void delete(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID keyId) {
        keys.delete(caller.userId(), keyId);
    }

    @PutMapping("/{keyId}/whitelist")
    @Operation(summary = "Replace a key's IP whitelist (IPv4, IPv6, CIDR; at most 50; empty allows all)")
    ApiKey setWhitelist(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID keyId,
            @Valid @RequestBody WhitelistRequest r) {
        return keys.setWhitelist(caller.userId(), keyId, r.ips());
    }

    @PostMapping("/{keyId}/rotate")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Issue a successor key (shown once); the old key keeps working for 24 h")
    CreatedKeyResponse rotate(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID keyId) {
        return CreatedKeyResponse.of(keys.rotate(caller.userId(), keyId));
    }

    record CreateKeyRequest(@NotBlank @Size(max = 100) String name, @Nullable Instant expiresAt) {}

    record ToggleRequest(@NotNull @Nullable Boolean isActive) {}

    /** docs/product/proxy.md#api-keys: {@code { ips: string[] }}. */
    record WhitelistRequest(@NotNull @Nullable List<@NotNull String> ips) {

        @Override
        public List<String> ips() {
            return ips == null ? List.of() : ips;
        }
    }

    record CreatedKeyResponse(UUID id, String name, String key, String keyPrefix, boolean isActive, Instant createdAt,
            @Nullable Instant expiresAt, List<String> ipWhitelist, String warning) {

        static CreatedKeyResponse of(CreatedApiKey created) {
            ApiKey k = created.apiKey();
            return new CreatedKeyResponse(k.id(), k.name(), created.key(), k.keyPrefix(), k.isActive(), k.createdAt(),
                    k.expiresAt(), k.ipWhitelist(), SHOWN_ONCE);
        }
    }

    record KeysResponse(List<ApiKey> keys) {}
}
