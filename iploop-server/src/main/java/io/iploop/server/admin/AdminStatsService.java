package io.iploop.server.admin;

import java.util.UUID;

/** The admin overview's public API: system-wide statistics (docs/product/admin.md#admin-api {@code GET /stats}). Thread-safe. */
public interface AdminStatsService {

    /**
     * Current statistics, computed on each call from the owning features (a handful of aggregate
     * queries; the admin dashboard polls it, customers never reach it).
     *
     * @param adminId the admin asking (the nodes feature scopes node statistics by caller)
     */
    SystemStats stats(UUID adminId);
}
