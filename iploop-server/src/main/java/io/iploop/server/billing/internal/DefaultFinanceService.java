package io.iploop.server.billing.internal;

import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingException.Reason;
import io.iploop.server.billing.FinanceService;
import io.iploop.server.billing.MarginReport;
import io.iploop.server.billing.MrrReport;
import io.iploop.server.billing.RevenueGrouping;
import io.iploop.server.billing.RevenueReport;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerCurrency;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlanDetails;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.SubscriptionSpan;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The finance reports (docs/billing.md#admin-finance). Revenue comes from this feature's own
 * invoices and credit notes; subscriptions only through {@link PlansService}, operator earnings
 * only through {@link LedgerService}. Thread-safe.
 */
@Service
class DefaultFinanceService implements FinanceService {

    private static final String CURRENCY = "USD";

    private final CreditNoteRepository money;
    private final PlansService plans;
    private final LedgerService ledger;
    private final Clock clock;

    DefaultFinanceService(CreditNoteRepository money, PlansService plans, LedgerService ledger, Clock clock) {
        this.money = money;
        this.plans = plans;
        this.ledger = ledger;
        this.clock = clock;
    }

    @Override
    @Transactional(readOnly = true)
    public RevenueReport revenue(Instant from, Instant to, RevenueGrouping groupBy) {
        checkPeriod(from, to);
        Map<String, long[]> byKey = new TreeMap<>();
        long[] total = new long[4];
        for (CreditNoteRepository.RevenueCell c : money.revenue(from, to)) {
            String key = groupBy == RevenueGrouping.DAY ? c.day().toString() : c.plan();
            long[] sums = byKey.computeIfAbsent(key, k -> new long[4]);
            long[] cell = {c.paid(), c.refunded(), c.paidTax() - c.refundedTax()};
            for (int i = 0; i < 3; i++) {
                sums[i] += cell[i];
                total[i] += cell[i];
            }
        }
        List<RevenueReport.Row> rows = new ArrayList<>();
        byKey.forEach((k, v) -> rows.add(row(k, v)));
        return new RevenueReport(from, to, groupBy, CURRENCY, rows, row("total", total));
    }

    private static RevenueReport.Row row(String key, long[] v) {
        return new RevenueReport.Row(key, v[0], v[1], v[2], v[0] - v[1] - v[2]);
    }

    @Override
    @Transactional(readOnly = true)
    public MrrReport mrr(int months) {
        if (months < 1 || months > 24) {
            throw new BillingException(Reason.VALIDATION, "months: " + months + " (expected: 1-24)", "months");
        }
        Instant now = clock.instant();
        YearMonth current = YearMonth.from(now.atZone(ZoneOffset.UTC));
        YearMonth first = current.minusMonths(months - 1L);
        Instant firstStart = first.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Map<String, Long> monthlyCents = monthlyPrices();
        List<SubscriptionSpan> spans = plans.subscriptionSpans(firstStart, now.plusMillis(1));
        List<MrrReport.Month> result = new ArrayList<>();
        for (YearMonth m = first; !m.isAfter(current); m = m.plusMonths(1)) {
            Instant start = m.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            Instant end = m.equals(current) ? now : m.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()
                    .minusNanos(1000);
            Set<UUID> payingAtStart = paying(spans, start, monthlyCents);
            Set<UUID> payingAtEnd = paying(spans, end, monthlyCents);
            long mrr = spans.stream().filter(s -> s.activeAt(end))
                    .mapToLong(s -> monthlyCents.getOrDefault(s.planId(), 0L)).sum();
            Set<UUID> churned = new HashSet<>(payingAtStart);
            churned.removeAll(payingAtEnd);
            BigDecimal churnPercent = payingAtStart.isEmpty() ? null : BigDecimal.valueOf(churned.size() * 100L)
                    .divide(BigDecimal.valueOf(payingAtStart.size()), 2, RoundingMode.HALF_UP);
            result.add(new MrrReport.Month(m.toString(), mrr, payingAtStart.size(), payingAtEnd.size(), churned.size(),
                    churnPercent));
        }
        return new MrrReport(CURRENCY, result);
    }

    /** Accounts with a running subscription to a plan with a monthly price above zero at {@code at}. */
    private static Set<UUID> paying(List<SubscriptionSpan> spans, Instant at, Map<String, Long> monthlyCents) {
        Set<UUID> users = new HashSet<>();
        for (SubscriptionSpan s : spans) {
            if (s.activeAt(at) && monthlyCents.getOrDefault(s.planId(), 0L) > 0) {
                users.add(s.userId());
            }
        }
        return users;
    }

    /**
     * Monthly price in US cents per plan id, withdrawn plans included: the monthly price, else the
     * annual price / 12; plans priced per GB or by contract (no price) and non-USD plans count 0.
     * Today's prices: the plans feature keeps no price history.
     */
    private Map<String, Long> monthlyPrices() {
        Map<String, Long> prices = new HashMap<>();
        for (PlanDetails d : plans.allPlans()) {
            Plan p = d.plan();
            @Nullable BigDecimal monthly = null;
            if (p.priceMonthly() != null && p.priceMonthly().amount().signum() > 0) {
                monthly = p.priceMonthly().amount();
            } else if (p.priceAnnual() != null && p.priceAnnual().amount().signum() > 0) {
                monthly = p.priceAnnual().amount().divide(BigDecimal.valueOf(12), 2, RoundingMode.HALF_UP);
            }
            if (monthly != null && CURRENCY.equals(d.currency())) {
                prices.put(p.id(), monthly.movePointRight(2).setScale(0, RoundingMode.HALF_UP).longValueExact());
            }
        }
        return prices;
    }

    @Override
    @Transactional(readOnly = true)
    public MarginReport margin(Instant from, Instant to) {
        checkPeriod(from, to);
        BigDecimal revenue = BigDecimal.valueOf(revenue(from, to, RevenueGrouping.DAY).total().netRevenueCents(), 2);
        // Issued and adjustment accounts run negative by what they handed out to operators.
        long credits = ledger.movement(AccountPurpose.EARN_ISSUED, from, to)
                .add(ledger.movement(AccountPurpose.EARN_ADJUSTMENTS, from, to)).negate().longValueExact();
        BigDecimal earnings = BigDecimal.valueOf(credits).multiply(LedgerCurrency.USD_PER_CREDIT).setScale(3,
                RoundingMode.UNNECESSARY);
        BigDecimal margin = revenue.subtract(earnings);
        BigDecimal percent = revenue.signum() == 0 ? null
                : margin.multiply(BigDecimal.valueOf(100)).divide(revenue, 2, RoundingMode.HALF_UP);
        return new MarginReport(from, to, revenue, credits, earnings, margin, percent);
    }

    private static void checkPeriod(Instant from, Instant to) {
        if (!to.isAfter(from)) {
            throw new BillingException(Reason.VALIDATION, "to: " + to + " is not after from " + from, "to");
        }
    }
}
