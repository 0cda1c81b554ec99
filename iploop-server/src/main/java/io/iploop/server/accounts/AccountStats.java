package io.iploop.server.accounts;

import java.util.Map;

/**
 * Account counts for the admin dashboard (docs/product/admin.md). Counts include every status unless named;
 * "new" counts accounts created in the last 24 h / 7 × 24 h, any status. Immutable.
 *
 * @param byRole accounts per role ({@link UserRole#dbValue()}), deleted ones excluded
 */
public record AccountStats(long total, long active, long suspended, long banned, long deleted, long newLast24Hours,
        long newLast7Days, Map<String, Long> byRole) {

    public AccountStats {
        byRole = Map.copyOf(byRole);
    }
}
