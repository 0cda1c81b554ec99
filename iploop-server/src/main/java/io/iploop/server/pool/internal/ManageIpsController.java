package io.iploop.server.pool.internal;

import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.keys.IpAuthorisation;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.pool.PoolException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/manage-ips} (seed 004's {@code manage_ips}, docs/upstream-pool.md#access): list, add
 * and remove the caller's whitelisted source addresses. Not a second whitelist: it reads and writes
 * the account's IP-authorised access list (docs/ip-authorised-access.md), with the same rules (one
 * address belongs to one account, at most /24 of IPv4 or /48 of IPv6, 50 entries, audited), so an
 * address added here also serves residential traffic without credentials and the other way round.
 */
@RestController
@RequestMapping("/api/manage-ips")
@Tag(name = "pool", description = "Upstream pool")
class ManageIpsController {

    private final ApiKeysService keys;

    ManageIpsController(ApiKeysService keys) {
        this.keys = keys;
    }

    /** The caller's addresses. */
    record IpsResponse(List<String> ips, List<IpAuthorisation> entries) {}

    /** One address or CIDR range, optionally with the default targeting of its residential requests. */
    record AddRequest(@Nullable String ip, @Nullable String targeting) {}

    @GetMapping
    @Operation(summary = "The caller's whitelisted source addresses (IP-authorised access)")
    IpsResponse list(@AuthenticationPrincipal AuthenticatedUser caller) {
        return response(keys.ipAuthorisations(caller.userId()));
    }

    @PostMapping
    @Operation(summary = "Add a whitelisted source address or CIDR range")
    IpsResponse add(@AuthenticationPrincipal AuthenticatedUser caller, @RequestBody AddRequest r) {
        if (r.ip() == null || r.ip().isBlank()) {
            throw new PoolException(PoolException.Reason.INVALID_REQUEST, "ip is required", "ip");
        }
        List<IpAuthorisation> entries = new ArrayList<>(keys.ipAuthorisations(caller.userId()));
        String ip = r.ip().strip().toLowerCase(Locale.ROOT);
        if (entries.stream().noneMatch(e -> e.ip().equals(ip))) {
            entries.add(new IpAuthorisation(ip, r.targeting() == null ? "" : r.targeting().strip()));
        }
        return response(keys.setIpAuthorisations(caller.userId(), entries));
    }

    @DeleteMapping
    @Operation(summary = "Remove a whitelisted source address (as listed)")
    IpsResponse delete(@AuthenticationPrincipal AuthenticatedUser caller, @RequestParam String ip) {
        List<IpAuthorisation> entries = new ArrayList<>(keys.ipAuthorisations(caller.userId()));
        String normalised = ip.strip().toLowerCase(Locale.ROOT);
        if (!entries.removeIf(e -> e.ip().equals(normalised))) {
            throw new PoolException(PoolException.Reason.INVALID_REQUEST, "ip: " + normalised + " is not in your list", "ip");
        }
        return response(keys.setIpAuthorisations(caller.userId(), entries));
    }

    private static IpsResponse response(List<IpAuthorisation> entries) {
        return new IpsResponse(entries.stream().map(IpAuthorisation::ip).toList(), entries);
    }
}
