package io.iploop.server.audit;

import org.jspecify.annotations.Nullable;

/**
 * Filters, order and page of an audit-log listing (docs/product/accounts.md#audit-log; {@code /api/v2/audit-logs}).
 * Validated by {@link AuditService#list(java.util.UUID, boolean, AuditQuery)}. Immutable.
 *
 * @param page 1-based page number
 * @param limit entries per page, 1 to {@link AuditService#MAX_LIMIT}
 * @param action only this action ({@link AuditAction#dbValue()}), or null for all
 * @param resourceType only entries about this kind of resource (e.g. {@code api_key}), or null for all
 * @param oldestFirst ascending {@code createdAt} instead of newest first
 */
public record AuditQuery(int page, int limit, @Nullable String action, @Nullable String resourceType,
        boolean oldestFirst) {}
