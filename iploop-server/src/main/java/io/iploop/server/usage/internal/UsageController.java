package io.iploop.server.usage.internal;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.usage.UsageService;
import io.iploop.server.usage.UsageSummary;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/usage} (seed 001 §7.3): the caller's usage. */
@RestController
@Tag(name = "usage", description = "Metered proxy usage")
class UsageController {

    private final UsageService usage;

    UsageController(UsageService usage) {
        this.usage = usage;
    }

    @GetMapping("/api/usage/summary")
    @Operation(summary = "Bytes up/down, requests and success rate over the last N days (1-365, default 30)")
    UsageSummary summary(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(defaultValue = "30") int days) {
        return usage.summary(caller.userId(), days);
    }
}
