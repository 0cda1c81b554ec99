package io.iploop.server.usage;

import org.jspecify.annotations.Nullable;

/**
 * Filters, order and page of the usage-record log ({@code /api/v2/usage/recent}, docs/product/usage.md#analytics,
 * docs/product/api.md#api-v2). A null filter matches everything. Validated by
 * {@link UsageService#recent(java.util.UUID, UsagePeriod, RecentUsageQuery)}. Immutable.
 *
 * @param page 1-based page number
 * @param limit records per page, 1 to {@link UsageService#MAX_LIMIT}
 * @param success only successful (true) or failed (false) streams
 * @param targetCountry only streams that targeted this ISO-3166 alpha-2 country, any case
 * @param proxyType only {@code http}, {@code https} or {@code socks5} streams
 * @param oldestFirst ascending {@code startedAt} instead of newest first
 */
public record RecentUsageQuery(int page, int limit, @Nullable Boolean success, @Nullable String targetCountry,
        @Nullable String proxyType, boolean oldestFirst) {}
