package io.iploop.server.usage;

import java.util.UUID;

/** The usage feature's public API; every query is scoped by the account id. Thread-safe. */
public interface UsageService {

    /** Longest period a summary covers, in days. */
    int MAX_DAYS = 365;

    /**
     * Usage of {@code userId} over the last {@code days} days (now minus {@code days} × 24 h).
     *
     * @throws UsageException {@code INVALID_PERIOD} unless 1 ≤ days ≤ {@link #MAX_DAYS}
     */
    UsageSummary summary(UUID userId, int days);
}
