package io.iploop.server.earn;

import java.time.LocalDate;
import java.util.List;

/**
 * Daily earnings of an operator over a period (docs/product/earn.md#credit-calculation {@code /api/earn/stats}), UTC days,
 * oldest first, every day present (zeros included). Immutable.
 *
 * @param period {@code 7d}, {@code 30d}, {@code 90d} or {@code 1y}
 * @param totalBytes bytes carried by the operator's devices in the period
 * @param totalCredits bandwidth credits and referral commissions credited in the period
 */
public record EarnStats(String period, LocalDate from, LocalDate to, long totalBytes, long totalCredits, List<Day> days) {

    public EarnStats {
        days = List.copyOf(days);
    }

    /** One UTC day: bytes carried and credits credited. */
    public record Day(LocalDate date, long bytes, long credits) {}
}
