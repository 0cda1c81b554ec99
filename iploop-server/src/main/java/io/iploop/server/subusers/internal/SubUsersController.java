package io.iploop.server.subusers.internal;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.subusers.CreatedSubUser;
import io.iploop.server.subusers.SubUser;
import io.iploop.server.subusers.SubUserSpec;
import io.iploop.server.subusers.SubUsersService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/sub-users} (docs/sub-users.md#api): the caller's sub-users. Another account's
 * sub-user id answers 404 on every route; a field out of its rules answers 400 naming it.
 */
@RestController
@RequestMapping("/api/sub-users")
@Tag(name = "sub-users", description = "Sub-users with their own proxy credentials and limits")
class SubUsersController {

    private static final String SHOWN_ONCE = "Save this password now! It will not be shown again.";

    private final SubUsersService subUsers;

    SubUsersController(SubUsersService subUsers) {
        this.subUsers = subUsers;
    }

    @GetMapping
    @Operation(summary = "The caller's sub-users with their usage in the current limit period")
    SubUsersResponse list(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new SubUsersResponse(subUsers.list(caller.userId()));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a sub-user; its password is in this response only")
    CreatedResponse create(@AuthenticationPrincipal AuthenticatedUser caller, @Valid @RequestBody CreateRequest r) {
        CreatedSubUser created = subUsers.create(caller.userId(), r.name() == null ? "" : r.name(), r.spec());
        return new CreatedResponse(created.subUser(), created.password(), SHOWN_ONCE);
    }

    @GetMapping("/{id}")
    @Operation(summary = "One sub-user")
    SubUser get(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return subUsers.get(caller.userId(), id);
    }

    @PutMapping("/{id}")
    @Operation(summary = "Replace a sub-user's limits, targeting, whitelist and expiry (not its name or password)")
    SubUser update(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id,
            @Valid @RequestBody SettingsRequest r) {
        return subUsers.update(caller.userId(), id, r.spec());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a sub-user; its credentials stop working within 5 s, its usage history stays")
    void delete(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        subUsers.delete(caller.userId(), id);
    }

    @PostMapping("/{id}/enable")
    @Operation(summary = "Enable a sub-user; it works again within 5 s")
    SubUser enable(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return subUsers.setEnabled(caller.userId(), id, true);
    }

    @PostMapping("/{id}/disable")
    @Operation(summary = "Disable a sub-user; the proxy refuses it (407) within 5 s")
    SubUser disable(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return subUsers.setEnabled(caller.userId(), id, false);
    }

    /** The body of POST: the name and the settings. Absent lists are empty; absent numbers 0. */
    record CreateRequest(@Nullable String name, @Nullable Long trafficLimitBytes, @Nullable String trafficPeriod,
            @Nullable Integer requestsPerSecond, @Nullable Long requestsPerDay, @Nullable List<@NotNull String> allowedCountries,
            @Nullable Boolean cityAllowed, @Nullable List<@NotNull String> ipWhitelist, @Nullable Instant expiresAt,
            @Nullable Integer maxConcurrentConnections) {

        SubUserSpec spec() {
            return new SettingsRequest(trafficLimitBytes, trafficPeriod, requestsPerSecond, requestsPerDay, allowedCountries,
                    cityAllowed, ipWhitelist, expiresAt, maxConcurrentConnections).spec();
        }
    }

    /**
     * The body of PUT: every setting (an absent one takes its default: no limit, all allowed).
     * {@code maxConcurrentConnections}: the sub-user's own connections open at once, null (or 0)
     * for the plan's only.
     */
    record SettingsRequest(@Nullable Long trafficLimitBytes, @Nullable String trafficPeriod,
            @Nullable Integer requestsPerSecond, @Nullable Long requestsPerDay, @Nullable List<@NotNull String> allowedCountries,
            @Nullable Boolean cityAllowed, @Nullable List<@NotNull String> ipWhitelist, @Nullable Instant expiresAt,
            @Nullable Integer maxConcurrentConnections) {

        SubUserSpec spec() {
            return new SubUserSpec(trafficLimitBytes, trafficPeriod, requestsPerSecond == null ? 0 : requestsPerSecond,
                    requestsPerDay == null ? 0 : requestsPerDay, allowedCountries == null ? List.of() : allowedCountries,
                    cityAllowed == null || cityAllowed, ipWhitelist == null ? List.of() : ipWhitelist, expiresAt,
                    maxConcurrentConnections);
        }
    }

    record CreatedResponse(SubUser subUser, String password, String warning) {}

    record SubUsersResponse(List<SubUser> subUsers) {}
}
