package io.iploop.server.audit.internal;

import io.iploop.server.audit.AuditPage;
import io.iploop.server.audit.AuditService;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/audit-logs?page=1&limit=50&action=login_failed} (docs/product/accounts.md#audit-log). */
@RestController
@Tag(name = "audit", description = "Security audit log")
class AuditController {

    private final AuditService audit;

    AuditController(AuditService audit) {
        this.audit = audit;
    }

    @GetMapping("/api/audit-logs")
    @Operation(summary = "Audit entries newest first: the caller's own, every account's for admins")
    AuditPage list(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(defaultValue = "1") int page,
            @RequestParam(defaultValue = "50") int limit,
            @RequestParam(required = false) @Nullable String action) {
        return audit.list(caller.userId(), caller.isAdmin(), page, limit, action);
    }
}
