package io.iploop.server.usage.internal;

import io.iploop.server.usage.UsageDeadLetterPage;
import io.iploop.server.usage.UsageService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/admin/usage/dead-letters}: the usage records the database refused and the sink
 * set aside ({@code docs/security.md}). Admins with 2FA only, like all of {@code /api/admin/**}
 * (the platform's security configuration).
 */
@RestController
@Tag(name = "admin", description = "Platform administration (admin role)")
class UsageAdminController {

    private final UsageService usage;

    UsageAdminController(UsageService usage) {
        this.usage = usage;
    }

    @GetMapping("/api/admin/usage/dead-letters")
    @Operation(summary = "Usage records the database refused, set aside with the reason, newest first")
    UsageDeadLetterPage deadLetters(@RequestParam(defaultValue = "1") int page,
            @RequestParam(defaultValue = "50") int limit) {
        return usage.deadLetters(page, limit);
    }
}
