package io.iploop.server.billing;

import java.math.BigDecimal;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Monthly recurring revenue and churn (docs/billing.md#mrr). Immutable.
 *
 * @param currency of every amount ({@code USD}); plans priced in another currency are left out
 * @param months oldest first, the current month last
 */
public record MrrReport(String currency, List<Month> months) {

    public MrrReport {
        months = List.copyOf(months);
    }

    /**
     * One calendar month (UTC).
     *
     * @param month {@code YYYY-MM}
     * @param mrrCents the monthly price of every subscription running at the month's end (now for
     *     the current month): the monthly price, or the annual price / 12 for a plan priced only annually
     * @param payingAtStart accounts on a paid plan at the month's start
     * @param payingAtEnd accounts on a paid plan at the month's end
     * @param churned accounts paying at the start that are on no paid plan at the end
     * @param churnPercent {@code churned / payingAtStart × 100}, 2 decimals; null when nobody paid at the start
     */
    public record Month(String month, long mrrCents, long payingAtStart, long payingAtEnd, long churned,
            @Nullable BigDecimal churnPercent) {}
}
