package io.iploop.server.usage.internal;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.usage.RecentUsage;
import io.iploop.server.usage.UsageBreakdown;
import io.iploop.server.usage.UsageBucket;
import io.iploop.server.usage.UsageEntry;
import io.iploop.server.usage.UsageException;
import io.iploop.server.usage.UsagePeriod;
import io.iploop.server.usage.UsageService;
import io.iploop.server.usage.UsageSummary;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/usage} (docs/product/usage.md#analytics): the caller's usage analytics.
 * Every endpoint takes the period as {@code days} (1-365; the dashboard sends 7, 30, 90, 365) or
 * {@code period} (7d, 30d, 90d, 1y), default 30 days, and answers JSON or, with {@code format=csv}, a CSV download
 * (docs/product/usage.md#exports). Every endpoint also takes {@code sub_user} (a sub-user id of the
 * caller's) to narrow it to that sub-user's records (docs/sub-users.md#usage); another account's
 * sub-user id simply matches nothing.
 */
@RestController
@RequestMapping("/api/usage")
@Tag(name = "usage", description = "Metered proxy usage and analytics")
class UsageController {

    private static final MediaType TEXT_CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);

    private final UsageService usage;

    UsageController(UsageService usage) {
        this.usage = usage;
    }

    @GetMapping("/summary")
    @Operation(summary = "Bytes up/down, requests and success rate over the period")
    ResponseEntity<?> summary(@AuthenticationPrincipal AuthenticatedUser caller, @RequestParam(required = false) @Nullable Integer days,
            @RequestParam(required = false) @Nullable String period, @RequestParam(required = false) @Nullable String format,
            @RequestParam(name = "sub_user", required = false) @Nullable UUID subUser) {
        UsagePeriod p = UsagePeriod.of(days, period).withSubUser(subUser);
        return respond(format, "summary", p, () -> usage.summary(caller.userId(), p), s -> csv(UsageSummary.class, List.of(s)));
    }

    @GetMapping("/daily")
    @Operation(summary = "Usage per UTC date, every date of the period")
    ResponseEntity<?> daily(@AuthenticationPrincipal AuthenticatedUser caller, @RequestParam(required = false) @Nullable Integer days,
            @RequestParam(required = false) @Nullable String period, @RequestParam(required = false) @Nullable String format,
            @RequestParam(name = "sub_user", required = false) @Nullable UUID subUser) {
        UsagePeriod p = UsagePeriod.of(days, period).withSubUser(subUser);
        return breakdown(format, "daily", p, () -> usage.daily(caller.userId(), p));
    }

    @GetMapping("/hourly")
    @Operation(summary = "Usage per hour of day (UTC, 0-23)")
    ResponseEntity<?> hourly(@AuthenticationPrincipal AuthenticatedUser caller, @RequestParam(required = false) @Nullable Integer days,
            @RequestParam(required = false) @Nullable String period, @RequestParam(required = false) @Nullable String format,
            @RequestParam(name = "sub_user", required = false) @Nullable UUID subUser) {
        UsagePeriod p = UsagePeriod.of(days, period).withSubUser(subUser);
        return breakdown(format, "hourly", p, () -> usage.hourly(caller.userId(), p));
    }

    @GetMapping("/by-country")
    @Operation(summary = "Usage per targeted country, most bytes first")
    ResponseEntity<?> byCountry(@AuthenticationPrincipal AuthenticatedUser caller, @RequestParam(required = false) @Nullable Integer days,
            @RequestParam(required = false) @Nullable String period, @RequestParam(required = false) @Nullable String format,
            @RequestParam(name = "sub_user", required = false) @Nullable UUID subUser) {
        UsagePeriod p = UsagePeriod.of(days, period).withSubUser(subUser);
        return breakdown(format, "by-country", p, () -> usage.byCountry(caller.userId(), p));
    }

    @GetMapping("/by-key")
    @Operation(summary = "Usage per API key, most bytes first")
    ResponseEntity<?> byKey(@AuthenticationPrincipal AuthenticatedUser caller, @RequestParam(required = false) @Nullable Integer days,
            @RequestParam(required = false) @Nullable String period, @RequestParam(required = false) @Nullable String format,
            @RequestParam(name = "sub_user", required = false) @Nullable UUID subUser) {
        UsagePeriod p = UsagePeriod.of(days, period).withSubUser(subUser);
        return breakdown(format, "by-key", p, () -> usage.byKey(caller.userId(), p));
    }

    @GetMapping("/by-sub-user")
    @Operation(summary = "Usage per sub-user, most bytes first (empty key: the account's own keys)")
    ResponseEntity<?> bySubUser(@AuthenticationPrincipal AuthenticatedUser caller, @RequestParam(required = false) @Nullable Integer days,
            @RequestParam(required = false) @Nullable String period, @RequestParam(required = false) @Nullable String format,
            @RequestParam(name = "sub_user", required = false) @Nullable UUID subUser) {
        UsagePeriod p = UsagePeriod.of(days, period).withSubUser(subUser);
        return breakdown(format, "by-sub-user", p, () -> usage.bySubUser(caller.userId(), p));
    }

    @GetMapping("/status-codes")
    @Operation(summary = "Streams per origin HTTP status (empty status: CONNECT/SOCKS5 tunnels and refused requests)")
    ResponseEntity<?> statusCodes(@AuthenticationPrincipal AuthenticatedUser caller, @RequestParam(required = false) @Nullable Integer days,
            @RequestParam(required = false) @Nullable String period, @RequestParam(required = false) @Nullable String format,
            @RequestParam(name = "sub_user", required = false) @Nullable UUID subUser) {
        UsagePeriod p = UsagePeriod.of(days, period).withSubUser(subUser);
        return breakdown(format, "status-codes", p, () -> usage.statusCodes(caller.userId(), p));
    }

    @GetMapping("/top-domains")
    @Operation(summary = "The target hosts with the most bytes (limit 1-100, default 20)")
    ResponseEntity<?> topDomains(@AuthenticationPrincipal AuthenticatedUser caller, @RequestParam(required = false) @Nullable Integer days,
            @RequestParam(required = false) @Nullable String period, @RequestParam(required = false) @Nullable String format,
            @RequestParam(name = "sub_user", required = false) @Nullable UUID subUser,
            @RequestParam(defaultValue = "20") int limit) {
        UsagePeriod p = UsagePeriod.of(days, period).withSubUser(subUser);
        return breakdown(format, "top-domains", p, () -> usage.topDomains(caller.userId(), p, limit));
    }

    @GetMapping("/recent")
    @Operation(summary = "The newest usage records (limit 1-100, default 50)")
    ResponseEntity<?> recent(@AuthenticationPrincipal AuthenticatedUser caller, @RequestParam(required = false) @Nullable Integer days,
            @RequestParam(required = false) @Nullable String period, @RequestParam(required = false) @Nullable String format,
            @RequestParam(name = "sub_user", required = false) @Nullable UUID subUser,
            @RequestParam(defaultValue = "50") int limit) {
        UsagePeriod p = UsagePeriod.of(days, period).withSubUser(subUser);
        return respond(format, "recent", p, () -> usage.recent(caller.userId(), p, limit),
                (RecentUsage r) -> csv(UsageEntry.class, r.records()));
    }

    private ResponseEntity<?> breakdown(@Nullable String format, String name, UsagePeriod period, Supplier<UsageBreakdown> query) {
        return respond(format, name, period, query,
                b -> UsageCsv.write(UsageBucket.class, b.buckets(), Map.of("key", b.dimension())));
    }

    /** JSON, or with {@code format=csv} the CSV {@code toCsv} makes, as an attachment {@code usage-<name>-<period>.csv}. */
    private static <T> ResponseEntity<?> respond(@Nullable String format, String name, UsagePeriod period, Supplier<T> query,
            Function<T, String> toCsv) {
        boolean csv = format != null && format.equalsIgnoreCase("csv");
        if (format != null && !csv && !format.equalsIgnoreCase("json")) {
            throw new UsageException(UsageException.Reason.INVALID_FORMAT, "format: " + format + " (expected: json or csv)", "format");
        }
        T body = query.get();
        if (!csv) {
            return ResponseEntity.ok(body);
        }
        String file = "usage-" + name + "-" + period.code() + ".csv";
        return ResponseEntity.ok()
                .contentType(TEXT_CSV)
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(file).build().toString())
                .body(toCsv.apply(body));
    }

    private static <R extends Record> String csv(Class<R> type, List<? extends R> rows) {
        return UsageCsv.write(type, rows, Map.of());
    }
}
