package io.iploop.server.usage.internal;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.v2.ListQuery;
import io.iploop.server.platform.v2.Paged;
import io.iploop.server.platform.v2.V2List;
import io.iploop.server.platform.v2.V2QueryException;
import io.iploop.server.usage.RecentUsageQuery;
import io.iploop.server.usage.UsageEntry;
import io.iploop.server.usage.UsagePeriod;
import io.iploop.server.usage.UsageService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v2/usage/recent} (docs/product/usage.md#analytics, docs/product/api.md#api-v2): the caller's usage records of the
 * period ({@code days} 1-365 or {@code period} 7d/30d/90d/1y, default 30 days) in the v2 envelope,
 * filtered, ordered and paged in SQL by the same {@link UsageService} as v1.
 */
@RestController
@Tag(name = "usage", description = "Metered proxy usage and analytics")
class UsageV2Controller {

    private final UsageService usage;

    UsageV2Controller(UsageService usage) {
        this.usage = usage;
    }

    @GetMapping("/api/v2/usage/recent")
    @V2List(value = UsageEntry.class, filters = {"success", "targetCountry", "proxyType", "subUserId"}, sort = {"startedAt"})
    @Operation(summary = "Usage records of the period, newest first by default; success=true|false, "
            + "targetCountry=ISO code, proxyType=http|https|socks5, subUserId=a sub-user's id (docs/sub-users.md#usage)")
    Paged<UsageEntry> recent(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(required = false) @Nullable Integer days,
            @RequestParam(required = false) @Nullable String period, ListQuery query) {
        UsagePeriod p = UsagePeriod.of(days, period).withSubUser(uuid(query.filter("subUserId")));
        return usage.recent(caller.userId(), p, new RecentUsageQuery(query.page(), query.limit(),
                bool(query.filter("success")), query.filter("targetCountry"), query.filter("proxyType"),
                query.ascending()));
    }

    private static java.util.@Nullable UUID uuid(@Nullable String value) {
        if (value == null) {
            return null;
        }
        try {
            return java.util.UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw V2QueryException.invalid("subUserId", "'" + value + "' (expected: a sub-user id, a UUID)");
        }
    }

    private static @Nullable Boolean bool(@Nullable String value) {
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw V2QueryException.invalid("success", "'" + value + "' (expected: true or false)");
        };
    }
}
