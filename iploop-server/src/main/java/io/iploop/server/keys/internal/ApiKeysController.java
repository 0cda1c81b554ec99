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
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/proxy/keys} (seed 001 §7.2, §5.5): the caller's proxy API keys. */
@RestController
@RequestMapping("/api/proxy/keys")
@Tag(name = "keys", description = "Proxy API keys")
class ApiKeysController {

    private final ApiKeysService keys;

    ApiKeysController(ApiKeysService keys) {
        this.keys = keys;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a key; the full key is in this response only")
    CreatedKeyResponse create(@AuthenticationPrincipal AuthenticatedUser caller, @Valid @RequestBody CreateKeyRequest r) {
        CreatedApiKey created = keys.create(caller.userId(), r.name());
        ApiKey k = created.apiKey();
        return new CreatedKeyResponse(k.id(), k.name(), created.key(), k.keyPrefix(), k.isActive(), k.createdAt(),
                "Save this API key now! It will not be shown again.");
    }

    @GetMapping
    @Operation(summary = "The caller's keys (prefix only)")
    KeysResponse list(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new KeysResponse(keys.list(caller.userId()));
    }

    @PatchMapping("/{keyId}")
    @Operation(summary = "Enable or disable a key")
    ApiKey setActive(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID keyId,
            @Valid @RequestBody ToggleRequest r) {
        return keys.setActive(caller.userId(), keyId, Boolean.TRUE.equals(r.isActive()));
    }

    record CreateKeyRequest(@NotBlank @Size(max = 100) String name) {}

    record ToggleRequest(@NotNull @Nullable Boolean isActive) {}

    record CreatedKeyResponse(UUID id, String name, String key, String keyPrefix, boolean isActive, Instant createdAt,
            String warning) {}

    record KeysResponse(List<ApiKey> keys) {}
}
