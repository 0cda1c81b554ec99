package io.iploop.server.keys.internal;

import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.keys.IpAuthorisation;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/account/ip-authorisations} (docs/ip-authorised-access.md): the addresses and CIDR
 * ranges from which the caller's account may use the proxy without credentials, each with an
 * optional default targeting. Replaced whole, all or none; an address another account authorised
 * answers 409.
 */
@RestController
@RequestMapping("/api/account/ip-authorisations")
@Tag(name = "keys", description = "Proxy API keys")
class AccountIpAuthorisationsController {

    private final ApiKeysService keys;

    AccountIpAuthorisationsController(ApiKeysService keys) {
        this.keys = keys;
    }

    @GetMapping
    @Operation(summary = "The addresses that may use the proxy as this account without credentials")
    AuthorisationsResponse get(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new AuthorisationsResponse(keys.ipAuthorisations(caller.userId()));
    }

    @PutMapping
    @Operation(summary = "Replace the addresses (IPv4, IPv6, CIDR; at most 50; no overlaps) that may use the proxy"
            + " without credentials, each with an optional default targeting such as country-us-session-abc;"
            + " 409 when another account authorised an overlapping address")
    AuthorisationsResponse set(@AuthenticationPrincipal AuthenticatedUser caller, @Valid @RequestBody AuthorisationsRequest r) {
        List<IpAuthorisation> entries = r.entries().stream()
                .map(e -> new IpAuthorisation(e.ip(), e.targeting() == null ? "" : e.targeting()))
                .toList();
        return new AuthorisationsResponse(keys.setIpAuthorisations(caller.userId(), entries));
    }

    /** @param entries the new list; empty ends IP-authorised access */
    record AuthorisationsRequest(@NotNull @Size(max = 50) @Nullable List<@Valid @NotNull Entry> entries) {

        @Override
        public List<Entry> entries() {
            return entries == null ? List.of() : entries;
        }
    }

    /**
     * @param ip address or CIDR range
     * @param targeting default targeting, e.g. {@code country-us-session-abc}; null or empty for none
     */
    record Entry(@NotNull @Size(max = 64) String ip, @Size(max = 1024) @Nullable String targeting) {}

    record AuthorisationsResponse(List<IpAuthorisation> entries) {}
}
