package io.iploop.server.usage.internal;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.usage.UsageException;
import io.iploop.server.usage.UsageRetentionService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET/PUT /api/admin/usage/retention} (docs/privacy.md#retention): how many days per-request
 * usage rows are kept. Admins with 2FA only, like all of {@code /api/admin/**}.
 */
@RestController
@Tag(name = "admin", description = "Platform administration (admin role)")
class UsageRetentionController {

    private final UsageRetentionService retention;

    UsageRetentionController(UsageRetentionService retention) {
        this.retention = retention;
    }

    @GetMapping("/api/admin/usage/retention")
    @Operation(summary = "How many days per-request usage rows are kept before they become daily aggregates")
    UsageRetentionService.Settings settings() {
        return retention.settings();
    }

    @PutMapping("/api/admin/usage/retention")
    @Operation(summary = "Set how many days (1-3650) per-request usage rows are kept; audited")
    UsageRetentionService.Settings update(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestBody RetentionRequest r) {
        if (r.perRequestDays() == null) {
            throw new UsageException(UsageException.Reason.INVALID_RETENTION, "perRequestDays: required", "perRequestDays");
        }
        return retention.update(caller.userId(), r.perRequestDays());
    }

    /** The new setting; {@code perRequestDays} is required. */
    record RetentionRequest(@Nullable Integer perRequestDays) {}
}
