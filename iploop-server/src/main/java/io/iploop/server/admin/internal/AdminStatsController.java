package io.iploop.server.admin.internal;

import io.iploop.server.admin.AdminStatsService;
import io.iploop.server.admin.SystemStats;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/admin/stats} (docs/product/admin.md); admin-only like all of {@code /api/admin/**}. */
@RestController
@Tag(name = "admin", description = "Platform administration (admin role)")
class AdminStatsController {

    private final AdminStatsService stats;

    AdminStatsController(AdminStatsService stats) {
        this.stats = stats;
    }

    @GetMapping("/api/admin/stats")
    @Operation(summary = "System-wide statistics: users, nodes by country, traffic today and 30 days, "
            + "active API keys, plan distribution")
    SystemStats stats(@AuthenticationPrincipal AuthenticatedUser admin) {
        return stats.stats(admin.userId());
    }
}
