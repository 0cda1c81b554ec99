package io.iploop.server.billing.internal;

import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingException.Reason;
import io.iploop.server.billing.FinanceService;
import io.iploop.server.billing.MarginReport;
import io.iploop.server.billing.MrrReport;
import io.iploop.server.billing.RevenueGrouping;
import io.iploop.server.billing.RevenueReport;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/admin/finance} (docs/billing.md#admin-finance): revenue, MRR and churn, margin.
 * Admins signed in with 2FA only (the {@code /api/admin/**} rule). {@code from} and {@code to} are
 * UTC dates, both inclusive; the default is the last 30 days including today.
 */
@RestController
@RequestMapping("/api/admin/finance")
@Tag(name = "Admin: finance")
class FinanceAdminController {

    /** Longest period one request may cover. */
    static final int MAX_DAYS = 366;

    private final FinanceService finance;
    private final Clock clock;

    FinanceAdminController(FinanceService finance, Clock clock) {
        this.finance = finance;
        this.clock = clock;
    }

    @GetMapping("/revenue")
    @Operation(summary = "Revenue by UTC day or buyer plan, payments minus refunds and chargebacks, VAT shown apart")
    RevenueReport revenue(@RequestParam(required = false) @Nullable String from,
            @RequestParam(required = false) @Nullable String to, @RequestParam(defaultValue = "day") String groupBy) {
        RevenueGrouping grouping;
        try {
            grouping = RevenueGrouping.valueOf(groupBy.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BillingException(Reason.VALIDATION, "groupBy: '" + groupBy + "' (expected: day or plan)", "groupBy");
        }
        Instant[] period = period(from, to, clock);
        return finance.revenue(period[0], period[1], grouping);
    }

    @GetMapping("/mrr")
    @Operation(summary = "MRR and churn of the last months (default 12), from plan subscriptions")
    MrrReport mrr(@RequestParam(defaultValue = "12") int months) {
        return finance.mrr(months);
    }

    @GetMapping("/margin")
    @Operation(summary = "Customer revenue (net of refunds and VAT) against operator earnings in the same period")
    MarginReport margin(@RequestParam(required = false) @Nullable String from,
            @RequestParam(required = false) @Nullable String to) {
        Instant[] period = period(from, to, clock);
        return finance.margin(period[0], period[1]);
    }

    /**
     * {@code [start of from, start of the day after to)} in UTC.
     *
     * @throws BillingException {@code VALIDATION} naming {@code from} or {@code to}
     */
    static Instant[] period(@Nullable String from, @Nullable String to, Clock clock) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate end = to == null || to.isBlank() ? today : date(to, "to");
        LocalDate start = from == null || from.isBlank() ? end.minusDays(29) : date(from, "from");
        if (end.isBefore(start)) {
            throw new BillingException(Reason.VALIDATION, "to: " + end + " is before from " + start, "to");
        }
        if (end.toEpochDay() - start.toEpochDay() >= MAX_DAYS) {
            throw new BillingException(Reason.VALIDATION, "to: the period from " + start + " to " + end
                    + " is longer than " + MAX_DAYS + " days", "to");
        }
        return new Instant[] {start.atStartOfDay(ZoneOffset.UTC).toInstant(),
                end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()};
    }

    private static LocalDate date(String value, String field) {
        try {
            return LocalDate.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new BillingException(Reason.VALIDATION, field + ": '" + (value.length() > 20 ? value.substring(0, 20)
                    : value) + "' (expected a date YYYY-MM-DD)", field);
        }
    }
}
