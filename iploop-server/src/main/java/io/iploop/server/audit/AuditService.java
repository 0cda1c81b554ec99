package io.iploop.server.audit;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The audit feature's public API (docs/product/accounts.md#audit-log). Entries are append-only. Thread-safe.
 */
public interface AuditService {

    /** Largest page size of {@link #list}. */
    int MAX_LIMIT = 200;

    /**
     * Appends {@code event}, in the caller's transaction when there is one, with the IP address and
     * user agent of the current HTTP request.
     */
    void record(AuditEvent event);

    /**
     * Entries newest first: the caller's own, or everyone's when {@code admin} (docs/product/accounts.md#audit-log:
     * "admin or own user").
     *
     * @param action only this action ({@link AuditAction#dbValue()}), or null for all
     * @throws AuditException {@code INVALID_QUERY} for page &lt; 1, a limit outside 1..{@link #MAX_LIMIT}
     *     or an unknown action
     */
    default AuditPage list(UUID callerId, boolean admin, int page, int limit, @Nullable String action) {
        return list(callerId, admin, new AuditQuery(page, limit, action, null, false));
    }

    /**
     * Entries matching {@code query}, paged and ordered in SQL: the caller's own, or everyone's when
     * {@code admin}.
     *
     * @throws AuditException {@code INVALID_QUERY} naming the field: page &lt; 1, a limit outside
     *     1..{@link #MAX_LIMIT}, an unknown action, or a resource type longer than 50 characters
     */
    AuditPage list(UUID callerId, boolean admin, AuditQuery query);
}
