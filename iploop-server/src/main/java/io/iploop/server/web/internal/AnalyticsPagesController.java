package io.iploop.server.web.internal;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.plans.PlansService;
import io.iploop.server.usage.UsageBreakdown;
import io.iploop.server.usage.UsageBucket;
import io.iploop.server.usage.UsagePeriod;
import io.iploop.server.usage.UsageService;
import io.iploop.server.usage.UsageSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.json.JsonMapper;

/**
 * The analytics page (docs/product/usage.md#analytics: summary cards, period selector, daily requests area chart,
 * countries pie, daily bandwidth bar) and the usage page (docs/product/usage.md#analytics: daily requests and bandwidth,
 * hourly distribution, status codes, per-key and per-domain tables, daily table, CSV downloads
 * from the {@code /api/usage/…?format=csv} endpoints). Figures come from {@link UsageService}
 * for the signed-in account; the period is {@code ?period=7d|30d|90d|1y} (default 30 days, an
 * invalid one is a 400 page naming it). Chart data travel to Chart.js as JSON. Stateless; thread-safe.
 */
@Controller
final class AnalyticsPagesController {

    private static final double MB = 1_000_000d;

    private final UsageService usage;
    private final PlansService plans;
    private final JsonMapper json;

    AnalyticsPagesController(UsageService usage, PlansService plans, JsonMapper json) {
        this.usage = usage;
        this.plans = plans;
        this.json = json;
    }

    @GetMapping("/analytics")
    String analytics(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String period, Model model) {
        UsagePeriod p = UsagePeriod.of(null, period);
        UsageSummary summary = usage.summary(me.userId(), p);
        UsageBreakdown daily = usage.daily(me.userId(), p);
        UsageBreakdown countries = usage.byCountry(me.userId(), p);
        model.addAttribute("period", p.code());
        model.addAttribute("summary", summary);
        model.addAttribute("countries", countries.buckets());
        Map<String, Object> charts = new LinkedHashMap<>();
        charts.put("daily", series(daily.buckets()));
        charts.put("countries", series(countries.buckets().stream()
                .map(b -> b.key() == null ? b.withLabel("Not targeted") : b).toList()));
        model.addAttribute("chartJson", OverviewPagesController.safeJson(json.writeValueAsString(charts)));
        return "analytics";
    }

    @GetMapping("/usage")
    String usagePage(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String period, Model model) {
        UsagePeriod p = UsagePeriod.of(null, period);
        UsageSummary summary = usage.summary(me.userId(), p);
        UsageBreakdown daily = usage.daily(me.userId(), p);
        UsageBreakdown hourly = usage.hourly(me.userId(), p);
        UsageBreakdown status = usage.statusCodes(me.userId(), p);
        model.addAttribute("period", p.code());
        model.addAttribute("summary", summary);
        List<UsageBucket> days = new ArrayList<>(daily.buckets());
        java.util.Collections.reverse(days);
        model.addAttribute("days", days);
        model.addAttribute("byKey", usage.byKey(me.userId(), p).buckets());
        model.addAttribute("domains", usage.topDomains(me.userId(), p, 10).buckets());
        model.addAttribute("recent", usage.recent(me.userId(), p, 20).records());
        Map<String, Object> charts = new LinkedHashMap<>();
        charts.put("daily", series(daily.buckets()));
        charts.put("hourly", series(hourly.buckets()));
        charts.put("status", series(statusSlices(status.buckets())));
        model.addAttribute("chartJson", OverviewPagesController.safeJson(json.writeValueAsString(charts)));
        OverviewPagesController.planCard(plans, me, model);
        return "usage";
    }

    /**
     * The status-code chart's slices: one per origin HTTP status, then the streams without one split
     * in two, because they mean different things: tunnels the gateway carried (CONNECT and SOCKS5,
     * whose payload it does not parse; they ended without a proxy error) and streams the gateway
     * refused or whose exit failed (no response ever came). Only the stream counts are drawn.
     */
    static List<UsageBucket> statusSlices(List<UsageBucket> buckets) {
        List<UsageBucket> slices = new ArrayList<>();
        for (UsageBucket b : buckets) {
            if (b.key() != null) {
                slices.add(b.withLabel(b.key()));
                continue;
            }
            long failed = b.streams() - b.successfulStreams();
            if (b.successfulStreams() > 0) {
                slices.add(new UsageBucket(null, "Tunnels (CONNECT, SOCKS5)", b.bytesUploaded(), b.bytesDownloaded(),
                        b.totalBytes(), b.requests(), b.successfulStreams(), b.successfulStreams()));
            }
            if (failed > 0) {
                slices.add(new UsageBucket(null, "Refused or failed at the gateway", 0, 0, 0, 0, failed, 0));
            }
        }
        return slices;
    }

    /** Parallel arrays for Chart.js: labels, requests, successful streams, failed streams, MB (10^6 bytes). */
    private static Map<String, Object> series(List<UsageBucket> buckets) {
        List<String> labels = new ArrayList<>();
        List<Long> requests = new ArrayList<>();
        List<Long> streams = new ArrayList<>();
        List<Long> successful = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        List<Double> mb = new ArrayList<>();
        for (UsageBucket b : buckets) {
            labels.add(b.label() != null ? b.label() : b.key() != null ? b.key() : "—");
            requests.add(b.requests());
            streams.add(b.streams());
            successful.add(b.successfulStreams());
            failed.add(b.streams() - b.successfulStreams());
            mb.add(Math.round(b.totalBytes() / MB * 1000) / 1000d);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("labels", labels);
        s.put("requests", requests);
        s.put("streams", streams);
        s.put("successful", successful);
        s.put("failed", failed);
        s.put("mb", mb);
        return s;
    }
}
