package io.iploop.server.plans.internal;

import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.UsageAlertSettings;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's usage alert settings (docs/plans-and-alerts.md#usage-alerts): {@code GET/PUT
 * /api/billing/alerts}. A custom threshold outside 1-100 is 400 {@code validation_failed} naming
 * {@code customPercent}.
 */
@RestController
@RequestMapping("/api/billing/alerts")
@Tag(name = "billing", description = "Usage alerts")
class UsageAlertsController {

    private final PlansService plans;

    UsageAlertsController(PlansService plans) {
        this.plans = plans;
    }

    @GetMapping
    @Operation(summary = "Which usage alerts the caller gets: 80 %, 100 % and an optional custom threshold")
    UsageAlertSettings get(@AuthenticationPrincipal AuthenticatedUser caller) {
        return plans.alertSettings(caller.userId());
    }

    @PutMapping
    @Operation(summary = "Replace the caller's usage alert settings; absent at80/at100 mean on, customPercent "
            + "null means none")
    UsageAlertSettings put(@AuthenticationPrincipal AuthenticatedUser caller, @RequestBody AlertsRequest r) {
        return plans.setAlertSettings(caller.userId(), new UsageAlertSettings(
                r.at80() == null || r.at80(), r.at100() == null || r.at100(), r.customPercent()));
    }

    /** The JSON shape; the rules are {@link UsageAlertSettings}'s. */
    record AlertsRequest(@Nullable Boolean at80, @Nullable Boolean at100, @Nullable Integer customPercent) {}
}
