package io.iploop.server.web.internal;

import io.iploop.server.billing.FinanceService;
import io.iploop.server.billing.MarginReport;
import io.iploop.server.billing.MrrReport;
import io.iploop.server.billing.RevenueGrouping;
import io.iploop.server.billing.RevenueReport;
import io.iploop.server.platform.ApiException;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * {@code /admin/finance} (docs/billing.md#admin-finance): revenue by day and by plan with refunds
 * netted and VAT apart, margin against operator earnings, and MRR with churn, for a period of UTC
 * dates (both inclusive, default the last 30 days). Admins with a 2FA session only, like every
 * {@code /admin/**} page. Everything comes from {@link FinanceService}. Stateless; thread-safe.
 */
@Controller
final class FinancePagesController {

    private final FinanceService finance;
    private final Clock clock;

    FinancePagesController(FinanceService finance, Clock clock) {
        this.finance = finance;
        this.clock = clock;
    }

    @GetMapping("/admin/finance")
    String page(@RequestParam(required = false) @Nullable String from, @RequestParam(required = false) @Nullable String to,
            HttpServletResponse response, Model model) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate end = today;
        LocalDate start = today.minusDays(29);
        try {
            end = to == null || to.isBlank() ? today : LocalDate.parse(to.strip());
            start = from == null || from.isBlank() ? end.minusDays(29) : LocalDate.parse(from.strip());
            if (end.isBefore(start) || end.toEpochDay() - start.toEpochDay() >= 366) {
                throw new IllegalArgumentException();
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            model.addAttribute("error", "Choose a period of dates (YYYY-MM-DD), from before to, at most 366 days; "
                    + "showing the last 30 days.");
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            end = today;
            start = today.minusDays(29);
        }
        var fromInstant = start.atStartOfDay(ZoneOffset.UTC).toInstant();
        var toInstant = end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        try {
            RevenueReport byDay = finance.revenue(fromInstant, toInstant, RevenueGrouping.DAY);
            RevenueReport byPlan = finance.revenue(fromInstant, toInstant, RevenueGrouping.PLAN);
            MarginReport margin = finance.margin(fromInstant, toInstant);
            MrrReport mrr = finance.mrr(12);
            model.addAttribute("byDay", byDay);
            model.addAttribute("byPlan", byPlan);
            model.addAttribute("margin", margin);
            model.addAttribute("mrr", mrr);
            model.addAttribute("currentMrr", mrr.months().getLast());
        } catch (ApiException e) {
            model.addAttribute("error", e.getMessage());
            response.setStatus(e.status().value());
        }
        model.addAttribute("from", start.toString());
        model.addAttribute("to", end.toString());
        return "admin/finance";
    }
}
