package io.iploop.server.keys.internal;

import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/account/ip-whitelist} (docs/product/accounts.md#ip-whitelist): the caller's account-level IP whitelist,
 * enforced for all of the account's keys on top of each key's own whitelist.
 */
@RestController
@RequestMapping("/api/account/ip-whitelist")
@Tag(name = "keys", description = "Proxy API keys")
class AccountIpWhitelistController {

    private final ApiKeysService keys;

    AccountIpWhitelistController(ApiKeysService keys) {
        this.keys = keys;
    }

    @GetMapping
    @Operation(summary = "The account-level IP whitelist; empty allows every client")
    WhitelistResponse get(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new WhitelistResponse(keys.accountWhitelist(caller.userId()));
    }

    @PutMapping
    @Operation(summary = "Replace the account-level IP whitelist (IPv4, IPv6, CIDR; at most 50; empty allows all)")
    WhitelistResponse set(@AuthenticationPrincipal AuthenticatedUser caller,
            @Valid @RequestBody ApiKeysController.WhitelistRequest r) {
        return new WhitelistResponse(keys.setAccountWhitelist(caller.userId(), r.ips()));
    }

    record WhitelistResponse(List<String> ips) {}
}
