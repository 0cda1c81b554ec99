package io.iploop.server.audit.internal;

import io.iploop.server.audit.AuditEntry;
import io.iploop.server.audit.AuditPage;
import io.iploop.server.audit.AuditQuery;
import io.iploop.server.audit.AuditService;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.v2.ListQuery;
import io.iploop.server.platform.v2.Paged;
import io.iploop.server.platform.v2.V2List;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v2/audit-logs} (docs/product/accounts.md#audit-log, docs/product/api.md#api-v2): the audit log in the v2 envelope, filtered,
 * ordered and paged in SQL by the same {@link AuditService} as v1.
 */
@RestController
@Tag(name = "audit", description = "Security audit log")
class AuditV2Controller {

    private final AuditService audit;

    AuditV2Controller(AuditService audit) {
        this.audit = audit;
    }

    @GetMapping("/api/v2/audit-logs")
    @V2List(value = AuditEntry.class, filters = {"action", "resourceType"}, sort = {"createdAt"})
    @Operation(summary = "Audit entries: the caller's own, every account's for admins; action=e.g. login_failed")
    Paged<AuditEntry> list(@AuthenticationPrincipal AuthenticatedUser caller, ListQuery query) {
        AuditPage page = audit.list(caller.userId(), caller.isAdmin(), new AuditQuery(query.page(), query.limit(),
                query.filter("action"), query.filter("resourceType"), query.ascending()));
        return new Paged<>(page.items(), page.total());
    }
}
